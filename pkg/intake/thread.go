package intake

import (
	"context"
	"fmt"

	"github.com/aduan/aduan/pkg/ticket"
)

// thread finds the ticket item continues, locked for the transaction:
// first by the ticket the adapter named, then by the messages it answers,
// then by a ticket number it quotes. A closed ticket is never continued;
// the item opens a new one.
func (in *Ingester) thread(ctx context.Context, item Inbound) (ticket.Ticket, bool, error) {
	refs := make([]string, 0, len(item.ThreadRefs))
	for _, r := range item.ThreadRefs {
		if r != "" && r != item.SourceID {
			refs = append(refs, r)
		}
	}
	candidates := []func() (string, error){
		func() (string, error) {
			if item.ThreadTicketID == 0 {
				return "", nil
			}
			return fmt.Sprint(item.ThreadTicketID), nil
		},
		func() (string, error) {
			if len(refs) == 0 {
				return "", nil
			}
			m, err := in.store.MessageByAnySource(ctx, item.Channel, refs)
			if ticket.ErrorCode(err) == ticket.ENOTFOUND {
				return "", nil
			}
			return fmt.Sprint(m.TicketID), err
		},
		func() (string, error) { return item.ThreadNumber, nil },
	}
	for _, candidate := range candidates {
		ref, err := candidate()
		if err != nil {
			return ticket.Ticket{}, false, err
		}
		if ref == "" {
			continue
		}
		t, err := in.store.TicketByRef(ctx, ref, true)
		switch {
		case ticket.ErrorCode(err) == ticket.ENOTFOUND:
			continue
		case err != nil:
			return ticket.Ticket{}, false, err
		case t.Status != ticket.StatusClosed:
			return t, true, nil
		}
	}
	return ticket.Ticket{}, false, nil
}
