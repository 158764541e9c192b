package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Reply queues an agent's answer to the complainant on the ticket's
// channel, by email on the thread they are on (Store.ReplyAddress): stored
// first, sent by the worker, in one transaction with the work that sends
// it. The ticket then waits on the complainant (pending),
// and its first response time is recorded.
func (d *Desk) Reply(ctx context.Context, actor ticket.User, ref, body string) (ticket.Message, error) {
	body, err := messageBody(body, "balasan")
	if err != nil {
		return ticket.Message{}, err
	}
	var m ticket.Message
	err = d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, ref, true)
		if err != nil {
			return err
		}
		if err := mayWork(actor, t); err != nil {
			return err
		}
		to := ""
		if t.Channel == ticket.ChannelEmail {
			if to, err = d.store.ReplyAddress(ctx, t.ID); err != nil {
				return err
			}
		}
		if to == "" {
			return &ticket.Error{Code: ticket.EINVALID, Message: "Balasan tidak bisa dikirim untuk tiket ini. / This ticket cannot be answered from here.",
				Fields: map[string]string{"internal": fmt.Sprintf("tiket kanal %s belum bisa dibalas dari sini; tulis catatan internal (internal: true)", t.Channel)}}
		}
		m = ticket.Message{TicketID: t.ID, Direction: ticket.Outbound, Channel: t.Channel, AuthorID: &actor.ID,
			Kind: ticket.KindReply, Status: ticket.DeliveryQueued, Recipient: to,
			Subject: fmt.Sprintf("Re: [%s] %s", t.Number, t.Subject), Body: body}
		if err := d.store.AddMessage(ctx, &m); err != nil {
			return err
		}
		events := []ticket.Event{{TicketID: t.ID, ActorID: &actor.ID, Kind: ticket.EventMessageAdded,
			Data: map[string]any{"message_id": m.ID, "direction": ticket.Outbound}}}
		if t.Status == ticket.StatusNew || t.Status == ticket.StatusOpen {
			events = append(events, ticket.Event{TicketID: t.ID, ActorID: &actor.ID, Kind: ticket.EventStatusChanged,
				Data: map[string]any{"from": t.Status, "to": ticket.StatusPending, "reason": "agent replied"}})
			t.Status = ticket.StatusPending
		}
		if t.SLA.FirstRespondedAt == nil {
			now := time.Now().UTC()
			t.SLA.FirstRespondedAt = &now
		}
		if err := d.store.SaveTicket(ctx, &t); err != nil {
			return err
		}
		if err := d.store.MarkStarted(ctx, t.ID, actor.ID); err != nil {
			return err
		}
		if err := d.store.AddEvents(ctx, events...); err != nil {
			return err
		}
		return d.store.AddOutbox(ctx, store.TaskNotifyReply, store.TicketTask{TicketID: t.ID, MessageID: m.ID})
	})
	return m, err
}
