package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// ExportTicket is one ticket of a week's per-ticket export: what a
// supervisor counts and checks, and no personal data of the complainant
// (a spreadsheet travels further than the console).
type ExportTicket struct {
	Number   string
	Channel  ticket.Channel
	Category ticket.Category
	Status   ticket.Status
	Priority ticket.Priority
	Queue    string
	// Assignee is the assigned agent's name, "" when unassigned.
	Assignee  string
	CreatedAt time.Time
	SLA       ticket.SLA
}

// exportWeekSQL reads a week's tickets in the order of tickets_created_idx,
// so PostgreSQL streams them without sorting the week first (ties on the
// same instant sorted by id, a few rows at a time).
const exportWeekSQL = `SELECT t.number, t.channel, t.category, t.status, t.priority, t.queue,
		coalesce(u.name, ''), t.created_at, t.first_response_due, t.resolution_due, t.first_responded_at,
		t.resolved_at, t.sla_breached
	FROM tickets t LEFT JOIN users u ON u.id = t.assignee_id
	WHERE t.created_at >= ? AND t.created_at < ?
	ORDER BY t.created_at, t.id`

// ExportWeek calls fn with each ticket created in week w, oldest first,
// as the rows come off the wire: the week (about 215,000 tickets at
// national volume) is never held in memory, whatever fn does with each.
// An error of fn stops the export and is returned wrapped (errors.Is
// finds it). The rows come
// from one statement, so the export is one consistent snapshot; its
// connection is held until fn has seen the last row.
func (s *Store) ExportWeek(ctx context.Context, w Week, fn func(ExportTicket) error) (err error) {
	defer wrap(&err, "export week")
	rows, err := s.conn(ctx).Raw(exportWeekSQL, w.Start(), w.End()).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		t                                   ExportTicket
		channel, category, status, priority string
		frDue, resDue, responded, resolved  sql.NullTime
	)
	for rows.Next() {
		if err := rows.Scan(&t.Number, &channel, &category, &status, &priority, &t.Queue, &t.Assignee,
			&t.CreatedAt, &frDue, &resDue, &responded, &resolved, &t.SLA.Breached); err != nil {
			return fmt.Errorf("scan ticket: %w", err)
		}
		t.Channel, t.Category = ticket.Channel(channel), ticket.Category(category)
		t.Status, t.Priority = ticket.Status(status), ticket.Priority(priority)
		t.SLA.FirstResponseDue, t.SLA.ResolutionDue = timePtr(frDue), timePtr(resDue)
		t.SLA.FirstRespondedAt, t.SLA.ResolvedAt = timePtr(responded), timePtr(resolved)
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}
