package tasks

import (
	"context"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/retention"
)

// TaskRetentionPurge is the periodic task that purges what retention no
// longer keeps (see package retention). It has no payload.
const TaskRetentionPurge = "retention:purge"

// RetentionEvery is how often the scheduler should queue retention:purge.
// A run that does not finish (asynq's timeout, a worker stopping) keeps
// the batches it committed, and the next run goes on from there; two runs
// at once share the work (each batch skips the rows the other holds).
const RetentionEvery = time.Hour

// RetentionRunner runs retention; *retention.Purger is one.
type RetentionRunner interface {
	Run(ctx context.Context) (retention.Result, error)
}

// RetentionPurge is the retention:purge handler.
type RetentionPurge struct {
	purger RetentionRunner
	log    *slog.Logger
}

// NewRetentionPurge returns the retention:purge handler over p.
func NewRetentionPurge(p RetentionRunner, log *slog.Logger) *RetentionPurge {
	return &RetentionPurge{purger: p, log: log}
}

// Register adds the retention:purge handler to w.
func (h *RetentionPurge) Register(w *Worker) { w.Handle(TaskRetentionPurge, h.Handle) }

// Handle runs one purge. The purger logs what it did; a failed run is not
// retried, the next slot's run does the same work.
func (h *RetentionPurge) Handle(ctx context.Context, _ *asynq.Task) error {
	r, err := h.purger.Run(ctx)
	if err == nil && r.Off {
		h.log.DebugContext(ctx, "retention is off")
	}
	return err
}
