package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/aduan/aduan/pkg/ticket"
)

type messageRow struct {
	ID         int64
	TicketID   int64
	Direction  string
	Channel    string
	SourceID   *string
	SourceHash string
	AuthorID   *int64
	Subject    string
	Body       string
	Status     string
	Kind       string
	Automatic  string
	Recipient  string
	Sender     string
	RawSHA256  string `gorm:"column:raw_sha256"`
	Error      string
	HTML       string   `gorm:"column:html"`
	Warnings   []string `gorm:"serializer:json"`
	CreatedAt  time.Time
}

func (messageRow) TableName() string { return "messages" }

func toDBMessage(m *ticket.Message) messageRow {
	row := messageRow{ID: m.ID, TicketID: m.TicketID, Direction: string(m.Direction), Channel: string(m.Channel),
		SourceHash: m.SourceHash, AuthorID: m.AuthorID, Subject: m.Subject, Body: m.Body, Status: m.Status,
		Kind: m.Kind, Automatic: m.Automatic, Recipient: m.Recipient, Sender: m.Sender, RawSHA256: m.RawSHA256,
		Error: m.Error, HTML: m.HTML, Warnings: m.Warnings, CreatedAt: m.CreatedAt}
	if row.Warnings == nil {
		row.Warnings = []string{}
	}
	if m.SourceID != "" {
		id := m.SourceID
		row.SourceID = &id
	}
	return row
}

func toMessage(r messageRow) ticket.Message {
	m := ticket.Message{ID: r.ID, TicketID: r.TicketID, Direction: ticket.Direction(r.Direction),
		Channel: ticket.Channel(r.Channel), SourceHash: r.SourceHash, AuthorID: r.AuthorID, Subject: r.Subject,
		Body: r.Body, Status: r.Status, Kind: r.Kind, Automatic: r.Automatic, Recipient: r.Recipient, Sender: r.Sender,
		RawSHA256: r.RawSHA256, Error: r.Error, HTML: r.HTML, Warnings: r.Warnings, CreatedAt: r.CreatedAt}
	if m.Warnings == nil {
		m.Warnings = []string{}
	}
	if r.SourceID != nil {
		m.SourceID = *r.SourceID
	}
	return m
}

// AddMessage stores a message on a ticket. A source id seen before on the
// channel is an ECONFLICT (see ConstraintMessageSource).
func (s *Store) AddMessage(ctx context.Context, m *ticket.Message) (err error) {
	defer wrap(&err, "add message")
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now().UTC()
	}
	row := toDBMessage(m)
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return err
	}
	m.ID = row.ID
	return nil
}

// MessageBySource returns the message that arrived with sourceID on
// channel, or ENOTFOUND.
func (s *Store) MessageBySource(ctx context.Context, channel ticket.Channel, sourceID string) (_ ticket.Message, err error) {
	defer wrap(&err, "message by source")
	var row messageRow
	err = s.conn(ctx).Where("channel = ? AND source_id = ?", string(channel), sourceID).Take(&row).Error
	if err != nil {
		return ticket.Message{}, notFound(err, "Pesan")
	}
	return toMessage(row), nil
}

// MessageByAnySource returns the newest message on channel whose source id
// is one of ids: what a reply's In-Reply-To and References point at.
func (s *Store) MessageByAnySource(ctx context.Context, channel ticket.Channel, ids []string) (_ ticket.Message, err error) {
	defer wrap(&err, "message by any source")
	if len(ids) == 0 {
		return ticket.Message{}, ticket.Errorf(ticket.ENOTFOUND, "Pesan tidak ditemukan. / Message not found.")
	}
	var row messageRow
	err = s.conn(ctx).Where("channel = ? AND source_id IN ?", string(channel), ids).Order("id DESC").Take(&row).Error
	if err != nil {
		return ticket.Message{}, notFound(err, "Pesan")
	}
	return toMessage(row), nil
}

// MessageByID returns one message.
func (s *Store) MessageByID(ctx context.Context, id int64) (_ ticket.Message, err error) {
	defer wrap(&err, "message by id")
	var row messageRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return ticket.Message{}, notFound(err, "Pesan")
	}
	return toMessage(row), nil
}

// SetDelivery records an outbound message's delivery state, and the reason
// when it failed.
func (s *Store) SetDelivery(ctx context.Context, id int64, status, reason string) (err error) {
	defer wrap(&err, "set delivery")
	return s.conn(ctx).Model(&messageRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "error": reason}).Error
}

// SetMessageSource gives a stored message its source id, e.g. the
// Message-ID our mail goes out with, so answers to it thread by it.
func (s *Store) SetMessageSource(ctx context.Context, id int64, sourceID string) (err error) {
	defer wrap(&err, "set message source")
	return s.conn(ctx).Model(&messageRow{}).Where("id = ?", id).Update("source_id", sourceID).Error
}

// CountOutbound counts messages of kind sent to recipient since a time:
// the acknowledgement limit per sender per hour.
func (s *Store) CountOutbound(ctx context.Context, recipient, kind string, since time.Time) (_ int64, err error) {
	defer wrap(&err, "count outbound")
	var n int64
	err = s.conn(ctx).Model(&messageRow{}).Where("direction = 'outbound' AND recipient = ? AND kind = ? AND created_at >= ?",
		recipient, kind, since).Count(&n).Error
	return n, err
}

// recipientLockClass namespaces the advisory locks taken on an address
// (the second key is the address's hash), apart from other locks'.
const recipientLockClass = 0x72637074 // "rcpt"

// LockRecipient holds, until the caller's transaction ends, a lock on
// mail to address: a limit per address (CountOutbound, then AddMessage)
// is then exact, because two workers mailing one address take turns and
// each counts what the other stored. Addresses whose hashes collide only
// wait on each other. It must run inside WithTx: outside one the lock
// would be let go as soon as it was taken.
func (s *Store) LockRecipient(ctx context.Context, address string) (err error) {
	defer wrap(&err, "lock recipient")
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); !ok {
		return errors.New("store: LockRecipient called outside a transaction")
	}
	return s.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, recipientLockClass, address).Error
}

// ReplyAddress returns where mail to the complainant on a ticket goes: the
// sender (Reply-To, else From) of their latest email on it, the thread
// they are on, which may not be the address on their record. Automatic
// mail (an auto-reply, a bounce) speaks for nobody and is passed over, as
// are messages stored before senders were kept. When none is left it is
// the address on the complainant's record; "" when that is empty too.
func (s *Store) ReplyAddress(ctx context.Context, ticketID int64) (_ string, err error) {
	defer wrap(&err, "reply address")
	var to []string
	err = s.conn(ctx).Raw(`SELECT coalesce(
		(SELECT sender FROM messages
			WHERE ticket_id = ? AND direction = ? AND channel = ? AND kind <> ? AND sender <> ''
			ORDER BY id DESC LIMIT 1),
		(SELECT c.email FROM tickets t JOIN complainants c ON c.id = t.complainant_id WHERE t.id = ?),
		'')`, ticketID, string(ticket.Inbound), string(ticket.ChannelEmail), ticket.KindAutomatic, ticketID).
		Scan(&to).Error
	if err != nil || len(to) == 0 {
		return "", err
	}
	return to[0], nil
}

// Messages returns a ticket's conversation, oldest first.
func (s *Store) Messages(ctx context.Context, ticketID int64) (_ []ticket.Message, err error) {
	defer wrap(&err, "list messages")
	var rows []messageRow
	if err := s.conn(ctx).Where("ticket_id = ?", ticketID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ticket.Message, len(rows))
	for i, r := range rows {
		out[i] = toMessage(r)
	}
	return out, nil
}

type attachmentRow struct {
	ID            int64
	TicketID      int64
	MessageID     int64
	Filename      string
	ContentType   string
	Size          int64
	SHA256        string `gorm:"column:sha256"`
	Stored        bool
	RefusedReason string
	Kind          string
	Check         ticket.Check `gorm:"column:check;serializer:json"`
	CreatedAt     time.Time
}

func (attachmentRow) TableName() string { return "attachments" }

func toAttachment(r attachmentRow) ticket.Attachment {
	a := ticket.Attachment{ID: r.ID, TicketID: r.TicketID, MessageID: r.MessageID, Filename: r.Filename,
		ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Stored: r.Stored, RefusedReason: r.RefusedReason,
		Kind: ticket.AttachmentKind(r.Kind), Check: r.Check, CreatedAt: r.CreatedAt}
	if a.Check.Reasons == nil {
		a.Check.Reasons = []string{}
	}
	if a.Check.Scores == nil {
		a.Check.Scores = map[string]float64{}
	}
	return a
}

// AddAttachment stores an attachment's metadata; its bytes are already in
// the data directory.
func (s *Store) AddAttachment(ctx context.Context, a *ticket.Attachment) (err error) {
	defer wrap(&err, "add attachment")
	if a.Check.Verdict == "" {
		a.Check = ticket.Check{Verdict: ticket.VerdictPending, Reasons: []string{}, Scores: map[string]float64{}}
	}
	row := attachmentRow{TicketID: a.TicketID, MessageID: a.MessageID, Filename: a.Filename,
		ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, Stored: a.Stored, RefusedReason: a.RefusedReason,
		Kind: string(a.Kind), Check: a.Check, CreatedAt: s.now().UTC()}
	if row.Kind == "" {
		row.Kind = string(ticket.KindUnknown)
	}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return err
	}
	*a = toAttachment(row)
	return nil
}

// Attachments returns a ticket's attachments in the order they came.
func (s *Store) Attachments(ctx context.Context, ticketID int64) (_ []ticket.Attachment, err error) {
	defer wrap(&err, "list attachments")
	var rows []attachmentRow
	if err := s.conn(ctx).Where("ticket_id = ?", ticketID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ticket.Attachment, len(rows))
	for i, r := range rows {
		out[i] = toAttachment(r)
	}
	return out, nil
}

// Attachment returns one attachment of a ticket.
func (s *Store) Attachment(ctx context.Context, ticketID, id int64) (_ ticket.Attachment, err error) {
	defer wrap(&err, "get attachment")
	var row attachmentRow
	err = s.conn(ctx).Where("ticket_id = ? AND id = ?", ticketID, id).Take(&row).Error
	if err != nil {
		return ticket.Attachment{}, notFound(err, "Lampiran")
	}
	return toAttachment(row), nil
}
