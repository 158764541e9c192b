package tasks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
)

// TaskReportsRollup recomputes the weekly report's rollup tables. Without a
// payload (the periodic run) it does the current week and the one before,
// which late changes still touch; with {"week": "2021-W45"} or
// {"from": "2021-W01", "to": "2021-W52"} it backfills those weeks.
const TaskReportsRollup = "reports:rollup"

// RollupEvery is how often the scheduler should queue reports:rollup: the
// current week's report is at most this old.
const RollupEvery = 15 * time.Minute

// MaxRollupWeeks bounds one backfill (about ten years), so a typo in a
// year cannot keep a worker busy for hours.
const MaxRollupWeeks = 530

// RollupRequest is the payload of reports:rollup: one week, a range of
// weeks (both ends included, each an ISO week such as 2021-W45), or
// nothing for the current and the previous week.
type RollupRequest struct {
	Week string `json:"week,omitempty"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// NewReportsRollupTask returns a reports:rollup task for req. A backfill
// of many weeks may take a while, hence the long timeout.
func NewReportsRollupTask(req RollupRequest) (*asynq.Task, error) {
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TaskReportsRollup, payload, asynq.Queue(QueueFor(TaskReportsRollup)),
		asynq.MaxRetry(MaxRetry(TaskReportsRollup)), asynq.Timeout(2*time.Hour)), nil
}

// ReportStore is what the rollup needs from storage; it counts SLA
// compliance by the rule it is given, sla.Compliance.
type ReportStore interface {
	RollupWeek(ctx context.Context, w store.Week, rule store.SLARule) error
}

// ReportRollup keeps the weekly report's rollup tables current.
type ReportRollup struct {
	store ReportStore
	log   *slog.Logger
	Now   func() time.Time // which week is current; default time.Now
}

// NewReportRollup returns the reports:rollup handler.
func NewReportRollup(s ReportStore, log *slog.Logger) *ReportRollup {
	return &ReportRollup{store: s, log: log, Now: time.Now}
}

// Register adds the reports:rollup handler to w.
func (r *ReportRollup) Register(w *Worker) { w.Handle(TaskReportsRollup, r.HandleRollup) }

// HandleRollup recomputes the weeks the task names. Each week is its own
// transaction, so a long backfill keeps what it finished when it is stopped,
// and a retry just does every week again: a rollup replaces, never adds.
func (r *ReportRollup) HandleRollup(ctx context.Context, task *asynq.Task) error {
	weeks, err := r.weeks(task.Payload())
	if err != nil {
		return fmt.Errorf("%s: %w: %w", task.Type(), err, asynq.SkipRetry)
	}
	start := time.Now()
	for _, w := range weeks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.store.RollupWeek(ctx, w, sla.Compliance); err != nil {
			return err
		}
	}
	r.log.InfoContext(ctx, "weekly report rolled up", "from", weeks[0].String(),
		"to", weeks[len(weeks)-1].String(), "weeks", len(weeks), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// weeks returns the weeks a reports:rollup payload asks for, oldest first,
// or why the payload is wrong.
func (r *ReportRollup) weeks(payload []byte) ([]store.Week, error) {
	var req RollupRequest
	if len(bytes.TrimSpace(payload)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, fmt.Errorf("bad payload %q: %w", payload, err)
		}
	}
	parse := func(field, s string) (store.Week, error) {
		w, err := store.ParseWeek(s)
		if err != nil {
			return w, fmt.Errorf("%s %q is not an ISO week such as 2021-W45", field, s)
		}
		return w, nil
	}
	switch {
	case req.Week != "" && (req.From != "" || req.To != ""):
		return nil, fmt.Errorf("give week, or from and to, not both")
	case req.Week != "":
		w, err := parse("week", req.Week)
		if err != nil {
			return nil, err
		}
		return []store.Week{w}, nil
	case (req.From == "") != (req.To == ""):
		return nil, fmt.Errorf("give both from and to")
	case req.From == "":
		now := store.WeekOf(r.Now())
		return []store.Week{now.Prev(), now}, nil
	}
	from, err := parse("from", req.From)
	if err != nil {
		return nil, err
	}
	to, err := parse("to", req.To)
	if err != nil {
		return nil, err
	}
	if to.Start().Before(from.Start()) {
		return nil, fmt.Errorf("from %s is after to %s", from, to)
	}
	var weeks []store.Week
	for w := from; !w.Start().After(to.Start()); w = w.Next() {
		if len(weeks) == MaxRollupWeeks {
			return nil, fmt.Errorf("%s to %s is more than %d weeks; split it", from, to, MaxRollupWeeks)
		}
		weeks = append(weeks, w)
	}
	return weeks, nil
}
