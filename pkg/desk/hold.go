package desk

import (
	"context"
	"fmt"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Ticket events of legal holds.
const (
	EventHoldSet     = "legal_hold_set"
	EventHoldCleared = "legal_hold_cleared"
)

// SetHold puts a legal hold on the ticket ref, or replaces its reason,
// so retention keeps the ticket whole; the reason is required and, like
// every hold change, audited and recorded on the ticket. Only admins may.
func (d *Desk) SetHold(ctx context.Context, actor ticket.User, ref, reason string) (ticket.Ticket, error) {
	reason, err := ticket.CheckRevealReason(reason)
	if err != nil {
		return ticket.Ticket{}, err
	}
	return d.changeHold(ctx, actor, ref, func(ctx context.Context, t ticket.Ticket) (bool, error) {
		return true, d.store.SetHold(ctx, t.ID, ticket.LegalHold{Reason: reason, SetBy: actor.ID})
	}, store.AuditHoldSet, EventHoldSet, reason)
}

// ClearHold lifts the ticket's legal hold; the reason is optional. A
// ticket without a hold is left as it is and nothing is recorded.
func (d *Desk) ClearHold(ctx context.Context, actor ticket.User, ref, reason string) (ticket.Ticket, error) {
	if reason != "" {
		var err error
		if reason, err = ticket.CheckRevealReason(reason); err != nil {
			return ticket.Ticket{}, err
		}
	}
	return d.changeHold(ctx, actor, ref, func(ctx context.Context, t ticket.Ticket) (bool, error) {
		return d.store.ClearHold(ctx, t.ID)
	}, store.AuditHoldClear, EventHoldCleared, reason)
}

// changeHold runs change on the ticket ref, locked so that a purge either
// finished before or sees the change, and when it changed anything
// records the event and the audit row.
func (d *Desk) changeHold(ctx context.Context, actor ticket.User, ref string,
	change func(context.Context, ticket.Ticket) (bool, error), action, event, reason string) (ticket.Ticket, error) {
	if actor.Role != ticket.RoleAdmin {
		return ticket.Ticket{}, ticket.Errorf(ticket.EFORBIDDEN, "Hanya admin yang dapat mengubah penahanan. / Only admins may change a legal hold.")
	}
	var id int64
	err := d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, ref, true)
		if err != nil {
			return err
		}
		id = t.ID
		changed, err := change(ctx, t)
		if err != nil || !changed {
			return err
		}
		data := map[string]any{}
		if reason != "" {
			data["reason"] = ticket.MaskText(reason)
		}
		if err := d.store.AddEvents(ctx, ticket.Event{TicketID: t.ID, ActorID: &actor.ID, Kind: event, Data: data}); err != nil {
			return err
		}
		return d.store.AddAudit(ctx, ticket.AuditEntry{ActorID: actor.ID, Action: action,
			Subject: fmt.Sprintf("ticket:%d", t.ID), Reason: ticket.MaskText(reason)})
	})
	if err != nil {
		return ticket.Ticket{}, err
	}
	return d.Ticket(ctx, fmt.Sprint(id))
}
