package notify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// ErrFinal marks work that can never succeed, so trying again is no use:
// it names a ticket or message that does not exist or is of the wrong
// kind, or the mail server refused the mail for good (ErrPermanent).
var ErrFinal = errors.New("final failure")

// Store is what the notifier needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	LockRecipient(ctx context.Context, address string) error
	ReplyAddress(ctx context.Context, ticketID int64) (string, error)
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
	MessageByID(ctx context.Context, id int64) (ticket.Message, error)
	MessageBySource(ctx context.Context, channel ticket.Channel, sourceID string) (ticket.Message, error)
	Messages(ctx context.Context, ticketID int64) ([]ticket.Message, error)
	Attachments(ctx context.Context, ticketID int64) ([]ticket.Attachment, error)
	AddMessage(ctx context.Context, m *ticket.Message) error
	SetDelivery(ctx context.Context, id int64, status, reason string) error
	SetMessageSource(ctx context.Context, id int64, sourceID string) error
	CountOutbound(ctx context.Context, recipient, kind string, since time.Time) (int64, error)
	Events(ctx context.Context, ticketID int64) ([]ticket.Event, error)
}

// Settings tunes the mail the help desk sends.
type Settings struct {
	From                string // e.g. "PeduliLindungi <pedulilindungi@kemkes.go.id>"
	Domain              string // the right side of our Message-IDs; default the From domain
	AckPerSenderPerHour int    // acknowledgements to one address per hour; default 5
	AttachmentLimit     string // the per-file limit as people read it; default "10 MB"
	MailLimit           string // the limit of all of one mail's files together; default "25 MB"
}

// Notifier sends the complainant the help desk's mail: the acknowledgement
// of a new complaint, the request for documents the checks found missing
// or unusable, and the agents' replies, threaded onto their mail.
//
// Delivery is at least once: a message is stored as sending before it goes
// out and marked sent after, so a crash in between sends it again on the
// retry rather than never.
type Notifier struct {
	store Store
	send  Sender
	ack   mailTemplate
	reply mailTemplate
	docs  mailTemplate
	cfg   Settings
	log   *slog.Logger
	Now   func() time.Time // the clock of the hourly limit; default time.Now
}

// NewNotifier returns a notifier sending through send with the templates
// templates/ack.txt, reply.txt and docs_request.txt of fsys
// (configs.Templates).
func NewNotifier(s Store, send Sender, fsys fs.FS, cfg Settings, log *slog.Logger) (*Notifier, error) {
	if cfg.Domain == "" {
		cfg.Domain = domainOf(cfg.From)
	}
	if cfg.Domain == "" {
		return nil, fmt.Errorf("notify: from %q is not an address", cfg.From)
	}
	if cfg.AckPerSenderPerHour <= 0 {
		cfg.AckPerSenderPerHour = 5
	}
	if cfg.AttachmentLimit == "" {
		cfg.AttachmentLimit = "10 MB"
	}
	if cfg.MailLimit == "" {
		cfg.MailLimit = "25 MB"
	}
	n := &Notifier{store: s, send: send, cfg: cfg, log: log, Now: time.Now}
	var err error
	if n.ack, err = parseMailTemplate(fsys, "ack.txt"); err != nil {
		return nil, err
	}
	if n.reply, err = parseMailTemplate(fsys, "reply.txt"); err != nil {
		return nil, err
	}
	if n.docs, err = parseMailTemplate(fsys, "docs_request.txt"); err != nil {
		return nil, err
	}
	return n, nil
}

// Ack mails the complainant that their complaint arrived, with its
// number, what was received and what is still missing. It goes to the
// address the complaint came from, which a complainant known by NIK may
// not have on record. The mail's Message-ID is derived from the inbound
// message, so a retry finds the row it stored before instead of sending a
// second acknowledgement.
func (n *Notifier) Ack(ctx context.Context, ticketID, messageID int64) error {
	t, in, err := n.load(ctx, ticketID, messageID)
	if err != nil {
		return err
	}
	if in.Direction != ticket.Inbound {
		return fmt.Errorf("message %d is not inbound: %w", in.ID, ErrFinal)
	}
	to := in.Sender
	if to == "" && t.Complainant != nil {
		to = t.Complainant.Email // a message stored before senders were kept
	}
	if to == "" {
		n.log.InfoContext(ctx, "no acknowledgement: no email address", "ticket", t.Number)
		return nil
	}
	id := fmt.Sprintf("<ack.%d.%s@%s>", in.ID, t.Number, n.cfg.Domain)
	out, err := n.store.MessageBySource(ctx, ticket.ChannelEmail, id)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		out, err = n.newAck(ctx, t, to, id)
	}
	if err != nil || out.ID == 0 {
		return err
	}
	if out.Status == ticket.DeliverySent || out.Status == ticket.DeliveryFailed {
		return nil // done by an earlier run; a failure was final
	}
	mail := OutgoingMail{From: n.cfg.From, To: out.Recipient, Subject: out.Subject, Text: out.Body, MessageID: id,
		Headers: map[string]string{"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}}
	if isMessageID(in.SourceID) {
		mail.InReplyTo, mail.References = in.SourceID, []string{in.SourceID}
	}
	return n.deliver(ctx, out, mail)
}

// newAck stores the acknowledgement to address to as sending, or returns
// a zero message when the address had its share of acknowledgements this
// hour: a mail loop or a flood must not make the help desk a mail cannon.
// Nothing but a log line records the skip.
//
// The count and the insert share one transaction holding the address's
// lock, so acknowledgements to one address handled at once take turns and
// never together pass the limit each checked alone.
func (n *Notifier) newAck(ctx context.Context, t ticket.Ticket, to, id string) (ticket.Message, error) {
	var m ticket.Message
	err := n.store.WithTx(ctx, func(ctx context.Context) error {
		if err := n.store.LockRecipient(ctx, to); err != nil {
			return err
		}
		stored, err := n.store.MessageBySource(ctx, ticket.ChannelEmail, id)
		switch {
		case err == nil:
			m = stored // a concurrent run held the lock first and stored it
			return nil
		case ticket.ErrorCode(err) != ticket.ENOTFOUND:
			return err
		}
		sent, err := n.store.CountOutbound(ctx, to, ticket.KindAck, n.Now().Add(-time.Hour))
		if err != nil {
			return err
		}
		if sent >= int64(n.cfg.AckPerSenderPerHour) {
			n.log.WarnContext(ctx, "no acknowledgement: address over its hourly limit", "ticket", t.Number,
				"limit", n.cfg.AckPerSenderPerHour)
			return nil
		}
		atts, err := n.store.Attachments(ctx, t.ID)
		if err != nil {
			return err
		}
		subject, body, err := n.ack.render(n.ackView(t, atts))
		if err != nil {
			return err
		}
		m = ticket.Message{TicketID: t.ID, Direction: ticket.Outbound, Channel: ticket.ChannelEmail, SourceID: id,
			Subject: subject, Body: body, Status: ticket.DeliverySending, Kind: ticket.KindAck, Recipient: to}
		return n.store.AddMessage(ctx, &m)
	})
	if store.UniqueViolation(err) == store.ConstraintMessageSource {
		return n.store.MessageBySource(ctx, ticket.ChannelEmail, id) // a concurrent run stored it first
	}
	if err != nil {
		return ticket.Message{}, err
	}
	return m, nil
}

// Reply mails an agent's reply on the complainant's thread: in reply
// to their latest mail, referencing the thread's earlier mail. Its status
// says whether it went out already.
func (n *Notifier) Reply(ctx context.Context, ticketID, messageID int64) error {
	t, m, err := n.load(ctx, ticketID, messageID)
	if err != nil {
		return err
	}
	switch {
	case m.Direction != ticket.Outbound || m.Kind != ticket.KindReply:
		return fmt.Errorf("message %d is not a reply: %w", m.ID, ErrFinal)
	case m.Status == ticket.DeliverySent || m.Status == ticket.DeliveryFailed:
		return nil
	case m.Channel != ticket.ChannelEmail:
		return fmt.Errorf("no sender for channel %s: %w", m.Channel, ErrFinal)
	}
	to := m.Recipient
	if to == "" && t.Complainant != nil {
		to = t.Complainant.Email
	}
	if to == "" {
		n.log.WarnContext(ctx, "reply not sent: no email address", "ticket", t.Number, "message_id", m.ID)
		return n.store.SetDelivery(ctx, m.ID, ticket.DeliveryFailed, "no email address")
	}
	view := replyView{Number: t.Number, Text: strings.TrimSpace(m.Body)}
	if t.Complainant != nil {
		view.Name = t.Complainant.Name
	}
	subject, body, err := n.reply.render(view)
	if err != nil {
		return err
	}
	if m.Subject != "" {
		subject = m.Subject
	}
	id := m.SourceID
	if !isMessageID(id) {
		// Recorded before sending, so the complainant's answer threads by it.
		id = fmt.Sprintf("<reply.%d.%s@%s>", m.ID, t.Number, n.cfg.Domain)
		if err := n.store.SetMessageSource(ctx, m.ID, id); err != nil {
			return err
		}
	}
	thread, err := n.store.Messages(ctx, t.ID)
	if err != nil {
		return err
	}
	parent, refs := threadOf(thread)
	return n.deliver(ctx, m, OutgoingMail{From: n.cfg.From, To: to, Subject: subject, Text: body, MessageID: id,
		InReplyTo: parent, References: refs})
}

// deliver sends mail for stored message m and records the outcome. A
// permanent refusal marks m failed and is final (ErrFinal); any other
// failure is noted on m, which stays sending, for a retry.
func (n *Notifier) deliver(ctx context.Context, m ticket.Message, mail OutgoingMail) error {
	err := n.send.Send(ctx, mail)
	switch {
	case err == nil:
		return n.store.SetDelivery(ctx, m.ID, ticket.DeliverySent, "")
	case errors.Is(err, ErrPermanent):
		if serr := n.store.SetDelivery(ctx, m.ID, ticket.DeliveryFailed, err.Error()); serr != nil {
			return serr
		}
		return fmt.Errorf("message %d: %w: %w", m.ID, err, ErrFinal)
	}
	if serr := n.store.SetDelivery(ctx, m.ID, ticket.DeliverySending, err.Error()); serr != nil {
		n.log.WarnContext(ctx, "could not note a delivery failure", "message_id", m.ID, "err", serr)
	}
	return fmt.Errorf("message %d: %w", m.ID, err)
}

// load returns the ticket and the message named. Naming what does not
// exist, or a message of another ticket, will never work: ErrFinal.
func (n *Notifier) load(ctx context.Context, ticketID, messageID int64) (ticket.Ticket, ticket.Message, error) {
	if ticketID <= 0 || messageID <= 0 {
		return ticket.Ticket{}, ticket.Message{}, fmt.Errorf("ticket %d, message %d: %w", ticketID, messageID, ErrFinal)
	}
	t, err := n.store.TicketByRef(ctx, strconv.FormatInt(ticketID, 10), false)
	var m ticket.Message
	if err == nil {
		m, err = n.store.MessageByID(ctx, messageID)
	}
	switch {
	case ticket.ErrorCode(err) == ticket.ENOTFOUND:
		return t, m, fmt.Errorf("ticket %d, message %d: %w: %w", ticketID, messageID, err, ErrFinal)
	case err != nil:
		return t, m, err
	case m.TicketID != t.ID:
		return t, m, fmt.Errorf("message %d is not on ticket %d: %w", m.ID, t.ID, ErrFinal)
	}
	return t, m, nil
}

// threadOf returns what a reply on a ticket answers: the complainant's
// latest mail, and the References chain of the thread's mail the
// complainant has (theirs and ours that went out), oldest first, ending
// with that mail. Mail without a real Message-ID cannot be referenced.
func threadOf(msgs []ticket.Message) (parent string, refs []string) {
	for _, m := range msgs {
		if m.Channel != ticket.ChannelEmail || !isMessageID(m.SourceID) || m.Kind == ticket.KindAutomatic {
			continue
		}
		switch {
		case m.Direction == ticket.Inbound:
			parent = m.SourceID
			refs = append(refs, m.SourceID)
		case m.Direction == ticket.Outbound && m.Status == ticket.DeliverySent:
			refs = append(refs, m.SourceID)
		}
	}
	if parent == "" {
		return "", refs
	}
	for i, r := range refs { // the parent goes last, as RFC 5322 has it
		if r == parent {
			refs = append(append(refs[:i:i], refs[i+1:]...), parent)
			break
		}
	}
	return parent, refs
}

func isMessageID(s string) bool {
	return len(s) > 2 && strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") && strings.Contains(s, "@")
}
