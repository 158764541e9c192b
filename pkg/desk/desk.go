// Package desk is the agents' work on tickets: changing them, writing
// notes, and looking at personal data. Each operation is one transaction
// that writes the change, its event and, for personal data, an audit entry.
package desk

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Store is what the desk needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
	SaveTicket(ctx context.Context, t *ticket.Ticket) error
	MarkStarted(ctx context.Context, ticketID, agentID int64) error
	Messages(ctx context.Context, ticketID int64) ([]ticket.Message, error)
	MessageByID(ctx context.Context, id int64) (ticket.Message, error)
	AddMessage(ctx context.Context, m *ticket.Message) error
	// MoveConversation moves a ticket's messages and attachments to
	// another ticket (merge.go).
	MoveConversation(ctx context.Context, fromID, toID int64) error
	// ReplyAddress is where mail to the complainant on a ticket goes: the
	// sender of their latest email on it, else the address on record.
	ReplyAddress(ctx context.Context, ticketID int64) (string, error)
	Attachments(ctx context.Context, ticketID int64) ([]ticket.Attachment, error)
	Attachment(ctx context.Context, ticketID, id int64) (ticket.Attachment, error)
	Events(ctx context.Context, ticketID int64) ([]ticket.Event, error)
	AddEvents(ctx context.Context, events ...ticket.Event) error
	AddAudit(ctx context.Context, e ticket.AuditEntry) error
	AddOutbox(ctx context.Context, taskType string, payload any) error
	UserByID(ctx context.Context, id int64) (ticket.User, error)
	ComplainantByID(ctx context.Context, id int64) (ticket.Complainant, error)
	ComplainantsByIdentity(ctx context.Context, ids ...ticket.Identity) ([]ticket.Complainant, error)
	Tickets(ctx context.Context, f store.TicketFilter) ([]ticket.Ticket, error)
	// Legal holds, and when retention purged a ticket (hold.go).
	SetHold(ctx context.Context, ticketID int64, h ticket.LegalHold) error
	ClearHold(ctx context.Context, ticketID int64) (bool, error)
	TicketRetention(ctx context.Context, ticketID int64) (*ticket.LegalHold, *time.Time, error)
}

// Files opens stored attachment bytes by their sha256.
type Files interface {
	Open(sha256 string) (io.ReadSeekCloser, error)
}

// Desk carries out agents' operations on tickets.
type Desk struct {
	store Store
	files Files
}

// New returns a Desk over s, reading attachment bytes from files.
func New(s Store, files Files) *Desk { return &Desk{store: s, files: files} }

// Ticket returns a ticket with its conversation, attachments and history.
func (d *Desk) Ticket(ctx context.Context, ref string) (ticket.Ticket, error) {
	t, err := d.store.TicketByRef(ctx, ref, false)
	if err != nil {
		return t, err
	}
	if t.Messages, err = d.store.Messages(ctx, t.ID); err != nil {
		return t, err
	}
	if t.Attachments, err = d.store.Attachments(ctx, t.ID); err != nil {
		return t, err
	}
	if t.Events, err = d.store.Events(ctx, t.ID); err != nil {
		return t, err
	}
	t.Hold, t.PurgedAt, err = d.store.TicketRetention(ctx, t.ID)
	return t, err
}

// Patch is a change to a ticket; nil fields stay as they are. Assign says
// whether AssigneeID is part of the change (nil then unassigns).
type Patch struct {
	Status     *ticket.Status
	Category   *ticket.Category
	Priority   *ticket.Priority
	Assign     bool
	AssigneeID *int64
}

// Update applies p to the ticket ref on behalf of actor. A bad transition
// is ECONFLICT naming both states. Agents may work only tickets that are
// theirs or nobody's and may assign only to themselves.
func (d *Desk) Update(ctx context.Context, actor ticket.User, ref string, p Patch) (ticket.Ticket, error) {
	var out ticket.Ticket
	err := d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, ref, true)
		if err != nil {
			return err
		}
		if err := mayWork(actor, t); err != nil {
			return err
		}
		events, err := d.apply(ctx, actor, &t, p)
		if err != nil || len(events) == 0 {
			out = t
			return err
		}
		if err := d.store.SaveTicket(ctx, &t); err != nil {
			return err
		}
		if err := d.store.MarkStarted(ctx, t.ID, actor.ID); err != nil {
			return err
		}
		out = t
		return d.store.AddEvents(ctx, events...)
	})
	return out, err
}

func mayWork(actor ticket.User, t ticket.Ticket) error {
	if actor.Role.AtLeast(ticket.RoleSupervisor) || t.AssigneeID == nil || *t.AssigneeID == actor.ID {
		return nil
	}
	return ticket.Errorf(ticket.EFORBIDDEN, "Tiket ini ditangani agen lain. / This ticket is assigned to another agent.")
}

// apply changes t as p says and returns the events that record it.
func (d *Desk) apply(ctx context.Context, actor ticket.User, t *ticket.Ticket, p Patch) ([]ticket.Event, error) {
	var events []ticket.Event
	event := func(kind string, from, to any) {
		events = append(events, ticket.Event{TicketID: t.ID, ActorID: &actor.ID, Kind: kind,
			Data: map[string]any{"from": from, "to": to}})
	}
	fields := ticket.FieldErrors{}
	if p.Category != nil && !p.Category.Valid() {
		fields.Add("category", fmt.Sprintf("kategori %q tidak dikenal", *p.Category))
	}
	if p.Priority != nil && !p.Priority.Valid() {
		fields.Add("priority", fmt.Sprintf("prioritas %q tidak dikenal", *p.Priority))
	}
	if p.Status != nil && !p.Status.Valid() {
		fields.Add("status", fmt.Sprintf("status %q tidak dikenal", *p.Status))
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	if p.Status != nil && *p.Status != t.Status {
		if err := ticket.CheckTransition(t.Status, *p.Status); err != nil {
			return nil, err
		}
		event(ticket.EventStatusChanged, t.Status, *p.Status)
		t.Status = *p.Status
	}
	if p.Category != nil && *p.Category != t.Category {
		event(ticket.EventCategoryChanged, t.Category, *p.Category)
		t.Category = *p.Category
	}
	if p.Priority != nil && *p.Priority != t.Priority {
		event(ticket.EventPriorityChanged, t.Priority, *p.Priority)
		t.Priority = *p.Priority
	}
	if p.Assign && !sameAssignee(t.AssigneeID, p.AssigneeID) {
		if err := d.checkAssignee(ctx, actor, p.AssigneeID); err != nil {
			return nil, err
		}
		event(ticket.EventAssigned, t.AssigneeID, p.AssigneeID)
		t.AssigneeID = p.AssigneeID
	}
	return events, nil
}

func (d *Desk) checkAssignee(ctx context.Context, actor ticket.User, id *int64) error {
	if id == nil {
		return nil
	}
	if !actor.Role.AtLeast(ticket.RoleSupervisor) && *id != actor.ID {
		return ticket.Errorf(ticket.EFORBIDDEN, "Agen hanya bisa mengambil tiket untuk dirinya sendiri. / Agents may only assign tickets to themselves.")
	}
	u, err := d.store.UserByID(ctx, *id)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND || (err == nil && u.Role == ticket.RoleAdmin) {
		return &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
			Fields: map[string]string{"assignee_id": "agen tidak ditemukan"}}
	}
	return err
}

func sameAssignee(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// MaxNoteLength bounds a note or a reply.
const MaxNoteLength = 10000

// messageBody trims what an agent wrote and checks its length; what names
// it in the error ("catatan", "balasan").
func messageBody(body, what string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" || len([]rune(body)) > MaxNoteLength {
		return "", &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
			Fields: map[string]string{"body": fmt.Sprintf("isi %s wajib diisi, paling banyak %d karakter", what, MaxNoteLength)}}
	}
	return body, nil
}

// AddNote writes an internal note on a ticket: seen by agents, never sent.
func (d *Desk) AddNote(ctx context.Context, actor ticket.User, ref, body string) (ticket.Message, error) {
	body, err := messageBody(body, "catatan")
	if err != nil {
		return ticket.Message{}, err
	}
	var m ticket.Message
	err = d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, ref, true)
		if err != nil {
			return err
		}
		m = ticket.Message{TicketID: t.ID, Direction: ticket.Internal, Channel: t.Channel, AuthorID: &actor.ID, Body: body}
		if err := d.store.AddMessage(ctx, &m); err != nil {
			return err
		}
		if err := d.store.MarkStarted(ctx, t.ID, actor.ID); err != nil {
			return err
		}
		return d.store.AddEvents(ctx, ticket.Event{TicketID: t.ID, ActorID: &actor.ID, Kind: ticket.EventNoteAdded,
			Data: map[string]any{"message_id": m.ID}})
	})
	return m, err
}
