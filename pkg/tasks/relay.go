// Package tasks is Aduan's background work on asynq: the task types with
// their payloads and handlers, the worker that runs them, and the relay
// that moves work from the outbox table to the queue.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/store"
)

// OutboxStore is what the relay needs from storage.
type OutboxStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	ClaimOutbox(ctx context.Context, types []string, limit int, again time.Duration) ([]store.OutboxItem, error)
	MarkRelayed(ctx context.Context, ids []int64) error
	RecordRelayFailure(ctx context.Context, id int64, reason string) error
	OutboxMarker
}

// Enqueuer hands tasks to the queue; *Queue and *asynq.Client are.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Relay moves outbox rows to asynq. Each task's id is its outbox row's, so
// relaying a row twice (a crash between enqueue and commit) is refused by
// asynq as a conflict instead of running the work twice; while Redis is
// away the rows wait in PostgreSQL and nothing is lost.
//
// A row stays the record of its work until the worker marks it finished
// (see WorkerConfig.Outbox). One handed over Again ago and not finished is
// handed over again: while asynq still holds its task, pending, running,
// waiting for a retry or kept as finished, the id conflicts and nothing
// happens but a fresh hand-over time; when Redis lost the task (a wipe, a
// restart without persistence, a failover to a replica that had not
// heard of it), the id is free and the work is queued again. A task
// waiting to run later (a retry's backoff, a handler's wait) is still held
// by asynq and so never run early; one lost with Redis runs at once, and
// its handler decides again whether to wait.
type Relay struct {
	store    OutboxStore
	queue    Enqueuer
	log      *slog.Logger
	types    []string
	Batch    int           // rows per transaction
	Interval time.Duration // pause when the outbox is empty
	// Again is how long after its last hand-over an unfinished row is
	// looked at again; default DefaultRelayAgain.
	Again time.Duration
}

// DefaultRelayAgain is how long a handed-over row waits before the relay
// checks that its task is still queued. A task asynq still holds costs
// one refused enqueue per look, so it may be shorter than the longest
// task's retries; it bounds how late work lost with Redis runs.
const DefaultRelayAgain = 10 * time.Minute

// NewRelay returns a relay from s to q of the given task types.
func NewRelay(s OutboxStore, q Enqueuer, types []string, log *slog.Logger) *Relay {
	return &Relay{store: s, queue: q, types: types, log: log, Batch: 200, Interval: 200 * time.Millisecond,
		Again: DefaultRelayAgain}
}

// taskRetention keeps a finished task's id in Redis this long, so a late
// re-relay of its row is still recognised as a duplicate.
const taskRetention = 24 * time.Hour

// TaskID is the asynq task id of an outbox row.
func TaskID(outboxID int64) string { return "outbox:" + strconv.FormatInt(outboxID, 10) }

// NamedTaskID is the task id of work named by name (e.g. a wamid) rather
// than by its outbox row: give it to store.AddOutboxTask.
func NamedTaskID(name string) string { return "outbox:" + name }

// itemTaskID is the task id of an outbox item: the one it asked for
// (store.AddOutboxTask), else TaskID of its row.
func itemTaskID(it store.OutboxItem) string {
	if it.TaskID != "" {
		return it.TaskID
	}
	return TaskID(it.ID)
}

// RelayOnce relays one batch and returns how many rows it handed over.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	var relayed []int64
	var failure error
	lost := false
	err := r.store.WithTx(ctx, func(ctx context.Context) error {
		items, err := r.store.ClaimOutbox(ctx, r.types, r.Batch, r.again())
		if err != nil {
			return err
		}
		for _, it := range items {
			task := asynq.NewTask(it.TaskType, it.Payload)
			_, err := r.queue.EnqueueContext(ctx, task, asynq.TaskID(itemTaskID(it)), asynq.Queue(QueueFor(it.TaskType)),
				asynq.MaxRetry(MaxRetry(it.TaskType)), asynq.Retention(taskRetention))
			conflict := errors.Is(err, asynq.ErrTaskIDConflict)
			if err != nil && !conflict {
				failure = fmt.Errorf("enqueue outbox %d (%s): %w", it.ID, it.TaskType, err)
				if rerr := r.store.RecordRelayFailure(ctx, it.ID, err.Error()); rerr != nil {
					return rerr
				}
				break // the queue is likely down; the rest waits for the next round
			}
			if it.RelayedAt != nil && conflict {
				finished, err := r.settle(ctx, it)
				if err != nil {
					return err
				}
				if finished {
					continue
				}
			}
			if it.RelayedAt != nil && !conflict {
				r.log.WarnContext(ctx, "outbox work was lost from the task queue; queued again", "outbox_id", it.ID,
					"type", it.TaskType, "relayed_at", it.RelayedAt.UTC().Format(time.RFC3339))
				lost = true
			}
			relayed = append(relayed, it.ID)
		}
		return r.store.MarkRelayed(ctx, relayed)
	})
	if err != nil {
		return 0, err
	}
	if a, ok := r.queue.(announcer); ok && lost {
		if err := a.Announce(ctx); err != nil {
			r.log.WarnContext(ctx, "task queues not announced after Redis lost them", "err", err)
		}
	}
	return len(relayed), failure
}

// settle looks at the task of a row handed over before whose id asynq
// still holds. A task asynq finished or gave up while its row stayed
// unmarked (the worker could not reach PostgreSQL then) would otherwise
// be looked at for as long as asynq keeps it, and run again once it is
// dropped: its row is marked now, and settle reports it finished.
func (r *Relay) settle(ctx context.Context, it store.OutboxItem) (bool, error) {
	q, ok := r.queue.(taskStates)
	if !ok {
		return false, nil
	}
	state, lastErr, err := q.TaskState(ctx, it.TaskType, itemTaskID(it))
	switch {
	case err != nil:
		return false, nil // looked at again next time
	case state == asynq.TaskStateCompleted:
		return true, r.store.MarkOutboxDone(ctx, it.ID)
	case state == asynq.TaskStateArchived:
		return true, r.store.MarkOutboxFailed(ctx, it.ID, lastErr)
	}
	return false, nil
}

// taskStates is a queue that tells where a task stands (see
// Queue.TaskState).
type taskStates interface {
	TaskState(ctx context.Context, taskType, id string) (asynq.TaskState, string, error)
}

// announcer is a queue that can list its queues again after Redis lost
// them (see Queue.Announce).
type announcer interface {
	Announce(ctx context.Context) error
}

func (r *Relay) again() time.Duration {
	if r.Again <= 0 {
		return DefaultRelayAgain
	}
	return r.Again
}

// Run relays until ctx ends, backing off while the queue or the database
// is unreachable.
func (r *Relay) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	for {
		n, err := r.RelayOnce(ctx)
		wait := r.Interval
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			wait = backoff
			r.log.WarnContext(ctx, "outbox relay failed; retrying", "err", err, "retry_in", wait.String())
		case n == r.Batch:
			backoff, wait = 0, 0 // more is waiting
		default:
			backoff = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}
