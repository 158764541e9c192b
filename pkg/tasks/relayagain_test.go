package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
)

// Rows handed to a Redis that then lost its data are handed over again
// once they are older than Again, and only the unfinished ones; while the
// tasks are still queued, the look changes nothing in Redis.
func TestRelayAgainFindsWorkRedisLost(t *testing.T) {
	ctx := context.Background()
	s, dbURL, rc, relay := relayFixture(t)
	insp := asynq.NewInspectorFromRedisClient(rc)
	relayOnce := func(what string, want int) {
		t.Helper()
		if n, err := relay.RelayOnce(ctx); err != nil || n != want {
			t.Fatalf("%s: relayed %d, %v; want %d", what, n, err, want)
		}
	}
	age := func() { ageRelayed(t, dbURL) }
	wipe := func() {
		t.Helper()
		if err := rc.FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}

	addOutbox(t, s, 4)
	relayOnce("first hand-over", 4)
	wipe()
	relayOnce("right after the wipe", 0) // not yet Again old
	if got := pendingTasks(t, insp); got != 0 {
		t.Fatalf("queue holds %d tasks after the wipe, want 0", got)
	}

	age()
	relayOnce("after Again", 4)
	if got := pendingTasks(t, insp); got != 4 {
		t.Fatalf("queue holds %d tasks after the second hand-over, want the 4 lost", got)
	}
	if n := storetest.Count(t, dbURL,
		"SELECT count(*) FROM outbox WHERE attempts = 2 AND relayed_at > now() - interval '1 minute'"); n != 4 {
		t.Fatalf("%d rows show a fresh second hand-over, want 4", n)
	}

	// Finished rows are not looked at again, whatever Redis holds.
	if err := s.MarkOutboxDone(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutboxFailed(ctx, 2, "bad payload"); err != nil {
		t.Fatal(err)
	}
	age()
	relayOnce("tasks still queued", 2) // 3 and 4, refused as already queued
	if got := pendingTasks(t, insp); got != 4 {
		t.Fatalf("queue holds %d tasks after looking at queued ones, want still 4", got)
	}
	wipe()
	age()
	relayOnce("after a second wipe", 2)
	for id, want := range map[int64]bool{1: false, 2: false, 3: true, 4: true} {
		_, err := insp.GetTaskInfo(tasks.QueueDefault, tasks.TaskID(id))
		if got := err == nil; got != want {
			t.Errorf("task of row %d queued = %v, want %v", id, got, want)
		}
	}

	// A row marked done stays done; failing it later changes nothing.
	if err := s.MarkOutboxFailed(ctx, 1, "late"); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM outbox
		WHERE (id = 1 AND done_at IS NOT NULL AND failed_at IS NULL AND last_error = '')
		   OR (id = 2 AND done_at IS NULL AND failed_at IS NOT NULL AND last_error = 'bad payload')`); n != 2 {
		t.Errorf("rows 1 and 2 do not keep their first outcome")
	}
	st, err := s.OutboxBacklog(ctx)
	if err != nil || st.Waiting != 0 || st.Relayed != 2 || st.Failed != 1 || st.Oldest <= 0 {
		t.Errorf("OutboxBacklog = %+v, %v; want 2 relayed, 1 failed, an age", st, err)
	}
}

// A task asynq finished or gave up while its row stayed unmarked (here: a
// worker that does not mark rows) is settled by the next look: the row is
// marked done or failed, and not handed over again.
func TestRelaySettlesRowsAsynqFinished(t *testing.T) {
	ctx := context.Background()
	s, dbURL, rc, relay := relayFixture(t)
	insp := asynq.NewInspectorFromRedisClient(rc)

	addOutbox(t, s, 3) // tickets 1 and 2 finish; 3 waits for a retry
	if n, err := relay.RelayOnce(ctx); err != nil || n != 3 {
		t.Fatalf("relay: %d, %v", n, err)
	}
	w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 1}, quiet)
	w.Handle(store.TaskTicketRoute, func(_ context.Context, task *asynq.Task) error {
		switch string(task.Payload()) {
		case `{"ticket_id": 1}`:
			return nil
		case `{"ticket_id": 2}`:
			return fmt.Errorf("no such ticket: %w", asynq.SkipRetry)
		}
		return errors.New("database unavailable")
	})
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(wctx) })
	want := map[int64]asynq.TaskState{1: asynq.TaskStateCompleted, 2: asynq.TaskStateArchived, 3: asynq.TaskStateRetry}
	deadline := time.Now().Add(30 * time.Second)
	for id := int64(1); id <= 3; {
		info, err := insp.GetTaskInfo(tasks.QueueDefault, tasks.TaskID(id))
		switch {
		case err == nil && info.State == want[id]:
			id++
			continue
		case time.Now().After(deadline):
			t.Fatalf("task of row %d: %+v, %v; want %v", id, info, err, want[id])
		}
		time.Sleep(20 * time.Millisecond) // asynq moves a task after its handler returns
	}
	stop()
	wg.Wait()

	ageRelayed(t, dbURL)
	if n, err := relay.RelayOnce(ctx); err != nil || n != 1 {
		t.Fatalf("relay after the tasks ended: %d, %v; want only row 3 looked at again", n, err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM outbox
		WHERE (id = 1 AND done_at IS NOT NULL AND failed_at IS NULL)
		   OR (id = 2 AND failed_at IS NOT NULL AND last_error LIKE '%no such ticket%')
		   OR (id = 3 AND done_at IS NULL AND failed_at IS NULL AND attempts = 2)`); n != 3 {
		t.Errorf("rows 1, 2, 3 not done, failed and still waiting: %d right", n)
	}
}
