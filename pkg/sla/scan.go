package sla

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Store is what the SLA scan needs from storage. The methods that lock
// tickets must run inside WithTx.
type Store interface {
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

// Scanner keeps every ticket's SLA. Each scan, in batches of one
// transaction each: gives due times to the tickets without them (and a new
// resolution due to those whose category or priority changed), warns about
// targets due within the warning window, and marks targets whose due time
// passed unmet as breached, escalating the ticket on its first breach.
// Every step is guarded by a column written once, so a scan is idempotent
// and concurrent scans never double a warning, a breach or an escalation.
type Scanner struct {
	store Store
	rules *Rules
	log   *slog.Logger
}

// NewScanner returns the scanner applying rules.
func NewScanner(s Store, rules *Rules, log *slog.Logger) *Scanner {
	return &Scanner{store: s, rules: rules, log: log}
}

// ScanResult counts what one scan did.
type ScanResult struct {
	Planned   int // tickets given due times
	Warned    int // sla_warning events
	Breached  int // sla_breached events
	Escalated int // escalated events
}

// maxBatches bounds one scan: a backlog larger than this many batches
// per step (after an outage) is worked off by the following scans.
const maxBatches = 10

// Scan runs the three steps as of now.
func (sc *Scanner) Scan(ctx context.Context, now time.Time) (ScanResult, error) {
	var r ScanResult
	var err error
	if r.Planned, err = sc.batches(ctx, sc.plan); err != nil {
		return r, fmt.Errorf("sla scan: plan: %w", err)
	}
	until := sc.rules.WarnUntil(now)
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
func (sc *Scanner) batches(ctx context.Context, fn func(ctx context.Context) (int, error)) (int, error) {
	total := 0
	for range maxBatches {
		n, err := fn(ctx)
		total += n
		if err != nil || n < sc.rules.Batch {
			return total, err
		}
	}
	return total, nil
}

// plan gives one batch of tickets their due times.
func (sc *Scanner) plan(ctx context.Context) (int, error) {
	var n int
	err := sc.store.WithTx(ctx, func(ctx context.Context) error {
		items, err := sc.store.UnplannedSLA(ctx, sc.rules.Batch)
		if err != nil {
			return err
		}
		for _, t := range items {
			due := sc.rules.Due(t.Category, t.Priority, t.CreatedAt)
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
func (sc *Scanner) warn(ctx context.Context, target store.SLATarget, now, until time.Time, r *ScanResult) (int, error) {
	var n, warned int
	err := sc.store.WithTx(ctx, func(ctx context.Context) error {
		items, err := sc.store.SLADueSoon(ctx, target, now, until, sc.rules.Batch)
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
				events = append(events, ticket.Event{TicketID: t.ID, Kind: EventWarning,
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
func (sc *Scanner) breach(ctx context.Context, target store.SLATarget, now time.Time, r *ScanResult) (int, error) {
	var n, breached int
	var escalated []store.SLAItem
	err := sc.store.WithTx(ctx, func(ctx context.Context) error {
		items, err := sc.store.SLAOverdue(ctx, target, now, sc.rules.Batch)
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
			events = append(events, ticket.Event{TicketID: t.ID, Kind: EventBreached,
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
			"priority", EscalatedPriority(t.Priority), "queue", sc.rules.EscalationQueue)
	}
	return n, nil
}

// escalate raises t one priority step and moves it to the escalation
// queue, keeping its assignee; it returns the escalated event, or nil
// when t was escalated before.
func (sc *Scanner) escalate(ctx context.Context, t store.SLAItem, target store.SLATarget, now time.Time) (*ticket.Event, error) {
	to := EscalatedPriority(t.Priority)
	ok, err := sc.store.EscalateTicket(ctx, t.ID, to, sc.rules.EscalationQueue, now)
	if err != nil || !ok {
		return nil, err
	}
	return &ticket.Event{TicketID: t.ID, Kind: EventEscalated, Data: map[string]any{
		"reason": EventBreached, "target": target, "from_priority": t.Priority, "to_priority": to,
		"from_queue": t.Queue, "to_queue": sc.rules.EscalationQueue}}, nil
}
