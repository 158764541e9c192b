package tasks_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
)

// A task that waits for other work (tasks.Later) runs again, more times
// than its retries allow, and its retries stay unused.
func TestLaterRunsAgainWithoutUsingRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 2, ShutdownTimeout: 5 * time.Second}, quiet)
	const waits = 3
	var retried []int
	done := make(chan struct{})
	errNotYet := errors.New("checks still running")
	w.Handle("test:later", func(ctx context.Context, _ *asynq.Task) error {
		n, _ := asynq.GetRetryCount(ctx)
		retried = append(retried, n)
		if len(retried) <= waits {
			return tasks.Later(10*time.Millisecond, errNotYet)
		}
		close(done)
		return nil
	})
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	client := asynq.NewClientFromRedisClient(rc)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("test:later", nil), asynq.MaxRetry(1)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("the task ran %d times and never finished", len(retried))
	}
	for i, n := range retried {
		if n != 0 {
			t.Errorf("run %d saw %d retries used, want 0", i+1, n)
		}
	}
	if len(retried) != waits+1 {
		t.Errorf("%d runs, want %d", len(retried), waits+1)
	}
}
