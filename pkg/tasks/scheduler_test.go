package tasks_test

import (
	"context"
	"errors"
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
	// a slot's edge (where two runs in two slots are right). Each queues
	// its copy at once, and not again before the slot ends, a minute on.
	slotStart := time.Now().Truncate(time.Minute)
	queued := make(chan error, 2)
	for range 2 {
		q := recordingEnqueuer{Enqueuer: asynq.NewClientFromRedisClient(rc), results: queued}
		s := tasks.NewScheduler(q, work, quiet)
		s.Now = func() time.Time { return slotStart.Add(30 * time.Second) }
		wg.Go(func() { _ = s.Run(ctx) })
	}
	wg.Go(func() { _ = w.Run(ctx) })

	var accepted, refused int
	for range 2 {
		select {
		case err := <-queued:
			switch {
			case err == nil:
				accepted++
			case errors.Is(err, asynq.ErrTaskIDConflict):
				refused++
			default:
				t.Fatalf("enqueue: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the schedulers did not both queue their copy within 30 s")
		}
	}
	if accepted != 1 || refused != 1 {
		t.Fatalf("%d copies accepted and %d refused, want one of each", accepted, refused)
	}
	select {
	case <-ran:
	case <-time.After(30 * time.Second):
		t.Fatal("the periodic task never ran")
	}
	cancel()
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times in one slot, want once", n)
	}
}

// recordingEnqueuer sends the outcome of every enqueue to results, dropping
// those it has no room for.
type recordingEnqueuer struct {
	tasks.Enqueuer
	results chan<- error
}

func (r recordingEnqueuer) EnqueueContext(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	info, err := r.Enqueuer.EnqueueContext(ctx, t, opts...)
	select {
	case r.results <- err:
	default:
	}
	return info, err
}
