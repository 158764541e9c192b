package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
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

// SLAStore is what the SLA scan needs from storage. The methods that lock
// tickets must run inside WithTx.
type SLAStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	UnplannedSLA(ctx context.Context, limit int) ([]store.SLAUnplanned, error)
	PlanSLA(ctx context.Context, id int64, p store.SLAPlan) error
	SLADueSoon(ctx context.Context, target store.SLATarget, now, until time.Time, limit int) ([]store.SLAItem, error)
	SLAOverdue(ctx context.Context, target store.SLATarget, now time.Time, limit int) ([]store.SLAItem, error)
	MarkSLAWarned(ctx context.Context, id int64, target store.SLATarget, at time.Time) (bool, error)
	MarkSLABreached(ctx context.Context, id int64, target store.SLATarget, at time.Time) (bool, error)
	EscalateTicket(ctx context.Context, id int64, priority ticket.Priority, queue string, at time.Time) (bool, error)
	AddEventsAt(ctx context.Context, at time.Time, events ...ticket.Event) error
}

// SLAScan is the sla:scan handler. Each scan, in batches of one
// transaction each: gives due times to the tickets without them (and a new
// resolution due to those whose category or priority changed), warns about
// targets due within the warning window, and marks targets whose due time
// passed unmet as breached, escalating the ticket on its first breach.
// Every step is guarded by a column written once, so a scan is idempotent
// and concurrent scans never double a warning, a breach or an escalation.
type SLAScan struct {
	store SLAStore
	sla   *routing.SLA
	log   *slog.Logger
	Now   func() time.Time // the scan's clock; default time.Now
}

// NewSLAScan returns the sla:scan handler with the policies of sla.
func NewSLAScan(s SLAStore, sla *routing.SLA, log *slog.Logger) *SLAScan {
	return &SLAScan{store: s, sla: sla, log: log, Now: time.Now}
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
	r, err := sc.Scan(ctx, sc.Now())
	if err != nil {
		return err
	}
	level := slog.LevelDebug
	if r != (SLAScanResult{}) {
		level = slog.LevelInfo
	}
	sc.log.Log(ctx, level, "sla scan", "planned", r.Planned, "warned", r.Warned, "breached", r.Breached,
		"escalated", r.Escalated)
	return nil
}

// SLAScanResult counts what one scan did.
type SLAScanResult struct {
	Planned   int // tickets given due times
	Warned    int // sla_warning events
	Breached  int // sla_breached events
	Escalated int // escalated events
}

// slaMaxBatches bounds one scan: a backlog larger than this many batches
// per step (after an outage) is worked off by the following scans.
const slaMaxBatches = 10

// Scan runs the three steps as of now.
func (sc *SLAScan) Scan(ctx context.Context, now time.Time) (SLAScanResult, error) {
	var r SLAScanResult
	var err error
	if r.Planned, err = sc.batches(ctx, sc.plan); err != nil {
		return r, fmt.Errorf("sla scan: plan: %w", err)
	}
	until := sc.sla.WarnUntil(now)
	for _, target := range store.SLATargets {
		warn := func(ctx context.Context) (int, error) { return sc.warn(ctx, target, now, until, &r) }
		if _, err := sc.batches(ctx, warn); err != nil {
			return r, fmt.Errorf("sla scan: warn %s: %w", target, err)
		}
		breach := func(ctx context.Context) (int, error) { return sc.breach(ctx, target, now, &r) }
		if _, err := sc.batches(ctx, breach); err != nil {
			return r, fmt.Errorf("sla scan: breach %s: %w", target, err)
		}
	}
	return r, nil
}

// batches runs fn, one batch per call, while batches come back full.
func (sc *SLAScan) batches(ctx context.Context, fn func(ctx context.Context) (int, error)) (int, error) {
	total := 0
	for range slaMaxBatches {
		n, err := fn(ctx)
		total += n
		if err != nil || n < sc.sla.Batch {
			return total, err
		}
	}
	return total, nil
}

// plan gives one batch of tickets their due times.
func (sc *SLAScan) plan(ctx context.Context) (int, error) {
	var n int
	err := sc.store.WithTx(ctx, func(ctx context.Context) error {
		items, err := sc.store.UnplannedSLA(ctx, sc.sla.Batch)
		if err != nil {
			return err
		}
		for _, t := range items {
			due := sc.sla.Due(t.Category, t.Priority, t.CreatedAt)
			plan := store.SLAPlan{Policy: due.Policy, FirstResponse: due.FirstResponse, Resolution: due.Resolution}
			if err := sc.store.PlanSLA(ctx, t.ID, plan); err != nil {
				return err
			}
		}
		n = len(items)
		return nil
	})
	return n, err
}

// warn writes sla_warning for one batch of targets due soon.
func (sc *SLAScan) warn(ctx context.Context, target store.SLATarget, now, until time.Time, r *SLAScanResult) (int, error) {
	var n, warned int
	err := sc.store.WithTx(ctx, func(ctx context.Context) error {
		items, err := sc.store.SLADueSoon(ctx, target, now, until, sc.sla.Batch)
		if err != nil {
			return err
		}
		var events []ticket.Event
		for _, t := range items {
			ok, err := sc.store.MarkSLAWarned(ctx, t.ID, target, now)
			if err != nil {
				return err
			}
			if ok {
				events = append(events, ticket.Event{TicketID: t.ID, Kind: routing.EventSLAWarning,
					Data: map[string]any{"target": target, "due": t.Due.UTC()}})
			}
		}
		n, warned = len(items), len(events)
		return sc.store.AddEventsAt(ctx, now, events...)
	})
	if err == nil {
		r.Warned += warned
	}
	return n, err
}

// breach marks one batch of overdue targets breached and escalates the
// tickets not escalated before.
func (sc *SLAScan) breach(ctx context.Context, target store.SLATarget, now time.Time, r *SLAScanResult) (int, error) {
	var n, breached int
	var escalated []store.SLAItem
	err := sc.store.WithTx(ctx, func(ctx context.Context) error {
		items, err := sc.store.SLAOverdue(ctx, target, now, sc.sla.Batch)
		if err != nil {
			return err
		}
		var events []ticket.Event
		for _, t := range items {
			ok, err := sc.store.MarkSLABreached(ctx, t.ID, target, now)
			if err != nil {
				return err
			} else if !ok {
				continue
			}
			breached++
			events = append(events, ticket.Event{TicketID: t.ID, Kind: routing.EventSLABreached,
				Data: map[string]any{"target": target, "due": t.Due.UTC()}})
			if t.Escalated {
				continue
			}
			e, err := sc.escalate(ctx, t, target, now)
			if err != nil {
				return err
			} else if e != nil {
				escalated = append(escalated, t)
				events = append(events, *e)
			}
		}
		n = len(items)
		return sc.store.AddEventsAt(ctx, now, events...)
	})
	if err != nil {
		return n, err
	}
	r.Breached += breached
	r.Escalated += len(escalated)
	for _, t := range escalated {
		sc.log.InfoContext(ctx, "ticket escalated", "ticket", t.Number, "target", target,
			"priority", routing.EscalatedPriority(t.Priority), "queue", sc.sla.EscalationQueue)
	}
	return n, nil
}

// escalate raises t one priority step and moves it to the escalation
// queue, keeping its assignee; it returns the escalated event, or nil
// when t was escalated before.
func (sc *SLAScan) escalate(ctx context.Context, t store.SLAItem, target store.SLATarget, now time.Time) (*ticket.Event, error) {
	to := routing.EscalatedPriority(t.Priority)
	ok, err := sc.store.EscalateTicket(ctx, t.ID, to, sc.sla.EscalationQueue, now)
	if err != nil || !ok {
		return nil, err
	}
	return &ticket.Event{TicketID: t.ID, Kind: routing.EventEscalated, Data: map[string]any{
		"reason": routing.EventSLABreached, "target": target, "from_priority": t.Priority, "to_priority": to,
		"from_queue": t.Queue, "to_queue": sc.sla.EscalationQueue}}, nil
}
