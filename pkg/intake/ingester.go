// Package intake turns what arrives on any channel into tickets. Channel
// adapters (email, WhatsApp, the call-center API) normalise into one
// Inbound shape; the Ingester is the one way it is stored.
package intake

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Inbound is one item that arrived on a channel, normalised.
type Inbound struct {
	Channel    ticket.Channel
	SourceID   string // the item's id at its source; never empty
	SourceHash string // sha256 of what arrived, to tell a replay from a reused id
	RawSHA256  string // the raw item (mail, webhook body) in the blob store
	// Complainant carries what the item says about its sender, already
	// validated; only non-empty fields are used.
	Complainant ticket.Complainant
	Category    ticket.Category
	Priority    ticket.Priority
	Status      ticket.Status // of a new ticket; ticket.DefaultStatus when empty
	Subject     string
	Body        string
	CallRef     string
	AuthorID    *int64   // the agent who typed it in, for the call center
	Warnings    []string // problems found in the data, kept on the ticket

	// CategoryAlternatives are other categories the item's text matched,
	// best first, kept on a new ticket for the agent. Complaint is the
	// complaint itself when the channel tells it apart from Body (an
	// email's Keluhan, without signature or quoted history): a new
	// ticket's description, Body when empty.
	CategoryAlternatives []ticket.Category
	Complaint            string

	// Sender is where answers to the item go (an email's Reply-To, else its
	// From), HTML its HTML, sanitised, and ReadWarnings the problems met
	// reading the item itself (broken MIME): all kept on its message.
	Sender       string
	HTML         string
	ReadWarnings []string
	Documents    ticket.Documents
	Attachments  []ticket.Attachment // bytes already in the blob store

	// ThreadTicketID names the ticket this continues when the adapter
	// knows it; ThreadRefs are ids of earlier messages the item answers
	// (an email's In-Reply-To and References); ThreadNumber is a ticket
	// number it names (the subject token). Empty ids never match.
	ThreadTicketID int64
	ThreadRefs     []string
	ThreadNumber   string
	// LooksLikeReply lets a matching NIK with an open ticket on the same
	// channel stand in for missing thread headers.
	LooksLikeReply bool

	// Automatic says why the item is machine-sent (an auto-reply, a bulk
	// mail, a bounce). Such an item never opens a ticket and is never
	// answered: it is kept on the ticket it threads onto, or as ignored.
	Automatic string
	// Bounced is the source id of our own message whose delivery failed.
	Bounced string
	// Ack asks for an answer to the complainant: the acknowledgement when
	// the item opens a ticket, and when it brings files to an open one,
	// the one answer saying what became of them.
	Ack bool
}

// threads reports whether item may continue a ticket (or mark one of our
// messages bounced), which locks rows and so needs a transaction.
func (item Inbound) threads() bool {
	return item.ThreadTicketID != 0 || len(item.ThreadRefs) > 0 || item.ThreadNumber != "" || item.LooksLikeReply ||
		item.Bounced != "" || item.Automatic != ""
}

// Result is what Ingest did.
type Result struct {
	Ticket    ticket.Ticket
	Message   ticket.Message
	Created   bool // a new ticket was opened
	Duplicate bool // the source id was seen before; nothing was written
	Ignored   bool // automatic mail that belongs to no ticket, kept as ignored
	// OpenTickets are the complainant's other open tickets, for the agent
	// who has them on the phone.
	OpenTickets []ticket.Ticket
}

// Store is what the Ingester needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	MessageBySource(ctx context.Context, channel ticket.Channel, sourceID string) (ticket.Message, error)
	MessageByAnySource(ctx context.Context, channel ticket.Channel, ids []string) (ticket.Message, error)
	SetDelivery(ctx context.Context, id int64, status, reason string) error
	ComplainantsByIdentity(ctx context.Context, ids ...ticket.Identity) ([]ticket.Complainant, error)
	OpenTicket(ctx context.Context, nt store.NewTicket) error
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
	SaveTicket(ctx context.Context, t *ticket.Ticket) error
	Tickets(ctx context.Context, f store.TicketFilter) ([]ticket.Ticket, error)
	AddMessage(ctx context.Context, m *ticket.Message) error
	AddAttachment(ctx context.Context, a *ticket.Attachment) error
	AddEvents(ctx context.Context, events ...ticket.Event) error
	AddOutbox(ctx context.Context, taskType string, payload any) error
	AddIgnoredMail(ctx context.Context, m store.IgnoredMail) error
}

// Ingester stores inbound items: it dedupes by source id, links or creates
// the complainant, opens a ticket or appends to an open one, and writes the
// events and the background work, all in one transaction.
type Ingester struct {
	store Store
	log   *slog.Logger
}

// NewIngester returns an Ingester writing to s.
func NewIngester(s Store, log *slog.Logger) *Ingester {
	return &Ingester{store: s, log: log}
}

// maxAttempts bounds retries when a concurrent ingest claimed the same NIK.
const maxAttempts = 3

// Ingest stores in. An item whose source id was stored before returns that
// ticket with Duplicate set, or ECONFLICT when its hash differs (the same
// Idempotency-Key sent with another body).
func (in *Ingester) Ingest(ctx context.Context, item Inbound) (Result, error) {
	if item.SourceID == "" {
		return Result{}, errors.New("intake: inbound item without a source id")
	}
	for attempt := 1; ; attempt++ {
		var res Result
		var err error
		if item.threads() {
			err = in.store.WithTx(ctx, func(ctx context.Context) error {
				res, err = in.ingest(ctx, item)
				return err
			})
		} else {
			// Nothing to lock: the reads only choose the complainant, and the
			// one write is atomic; a race shows as a unique violation below.
			res, err = in.ingest(ctx, item)
		}
		switch violated := store.UniqueViolation(err); {
		case err == nil:
			return res, nil
		case violated == store.ConstraintMessageSource:
			return in.duplicate(ctx, item)
		case (violated == store.ConstraintIdentityNIK || violated == store.ConstraintComplainantNIK) && attempt < maxAttempts:
			continue // another item created this person meanwhile; link to them now
		default:
			return Result{}, err
		}
	}
}

func (in *Ingester) ingest(ctx context.Context, item Inbound) (Result, error) {
	if item.Bounced != "" {
		if err := in.markBounced(ctx, item); err != nil {
			return Result{}, err
		}
	}
	t, found, err := in.thread(ctx, item)
	if err != nil {
		return Result{}, err
	}
	if found {
		return in.appendTo(ctx, t, item)
	}
	if item.Automatic != "" {
		return in.ignore(ctx, item)
	}
	c, changed, err := in.linkComplainant(ctx, item.Complainant)
	if err != nil {
		return Result{}, err
	}
	var open []ticket.Ticket
	if c.ID != 0 {
		if open, err = in.store.Tickets(ctx, store.TicketFilter{ComplainantID: c.ID, OpenOnly: true, Limit: 20}); err != nil {
			return Result{}, err
		}
	}
	if item.LooksLikeReply && item.Complainant.NIK != "" {
		for _, o := range open {
			if o.Channel == item.Channel {
				locked, err := in.store.TicketByRef(ctx, fmt.Sprint(o.ID), true)
				if err != nil {
					return Result{}, err
				}
				return in.appendTo(ctx, locked, item)
			}
		}
	}
	return in.open(ctx, c, changed, open, item)
}

// open creates a ticket for item from complainant c (new when its ID is
// 0), in one statement with everything that comes with it.
func (in *Ingester) open(ctx context.Context, c ticket.Complainant, changed bool, open []ticket.Ticket, item Inbound) (Result, error) {
	t := ticket.Ticket{Channel: item.Channel, Category: item.Category, Status: item.Status, Priority: item.Priority,
		Subject: item.Subject, Description: cmp.Or(item.Complaint, item.Body), CallRef: item.CallRef, CreatedBy: item.AuthorID,
		Documents: item.Documents, Warnings: item.Warnings, CategoryAlternatives: item.CategoryAlternatives}
	t.FillDefaults()
	if item.Channel == ticket.ChannelCallCenter {
		// The agent who typed it in was talking to the caller: that call is
		// the first response.
		now := time.Now().UTC()
		t.SLA.FirstRespondedAt = &now
	}
	m := in.message(item)
	created := ticket.Event{ActorID: item.AuthorID, Kind: ticket.EventCreated,
		Data: map[string]any{"channel": t.Channel, "status": t.Status, "category": t.Category}}
	var tasks []string
	// Photos are checked; a mail that should have brought them and did not
	// is checked too, so the ticket waits for them. A phone call cannot
	// carry photos: its agent asks the caller in person.
	if len(item.Attachments) > 0 || (t.Category.NeedsDocuments() && item.Channel == ticket.ChannelEmail) {
		tasks = append(tasks, store.TaskDocumentsCheck)
	}
	tasks = append(tasks, store.TaskTicketRoute)
	if item.Ack {
		tasks = append(tasks, store.TaskNotifyAck)
	}
	nt := store.NewTicket{Complainant: &c, Changed: changed, Ticket: &t, Message: &m,
		Attachments: append([]ticket.Attachment(nil), item.Attachments...), Event: &created, Tasks: tasks}
	if err := in.store.OpenTicket(ctx, nt); err != nil {
		return Result{}, err
	}
	t.Complainant, t.Messages, t.Attachments, t.Events = &c, []ticket.Message{m}, nt.Attachments, []ticket.Event{created}
	return Result{Ticket: t, Message: m, Created: true, OpenTickets: open}, nil
}

// appendTo adds item to a ticket. A person's reply puts a ticket that
// waited on them (or that was resolved) back in the agents' hands; an
// automatic mail is kept but changes nothing.
func (in *Ingester) appendTo(ctx context.Context, t ticket.Ticket, item Inbound) (Result, error) {
	m, err := in.addMessage(ctx, &t, item)
	if err != nil {
		return Result{}, err
	}
	events := []ticket.Event{{TicketID: t.ID, Kind: ticket.EventMessageAdded,
		Data: map[string]any{"message_id": m.ID, "channel": item.Channel, "automatic": item.Automatic}}}
	switch t.Status {
	case ticket.StatusPending, ticket.StatusNeedsInfo, ticket.StatusResolved:
		if item.Automatic != "" {
			break
		}
		events = append(events, ticket.Event{TicketID: t.ID, Kind: ticket.EventStatusChanged,
			Data: map[string]any{"from": t.Status, "to": ticket.StatusOpen, "reason": "complainant replied"}})
		t.Status = ticket.StatusOpen
		if err := in.store.SaveTicket(ctx, &t); err != nil {
			return Result{}, err
		}
		if t.AssigneeID == nil {
			// Workable again and nobody's: offer it to an agent.
			if err := in.store.AddOutbox(ctx, store.TaskTicketRoute, store.TicketTask{TicketID: t.ID}); err != nil {
				return Result{}, err
			}
		}
	}
	if err := in.store.AddEvents(ctx, events...); err != nil {
		return Result{}, err
	}
	return Result{Ticket: t, Message: m}, nil
}

// message is the inbound message item becomes.
func (in *Ingester) message(item Inbound) ticket.Message {
	m := ticket.Message{Direction: ticket.Inbound, Channel: item.Channel, SourceID: item.SourceID,
		SourceHash: item.SourceHash, AuthorID: item.AuthorID, Subject: item.Subject, Body: item.Body,
		RawSHA256: item.RawSHA256, Automatic: item.Automatic, Sender: item.Sender, HTML: item.HTML,
		Warnings: item.ReadWarnings}
	if item.Automatic != "" {
		m.Kind = ticket.KindAutomatic
	}
	return m
}

// addMessage stores item as a message of an existing ticket t, with its
// attachments; new attachments ask for the document checks and, when item
// asks for it, for the answer that tells the complainant their result.
func (in *Ingester) addMessage(ctx context.Context, t *ticket.Ticket, item Inbound) (ticket.Message, error) {
	m := in.message(item)
	m.TicketID = t.ID
	if err := in.store.AddMessage(ctx, &m); err != nil {
		return m, err
	}
	for _, a := range item.Attachments {
		a.TicketID, a.MessageID = t.ID, m.ID
		if err := in.store.AddAttachment(ctx, &a); err != nil {
			return m, err
		}
		t.Attachments = append(t.Attachments, a)
	}
	if len(item.Attachments) == 0 || item.Automatic != "" {
		return m, nil
	}
	tasks := []string{store.TaskDocumentsCheck}
	if item.Ack {
		tasks = append(tasks, store.TaskNotifyAck)
	}
	for _, task := range tasks {
		if err := in.store.AddOutbox(ctx, task, store.TicketTask{TicketID: t.ID, MessageID: m.ID}); err != nil {
			return m, err
		}
	}
	return m, nil
}

// ignore keeps automatic mail that belongs to no ticket where admins can
// see it.
func (in *Ingester) ignore(ctx context.Context, item Inbound) (Result, error) {
	err := in.store.AddIgnoredMail(ctx, store.IgnoredMail{SourceID: item.SourceID, RawSHA256: item.RawSHA256,
		FromAddress: item.Complainant.Email, Subject: item.Subject, Reason: item.Automatic})
	return Result{Ignored: true}, err
}

// markBounced marks our message that a bounce reports as failed.
func (in *Ingester) markBounced(ctx context.Context, item Inbound) error {
	m, err := in.store.MessageByAnySource(ctx, item.Channel, []string{item.Bounced})
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		return nil // not ours, or long gone
	} else if err != nil {
		return err
	}
	if m.Direction != ticket.Outbound {
		return nil
	}
	return in.store.SetDelivery(ctx, m.ID, ticket.DeliveryFailed, "bounced: "+item.Automatic)
}

// duplicate answers an item whose source id is already stored.
func (in *Ingester) duplicate(ctx context.Context, item Inbound) (Result, error) {
	m, err := in.store.MessageBySource(ctx, item.Channel, item.SourceID)
	if err != nil {
		return Result{}, err
	}
	if item.SourceHash != "" && m.SourceHash != "" && item.SourceHash != m.SourceHash {
		return Result{}, ticket.Errorf(ticket.ECONFLICT,
			"Idempotency-Key ini sudah dipakai untuk permintaan lain. / This Idempotency-Key was used for a different request.")
	}
	t, err := in.store.TicketByRef(ctx, fmt.Sprint(m.TicketID), false)
	if err != nil {
		return Result{}, err
	}
	open, err := in.otherOpenTickets(ctx, t)
	if err != nil {
		return Result{}, err
	}
	in.log.InfoContext(ctx, "duplicate inbound item", "channel", item.Channel, "ticket_id", t.ID)
	return Result{Ticket: t, Message: m, Duplicate: true, OpenTickets: open}, nil
}

// otherOpenTickets lists the complainant's open tickets besides t, so a
// replayed answer shows the agent what the first one did.
func (in *Ingester) otherOpenTickets(ctx context.Context, t ticket.Ticket) ([]ticket.Ticket, error) {
	all, err := in.store.Tickets(ctx, store.TicketFilter{ComplainantID: t.ComplainantID, OpenOnly: true, Limit: 21})
	if err != nil {
		return nil, err
	}
	open := make([]ticket.Ticket, 0, len(all))
	for _, o := range all {
		if o.ID != t.ID {
			open = append(open, o)
		}
	}
	return open, nil
}
