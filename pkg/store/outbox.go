package store

import (
	"context"
	"time"
)

// OutboxItem is one piece of background work waiting to be handed to the
// task queue, or handed over and not yet finished.
type OutboxItem struct {
	ID        int64
	TaskType  string
	Payload   []byte
	CreatedAt time.Time
	RelayedAt *time.Time // when it was last handed over; nil when never
	Attempts  int
	// TaskID is the asynq task id the row asked for (AddOutboxTask); ""
	// for the default, derived from ID.
	TaskID string
}

type outboxRow struct {
	ID        int64
	TaskType  string
	Payload   string
	CreatedAt time.Time
	RelayedAt *time.Time
	Attempts  int
	TaskID    *string
}

func (outboxRow) TableName() string { return "outbox" }

func toOutboxItems(rows []outboxRow) []OutboxItem {
	out := make([]OutboxItem, len(rows))
	for i, r := range rows {
		out[i] = OutboxItem{ID: r.ID, TaskType: r.TaskType, Payload: []byte(r.Payload), CreatedAt: r.CreatedAt,
			RelayedAt: r.RelayedAt, Attempts: r.Attempts}
		if r.TaskID != nil {
			out[i].TaskID = *r.TaskID
		}
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

// AddOutboxTask records background work like AddOutbox under its own
// task id, which names the work rather than the row (e.g. the wamid of a
// WhatsApp message): the same work written twice is then one task.
func (s *Store) AddOutboxTask(ctx context.Context, taskType, taskID string, payload any) (err error) {
	defer wrap(&err, "add outbox task")
	return s.conn(ctx).Exec("INSERT INTO outbox (task_type, task_id, payload) VALUES (?, ?, ?::jsonb)",
		taskType, taskID, jsonText(payload)).Error
}

// MarkOutboxTaskDone is MarkOutboxDone for the rows of a task id given by
// AddOutboxTask.
func (s *Store) MarkOutboxTaskDone(ctx context.Context, taskID string) (err error) {
	defer wrap(&err, "mark outbox task done")
	return s.conn(ctx).Exec(`UPDATE outbox SET done_at = ?
		WHERE task_id = ? AND done_at IS NULL AND failed_at IS NULL`, s.now().UTC(), taskID).Error
}

// MarkOutboxTaskFailed is MarkOutboxFailed for the rows of a task id
// given by AddOutboxTask.
func (s *Store) MarkOutboxTaskFailed(ctx context.Context, taskID, reason string) (err error) {
	defer wrap(&err, "mark outbox task failed")
	return s.conn(ctx).Exec(`UPDATE outbox SET failed_at = ?, last_error = ?
		WHERE task_id = ? AND done_at IS NULL AND failed_at IS NULL`, s.now().UTC(), reason, taskID).Error
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

// ClaimOutbox locks up to limit items of the given task types to hand to
// the task queue, oldest first, skipping those another relay holds: those
// never handed over, and those handed over more than again ago and not
// finished, whose task Redis may have lost. Call it inside WithTx and mark
// them relayed in the same transaction.
func (s *Store) ClaimOutbox(ctx context.Context, types []string, limit int, again time.Duration) (_ []OutboxItem, err error) {
	defer wrap(&err, "claim outbox")
	var rows []outboxRow
	err = s.conn(ctx).Raw(`SELECT id, task_type, payload::text AS payload, created_at, relayed_at, attempts, task_id
		FROM outbox WHERE done_at IS NULL AND failed_at IS NULL AND task_type IN ?
			AND (relayed_at IS NULL OR relayed_at < ?)
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
		types, s.now().UTC().Add(-again), limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return toOutboxItems(rows), nil
}

// MarkRelayed records that items were handed to the task queue, now.
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

// MarkOutboxDone records that the work of item id was done. Marking it
// again, or after it was given up, changes nothing.
func (s *Store) MarkOutboxDone(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "mark outbox done")
	return s.conn(ctx).Exec("UPDATE outbox SET done_at = ? WHERE id = ? AND done_at IS NULL AND failed_at IS NULL",
		s.now().UTC(), id).Error
}

// MarkOutboxFailed records that the work of item id was given up, and why;
// it is not handed over again. A row already finished keeps its outcome.
func (s *Store) MarkOutboxFailed(ctx context.Context, id int64, reason string) (err error) {
	defer wrap(&err, "mark outbox failed")
	return s.conn(ctx).Exec(`UPDATE outbox SET failed_at = ?, last_error = ?
		WHERE id = ? AND done_at IS NULL AND failed_at IS NULL`, s.now().UTC(), reason, id).Error
}

// OutboxStats is what the outbox holds that is not finished yet.
type OutboxStats struct {
	Waiting int64         // never handed to the task queue
	Relayed int64         // handed over, not yet done or given up
	Oldest  time.Duration // age of the oldest unfinished item; 0 when none
	Failed  int64         // given up, kept for a person to look at
}

// OutboxBacklog returns what the outbox holds that is not finished, for
// metrics and alerts.
func (s *Store) OutboxBacklog(ctx context.Context) (_ OutboxStats, err error) {
	defer wrap(&err, "outbox backlog")
	var r struct {
		Waiting, Relayed, Failed int64
		Oldest                   *time.Time
	}
	err = s.conn(ctx).Raw(`SELECT count(*) FILTER (WHERE relayed_at IS NULL) AS waiting,
			count(*) FILTER (WHERE relayed_at IS NOT NULL) AS relayed, min(created_at) AS oldest,
			(SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL) AS failed
		FROM outbox WHERE done_at IS NULL AND failed_at IS NULL`).Scan(&r).Error
	st := OutboxStats{Waiting: r.Waiting, Relayed: r.Relayed, Failed: r.Failed}
	if err != nil || r.Oldest == nil {
		return st, err
	}
	st.Oldest = s.now().Sub(*r.Oldest)
	return st, nil
}
