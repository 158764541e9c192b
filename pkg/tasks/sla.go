package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/sla"
)

// TaskSLAScan is the periodic task that keeps every ticket's SLA.
const TaskSLAScan = "sla:scan"

// SLAScanEvery is how often the scheduler should queue sla:scan (as cron,
// "* * * * *"): a warning or a breach is seen at most this late. Scans that
// overlap anyway, e.g. a slow one and the next, are safe.
const SLAScanEvery = time.Minute

// NewSLAScanTask returns an sla:scan task. It has no payload. A failed
// scan is not retried: the next one picks up the same work.
func NewSLAScanTask() *asynq.Task {
	return asynq.NewTask(TaskSLAScan, nil, asynq.Queue(QueueFor(TaskSLAScan)), asynq.MaxRetry(0),
		asynq.Timeout(5*time.Minute))
}

// SLAScanner runs one SLA scan; *sla.Scanner is one.
type SLAScanner interface {
	Scan(ctx context.Context, now time.Time) (sla.ScanResult, error)
}

// SLAScan is the sla:scan handler: it runs one scan (see sla.Scanner).
type SLAScan struct {
	scanner SLAScanner
	log     *slog.Logger
	Now     func() time.Time // the scan's clock; default time.Now
}

// NewSLAScan returns the sla:scan handler over scanner.
func NewSLAScan(scanner SLAScanner, log *slog.Logger) *SLAScan {
	return &SLAScan{scanner: scanner, log: log, Now: time.Now}
}

// Register adds the sla:scan handler to w.
func (sc *SLAScan) Register(w *Worker) { w.Handle(TaskSLAScan, sc.Handle) }

// Handle runs one scan. A payload, if any, must be a JSON object.
func (sc *SLAScan) Handle(ctx context.Context, task *asynq.Task) error {
	if p := task.Payload(); len(p) > 0 {
		var v map[string]any
		if err := json.Unmarshal(p, &v); err != nil {
			return fmt.Errorf("%s: bad payload: %v: %w", task.Type(), err, asynq.SkipRetry)
		}
	}
	r, err := sc.scanner.Scan(ctx, sc.Now())
	if err != nil {
		return err
	}
	level := slog.LevelDebug
	if r != (sla.ScanResult{}) {
		level = slog.LevelInfo
	}
	sc.log.Log(ctx, level, "sla scan", "planned", r.Planned, "warned", r.Warned, "breached", r.Breached,
		"escalated", r.Escalated)
	return nil
}
