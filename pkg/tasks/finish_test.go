package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
)

// marks records what the worker marked on the outbox; the first doneErrs
// calls of MarkOutboxDone fail, as when PostgreSQL is away.
type marks struct {
	mu       sync.Mutex
	done     map[int64]int
	failed   map[int64]string
	doneErrs int
	changed  chan struct{}
}

func newMarks() *marks {
	return &marks{done: map[int64]int{}, failed: map[int64]string{}, changed: make(chan struct{}, 100)}
}

func (m *marks) MarkOutboxDone(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer func() { m.changed <- struct{}{} }()
	if m.doneErrs > 0 {
		m.doneErrs--
		return errors.New("database unavailable")
	}
	m.done[id]++
	return nil
}

func (m *marks) MarkOutboxFailed(_ context.Context, id int64, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failed[id] = reason
	m.changed <- struct{}{}
	return nil
}

func (m *marks) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fmt.Sprintf("done %v, failed %v", m.done, m.failed)
}

// A task relayed from the outbox marks its row done when its handler
// succeeded and failed when asynq gives it up; a failure asynq retries,
// and tasks not from the outbox, mark nothing; a row that cannot be marked
// done fails the task, so it runs again.
func TestWorkerFinishesOutboxRows(t *testing.T) {
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	insp := asynq.NewInspectorFromRedisClient(rc)
	m := newMarks()
	m.doneErrs = 1
	w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 2, Outbox: m}, quiet)
	ran := make(chan string, 100)
	w.Handle("test:ok", func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		ran <- id
		return nil
	})
	w.Handle("test:fail", func(ctx context.Context, task *asynq.Task) error {
		switch string(task.Payload()) {
		case "skip":
			return fmt.Errorf("never works: %w", asynq.SkipRetry)
		case "panic":
			panic("broken handler")
		}
		return errors.New("try again")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(ctx) })
	defer wg.Wait()
	defer cancel()

	q := tasks.NewQueue(rc)
	enqueue := func(typ, payload, id string, retry int) {
		t.Helper()
		if _, err := q.EnqueueContext(ctx, asynq.NewTask(typ, []byte(payload)), asynq.TaskID(id),
			asynq.MaxRetry(retry), asynq.Retention(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	state := func(id string) (asynq.TaskState, string) {
		info, err := insp.GetTaskInfo(tasks.QueueDefault, id)
		if err != nil {
			return 0, err.Error()
		}
		return info.State, info.LastErr
	}
	waitState := func(id string, want asynq.TaskState) string {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			got, lastErr := state(id)
			if got == want {
				return lastErr
			}
			select {
			case <-m.changed:
			case <-time.After(50 * time.Millisecond): // asynq moves the task after the handler returned
			case <-deadline:
				t.Fatalf("task %s: %v (%s), want %v; marks %s", id, got, lastErr, want, m)
			}
		}
	}

	// Not from the outbox: runs, marks nothing.
	enqueue("test:ok", "", "sla:scan:1", 0)
	// From the outbox: the first mark fails, so the task fails and is
	// retried, although its handler succeeded.
	enqueue("test:ok", "", tasks.TaskID(1), 3)
	if lastErr := waitState(tasks.TaskID(1), asynq.TaskStateRetry); !strings.Contains(lastErr, "not marked done") {
		t.Errorf("task of row 1 failed with %q, want the failed mark named", lastErr)
	}
	if err := insp.RunTask(tasks.QueueDefault, tasks.TaskID(1)); err != nil { // no need to wait for the backoff
		t.Fatal(err)
	}
	waitState(tasks.TaskID(1), asynq.TaskStateCompleted)
	waitState("sla:scan:1", asynq.TaskStateCompleted)

	enqueue("test:fail", "skip", tasks.TaskID(2), 5)  // given up at once
	enqueue("test:fail", "again", tasks.TaskID(3), 0) // its last try
	enqueue("test:fail", "again", tasks.TaskID(4), 5) // retried later
	enqueue("test:fail", "panic", tasks.TaskID(5), 0)
	for _, id := range []int64{2, 3, 5} {
		waitState(tasks.TaskID(id), asynq.TaskStateArchived)
	}
	waitState(tasks.TaskID(4), asynq.TaskStateRetry)

	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.done) != 1 || m.done[1] != 1 {
		t.Errorf("rows marked done: %v, want row 1 once", m.done)
	}
	if len(m.failed) != 3 || !strings.Contains(m.failed[2], "never works") || !strings.Contains(m.failed[3], "try again") ||
		!strings.Contains(m.failed[5], "broken handler") {
		t.Errorf("rows marked failed: %v, want 2, 3 and 5 with their errors", m.failed)
	}
	if len(ran) != 3 {
		t.Errorf("test:ok ran %d times, want 3 (sla:scan:1 once, row 1 twice)", len(ran))
	}
}
