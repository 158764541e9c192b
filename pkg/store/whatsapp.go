package store

import (
	"context"
	"crypto/sha256"
	"time"
)

// WhatsApp webhook body states.
const (
	WebhookReceived = "received" // waiting to be processed
	WebhookInvalid  = "invalid"  // signed, but not a WhatsApp notification
)

// SaveWhatsAppWebhook keeps one correctly signed webhook body exactly as
// it arrived, in state (WebhookReceived or WebhookInvalid, with reason),
// and returns its id. It returns only once the row is committed.
func (s *Store) SaveWhatsAppWebhook(ctx context.Context, body []byte, state, reason string, now time.Time) (_ int64, err error) {
	defer wrap(&err, "save whatsapp webhook")
	sum := sha256.Sum256(body)
	if body == nil {
		body = []byte{}
	}
	var id int64
	err = s.conn(ctx).Raw(`INSERT INTO whatsapp_webhooks (received_at, body, sha256, state, error)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, now.UTC(), body, sum[:], state, reason).Scan(&id).Error
	return id, err
}
