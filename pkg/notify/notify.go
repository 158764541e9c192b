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
	AddEvents(ctx context.Context, events ...ticket.Event) error
	OpeningMessageID(ctx context.Context, ticketID int64) (int64, error)
}

// Settings tunes the mail the help desk sends.
type Settings struct {
	From                string // e.g. "PeduliLindungi <pedulilindungi@kemkes.go.id>"
	Domain              string // the right side of our Message-IDs; default the From domain
	AckPerSenderPerHour int    // acknowledgements to one address per hour; default 5
	AttachmentLimit     string // the per-file limit as people read it; default "10 MB"
	MailLimit           string // the limit of all of one mail's files together; default "25 MB"
	// AnswerWait is how long the answer to a complainant's mail waits for
	// the checks of the mail's photos, from the mail's arrival; then it
	// goes without them, saying they are being checked. Default
	// DefaultAnswerWait.
	AnswerWait time.Duration
	// AnswerPoll is how often a waiting answer looks again; default
	// DefaultAnswerPoll.
	AnswerPoll time.Duration
}

// Notifier sends the complainant the help desk's mail: one answer to each
// of their mails (the acknowledgement of a new complaint, the answer to a
// later mail with photos), saying what the checks of its photos found;
// the request for documents when the checks finished only after that
// answer went; and the agents' replies, threaded onto their mail.
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
	wa    *WhatsAppDocs // documents requests on WhatsApp tickets (whatsapp_docs.go)
	log   *slog.Logger
	Now   func() time.Time // the clock of the hourly limit and of the answer's wait; default time.Now
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
	if cfg.AnswerWait <= 0 {
		cfg.AnswerWait = DefaultAnswerWait
	}
	if cfg.AnswerPoll <= 0 {
		cfg.AnswerPoll = DefaultAnswerPoll
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
