package tasks_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
)

// Two worker processes each run a scheduler; a periodic run is still done
// once per slot.
func TestSchedulersDoNotDoubleRuns(t *testing.T) {
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var runs atomic.Int32
	ran := make(chan struct{}, 10)
	w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 2}, quiet)
	w.Handle("test:tick", func(context.Context, *asynq.Task) error {
		runs.Add(1)
		ran <- struct{}{}
		return nil
	})
	work := []tasks.Periodic{{TaskType: "test:tick", Every: time.Minute}}
	var wg sync.WaitGroup
	// Both processes' clocks in the same slot, as they are except right at
	// a slot's edge (where two runs in two slots are right).
	slotStart := time.Now().Truncate(time.Minute)
	for range 2 {
		s := tasks.NewScheduler(asynq.NewClientFromRedisClient(rc), work, quiet)
		s.Now = func() time.Time { return slotStart.Add(30 * time.Second) }
		wg.Go(func() { _ = s.Run(ctx) })
	}
	wg.Go(func() { _ = w.Run(ctx) })

	select {
	case <-ran:
	case <-time.After(30 * time.Second):
		t.Fatal("the periodic task never ran")
	}
	time.Sleep(2 * time.Second) // the other scheduler's copy has been refused by now
	cancel()
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times in one slot, want once", n)
	}
}
