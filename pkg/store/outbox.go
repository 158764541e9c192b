package store

import (
	"context"
	"time"
)

// OutboxItem is one piece of background work waiting to be handed to the
// task queue.
type OutboxItem struct {
	ID        int64
	TaskType  string
	Payload   []byte
	CreatedAt time.Time
	Attempts  int
}

type outboxRow struct {
	ID        int64
	TaskType  string
	Payload   string
	CreatedAt time.Time
	Attempts  int
}

func (outboxRow) TableName() string { return "outbox" }

func toOutboxItems(rows []outboxRow) []OutboxItem {
	out := make([]OutboxItem, len(rows))
	for i, r := range rows {
		out[i] = OutboxItem{ID: r.ID, TaskType: r.TaskType, Payload: []byte(r.Payload), CreatedAt: r.CreatedAt,
			Attempts: r.Attempts}
	}
	return out
}

// AddOutbox records background work; call it inside the transaction of the
// change that needs the work, so both happen or neither.
func (s *Store) AddOutbox(ctx context.Context, taskType string, payload any) (err error) {
	defer wrap(&err, "add outbox")
	return s.conn(ctx).Exec("INSERT INTO outbox (task_type, payload) VALUES (?, ?::jsonb)",
		taskType, jsonText(payload)).Error
}

// PendingOutbox returns up to limit items not yet relayed, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, limit int) (_ []OutboxItem, err error) {
	defer wrap(&err, "pending outbox")
	var rows []outboxRow
	err = s.conn(ctx).Raw(`SELECT id, task_type, payload::text AS payload, created_at, attempts
		FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT ?`, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return toOutboxItems(rows), nil
}

// The kinds of background work written to the outbox; each is an asynq
// task type of the same name.
const (
	TaskTicketRoute    = "ticket:route"
	TaskDocumentsCheck = "documents:check"
	TaskNotifyAck      = "notify:ack"
	TaskNotifyReply    = "notify:reply"
	TaskNotifyDocs     = "notify:docs"
)

// TicketTask is the payload of work about one ticket.
type TicketTask struct {
	TicketID  int64 `json:"ticket_id"`
	MessageID int64 `json:"message_id,omitempty"`
}

// ClaimOutbox locks up to limit unrelayed items of the given task types,
// oldest first, skipping those another relay holds; call it inside WithTx
// and mark them in the same transaction.
func (s *Store) ClaimOutbox(ctx context.Context, types []string, limit int) (_ []OutboxItem, err error) {
	defer wrap(&err, "claim outbox")
	var rows []outboxRow
	err = s.conn(ctx).Raw(`SELECT id, task_type, payload::text AS payload, created_at, attempts
		FROM outbox WHERE relayed_at IS NULL AND task_type IN ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
		types, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return toOutboxItems(rows), nil
}

// MarkRelayed records that items were handed to the task queue.
func (s *Store) MarkRelayed(ctx context.Context, ids []int64) (err error) {
	defer wrap(&err, "mark relayed")
	if len(ids) == 0 {
		return nil
	}
	return s.conn(ctx).Exec("UPDATE outbox SET relayed_at = ?, attempts = attempts + 1 WHERE id IN ?",
		s.now().UTC(), ids).Error
}

// RecordRelayFailure notes a failed hand-over; the item stays pending.
func (s *Store) RecordRelayFailure(ctx context.Context, id int64, reason string) (err error) {
	defer wrap(&err, "record relay failure")
	return s.conn(ctx).Exec("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
		reason, id).Error
}

// OutboxBacklog returns how many items wait to be relayed and the age of
// the oldest, for metrics and alerts.
func (s *Store) OutboxBacklog(ctx context.Context) (_ int64, _ time.Duration, err error) {
	defer wrap(&err, "outbox backlog")
	var r struct {
		N      int64
		Oldest *time.Time
	}
	err = s.conn(ctx).Raw(`SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE relayed_at IS NULL`).
		Scan(&r).Error
	if err != nil || r.Oldest == nil {
		return r.N, 0, err
	}
	return r.N, s.now().Sub(*r.Oldest), nil
}
