package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
)

// Periodic is work that runs every so often.
type Periodic struct {
	TaskType string
	Every    time.Duration
}

// Scheduler queues periodic work. Every worker process runs one: each run
// is named by its time slot (type:slot), so the copies other processes
// queue for the same slot are refused as duplicates, even after the run
// has finished.
type Scheduler struct {
	queue Enqueuer
	work  []Periodic
	log   *slog.Logger
	// Now tells the time; tests set it to pin the slot.
	Now func() time.Time
}

// NewScheduler returns a scheduler queueing work on q.
func NewScheduler(q Enqueuer, work []Periodic, log *slog.Logger) *Scheduler {
	return &Scheduler{queue: q, work: work, log: log, Now: time.Now}
}

// SlotID is the task id of the run of taskType in the slot starting at.
func SlotID(taskType string, at time.Time) string {
	return fmt.Sprintf("%s:%d", taskType, at.Unix())
}

// Run queues each periodic task at the start of every slot until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, p := range s.work {
		if p.Every <= 0 {
			return fmt.Errorf("periodic %s: interval must be positive", p.TaskType)
		}
		wg.Go(func() { s.loop(ctx, p) })
	}
	wg.Wait()
	return nil
}

func (s *Scheduler) loop(ctx context.Context, p Periodic) {
	for {
		slot := s.Now().Truncate(p.Every)
		_, err := s.queue.EnqueueContext(ctx, asynq.NewTask(p.TaskType, nil), asynq.TaskID(SlotID(p.TaskType, slot)),
			asynq.Queue(QueueFor(p.TaskType)), asynq.MaxRetry(0), asynq.Retention(2*p.Every))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && ctx.Err() == nil {
			s.log.WarnContext(ctx, "periodic task not queued", "type", p.TaskType, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(slot.Add(p.Every))):
		}
	}
}
