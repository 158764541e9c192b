package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/ticket"
)

// TestRedisWipeLosesNoRouting creates call-center tickets in a steady
// stream while Redis loses its data twice, once flushed (FLUSHALL) and
// once restarted without persistence, each time with routing tasks queued
// but not yet run. The outbox hands the lost work over again: every
// ticket is routed and assigned exactly once, and every outbox row ends
// done; the work done before a wipe is not done again.
func TestRedisWipeLosesNoRouting(t *testing.T) {
	t.Parallel()
	e := newOutageEnv(t)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	ctx := context.Background()

	// The load stops at each gate until the test lets it go on, so the
	// test knows which tickets were created before which step.
	const n = 80
	gates := map[int]*loadGate{10: newLoadGate(), 20: newLoadGate(), 40: newLoadGate(), 60: newLoadGate()}
	load := runOutagePart(t, "the ticket load", func(ctx context.Context) error {
		for i := range n {
			if g := gates[i]; g != nil {
				close(g.reached)
				select {
				case <-g.release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if err := e.createTicket(ctx, srv.URL, outageCall(i)); err != nil {
				return fmt.Errorf("ticket %d: %w", i, err)
			}
		}
		return nil
	})
	reach := func(i int) {
		t.Helper()
		select {
		case <-gates[i].reached:
		case <-load.done:
			t.Fatalf("the load stopped before ticket %d: %v", i, load.err)
		case <-time.After(60 * time.Second):
			t.Fatalf("the load did not reach ticket %d within 60s", i)
		}
	}

	w, err := e.Worker()
	if err != nil {
		t.Fatal(err)
	}
	relay := tasks.NewRelay(e.Store, tasks.NewQueue(e.Redis), w.Types(), e.Log)
	relay.Again = time.Second // how late lost work runs, not whether
	relayRun := runOutagePart(t, "the relay", relay.Run)
	startWorker := func(name string) *outagePart {
		t.Helper()
		w, err := e.Worker()
		if err != nil {
			t.Fatal(err)
		}
		return runOutagePart(t, name, w.Run)
	}
	// held waits until the relay has handed over every ticket created so
	// far, with the worker stopped: their tasks wait in Redis, unrun.
	held := func(created int) {
		t.Helper()
		pollOutage(t, 30*time.Second, "the relay to hand over the tickets' work", func() (bool, string) {
			waiting := e.count(t, "SELECT count(*) FROM outbox WHERE relayed_at IS NULL")
			queued := e.count(t, "SELECT count(*) FROM outbox WHERE relayed_at IS NOT NULL AND done_at IS NULL")
			tickets := e.count(t, "SELECT count(*) FROM tickets")
			return tickets == created && waiting == 0, fmt.Sprintf("%d tickets, %d rows waiting, %d queued",
				tickets, waiting, queued)
		}, relayRun, load)
	}
	done := func(want int) {
		t.Helper()
		pollOutage(t, 60*time.Second, fmt.Sprintf("%d tickets' work done", want), func() (bool, string) {
			got := e.count(t, "SELECT count(*) FROM outbox WHERE done_at IS NOT NULL")
			return got >= want, fmt.Sprintf("%d rows done", got)
		}, relayRun, load)
	}

	// The first ten tickets are routed before anything goes wrong.
	worker := startWorker("the first worker")
	reach(10)
	done(10)
	worker.stop(t)

	// Ten more are handed to Redis, which is then flushed while the load
	// goes on.
	close(gates[10].release)
	reach(20)
	held(20)
	lostFirst := e.count(t, "SELECT count(*) FROM outbox WHERE done_at IS NULL")
	close(gates[20].release)
	if err := e.Redis.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	worker = startWorker("the second worker")
	reach(40)
	done(40)
	worker.stop(t)

	// Twenty more are handed over, and Redis, without persistence, is
	// restarted while the load goes on.
	close(gates[40].release)
	reach(60)
	held(60)
	lostSecond := e.count(t, "SELECT count(*) FROM outbox WHERE done_at IS NULL")
	close(gates[60].release)
	e.redis.Stop()
	e.redis.Start()
	worker = startWorker("the third worker")

	select {
	case <-load.done:
		if load.err != nil {
			t.Fatalf("the load: %v", load.err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the load did not finish within 60s")
	}
	pollOutage(t, 60*time.Second, "every ticket routed and assigned", func() (bool, string) {
		assigned := e.count(t, "SELECT count(*) FROM tickets WHERE assignee_id = $1 AND queue <> ''", e.agent.ID)
		unfinished := e.count(t, "SELECT count(*) FROM outbox WHERE done_at IS NULL")
		return assigned == n && unfinished == 0, fmt.Sprintf("%d of %d tickets assigned, %d rows unfinished",
			assigned, n, unfinished)
	}, relayRun, worker)

	if lostFirst != 10 || lostSecond != 20 {
		t.Errorf("work queued but not run at the wipes: %d and %d rows, want 10 and 20", lostFirst, lostSecond)
	}
	if got := e.count(t, "SELECT count(*) FROM tickets"); got != n {
		t.Errorf("%d tickets, want %d", got, n)
	}
	if wrong := e.count(t, `SELECT count(*) FROM (SELECT t.id, count(ev.id) FILTER (WHERE ev.kind = $1) AS routed,
			count(ev.id) FILTER (WHERE ev.kind = $2) AS assigned
		FROM tickets t LEFT JOIN ticket_events ev ON ev.ticket_id = t.id GROUP BY t.id) per
		WHERE routed <> 1 OR assigned <> 1`, routing.EventRouted, ticket.EventAssigned); wrong != 0 {
		t.Errorf("%d tickets not routed and assigned exactly once", wrong)
	}
	if got := e.count(t, "SELECT count(*) FROM outbox WHERE done_at IS NOT NULL AND failed_at IS NULL"); got != n {
		t.Errorf("%d outbox rows done, want %d: one per ticket", got, n)
	}
	if again := strings.Count(e.logs.String(), "outbox work was lost from the task queue"); again < 30 {
		t.Errorf("%d rows reported as lost and queued again, want at least the 30 lost", again)
	}
}

// loadGate is a point where the ticket load waits for the test.
type loadGate struct{ reached, release chan struct{} }

func newLoadGate() *loadGate {
	return &loadGate{reached: make(chan struct{}), release: make(chan struct{})}
}

// createTicket takes one call-center complaint through the API as the
// agent; safe to call off the test's goroutine.
func (e *outageEnv) createTicket(ctx context.Context, base string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/tickets", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
