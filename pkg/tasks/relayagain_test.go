package tasks_test

import (
	"context"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
)

// Rows handed to a Redis that then lost its data are handed over again
// once they are older than Again, and only the unfinished ones; while the
// tasks are still queued, the look changes nothing in Redis.
func TestRelayAgainFindsWorkRedisLost(t *testing.T) {
	ctx := context.Background()
	s, dbURL := storetest.New(t)
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	insp := asynq.NewInspectorFromRedisClient(rc)
	relay := tasks.NewRelay(s, tasks.NewQueue(rc), []string{store.TaskTicketRoute}, quiet)
	relayOnce := func(what string, want int) {
		t.Helper()
		if n, err := relay.RelayOnce(ctx); err != nil || n != want {
			t.Fatalf("%s: relayed %d, %v; want %d", what, n, err, want)
		}
	}
	// age moves every hand-over further back than Again, as time passing would.
	age := func() { storetest.Exec(t, dbURL, "UPDATE outbox SET relayed_at = relayed_at - interval '1 hour'") }
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
