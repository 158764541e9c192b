package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"github.com/aduan/aduan/pkg/ticket"
)

// The statuses that make a ticket count against its assignee's capacity,
// and those in which an unassigned ticket waits for an agent.
const (
	sqlOpenStatuses    = `('new', 'needs_info', 'open', 'pending')`
	sqlWaitingStatuses = `('new', 'open')` // as in tickets_unassigned_idx and tickets_claim_idx
)

// AgentLoad is an agent and how many open tickets they hold.
type AgentLoad struct {
	Agent ticket.User
	Open  int
}

// QueuedTicket names a ticket and the queue it is in.
type QueuedTicket struct {
	ID    int64
	Queue string
}

// QueueStat is what waits in one queue: unassigned tickets in new or open,
// and how long the oldest of them has existed.
type QueueStat struct {
	Queue      string
	Waiting    int64
	OldestWait time.Duration
}

// LockAgent locks a user's row until the transaction ends and counts their
// open tickets after the lock is held, so the count includes every
// assignment committed before. Call it inside WithTx.
func (s *Store) LockAgent(ctx context.Context, id int64) (_ AgentLoad, err error) {
	defer wrap(&err, "lock agent")
	var row userRow
	err = s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, id).Error
	if err != nil {
		return AgentLoad{}, notFound(err, "Pengguna")
	}
	var open int
	err = s.conn(ctx).Raw(`SELECT count(*) FROM tickets WHERE assignee_id = ? AND status IN `+sqlOpenStatuses, id).
		Scan(&open).Error
	return AgentLoad{Agent: toUser(row), Open: open}, err
}

// pushLockClass namespaces the advisory locks that serialize pushes per
// queue (the second key is the queue name's hash).
const pushLockClass = 0x726f7574 // "rout"

// PickAgent locks and returns the agent a ticket of queue should be pushed
// to: an available agent (not a supervisor or admin) serving the queue (an
// empty list serves every queue) with fewer open tickets than their
// capacity; of those, the one with the fewest open tickets, and among
// equals the one given a ticket longest ago. false means nobody can take
// it now. Call it inside WithTx: the locks last until it ends.
//
// Pushes to one queue take turns on a transaction-scoped advisory lock, so
// each sees the assignments of the one before. An agent serving several
// queues may still be picked by pushes to two queues at once; their row
// lock makes the second wait, and it counts again once it holds the row.
func (s *Store) PickAgent(ctx context.Context, queue string) (_ AgentLoad, _ bool, err error) {
	defer wrap(&err, "pick agent")
	db := s.conn(ctx)
	if err := db.Exec(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, pushLockClass, queue).Error; err != nil {
		return AgentLoad{}, false, err
	}
	var full []int64
	for {
		args := []any{queue}
		exclude := ""
		if len(full) > 0 {
			exclude, args = "AND u.id NOT IN ?", append(args, full)
		}
		var cand struct{ ID int64 }
		err := db.Raw(`SELECT u.id FROM users u
			CROSS JOIN LATERAL (SELECT count(*) AS n FROM tickets t
				WHERE t.assignee_id = u.id AND t.status IN `+sqlOpenStatuses+`) o
			WHERE u.role = 'agent' AND u.presence = 'available'
				AND (u.queues = '[]'::jsonb OR u.queues @> jsonb_build_array(?::text))
				AND o.n < u.capacity `+exclude+`
			ORDER BY o.n, u.last_assigned_at NULLS FIRST, u.id
			LIMIT 1 FOR UPDATE OF u`, args...).Scan(&cand).Error
		if err != nil || cand.ID == 0 {
			return AgentLoad{}, false, err
		}
		// The count above is as of the statement's start; what the
		// transaction we waited for assigned is seen only by a new
		// statement, now that the row is ours.
		a, err := s.LockAgent(ctx, cand.ID)
		if err != nil {
			return AgentLoad{}, false, err
		}
		if a.Open < a.Agent.Capacity {
			return a, true, nil
		}
		full = append(full, cand.ID)
	}
}

// AssignTicket gives an unassigned ticket to an agent and notes when the
// agent was last given one. A ticket someone already has is ECONFLICT.
func (s *Store) AssignTicket(ctx context.Context, ticketID, agentID int64) (err error) {
	defer wrap(&err, "assign ticket")
	now := s.now().UTC()
	res := s.conn(ctx).Exec(`UPDATE tickets SET assignee_id = ?, updated_at = ? WHERE id = ? AND assignee_id IS NULL`,
		agentID, now, ticketID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ticket.Errorf(ticket.ECONFLICT, "Tiket sudah ditangani agen lain. / The ticket is already assigned.")
	}
	return s.conn(ctx).Exec(`UPDATE users SET last_assigned_at = ? WHERE id = ?`, now, agentID).Error
}

// ClaimTicket gives agentID the most urgent, oldest unassigned ticket of
// queue that is new or open and returns its id, or 0 when none is left.
// Tickets other claimers are taking are skipped, never waited for, so each
// ticket goes to one claimer and no claimer waits on another.
func (s *Store) ClaimTicket(ctx context.Context, queue string, agentID int64) (_ int64, err error) {
	defer wrap(&err, "claim ticket")
	now := s.now().UTC()
	var claimed struct{ ID int64 }
	err = s.conn(ctx).Raw(`UPDATE tickets SET assignee_id = ?, updated_at = ?
		WHERE id = (SELECT id FROM tickets
			WHERE queue = ? AND assignee_id IS NULL AND status IN `+sqlWaitingStatuses+`
			ORDER BY priority_rank DESC, created_at, id
			LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING id`, agentID, now, queue).Scan(&claimed).Error
	if err != nil || claimed.ID == 0 {
		return 0, err
	}
	err = s.conn(ctx).Exec(`UPDATE users SET last_assigned_at = ? WHERE id = ?`, now, agentID).Error
	return claimed.ID, err
}

// ReleaseUnstarted unassigns the open tickets an agent holds but has not
// worked yet (started_at is null) and returns them, by id. Tickets the agent
// started stay theirs.
func (s *Store) ReleaseUnstarted(ctx context.Context, agentID int64) (_ []QueuedTicket, err error) {
	defer wrap(&err, "release unstarted")
	var out []QueuedTicket
	err = s.conn(ctx).Raw(`UPDATE tickets SET assignee_id = NULL, updated_at = ?
		WHERE assignee_id = ? AND started_at IS NULL AND status IN `+sqlOpenStatuses+`
		RETURNING id, queue`, s.now().UTC(), agentID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("release tickets of agent %d: %w", agentID, err)
	}
	slices.SortFunc(out, func(a, b QueuedTicket) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// MarkStarted records that the assignee worked the ticket (changed it,
// replied, wrote a note), so it stays theirs when they go offline. It does
// nothing when agentID is not the assignee or the ticket was started before.
func (s *Store) MarkStarted(ctx context.Context, ticketID, agentID int64) (err error) {
	defer wrap(&err, "mark started")
	return s.conn(ctx).Exec(`UPDATE tickets SET started_at = ?
		WHERE id = ? AND assignee_id = ? AND started_at IS NULL`, s.now().UTC(), ticketID, agentID).Error
}

// QueueStats returns, per queue with any, the unassigned tickets waiting
// for an agent and the wait of the oldest, by queue name. Tickets not yet
// routed (an empty queue) are left out; the outbox backlog shows those.
func (s *Store) QueueStats(ctx context.Context) (_ []QueueStat, err error) {
	defer wrap(&err, "queue stats")
	var rows []struct {
		Queue   string
		Waiting int64
		Oldest  time.Time
	}
	err = s.conn(ctx).Raw(`SELECT queue, count(*) AS waiting, min(created_at) AS oldest FROM tickets
		WHERE assignee_id IS NULL AND status IN ` + sqlWaitingStatuses + ` AND queue <> ''
		GROUP BY queue ORDER BY queue`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("queue stats: %w", err)
	}
	now := s.now()
	out := make([]QueueStat, len(rows))
	for i, r := range rows {
		out[i] = QueueStat{Queue: r.Queue, Waiting: r.Waiting, OldestWait: max(now.Sub(r.Oldest), 0)}
	}
	return out, nil
}
