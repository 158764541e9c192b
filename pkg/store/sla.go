package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// SLARule is how SLA compliance is counted in SQL: boolean expressions
// over the tickets table aliased t, true for the tickets that met their
// SLA and for those that missed it (neither while one is pending). The
// store has no rule of its own: pkg/sla defines compliance and gives its
// rule (sla.Compliance) to the queries that count.
type SLARule struct{ Met, Missed string }

func (r SLARule) check() error {
	if r.Met == "" || r.Missed == "" {
		return fmt.Errorf("no SLA rule given")
	}
	return nil
}

// SLACounts counts the tickets created in [from, to) by their SLA verdict
// under rule.
func (s *Store) SLACounts(ctx context.Context, from, to time.Time, rule SLARule) (met, missed, pending int64, err error) {
	defer wrap(&err, "sla counts")
	if err := rule.check(); err != nil {
		return 0, 0, 0, err
	}
	var row struct{ Met, Missed, Total int64 }
	err = s.conn(ctx).Raw(`SELECT count(*) FILTER (WHERE `+rule.Met+`) AS met,
		count(*) FILTER (WHERE `+rule.Missed+`) AS missed, count(*) AS total
		FROM tickets t WHERE t.created_at >= ? AND t.created_at < ?`, from.UTC(), to.UTC()).Scan(&row).Error
	if err != nil {
		return 0, 0, 0, err
	}
	return row.Met, row.Missed, row.Total - row.Met - row.Missed, nil
}

// SLATarget is one of the two promises of a ticket's SLA.
type SLATarget string

// The targets.
const (
	SLAFirstResponse SLATarget = "first_response" // an agent's first reply
	SLAResolution    SLATarget = "resolution"     // the ticket resolved
)

// SLATargets lists the targets in the order the scan checks them.
var SLATargets = []SLATarget{SLAFirstResponse, SLAResolution}

// slaColumns are a target's columns and the condition under which it can
// still be missed. The condition repeats its partial index's predicate
// (migration 00004) in literals, so the planner can prove the index fits.
type slaColumns struct{ due, warned, breached, open string }

func (t SLATarget) columns() (slaColumns, error) {
	switch t {
	case SLAFirstResponse:
		return slaColumns{"first_response_due", "first_response_warned_at", "first_response_breached_at",
			`status NOT IN ('resolved', 'closed') AND first_responded_at IS NULL
			AND first_response_breached_at IS NULL`}, nil
	case SLAResolution:
		return slaColumns{"resolution_due", "resolution_warned_at", "resolution_breached_at",
			`status NOT IN ('resolved', 'closed') AND resolution_breached_at IS NULL`}, nil
	}
	return slaColumns{}, fmt.Errorf("unknown SLA target %q", t)
}

// slaUnplanned selects tickets without due times or whose category or
// priority changed since; it is tickets_sla_unplanned_idx's predicate.
const slaUnplanned = `first_response_due IS NULL OR resolution_due IS NULL
	OR sla_basis IS DISTINCT FROM category || '/' || priority`

// SLAUnplanned is a ticket whose due times are to be (re)computed.
type SLAUnplanned struct {
	ID        int64
	Category  ticket.Category
	Priority  ticket.Priority
	CreatedAt time.Time
}

// UnplannedSLA locks up to limit tickets whose due times are missing or
// were computed for another category or priority, oldest first, skipping
// those another scan holds. Call it inside WithTx and PlanSLA each.
func (s *Store) UnplannedSLA(ctx context.Context, limit int) (_ []SLAUnplanned, err error) {
	defer wrap(&err, "unplanned sla")
	var rows []struct {
		ID                 int64
		Category, Priority string
		CreatedAt          time.Time
	}
	err = s.conn(ctx).Raw(`SELECT id, category, priority, created_at FROM tickets WHERE `+slaUnplanned+`
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]SLAUnplanned, len(rows))
	for i, r := range rows {
		out[i] = SLAUnplanned{ID: r.ID, Category: ticket.Category(r.Category), Priority: ticket.Priority(r.Priority),
			CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// SLAPlan is the due times a policy gives a ticket.
type SLAPlan struct {
	Policy        string
	FirstResponse time.Time
	Resolution    time.Time
}

// PlanSLA writes a ticket's due times: the first response due only where
// it is missing, since it was promised when the ticket arrived; the
// resolution due always. When the resolution due moves, its warning is
// forgotten so the new due time gets one of its own. The ticket is marked
// planned for its current category and priority.
func (s *Store) PlanSLA(ctx context.Context, id int64, p SLAPlan) (err error) {
	defer wrap(&err, "plan sla")
	res := p.Resolution.UTC()
	// In SET, resolution_due still reads the row's old value.
	return s.conn(ctx).Exec(`UPDATE tickets SET
		first_response_due = COALESCE(first_response_due, ?),
		resolution_warned_at = CASE WHEN resolution_due = ? THEN resolution_warned_at END,
		resolution_due = ?, sla_policy = ?, sla_basis = category || '/' || priority
		WHERE id = ?`, p.FirstResponse.UTC(), res, res, p.Policy, id).Error
}

// SLAItem is a ticket one of whose targets nears or passed its due time,
// locked for the scan.
type SLAItem struct {
	ID        int64
	Number    string
	Priority  ticket.Priority
	Queue     string
	Due       time.Time // the target's
	Escalated bool
}

// SLADueSoon locks up to limit tickets whose target is due after now and
// by until, can still be missed and was not warned about, soonest first.
// Call it inside WithTx and MarkSLAWarned each.
func (s *Store) SLADueSoon(ctx context.Context, target SLATarget, now, until time.Time, limit int) (_ []SLAItem, err error) {
	defer wrap(&err, "sla due soon")
	c, err := target.columns()
	if err != nil {
		return nil, err
	}
	return s.slaItems(ctx, fmt.Sprintf("%s AND %s IS NULL AND %s > ? AND %s <= ?", c.open, c.warned, c.due, c.due),
		c.due, now.UTC(), until.UTC(), limit)
}

// SLAOverdue locks up to limit tickets whose target was due before now and
// is not met, oldest due first. Call it inside WithTx and MarkSLABreached
// each.
func (s *Store) SLAOverdue(ctx context.Context, target SLATarget, now time.Time, limit int) (_ []SLAItem, err error) {
	defer wrap(&err, "sla overdue")
	c, err := target.columns()
	if err != nil {
		return nil, err
	}
	return s.slaItems(ctx, fmt.Sprintf("%s AND %s < ?", c.open, c.due), c.due, now.UTC(), limit)
}

func (s *Store) slaItems(ctx context.Context, where, due string, args ...any) ([]SLAItem, error) {
	var rows []struct {
		ID              int64
		Number          string
		Priority, Queue string
		Due             time.Time
		Escalated       bool
	}
	// The row lock re-reads each row as last committed and drops it when it
	// no longer matches, so a ticket another scan just handled is not
	// handled again; SKIP LOCKED passes over those it still holds.
	q := fmt.Sprintf(`SELECT id, number, priority, queue, %[1]s AS due, escalated_at IS NOT NULL AS escalated
		FROM tickets WHERE %[2]s ORDER BY %[1]s, id LIMIT ? FOR UPDATE SKIP LOCKED`, due, where)
	if err := s.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]SLAItem, len(rows))
	for i, r := range rows {
		out[i] = SLAItem{ID: r.ID, Number: r.Number, Priority: ticket.Priority(r.Priority), Queue: r.Queue,
			Due: r.Due, Escalated: r.Escalated}
	}
	return out, nil
}

// MarkSLAWarned records that a ticket's target was warned about at at. It
// reports false when it already was.
func (s *Store) MarkSLAWarned(ctx context.Context, id int64, target SLATarget, at time.Time) (_ bool, err error) {
	defer wrap(&err, "mark sla warned")
	c, err := target.columns()
	if err != nil {
		return false, err
	}
	res := s.conn(ctx).Exec(fmt.Sprintf("UPDATE tickets SET %[1]s = ? WHERE id = ? AND %[1]s IS NULL", c.warned),
		at.UTC(), id)
	return res.RowsAffected == 1, res.Error
}

// MarkSLABreached records that a ticket's target was missed, seen at at,
// and sets its sla_breached flag. It reports false when it already was.
func (s *Store) MarkSLABreached(ctx context.Context, id int64, target SLATarget, at time.Time) (_ bool, err error) {
	defer wrap(&err, "mark sla breached")
	c, err := target.columns()
	if err != nil {
		return false, err
	}
	res := s.conn(ctx).Exec(fmt.Sprintf(
		"UPDATE tickets SET %[1]s = ?, sla_breached = true WHERE id = ? AND %[1]s IS NULL", c.breached), at.UTC(), id)
	return res.RowsAffected == 1, res.Error
}

// EscalateTicket raises a ticket to priority and moves it to queue,
// keeping its assignee, unless it was escalated before; it reports
// whether it did. Due times do not move: the ticket stays planned for its
// old priority's resolution due.
func (s *Store) EscalateTicket(ctx context.Context, id int64, priority ticket.Priority, queue string, at time.Time) (_ bool, err error) {
	defer wrap(&err, "escalate ticket")
	// In SET, priority still reads the row's old value.
	res := s.conn(ctx).Exec(`UPDATE tickets SET escalated_at = ?, priority = ?, queue = ?, updated_at = ?,
		sla_basis = CASE WHEN sla_basis = category || '/' || priority THEN category || '/' || ? ELSE sla_basis END
		WHERE id = ? AND escalated_at IS NULL`, at.UTC(), string(priority), queue, at.UTC(), string(priority), id)
	return res.RowsAffected == 1, res.Error
}

// AddEventsAt records changes to tickets that happened at at, for work
// that runs on its own clock like the SLA scan, and sets each event's ID
// and At.
func (s *Store) AddEventsAt(ctx context.Context, at time.Time, events ...ticket.Event) (err error) {
	defer wrap(&err, "add events at")
	if len(events) == 0 {
		return nil
	}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		data := e.Data
		if data == nil {
			data = map[string]any{}
		}
		rows[i] = eventRow{TicketID: e.TicketID, ActorID: e.ActorID, Kind: e.Kind, Data: data, At: at.UTC()}
	}
	if err := s.conn(ctx).Create(&rows).Error; err != nil {
		return err
	}
	for i := range events {
		events[i].ID, events[i].At = rows[i].ID, rows[i].At
	}
	return nil
}
