package store

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// WhatsApp webhook body states.
const (
	WebhookReceived  = "received"  // waiting to be processed
	WebhookInvalid   = "invalid"   // signed, but not a WhatsApp notification
	WebhookProcessed = "processed" // its messages and statuses were taken
	WebhookUnrouted  = "unrouted"  // none of it came to a configured number: kept, not processed
)

// The WhatsApp task types written to the outbox.
const (
	// TaskWhatsAppWebhook takes a stored body's messages and statuses
	// (payload WebhookTask), written with the body.
	TaskWhatsAppWebhook = "whatsapp:webhook"
	// TaskWhatsAppMessage hands one inbound message to the conversation
	// (payload WhatsAppMessageTask), under a task id naming its wamid.
	TaskWhatsAppMessage = "whatsapp:message"
	// TaskWhatsAppSend sends one queued outbound message (payload
	// WhatsAppSendTask).
	TaskWhatsAppSend = "notify:whatsapp"
)

// WebhookTask is the payload of TaskWhatsAppWebhook.
type WebhookTask struct {
	WebhookID int64 `json:"webhook_id"`
}

// WhatsAppMessageTask is the payload of TaskWhatsAppMessage.
type WhatsAppMessageTask struct {
	WaMID string `json:"wamid"`
}

// WhatsAppSendTask is the payload of TaskWhatsAppSend.
type WhatsAppSendTask struct {
	OutboundID int64 `json:"outbound_id"`
}

// SaveWhatsAppWebhook keeps one correctly signed webhook body exactly as
// it arrived, in state (WebhookReceived or WebhookInvalid, with reason),
// and returns its id. A received body's processing (TaskWhatsAppWebhook)
// is written to the outbox in the same transaction. It returns only once
// both are committed.
func (s *Store) SaveWhatsAppWebhook(ctx context.Context, body []byte, state, reason string, now time.Time) (_ int64, err error) {
	defer wrap(&err, "save whatsapp webhook")
	sum := sha256.Sum256(body)
	if body == nil {
		body = []byte{}
	}
	// One statement: the body and its processing are committed together,
	// in one round trip.
	var id int64
	err = s.conn(ctx).Raw(`WITH w AS (INSERT INTO whatsapp_webhooks (received_at, body, sha256, state, error)
			VALUES (?, ?, ?, ?, ?) RETURNING id, state),
		o AS (INSERT INTO outbox (task_type, payload)
			SELECT ?, jsonb_build_object('webhook_id', id) FROM w WHERE state = ?)
		SELECT id FROM w`, now.UTC(), body, sum[:], state, reason, TaskWhatsAppWebhook, WebhookReceived).Scan(&id).Error
	return id, err
}

// WhatsAppWebhook returns a stored body and its state.
func (s *Store) WhatsAppWebhook(ctx context.Context, id int64) (_ []byte, _ string, err error) {
	defer wrap(&err, "whatsapp webhook")
	var r struct {
		Body  []byte
		State string
	}
	res := s.conn(ctx).Raw(`SELECT body, state FROM whatsapp_webhooks WHERE id = ?`, id).Scan(&r)
	if res.Error != nil {
		return nil, "", res.Error
	}
	if res.RowsAffected == 0 {
		return nil, "", ticket.Errorf(ticket.ENOTFOUND, "Webhook tidak ditemukan. / Webhook not found.")
	}
	return r.Body, r.State, nil
}

// FinishWhatsAppWebhook records that a received body was taken: state
// WebhookProcessed or WebhookUnrouted, with a note (e.g. the numbers it
// came to that are not configured). A body already finished keeps its
// first outcome.
func (s *Store) FinishWhatsAppWebhook(ctx context.Context, id int64, state, note string) (err error) {
	defer wrap(&err, "finish whatsapp webhook")
	return s.conn(ctx).Exec(`UPDATE whatsapp_webhooks SET state = ?, error = ?, processed_at = ?
		WHERE id = ? AND state = 'received'`, state, note, s.now().UTC(), id).Error
}
