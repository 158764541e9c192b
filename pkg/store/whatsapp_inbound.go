package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// WAInbound is one inbound WhatsApp message as stored: who sent it, to
// which number, when (Meta's time), and what it is (Message: the parsed
// message as JSON, for the conversation).
type WAInbound struct {
	ID            int64
	WaMID         string
	PhoneNumberID string
	// Sender is the key one person's messages are ordered under.
	Sender      string
	WaID        string // Meta's wa_id, "" when Meta sent none
	UserID      string // the business-scoped user id, "" when Meta sent none
	ProfileName string
	SentAt      time.Time
	Type        string
	Message     []byte
	WebhookID   int64
	// MediaID is Meta's id of the message's file; MediaSHA256 is set once
	// the file is in the blob store.
	MediaID     string
	MediaSHA256 string
	MediaType   string
	MediaSize   int64
	State       string // pending, done
	Generation  int
	ReceivedAt  time.Time
}

type waInboundRow struct {
	ID            int64
	Wamid         string
	PhoneNumberID string
	Sender        string
	WaID          string
	UserID        string
	ProfileName   string
	SentAt        time.Time
	Type          string
	Message       string
	WebhookID     int64
	MediaID       string
	MediaSha256   *string
	MediaType     string
	MediaSize     int64
	State         string
	Generation    int
	ReceivedAt    time.Time
}

func toWAInbound(r waInboundRow) WAInbound {
	in := WAInbound{ID: r.ID, WaMID: r.Wamid, PhoneNumberID: r.PhoneNumberID, Sender: r.Sender, WaID: r.WaID,
		UserID: r.UserID, ProfileName: r.ProfileName, SentAt: r.SentAt, Type: r.Type, Message: []byte(r.Message),
		WebhookID: r.WebhookID, MediaID: r.MediaID, MediaType: r.MediaType, MediaSize: r.MediaSize, State: r.State,
		Generation: r.Generation, ReceivedAt: r.ReceivedAt}
	if r.MediaSha256 != nil {
		in.MediaSHA256 = *r.MediaSha256
	}
	return in
}

const waInboundColumns = `id, wamid, phone_number_id, sender, wa_id, user_id, profile_name, sent_at, type,
	message::text AS message, webhook_id, media_id, media_sha256, media_type, media_size, state, generation, received_at`

// Inbound states.
const (
	InboundPending = "pending"
	InboundDone    = "done"
)

// WhatsAppMessageTaskID is the task id of handling the message wamid, the
// generation-th time it was queued: the wamid names the work, so the same
// message queued twice by one webhook is one task.
func WhatsAppMessageTaskID(wamid string, generation int) string {
	if generation == 0 {
		return "outbox:wa:" + wamid
	}
	return fmt.Sprintf("outbox:wa:%s#%d", wamid, generation)
}

// AddWhatsAppInbound stores an inbound message and queues its handling
// (TaskWhatsAppMessage under WhatsAppMessageTaskID) in the caller's
// transaction, once per wamid: a message Meta sends again changes
// nothing when it was handled already. One stored but not handled yet
// (its media download or its conversation kept failing) is queued again
// under a fresh task id, so a redelivery retries it at once; one not
// tried yet is left to the task queued for it. It reports whether
// the message was queued.
func (s *Store) AddWhatsAppInbound(ctx context.Context, in WAInbound) (queued bool, err error) {
	defer wrap(&err, "add whatsapp inbound")
	db := s.conn(ctx)
	var id int64
	res := db.Raw(`INSERT INTO whatsapp_inbound (wamid, phone_number_id, sender, wa_id, user_id, profile_name,
			sent_at, type, message, webhook_id, media_id, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?) ON CONFLICT (wamid) DO NOTHING RETURNING id`,
		in.WaMID, in.PhoneNumberID, in.Sender, in.WaID, in.UserID, in.ProfileName, in.SentAt.UTC(), in.Type,
		string(in.Message), in.WebhookID, in.MediaID, s.now().UTC()).Scan(&id)
	if res.Error != nil {
		return false, res.Error
	}
	generation := 0
	if res.RowsAffected == 0 {
		var old waInboundRow
		var attempts int
		err := db.Raw(`SELECT state, webhook_id, generation, attempts FROM whatsapp_inbound WHERE wamid = ? FOR UPDATE`,
			in.WaMID).Row().Scan(&old.State, &old.WebhookID, &old.Generation, &attempts)
		if err != nil {
			return false, err
		}
		// Handled, or not tried yet (its task is queued), or the same body
		// taken again (its task retried): nothing more to queue.
		if old.State == InboundDone || attempts == 0 || old.WebhookID == in.WebhookID {
			return false, nil
		}
		generation = old.Generation + 1
		err = db.Exec(`UPDATE whatsapp_inbound SET generation = ?, webhook_id = ? WHERE wamid = ?`,
			generation, in.WebhookID, in.WaMID).Error
		if err != nil {
			return false, err
		}
	}
	return true, s.AddOutboxTask(ctx, TaskWhatsAppMessage, WhatsAppMessageTaskID(in.WaMID, generation),
		WhatsAppMessageTask{WaMID: in.WaMID})
}

// WhatsAppInbound returns the inbound message wamid.
func (s *Store) WhatsAppInbound(ctx context.Context, wamid string) (_ WAInbound, err error) {
	defer wrap(&err, "whatsapp inbound")
	var rows []waInboundRow
	if err := s.conn(ctx).Raw(`SELECT `+waInboundColumns+` FROM whatsapp_inbound WHERE wamid = ?`, wamid).
		Scan(&rows).Error; err != nil {
		return WAInbound{}, err
	}
	if len(rows) == 0 {
		return WAInbound{}, ticket.Errorf(ticket.ENOTFOUND, "Pesan WhatsApp tidak ditemukan. / WhatsApp message not found.")
	}
	return toWAInbound(rows[0]), nil
}

// LockWhatsAppSender holds sender's lock until the transaction ends
// (inside WithTx): one person's messages are handled one at a time.
func (s *Store) LockWhatsAppSender(ctx context.Context, sender string) (err error) {
	defer wrap(&err, "lock whatsapp sender")
	db := s.conn(ctx)
	if err := db.Exec(`INSERT INTO whatsapp_senders (sender) VALUES (?) ON CONFLICT DO NOTHING`, sender).Error; err != nil {
		return err
	}
	return db.Exec(`SELECT 1 FROM whatsapp_senders WHERE sender = ? FOR UPDATE`, sender).Error
}

// PendingWhatsAppInbound returns sender's messages not handled yet, up to
// and including upTo, in Meta's order (its timestamp, then arrival).
func (s *Store) PendingWhatsAppInbound(ctx context.Context, sender string, upTo WAInbound) (_ []WAInbound, err error) {
	defer wrap(&err, "pending whatsapp inbound")
	var rows []waInboundRow
	err = s.conn(ctx).Raw(`SELECT `+waInboundColumns+` FROM whatsapp_inbound
		WHERE sender = ? AND state = 'pending' AND (sent_at, id) <= (?, ?)
		ORDER BY sent_at, id`, sender, upTo.SentAt.UTC(), upTo.ID).Scan(&rows).Error
	out := make([]WAInbound, len(rows))
	for i, r := range rows {
		out[i] = toWAInbound(r)
	}
	return out, err
}

// SetWhatsAppInboundMedia records that a message's file is in the blob
// store under sum.
func (s *Store) SetWhatsAppInboundMedia(ctx context.Context, id int64, sum, contentType string, size int64) (err error) {
	defer wrap(&err, "set whatsapp inbound media")
	return s.conn(ctx).Exec(`UPDATE whatsapp_inbound SET media_sha256 = ?, media_type = ?, media_size = ? WHERE id = ?`,
		sum, contentType, size, id).Error
}

// NoteWhatsAppInboundError records why handling a message failed this
// time; it stays pending.
func (s *Store) NoteWhatsAppInboundError(ctx context.Context, id int64, reason string) (err error) {
	defer wrap(&err, "note whatsapp inbound error")
	return s.conn(ctx).Exec(`UPDATE whatsapp_inbound SET attempts = attempts + 1, error = ? WHERE id = ?`,
		reason, id).Error
}

// FinishWhatsAppInbound records that a message was handled.
func (s *Store) FinishWhatsAppInbound(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "finish whatsapp inbound")
	return s.conn(ctx).Exec(`UPDATE whatsapp_inbound SET state = 'done', done_at = ?, error = '' WHERE id = ?`,
		s.now().UTC(), id).Error
}

// LastWhatsAppInbound returns when the person waID last wrote to the
// business number phoneNumberID (Meta's time), zero when never: the start
// of the 24-hour window in which free-form messages may go to them.
func (s *Store) LastWhatsAppInbound(ctx context.Context, phoneNumberID, waID string) (_ time.Time, err error) {
	defer wrap(&err, "last whatsapp inbound")
	var at *time.Time
	err = s.conn(ctx).Raw(`SELECT max(sent_at) FROM whatsapp_inbound WHERE phone_number_id = ? AND wa_id = ?`,
		phoneNumberID, waID).Scan(&at).Error
	if err != nil || at == nil {
		return time.Time{}, err
	}
	return at.UTC(), nil
}

// WhatsAppRecipient returns who a WhatsApp ticket's messages go to: the
// wa_id of the ticket's latest inbound WhatsApp message (its sender),
// else the WhatsApp identity of its complainant, and the business number
// they last wrote to ("" when unknown). waID is "" when the ticket has
// no WhatsApp sender.
func (s *Store) WhatsAppRecipient(ctx context.Context, ticketID int64) (phoneNumberID, waID string, err error) {
	defer wrap(&err, "whatsapp recipient")
	db := s.conn(ctx)
	err = db.Raw(`SELECT sender FROM messages WHERE ticket_id = ? AND channel = 'whatsapp' AND direction = 'inbound'
		AND sender <> '' ORDER BY id DESC LIMIT 1`, ticketID).Scan(&waID).Error
	if err == nil && waID == "" {
		err = db.Raw(`SELECT i.value FROM complainant_identities i JOIN tickets t ON t.complainant_id = i.complainant_id
			WHERE t.id = ? AND i.kind = 'whatsapp' ORDER BY i.created_at DESC LIMIT 1`, ticketID).Scan(&waID).Error
	}
	if err != nil || waID == "" {
		return "", "", err
	}
	err = db.Raw(`SELECT phone_number_id FROM whatsapp_inbound WHERE wa_id = ? ORDER BY sent_at DESC, id DESC LIMIT 1`,
		waID).Scan(&phoneNumberID).Error
	return phoneNumberID, waID, err
}
