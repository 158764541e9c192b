package whatsapp

import (
	"context"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// Incoming is one inbound message, ready for the conversation: taken from
// a stored webhook body, in its sender's order, its media (if any)
// already downloaded into the blob store.
type Incoming struct {
	PhoneNumberID string // the business number it came to
	Contact       Contact
	Message       Message
	At            time.Time // Meta's timestamp
	WebhookID     int64     // the stored body it came in
	// Media is the message's file, stored (Attachment.SHA256 set), when
	// the message carries one.
	Media *ticket.Attachment
}

// Conversation answers inbound messages: the bot, and the hand-over to
// tickets. Handle is called once per message in each sender's order, and
// again for the same message after a failure, so it must be idempotent
// per Message.ID.
type Conversation interface {
	Handle(ctx context.Context, in Incoming) error
}
