package store

import (
	"context"
	"time"
)

// Conversation is the WhatsApp bot's state with one sender. The store
// keeps State as the bot's own JSON; Step and TicketID are kept apart so
// they can be read without it.
type Conversation struct {
	WaID          string
	PhoneNumberID string
	Step          string
	State         []byte // JSON; "{}" for a new conversation
	TicketID      int64  // the escalated ticket, 0 when none
	UpdatedAt     time.Time
	ExpiresAt     *time.Time
	// New says no conversation with the sender existed before.
	New bool
}

type dbConversation struct {
	WaID          string
	PhoneNumberID string
	Step          string
	State         string
	TicketID      *int64
	UpdatedAt     time.Time
	ExpiresAt     *time.Time
}

// LockConversation returns the conversation with waID, locked until the
// transaction in ctx ends (so one sender's messages are answered one at a
// time, whichever instance takes them), creating an empty one first when
// there is none. Call it inside WithTx.
func (s *Store) LockConversation(ctx context.Context, waID string) (_ Conversation, err error) {
	defer wrap(&err, "lock conversation")
	res := s.conn(ctx).Exec(`INSERT INTO whatsapp_conversations (wa_id, updated_at) VALUES (?, ?)
		ON CONFLICT (wa_id) DO NOTHING`, waID, s.now().UTC())
	if res.Error != nil {
		return Conversation{}, res.Error
	}
	var row dbConversation
	err = s.conn(ctx).Raw(`SELECT wa_id, phone_number_id, step, state::text AS state, ticket_id, updated_at, expires_at
		FROM whatsapp_conversations WHERE wa_id = ? FOR UPDATE`, waID).Scan(&row).Error
	if err != nil {
		return Conversation{}, err
	}
	c := Conversation{WaID: row.WaID, PhoneNumberID: row.PhoneNumberID, Step: row.Step, State: []byte(row.State),
		UpdatedAt: row.UpdatedAt, ExpiresAt: row.ExpiresAt, New: res.RowsAffected == 1}
	if row.TicketID != nil {
		c.TicketID = *row.TicketID
	}
	return c, nil
}

// SaveConversation writes c back, stamped with the store's time.
func (s *Store) SaveConversation(ctx context.Context, c Conversation) (err error) {
	defer wrap(&err, "save conversation")
	var ticketID *int64
	if c.TicketID != 0 {
		ticketID = &c.TicketID
	}
	state := string(c.State)
	if state == "" {
		state = "{}"
	}
	return s.conn(ctx).Exec(`UPDATE whatsapp_conversations SET phone_number_id = ?, step = ?, state = ?::jsonb,
		ticket_id = ?, updated_at = ?, expires_at = ? WHERE wa_id = ?`,
		c.PhoneNumberID, c.Step, state, ticketID, s.now().UTC(), c.ExpiresAt, c.WaID).Error
}

// MarkWhatsAppHandled records that the bot answered the inbound message
// wamid and reports whether this is the first time; false means it was
// answered before and nothing more should happen. Call it in the
// transaction that answers, so the record and the answer commit together.
func (s *Store) MarkWhatsAppHandled(ctx context.Context, wamid, waID string) (_ bool, err error) {
	defer wrap(&err, "mark whatsapp handled")
	res := s.conn(ctx).Exec(`INSERT INTO whatsapp_bot_handled (wamid, wa_id, handled_at) VALUES (?, ?, ?)
		ON CONFLICT (wamid) DO NOTHING`, wamid, waID, s.now().UTC())
	return res.RowsAffected == 1, res.Error
}

// WhatsApp bot records past their use: Meta redelivers a message for up
// to 7 days, and a conversation idle this long is not continued.
const (
	BotHandledKept      = 8 * 24 * time.Hour
	BotConversationKept = 30 * 24 * time.Hour
	otpKept             = 48 * time.Hour
)

// PurgeWhatsAppBot deletes what the bot keeps once it is of no use: the
// record of messages answered (BotHandledKept), conversations idle past
// BotConversationKept (they hold the names and NIKs typed), and codes and
// attempts older than any limit reads. It returns how many rows went.
func (s *Store) PurgeWhatsAppBot(ctx context.Context, now time.Time) (_ int64, err error) {
	defer wrap(&err, "purge whatsapp bot")
	var n int64
	for _, q := range []struct {
		sql    string
		before time.Time
	}{
		{`DELETE FROM whatsapp_bot_handled WHERE handled_at < ?`, now.Add(-BotHandledKept)},
		{`DELETE FROM whatsapp_conversations WHERE updated_at < ?`, now.Add(-BotConversationKept)},
		{`DELETE FROM otp_challenges WHERE created_at < ?`, now.Add(-otpKept)},
		{`DELETE FROM otp_attempts WHERE at < ?`, now.Add(-otpKept)},
	} {
		res := s.conn(ctx).Exec(q.sql, q.before.UTC())
		if res.Error != nil {
			return n, res.Error
		}
		n += res.RowsAffected
	}
	return n, nil
}
