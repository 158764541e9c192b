package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
)

// OutboxMarker records how the work of an outbox row ended; *store.Store
// is one. Both are harmless to repeat.
type OutboxMarker interface {
	MarkOutboxDone(ctx context.Context, id int64) error
	MarkOutboxFailed(ctx context.Context, id int64, reason string) error
}

// OutboxTaskMarker records how the work of outbox rows that asked for
// their own task id (store.AddOutboxTask, an id that starts "outbox:"
// and is not a row's number, see NamedTaskID) ended; *store.Store is one. An
// OutboxMarker without it leaves such rows to the relay, which settles
// them by the task's state in asynq.
type OutboxTaskMarker interface {
	MarkOutboxTaskDone(ctx context.Context, taskID string) error
	MarkOutboxTaskFailed(ctx context.Context, taskID, reason string) error
}

// markTimeout bounds marking a row, which runs even when the task's own
// context was cancelled (a shutdown just after the work was done).
const markTimeout = 10 * time.Second

// finishing wraps h so that a task relayed from the outbox (its id is
// TaskID of the row) marks its row: done when h succeeded, failed when h
// failed for the last time (an error wrapping asynq.SkipRetry or
// asynq.RevokeTask, or no retry left), so a row ends either way and is
// not relayed again. A row that cannot be marked done makes the task fail:
// asynq runs it again, and the handlers are safe to repeat.
func finishing(outbox OutboxMarker, h asynq.HandlerFunc, log *slog.Logger) asynq.HandlerFunc {
	return func(ctx context.Context, task *asynq.Task) (err error) {
		taskID, _ := asynq.GetTaskID(ctx)
		id, ok := outboxRow(taskID)
		byTask, named := outbox.(OutboxTaskMarker)
		if !ok && (!named || !strings.HasPrefix(taskID, "outbox:")) {
			return h(ctx, task)
		}
		markDone := func(ctx context.Context) error { return outbox.MarkOutboxDone(ctx, id) }
		markFailed := func(ctx context.Context, reason string) error { return outbox.MarkOutboxFailed(ctx, id, reason) }
		if !ok {
			markDone = func(ctx context.Context) error { return byTask.MarkOutboxTaskDone(ctx, taskID) }
			markFailed = func(ctx context.Context, reason string) error {
				return byTask.MarkOutboxTaskFailed(ctx, taskID, reason)
			}
		}
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%s: panic: %v", task.Type(), p)
			}
			mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
			defer cancel()
			switch {
			case err == nil:
				if merr := markDone(mctx); merr != nil {
					err = fmt.Errorf("%s: done, but outbox task %s not marked done: %w", task.Type(), taskID, merr)
				}
			case lastTry(ctx, err):
				if merr := markFailed(mctx, err.Error()); merr != nil {
					log.ErrorContext(ctx, "outbox row of a failed task not marked failed", "task_id", taskID,
						"type", task.Type(), "err", merr)
				}
			}
		}()
		return h(ctx, task)
	}
}

// lastTry reports whether asynq will give up the task after err rather
// than retry it: the same test asynq makes.
func lastTry(ctx context.Context, err error) bool {
	if errors.Is(err, asynq.SkipRetry) || errors.Is(err, asynq.RevokeTask) {
		return true
	}
	retried, ok1 := asynq.GetRetryCount(ctx)
	maxRetry, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && retried >= maxRetry
}

// outboxRow returns the outbox row a task id names (see TaskID).
func outboxRow(taskID string) (int64, bool) {
	rest, ok := strings.CutPrefix(taskID, "outbox:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}
