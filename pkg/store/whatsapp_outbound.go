package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// WAOutbound is one outgoing WhatsApp message and its delivery. Message
// is the message as the sender reads it (notify.WAMessage as JSON).
type WAOutbound struct {
	ID            int64
	PhoneNumberID string
	Recipient     string // the wa_id
	TicketID      int64  // 0 when none
	MessageID     int64  // the ticket message it delivers, 0 when none
	Pace          string // conversation, person
	Message       []byte
	State         string
	WaMID         string
	ErrorCode     int
	ErrorTitle    string
	NotBefore     *time.Time // the time its pacing reserved, nil before
	Attempts      int
}

type waOutboundRow struct {
	ID            int64
	PhoneNumberID string
	Recipient     string
	TicketID      *int64
	MessageID     *int64
	Pace          string
	Message       string
	State         string
	Wamid         *string
	ErrorCode     int
	ErrorTitle    string
	NotBefore     *time.Time
	Attempts      int
}

// The delivery states of an outgoing WhatsApp message, in the order they
// follow each other; failed ends it.
const (
	OutboundQueued    = "queued"
	OutboundSent      = "sent"
	OutboundDelivered = "delivered"
	OutboundRead      = "read"
	OutboundFailed    = "failed"
)

// outboundRank orders the states; a status never moves a message back.
const outboundRank = `(CASE %s WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END)`

// AddWhatsAppOutbound stores outgoing messages in state queued, each with
// its sending (TaskWhatsAppSend) in the outbox, in the caller's
// transaction; it fills in their ids.
func (s *Store) AddWhatsAppOutbound(ctx context.Context, out ...*WAOutbound) (err error) {
	defer wrap(&err, "add whatsapp outbound")
	return s.WithTx(ctx, func(ctx context.Context) error {
		for _, o := range out {
			err := s.conn(ctx).Raw(`INSERT INTO whatsapp_outbound (phone_number_id, recipient, ticket_id, message_id,
					pace, message, created_at) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING id`,
				o.PhoneNumberID, o.Recipient, nullID(o.TicketID), nullID(o.MessageID), o.Pace, string(o.Message),
				s.now().UTC()).Scan(&o.ID).Error
			if err != nil {
				return err
			}
			o.State = OutboundQueued
			if err := s.AddOutbox(ctx, TaskWhatsAppSend, WhatsAppSendTask{OutboundID: o.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// WhatsAppOutbound returns the outgoing message id.
func (s *Store) WhatsAppOutbound(ctx context.Context, id int64) (_ WAOutbound, err error) {
	defer wrap(&err, "whatsapp outbound")
	var rows []waOutboundRow
	err = s.conn(ctx).Raw(`SELECT id, phone_number_id, recipient, ticket_id, message_id, pace, message::text AS message,
		state, wamid, error_code, error_title, not_before, attempts FROM whatsapp_outbound WHERE id = ?`, id).Scan(&rows).Error
	if err != nil {
		return WAOutbound{}, err
	}
	if len(rows) == 0 {
		return WAOutbound{}, ticket.Errorf(ticket.ENOTFOUND, "Pesan WhatsApp tidak ditemukan. / WhatsApp message not found.")
	}
	r := rows[0]
	o := WAOutbound{ID: r.ID, PhoneNumberID: r.PhoneNumberID, Recipient: r.Recipient, Pace: r.Pace,
		Message: []byte(r.Message), State: r.State, ErrorCode: r.ErrorCode, ErrorTitle: r.ErrorTitle,
		NotBefore: r.NotBefore, Attempts: r.Attempts}
	if r.TicketID != nil {
		o.TicketID = *r.TicketID
	}
	if r.MessageID != nil {
		o.MessageID = *r.MessageID
	}
	if r.Wamid != nil {
		o.WaMID = *r.Wamid
	}
	return o, nil
}

// EarlierWhatsAppAnswer reports whether a bot answer (pace conversation)
// queued before outbound message id, to the same person from the same
// number, is still waiting to be sent: an answer of several messages
// must reach the person in the order it was written, while each message
// is its own task. Only rows queued within a minute before id count (the
// look is bounded by the primary key), so a message that cannot be sent
// holds the next ones back no longer than that.
func (s *Store) EarlierWhatsAppAnswer(ctx context.Context, id int64) (_ bool, err error) {
	defer wrap(&err, "earlier whatsapp answer")
	var n int64
	err = s.conn(ctx).Raw(`SELECT count(*) FROM whatsapp_outbound o JOIN whatsapp_outbound e
		ON e.id < o.id AND e.id >= o.id - 1000 AND e.phone_number_id = o.phone_number_id AND e.recipient = o.recipient
		WHERE o.id = ? AND o.pace = 'conversation' AND e.pace = 'conversation' AND e.state = 'queued'
		AND e.wamid IS NULL AND e.created_at >= o.created_at - interval '1 minute'`, id).Scan(&n).Error
	return n > 0, err
}

// ReserveWhatsAppPace takes the next free slot of key, where slots are
// interval apart (a generic cell rate: a number's throughput, one
// person's pace), and returns its time: now when the key is idle, later
// when messages went before. Every worker shares the slots.
func (s *Store) ReserveWhatsAppPace(ctx context.Context, key string, interval time.Duration, now time.Time) (_ time.Time, err error) {
	defer wrap(&err, "reserve whatsapp pace")
	var next time.Time
	err = s.conn(ctx).Raw(`INSERT INTO whatsapp_pace (key, next_at) VALUES (@key, @next)
		ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(whatsapp_pace.next_at, @now) + @interval * interval '1 microsecond'
		RETURNING next_at`, map[string]any{"key": key, "now": now.UTC(), "next": now.UTC().Add(interval),
		"interval": interval.Microseconds()}).Scan(&next).Error
	return next.Add(-interval).UTC(), err
}

// HoldWhatsAppPace keeps key's slots free until until (Meta asked to slow
// down): nothing is reserved before it.
func (s *Store) HoldWhatsAppPace(ctx context.Context, key string, until time.Time) (err error) {
	defer wrap(&err, "hold whatsapp pace")
	return s.conn(ctx).Exec(`INSERT INTO whatsapp_pace (key, next_at) VALUES (@key, @until)
		ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(whatsapp_pace.next_at, @until)`,
		map[string]any{"key": key, "until": until.UTC()}).Error
}

// DelayWhatsAppOutbound records the time a queued message may go (its
// reserved slot, or a back-off), and counts the attempt when retry.
func (s *Store) DelayWhatsAppOutbound(ctx context.Context, id int64, notBefore time.Time, retry bool) (err error) {
	defer wrap(&err, "delay whatsapp outbound")
	inc := 0
	if retry {
		inc = 1
	}
	return s.conn(ctx).Exec(`UPDATE whatsapp_outbound SET not_before = ?, attempts = attempts + ? WHERE id = ?`,
		notBefore.UTC(), inc, id).Error
}

// RecordWhatsAppSent records the wamid Meta gave a sent message and moves
// it to sent, then applies the statuses that arrived for that wamid
// before it was recorded. A message with a wamid already keeps it.
func (s *Store) RecordWhatsAppSent(ctx context.Context, id int64, wamid string) (err error) {
	defer wrap(&err, "record whatsapp sent")
	now := s.now().UTC()
	return s.WithTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		if err := lockWamid(ctx, s, wamid); err != nil {
			return err
		}
		res := db.Exec(`UPDATE whatsapp_outbound SET wamid = ?, state = 'sent', sent_at = ?, status_at = ?
			WHERE id = ? AND wamid IS NULL AND state = 'queued'`, wamid, now, now, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := s.deliveryToMessage(ctx, id); err != nil {
			return err
		}
		var early []WAStatus
		err := db.Raw(`SELECT wamid, status, error_code, error_title, at FROM whatsapp_early_statuses
			WHERE wamid = ? ORDER BY at`, wamid).Scan(&early).Error
		if err != nil {
			return err
		}
		for _, st := range early {
			if _, err := s.ApplyWhatsAppStatus(ctx, st); err != nil {
				return err
			}
		}
		return db.Exec(`DELETE FROM whatsapp_early_statuses WHERE wamid = ?`, wamid).Error
	})
}

// FailWhatsAppOutbound ends a message that cannot be sent (outside the
// 24-hour window, undeliverable, refused), with Meta's code and title,
// which the ticket message shows.
func (s *Store) FailWhatsAppOutbound(ctx context.Context, id int64, code int, title string) (err error) {
	defer wrap(&err, "fail whatsapp outbound")
	return s.WithTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Exec(`UPDATE whatsapp_outbound SET state = 'failed', error_code = ?, error_title = ?,
			status_at = ? WHERE id = ? AND state <> 'failed'`, code, title, s.now().UTC(), id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.deliveryToMessage(ctx, id)
	})
}

// WAStatus is a delivery status Meta reported for a wamid.
type WAStatus struct {
	WaMID      string `gorm:"column:wamid"`
	Status     string // sent, delivered, read, failed
	ErrorCode  int
	ErrorTitle string
	At         time.Time
}

// ApplyWhatsAppStatus moves the message st names forward to st.Status;
// a status behind the message's state changes nothing. A status for a
// wamid not recorded yet is kept and applied when it is
// (RecordWhatsAppSent). It reports whether a message changed.
func (s *Store) ApplyWhatsAppStatus(ctx context.Context, st WAStatus) (_ bool, err error) {
	defer wrap(&err, "apply whatsapp status")
	rank := map[string]int{OutboundSent: 1, OutboundDelivered: 2, OutboundRead: 3, OutboundFailed: 4}[st.Status]
	if rank == 0 {
		return false, fmt.Errorf("unknown whatsapp status %q", st.Status)
	}
	changed := false
	err = s.WithTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		if err := lockWamid(ctx, s, st.WaMID); err != nil {
			return err
		}
		var id int64
		res := db.Raw(`UPDATE whatsapp_outbound SET state = ?, error_code = ?, error_title = ?, status_at = ?
			WHERE wamid = ? AND `+fmt.Sprintf(outboundRank, "state")+` < ? RETURNING id`,
			st.Status, st.ErrorCode, st.ErrorTitle, st.At.UTC(), st.WaMID, rank).Scan(&id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			changed = true
			return s.deliveryToMessage(ctx, id)
		}
		var known int64
		if err := db.Raw(`SELECT count(*) FROM whatsapp_outbound WHERE wamid = ?`, st.WaMID).Scan(&known).Error; err != nil {
			return err
		}
		if known > 0 {
			return nil // behind what the message shows already
		}
		return db.Exec(`INSERT INTO whatsapp_early_statuses (wamid, status, error_code, error_title, at, received_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			st.WaMID, st.Status, st.ErrorCode, st.ErrorTitle, st.At.UTC(), s.now().UTC()).Error
	})
	return changed, err
}

// deliveryToMessage copies an outgoing message's state to the ticket
// message it delivers, so agents see it: sent, delivered, read, or failed
// with Meta's code and title.
func (s *Store) deliveryToMessage(ctx context.Context, outboundID int64) error {
	return s.conn(ctx).Exec(`UPDATE messages m SET status = o.state,
			error = CASE WHEN o.state = 'failed' THEN o.error_code || ' ' || o.error_title ELSE '' END
		FROM whatsapp_outbound o WHERE o.id = ? AND m.id = o.message_id`, outboundID).Error
}

// wamidLockClass is the advisory lock class of a wamid: a status that
// finds no message and keeps itself for later, and the recording of that
// message's wamid, take turns, so the status is never kept just after the
// recording looked for it.
const wamidLockClass = 0x77616d69 // "wami"

func lockWamid(ctx context.Context, s *Store, wamid string) error {
	return s.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, wamidLockClass, wamid).Error
}
