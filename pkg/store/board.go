package store

import (
	"context"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// QueueOnBoard is one queue on the supervisors' live board.
type QueueOnBoard struct {
	Queue string
	// Waiting counts the tickets nobody has taken yet (new or open,
	// unassigned: what Ambil Berikutnya hands out); Open all its open work.
	Waiting, Open int
	// OldestWaiting is when the longest-waiting of them was created; nil
	// when none waits.
	OldestWaiting *time.Time
	// Breached counts open tickets past a due time; Warned those the SLA
	// scan warned about that are not past one yet.
	Breached, Warned int
}

// AgentOnBoard is one agent on the live board.
type AgentOnBoard struct {
	User ticket.User
	// Open counts the open tickets assigned to them; HandledToday the
	// tickets they resolved since the day began.
	Open, HandledToday int
}

// Board is the live board: every queue with open work, and every enabled
// agent and supervisor.
type Board struct {
	Queues []QueueOnBoard
	Agents []AgentOnBoard
}

// boardQueuesSQL reads the open work through tickets_status_idx: the
// backlog, not the year. A due time already past counts as a breach
// before the next SLA scan records it; the scan's warnings stand for
// "soon", as the policy's warning lead defines it.
const boardQueuesSQL = `SELECT queue,
		count(*) FILTER (WHERE assignee_id IS NULL AND status IN ('new', 'open')) AS waiting,
		count(*) AS open,
		min(created_at) FILTER (WHERE assignee_id IS NULL AND status IN ('new', 'open')) AS oldest_waiting,
		count(*) FILTER (WHERE ` + boardBreached + `) AS breached,
		count(*) FILTER (WHERE NOT ` + boardBreached + ` AND ((first_responded_at IS NULL AND first_response_warned_at IS NOT NULL)
			OR resolution_warned_at IS NOT NULL)) AS warned
	FROM tickets WHERE status IN ('new', 'needs_info', 'open', 'pending')
	GROUP BY queue ORDER BY queue`

const boardBreached = `(sla_breached OR (first_responded_at IS NULL AND first_response_due < @now)
	OR resolution_due < @now)`

// Per agent, in two grouped scans: the open work by tickets_status_idx,
// today's resolutions by tickets_resolved_idx.
const (
	boardOpenSQL = `SELECT assignee_id, count(*) AS n FROM tickets
		WHERE status IN ('new', 'needs_info', 'open', 'pending') AND assignee_id IS NOT NULL GROUP BY assignee_id`
	boardHandledSQL = `SELECT assignee_id, count(*) AS n FROM tickets
		WHERE resolved_at >= @today AND assignee_id IS NOT NULL GROUP BY assignee_id`
)

// Board reads the live board as of now; "today" begins at today (the
// desk's midnight, WIB).
func (s *Store) Board(ctx context.Context, now, today time.Time) (_ Board, err error) {
	defer wrap(&err, "board")
	var b Board
	args := map[string]any{"now": now.UTC(), "today": today.UTC()}
	var queues []struct {
		Queue            string
		Waiting, Open    int
		OldestWaiting    *time.Time
		Breached, Warned int
	}
	if err := s.conn(ctx).Raw(boardQueuesSQL, args).Scan(&queues).Error; err != nil {
		return b, err
	}
	for _, q := range queues {
		b.Queues = append(b.Queues, QueueOnBoard(q))
	}
	counts := func(q string, args ...any) (map[int64]int, error) {
		var rows []struct {
			AssigneeID int64
			N          int
		}
		if err := s.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		m := make(map[int64]int, len(rows))
		for _, r := range rows {
			m[r.AssigneeID] = r.N
		}
		return m, nil
	}
	open, err := counts(boardOpenSQL)
	if err != nil {
		return b, err
	}
	handled, err := counts(boardHandledSQL, map[string]any{"today": today.UTC()})
	if err != nil {
		return b, err
	}
	agents, err := s.Agents(ctx)
	if err != nil {
		return b, err
	}
	for _, u := range agents {
		if u.DisabledAt != nil {
			continue
		}
		b.Agents = append(b.Agents, AgentOnBoard{User: u, Open: open[u.ID], HandledToday: handled[u.ID]})
	}
	return b, nil
}
