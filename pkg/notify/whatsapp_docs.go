package notify

import (
	"context"
	"fmt"

	"github.com/aduan/aduan/pkg/ticket"
)

// WhatsAppContacts says who a WhatsApp ticket's messages go to;
// *store.Store is one.
type WhatsAppContacts interface {
	WhatsAppRecipient(ctx context.Context, ticketID int64) (phoneNumberID, waID string, err error)
}

// WhatsAppDocs sends documents requests on WhatsApp tickets on WhatsApp.
type WhatsAppDocs struct {
	Queue    WhatsAppQueue
	Contacts WhatsAppContacts
	// PhoneNumberID is the number used when the person's is not known.
	PhoneNumberID string
}

// SetWhatsApp makes documents requests on WhatsApp tickets go out on
// WhatsApp.
func (n *Notifier) SetWhatsApp(w WhatsAppDocs) { n.wa = &w }

// docsWhatsApp queues the documents request of event eventID on WhatsApp:
// stored as the ticket's message and queued in one transaction, once (its
// source id names the event), paced for one person. Its delivery shows on
// the message.
func (n *Notifier) docsWhatsApp(ctx context.Context, t ticket.Ticket, req ticket.DocsRequest, eventID int64) error {
	if n.wa == nil {
		return fmt.Errorf("documents request on ticket %s: no WhatsApp sender configured: %w", t.Number, ErrFinal)
	}
	id := fmt.Sprintf("docs.%d.%s", eventID, t.Number)
	return n.store.WithTx(ctx, func(ctx context.Context) error {
		_, err := n.store.MessageBySource(ctx, ticket.ChannelWhatsApp, id)
		if err == nil {
			return nil // queued before
		}
		if ticket.ErrorCode(err) != ticket.ENOTFOUND {
			return err
		}
		pnid, to, err := n.wa.Contacts.WhatsAppRecipient(ctx, t.ID)
		if err != nil {
			return err
		}
		if to == "" {
			n.log.WarnContext(ctx, "documents request not sent: no WhatsApp sender on the ticket", "ticket", t.Number)
			return nil
		}
		if pnid == "" {
			pnid = n.wa.PhoneNumberID
		}
		_, body, err := n.docs.render(n.docsView(t, req))
		if err != nil {
			return err
		}
		if r := []rune(body); len(r) > WAMaxText {
			body = string(r[:WAMaxText-1]) + "…"
		}
		m := ticket.Message{TicketID: t.ID, Direction: ticket.Outbound, Channel: ticket.ChannelWhatsApp, SourceID: id,
			Body: body, Status: ticket.DeliveryQueued, Kind: ticket.KindDocsRequest, Recipient: to}
		if err := n.store.AddMessage(ctx, &m); err != nil {
			return err
		}
		return n.wa.Queue.QueueWhatsApp(ctx, WAOutgoing{PhoneNumberID: pnid, TicketID: t.ID, MessageID: m.ID,
			Pace: PacePerson, Message: WAMessage{To: to, Text: body}})
	})
}
