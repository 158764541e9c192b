package notify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// One answer per complainant's mail: the mail that opens a complaint, and
// a later one that brings photos, each get a single answer that says what
// arrived, what the checks of its photos found (unreadable or not matching,
// and why) and what is still missing. The answer waits for those checks,
// up to Settings.AnswerWait from the mail's arrival; if they are not done
// by then it goes saying the photos are being checked, and the documents
// decision mails what they find wanting (Docs). An answered event on the
// ticket records which of the two it was.

const (
	// DefaultAnswerWait is how long an answer waits for the checks: they
	// take a few seconds, and a complainant should hear back within about
	// a minute even when the workers are behind.
	DefaultAnswerWait = time.Minute
	// DefaultAnswerPoll is how often a waiting answer looks again.
	DefaultAnswerPoll = 2 * time.Second
)

// NotYet is the error of an answer that waits for the checks of its
// mail's photos: ask again after After. It is no failure.
type NotYet struct {
	After   time.Duration
	Pending int // photos of the mail still being checked
}

func (e *NotYet) Error() string {
	return fmt.Sprintf("answer waits for the checks of %d photo(s)", e.Pending)
}

// Ack mails the complainant the one answer to their mail messageID: the
// acknowledgement of the mail that opened ticketID, with its number and
// what was received, or the answer to a later mail with photos. It goes
// to the address the mail came from, which a complainant known by NIK may
// not have on record, once the mail's photos are checked or the wait is
// over (until then, *NotYet). The mail's Message-ID is derived from the
// inbound message, so a retry finds the row it stored before instead of
// sending a second answer.
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
		n.log.InfoContext(ctx, "no answer: no email address", "ticket", t.Number)
		return nil
	}
	id := fmt.Sprintf("<ack.%d.%s@%s>", in.ID, t.Number, n.cfg.Domain)
	out, err := n.store.MessageBySource(ctx, ticket.ChannelEmail, id)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		if err := n.waitForChecks(ctx, t.ID, in); err != nil {
			return err
		}
		out, err = n.newAck(ctx, t, in, to, id)
	}
	if err != nil || out.ID == 0 {
		return err
	}
	if out.Status == ticket.DeliverySent || out.Status == ticket.DeliveryFailed {
		return nil // done by an earlier run; a failure was final
	}
	thread, err := n.store.Messages(ctx, t.ID)
	if err != nil {
		return err
	}
	mail := OutgoingMail{From: n.cfg.From, To: out.Recipient, Subject: out.Subject, Text: out.Body, MessageID: id,
		Headers: map[string]string{"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}}
	mail.InReplyTo, mail.References = threadOf(upTo(thread, in.ID))
	return n.deliver(ctx, out, mail)
}

// waitForChecks returns *NotYet while photos of mail in are being checked
// and its wait is not over.
func (n *Notifier) waitForChecks(ctx context.Context, ticketID int64, in ticket.Message) error {
	atts, err := n.store.Attachments(ctx, ticketID)
	if err != nil {
		return err
	}
	left := in.CreatedAt.Add(n.cfg.AnswerWait).Sub(n.Now())
	if p := pendingOf(atts, in.ID); p > 0 && left > 0 {
		return &NotYet{After: min(n.cfg.AnswerPoll, left), Pending: p}
	}
	return nil
}

// pendingOf counts the photos of message messageID still being checked.
func pendingOf(atts []ticket.Attachment, messageID int64) int {
	n := 0
	for _, a := range atts {
		if a.MessageID == messageID && a.Stored && a.Check.Verdict == ticket.VerdictPending {
			n++
		}
	}
	return n
}

// upTo is the thread as it stood when message id arrived.
func upTo(thread []ticket.Message, id int64) []ticket.Message {
	if i := slices.IndexFunc(thread, func(m ticket.Message) bool { return m.ID == id }); i >= 0 {
		return thread[:i+1]
	}
	return thread
}

// newAck stores the answer to mail in, to address to, as sending, with
// the answered event that says whether its photos had been checked; or
// returns a zero message when the address had its share of answers this
// hour: a mail loop or a flood must not make the help desk a mail cannon.
// Nothing but a log line records the skip.
//
// It holds the address's lock, so answers to one address handled at once
// take turns and never together pass the limit each checked alone; and
// the ticket's row lock, which the documents decision holds while it
// decides, so the decision either committed its checks before the answer
// reads them or sees the answered event and knows to mail what it finds.
func (n *Notifier) newAck(ctx context.Context, t ticket.Ticket, in ticket.Message, to, id string) (ticket.Message, error) {
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
			n.log.WarnContext(ctx, "no answer: address over its hourly limit", "ticket", t.Number,
				"limit", n.cfg.AckPerSenderPerHour)
			return nil
		}
		locked, err := n.store.TicketByRef(ctx, strconv.FormatInt(t.ID, 10), true)
		if err != nil {
			return err
		}
		atts, err := n.store.Attachments(ctx, t.ID)
		if err != nil {
			return err
		}
		opening, err := n.store.OpeningMessageID(ctx, t.ID)
		if err != nil {
			return err
		}
		subject, body, err := n.ack.render(n.ackView(locked, in, opening == in.ID, atts))
		if err != nil {
			return err
		}
		m = ticket.Message{TicketID: t.ID, Direction: ticket.Outbound, Channel: ticket.ChannelEmail, SourceID: id,
			Subject: subject, Body: body, Status: ticket.DeliverySending, Kind: ticket.KindAck, Recipient: to}
		if err := n.store.AddMessage(ctx, &m); err != nil {
			return err
		}
		answer := ticket.Answer{MessageID: in.ID, AnswerID: m.ID, PhotosChecked: pendingOf(atts, in.ID) == 0}
		return n.store.AddEvents(ctx, ticket.Event{TicketID: t.ID, Kind: ticket.EventAnswered, Data: answer.Data()})
	})
	if store.UniqueViolation(err) == store.ConstraintMessageSource {
		return n.store.MessageBySource(ctx, ticket.ChannelEmail, id) // a concurrent run stored it first
	}
	if err != nil {
		return ticket.Message{}, err
	}
	return m, nil
}
