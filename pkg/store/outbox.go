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

// AddOutbox records background work; call it inside the transaction of the
// change that needs the work, so both happen or neither.
func (s *Store) AddOutbox(ctx context.Context, taskType string, payload any) error {
	return s.conn(ctx).Exec("INSERT INTO outbox (task_type, payload) VALUES (?, ?::jsonb)",
		taskType, jsonText(payload)).Error
}

// PendingOutbox returns up to limit items not yet relayed, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, limit int) ([]OutboxItem, error) {
	var rows []outboxRow
	err := s.conn(ctx).Raw(`SELECT id, task_type, payload::text AS payload, created_at, attempts
		FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT ?`, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]OutboxItem, len(rows))
	for i, r := range rows {
		out[i] = OutboxItem{ID: r.ID, TaskType: r.TaskType, Payload: []byte(r.Payload), CreatedAt: r.CreatedAt,
			Attempts: r.Attempts}
	}
	return out, nil
}

// The kinds of background work written to the outbox; each is an asynq
// task type of the same name.
const (
	TaskTicketRoute    = "ticket:route"
	TaskDocumentsCheck = "documents:check"
	TaskNotifyAck      = "notify:ack"
	TaskNotifyReply    = "notify:reply"
)

// TicketTask is the payload of work about one ticket.
type TicketTask struct {
	TicketID  int64 `json:"ticket_id"`
	MessageID int64 `json:"message_id,omitempty"`
}
