package tasks_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func addOutbox(t *testing.T, s *store.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := s.AddOutbox(context.Background(), store.TaskTicketRoute, store.TicketTask{TicketID: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
}

// relayFixture is a private database and Redis with a relay of ticket
// routing between them; the Redis client is closed when the test ends.
func relayFixture(t *testing.T) (s *store.Store, dbURL string, rc redis.UniversalClient, relay *tasks.Relay) {
	t.Helper()
	s, dbURL = storetest.New(t)
	rc = taskstest.NewRedis(t).Client()
	t.Cleanup(func() { _ = rc.Close() })
	return s, dbURL, rc, tasks.NewRelay(s, tasks.NewQueue(rc), []string{store.TaskTicketRoute}, quiet)
}

// ageRelayed moves every hand-over an hour back, past the relay's Again,
// as time passing would.
func ageRelayed(t *testing.T, dbURL string) {
	t.Helper()
	storetest.Exec(t, dbURL, "UPDATE outbox SET relayed_at = relayed_at - interval '1 hour'")
}

func pendingTasks(t *testing.T, insp *asynq.Inspector) int {
	t.Helper()
	info, err := insp.GetQueueInfo(tasks.QueueDefault)
	if err != nil {
		return 0 // the queue does not exist yet
	}
	return info.Pending
}

func TestRelayHandsEachRowOverOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	client := asynq.NewClientFromRedisClient(rc)
	insp := asynq.NewInspectorFromRedisClient(rc)
	relay := tasks.NewRelay(s, client, []string{store.TaskTicketRoute}, quiet)
	relay.Batch = 3

	addOutbox(t, s, 5)
	// Work no worker here can do waits in the outbox.
	if err := s.AddOutbox(ctx, "reports:rollup", map[string]string{"week": "2026-W47"}); err != nil {
		t.Fatal(err)
	}
	n1, err := relay.RelayOnce(ctx)
	if err != nil || n1 != 3 {
		t.Fatalf("first batch: n=%d err=%v, want 3 relayed", n1, err)
	}
	n2, err := relay.RelayOnce(ctx)
	if err != nil || n2 != 2 {
		t.Fatalf("second batch: n=%d err=%v, want the other 2", n2, err)
	}
	if n, err := relay.RelayOnce(ctx); err != nil || n != 0 {
		t.Fatalf("empty outbox: n=%d err=%v", n, err)
	}
	if got := pendingTasks(t, insp); got != 5 {
		t.Fatalf("queue holds %d tasks, want 5", got)
	}
	items, err := s.PendingOutbox(ctx, 10)
	if err != nil || len(items) != 1 || items[0].TaskType != "reports:rollup" {
		t.Fatalf("outbox pending = %+v, %v; want only the task type no worker handles", items, err)
	}
	info, err := insp.GetTaskInfo(tasks.QueueDefault, tasks.TaskID(1))
	if err != nil || info.Type != store.TaskTicketRoute || string(info.Payload) != `{"ticket_id": 1}` {
		t.Fatalf("task outbox:1 = %+v, %v", info, err)
	}
}

// A relay that dies after enqueueing but before its commit leaves the rows
// pending; the next relay must not queue the work twice.
func TestRelayAfterCrashDoesNotDouble(t *testing.T) {
	ctx := context.Background()
	s, dbURL := storetest.New(t)
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	client := asynq.NewClientFromRedisClient(rc)
	insp := asynq.NewInspectorFromRedisClient(rc)
	relay := tasks.NewRelay(s, client, []string{store.TaskTicketRoute}, quiet)

	addOutbox(t, s, 4)
	if n, err := relay.RelayOnce(ctx); err != nil || n != 4 {
		t.Fatalf("relay: n=%d err=%v", n, err)
	}
	storetest.Exec(t, dbURL, "UPDATE outbox SET relayed_at = NULL") // the commit that never happened
	if n, err := relay.RelayOnce(ctx); err != nil || n != 4 {
		t.Fatalf("re-relay: n=%d err=%v, want the 4 rows recognised as queued", n, err)
	}
	if got := pendingTasks(t, insp); got != 4 {
		t.Fatalf("queue holds %d tasks after a re-relay, want 4", got)
	}
}

// While Redis is down the rows wait in PostgreSQL; once it is back they go
// through, none lost.
func TestRelayWaitsOutRedisOutage(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	relay := tasks.NewRelay(s, asynq.NewClientFromRedisClient(rc), []string{store.TaskTicketRoute}, quiet)

	rd.Stop()
	addOutbox(t, s, 3)
	if n, err := relay.RelayOnce(ctx); err == nil || n != 0 {
		t.Fatalf("with Redis down: n=%d err=%v, want an error and nothing relayed", n, err)
	}
	items, err := s.PendingOutbox(ctx, 10)
	if err != nil || len(items) != 3 || items[0].Attempts != 1 {
		t.Fatalf("outbox after a failed relay = %+v, %v; want 3 pending, the first with one attempt", items, err)
	}
	rd.Start()
	if n, err := relay.RelayOnce(ctx); err != nil || n != 3 {
		t.Fatalf("after Redis is back: n=%d err=%v, want 3", n, err)
	}
	if got := pendingTasks(t, asynq.NewInspectorFromRedisClient(rc)); got != 3 {
		t.Fatalf("queue holds %d tasks, want 3", got)
	}
}
