// Package intake turns what arrives on any channel into tickets. Channel
// adapters (email, WhatsApp, the call-center API) normalise into one
// Inbound shape; the Ingester is the one way it is stored.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Inbound is one item that arrived on a channel, normalised.
type Inbound struct {
	Channel    ticket.Channel
	SourceID   string // the item's id at its source; never empty
	SourceHash string // sha256 of what arrived, to tell a replay from a reused id
	// Complainant carries what the item says about its sender, already
	// validated; only non-empty fields are used.
	Complainant ticket.Complainant
	Category    ticket.Category
	Priority    ticket.Priority
	Status      ticket.Status // of a new ticket; new when empty
	Subject     string
	Body        string
	CallRef     string
	AuthorID    *int64   // the agent who typed it in, for the call center
	Warnings    []string // problems found in the data, kept on the ticket
	// ThreadTicketID names the open ticket this continues, when the
	// adapter knows (a reply to our acknowledgement); 0 opens a new one.
	ThreadTicketID int64
}

// Result is what Ingest did.
type Result struct {
	Ticket    ticket.Ticket
	Message   ticket.Message
	Created   bool // a new ticket was opened
	Duplicate bool // the source id was seen before; nothing was written
	// OpenTickets are the complainant's other open tickets, for the agent
	// who has them on the phone.
	OpenTickets []ticket.Ticket
}

// Store is what the Ingester needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	MessageBySource(ctx context.Context, channel ticket.Channel, sourceID string) (ticket.Message, error)
	ComplainantsByIdentity(ctx context.Context, ids ...ticket.Identity) ([]ticket.Complainant, error)
	CreateComplainant(ctx context.Context, c *ticket.Complainant) error
	UpdateComplainant(ctx context.Context, c *ticket.Complainant) error
	CreateTicket(ctx context.Context, t *ticket.Ticket) error
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
	SaveTicket(ctx context.Context, t *ticket.Ticket) error
	Tickets(ctx context.Context, f store.TicketFilter) ([]ticket.Ticket, error)
	AddMessage(ctx context.Context, m *ticket.Message) error
	AddEvents(ctx context.Context, events ...ticket.Event) error
	AddOutbox(ctx context.Context, taskType string, payload any) error
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
		err := in.store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			res, err = in.ingest(ctx, item)
			return err
		})
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
	if item.ThreadTicketID != 0 {
		t, err := in.store.TicketByRef(ctx, fmt.Sprint(item.ThreadTicketID), true)
		if err == nil && t.Status.IsOpen() {
			return in.appendTo(ctx, t, item)
		} else if err != nil && ticket.ErrorCode(err) != ticket.ENOTFOUND {
			return Result{}, err
		}
	}
	c, err := in.linkComplainant(ctx, item.Complainant)
	if err != nil {
		return Result{}, err
	}
	open, err := in.store.Tickets(ctx, store.TicketFilter{ComplainantID: c.ID, OpenOnly: true, Limit: 20})
	if err != nil {
		return Result{}, err
	}
	t := ticket.Ticket{Channel: item.Channel, Category: item.Category, Status: item.Status, Priority: item.Priority,
		ComplainantID: c.ID, Subject: item.Subject, Description: item.Body, CallRef: item.CallRef,
		CreatedBy: item.AuthorID, Documents: ticket.NoDocuments, Warnings: item.Warnings}
	if t.Status == "" {
		t.Status = ticket.StatusNew
	}
	if t.Priority == "" {
		t.Priority = ticket.PriorityNormal
	}
	if t.Category == "" {
		t.Category = ticket.CategoryOther
	}
	if err := in.store.CreateTicket(ctx, &t); err != nil {
		return Result{}, err
	}
	t.Complainant = &c
	m, err := in.addMessage(ctx, t.ID, item)
	if err != nil {
		return Result{}, err
	}
	t.Messages = []ticket.Message{m}
	t.Events = []ticket.Event{{TicketID: t.ID, ActorID: item.AuthorID, Kind: ticket.EventCreated,
		Data: map[string]any{"channel": t.Channel, "status": t.Status, "category": t.Category}}}
	if err := in.store.AddEvents(ctx, t.Events...); err != nil {
		return Result{}, err
	}
	if err := in.store.AddOutbox(ctx, store.TaskTicketRoute, store.TicketTask{TicketID: t.ID}); err != nil {
		return Result{}, err
	}
	return Result{Ticket: t, Message: m, Created: true, OpenTickets: open}, nil
}

// appendTo adds item to an open ticket; a reply from the complainant puts
// a ticket that waited on them back in the agents' hands.
func (in *Ingester) appendTo(ctx context.Context, t ticket.Ticket, item Inbound) (Result, error) {
	m, err := in.addMessage(ctx, t.ID, item)
	if err != nil {
		return Result{}, err
	}
	events := []ticket.Event{{TicketID: t.ID, Kind: ticket.EventMessageAdded,
		Data: map[string]any{"message_id": m.ID, "channel": item.Channel}}}
	if t.Status == ticket.StatusPending || t.Status == ticket.StatusNeedsInfo {
		events = append(events, ticket.Event{TicketID: t.ID, Kind: ticket.EventStatusChanged,
			Data: map[string]any{"from": t.Status, "to": ticket.StatusOpen}})
		t.Status = ticket.StatusOpen
		if err := in.store.SaveTicket(ctx, &t); err != nil {
			return Result{}, err
		}
	}
	if err := in.store.AddEvents(ctx, events...); err != nil {
		return Result{}, err
	}
	return Result{Ticket: t, Message: m}, nil
}

func (in *Ingester) addMessage(ctx context.Context, ticketID int64, item Inbound) (ticket.Message, error) {
	m := ticket.Message{TicketID: ticketID, Direction: ticket.Inbound, Channel: item.Channel,
		SourceID: item.SourceID, SourceHash: item.SourceHash, AuthorID: item.AuthorID,
		Subject: item.Subject, Body: item.Body}
	err := in.store.AddMessage(ctx, &m)
	return m, err
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
	in.log.InfoContext(ctx, "duplicate inbound item", "channel", item.Channel, "ticket_id", t.ID)
	return Result{Ticket: t, Message: m, Duplicate: true}, nil
}
