package desk

import (
	"context"
	"strconv"

	"github.com/aduan/aduan/pkg/ticket"
)

// Events of a merge: on the ticket merged away, and on the one it joined.
const (
	EventMergedInto = "merged_into"
	EventMergedFrom = "merged_from"
)

// Merge folds the ticket fromRef into intoRef when one person opened two
// tickets about one matter: from's messages and attachments join into's
// conversation and from is closed, each with an event naming the other.
// Both must be the same complainant's; an agent may merge only tickets
// that are theirs or nobody's. A closed ticket cannot be merged either way.
func (d *Desk) Merge(ctx context.Context, actor ticket.User, intoRef, fromRef string) (ticket.Ticket, error) {
	var out ticket.Ticket
	err := d.store.WithTx(ctx, func(ctx context.Context) error {
		into, from, err := d.lockPair(ctx, intoRef, fromRef)
		if err != nil {
			return err
		}
		switch {
		case into.ID == from.ID:
			return ticket.Errorf(ticket.EINVALID, "Tiket tidak bisa digabung dengan dirinya sendiri. / A ticket cannot be merged into itself.")
		case into.ComplainantID != from.ComplainantID:
			return ticket.Errorf(ticket.EINVALID, "Hanya tiket dari pelapor yang sama yang bisa digabung. / Only one person's tickets can be merged.")
		case into.Status == ticket.StatusClosed || from.Status == ticket.StatusClosed:
			return ticket.Errorf(ticket.ECONFLICT, "Tiket yang sudah ditutup tidak bisa digabung. / Closed tickets cannot be merged.")
		}
		for _, t := range []ticket.Ticket{into, from} {
			if err := mayWork(actor, t); err != nil {
				return err
			}
		}
		if err := d.store.MoveConversation(ctx, from.ID, into.ID); err != nil {
			return err
		}
		old := from.Status
		from.Status = ticket.StatusClosed
		if err := d.store.SaveTicket(ctx, &from); err != nil {
			return err
		}
		if err := d.store.SaveTicket(ctx, &into); err != nil { // its version moves on
			return err
		}
		out = into
		return d.store.AddEvents(ctx,
			ticket.Event{TicketID: from.ID, ActorID: &actor.ID, Kind: EventMergedInto,
				Data: map[string]any{"into": into.Number, "from_status": old}},
			ticket.Event{TicketID: from.ID, ActorID: &actor.ID, Kind: ticket.EventStatusChanged,
				Data: map[string]any{"from": old, "to": ticket.StatusClosed, "reason": "merged"}},
			ticket.Event{TicketID: into.ID, ActorID: &actor.ID, Kind: EventMergedFrom,
				Data: map[string]any{"from": from.Number}})
	})
	return out, err
}

// lockPair locks two tickets in id order, so two merges of the same pair
// in opposite directions wait for each other instead of deadlocking.
func (d *Desk) lockPair(ctx context.Context, aRef, bRef string) (ticket.Ticket, ticket.Ticket, error) {
	a, err := d.store.TicketByRef(ctx, aRef, false)
	if err != nil {
		return a, a, err
	}
	b, err := d.store.TicketByRef(ctx, bRef, false)
	if err != nil {
		return a, b, err
	}
	first, second := a, b
	if b.ID < a.ID {
		first, second = b, a
	}
	for _, t := range []ticket.Ticket{first, second} {
		locked, err := d.store.TicketByRef(ctx, strconv.FormatInt(t.ID, 10), true)
		if err != nil {
			return a, b, err
		}
		if locked.ID == a.ID {
			a = locked
		} else {
			b = locked
		}
	}
	return a, b, nil
}
