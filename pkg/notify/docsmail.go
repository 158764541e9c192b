package notify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Docs mails the complainant, on their thread, the latest documents
// request recorded for message messageID: the documents decision makes
// one to mail only when the answer to that mail went before its photos
// were checked (see Ack). Like the answer, its Message-ID is derived from what it answers (the
// request's event), so a retry finds the row it stored before and a mail
// already sent is not sent again.
func (n *Notifier) Docs(ctx context.Context, ticketID, messageID int64) error {
	t, in, err := n.load(ctx, ticketID, messageID)
	if err != nil {
		return err
	}
	events, err := n.store.Events(ctx, t.ID)
	if err != nil {
		return err
	}
	req, eventID, err := latestDocsRequest(events, in.ID)
	if err != nil {
		return err
	}
	if eventID == 0 {
		return fmt.Errorf("no documents request by email for message %d: %w", in.ID, ErrFinal)
	}
	if req.Delivery == ticket.DocsByWhatsApp {
		return n.docsWhatsApp(ctx, t, req, eventID)
	}
	id := fmt.Sprintf("<docs.%d.%s@%s>", eventID, t.Number, n.cfg.Domain)
	out, err := n.store.MessageBySource(ctx, ticket.ChannelEmail, id)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		var to string
		if to, err = n.store.ReplyAddress(ctx, t.ID); err != nil {
			return err
		}
		if to == "" {
			n.log.WarnContext(ctx, "documents request not sent: no email address", "ticket", t.Number)
			return nil
		}
		out, err = n.newDocs(ctx, t, to, id, req)
	}
	if err != nil {
		return err
	}
	if out.Status == ticket.DeliverySent || out.Status == ticket.DeliveryFailed {
		return nil
	}
	thread, err := n.store.Messages(ctx, t.ID)
	if err != nil {
		return err
	}
	parent, refs := threadOf(thread)
	return n.deliver(ctx, out, OutgoingMail{From: n.cfg.From, To: out.Recipient, Subject: out.Subject, Text: out.Body,
		MessageID: id, InReplyTo: parent, References: refs,
		Headers: map[string]string{"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}})
}

// newDocs stores the documents request mail to address to as sending.
func (n *Notifier) newDocs(ctx context.Context, t ticket.Ticket, to, id string, req ticket.DocsRequest) (ticket.Message, error) {
	subject, body, err := n.docs.render(n.docsView(t, req))
	if err != nil {
		return ticket.Message{}, err
	}
	m := ticket.Message{TicketID: t.ID, Direction: ticket.Outbound, Channel: ticket.ChannelEmail, SourceID: id,
		Subject: subject, Body: body, Status: ticket.DeliverySending, Kind: ticket.KindDocsRequest, Recipient: to}
	err = n.store.AddMessage(ctx, &m)
	if store.UniqueViolation(err) == store.ConstraintMessageSource {
		return n.store.MessageBySource(ctx, ticket.ChannelEmail, id) // a concurrent run stored it first
	}
	return m, err
}

// latestDocsRequest returns the latest request to mail among a ticket's
// events made for message messageID, and its event id; 0 when none.
func latestDocsRequest(events []ticket.Event, messageID int64) (ticket.DocsRequest, int64, error) {
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Kind != ticket.EventDocumentsRequested {
			continue
		}
		var req ticket.DocsRequest
		b, err := json.Marshal(e.Data)
		if err == nil {
			err = json.Unmarshal(b, &req)
		}
		if err != nil {
			return ticket.DocsRequest{}, 0, fmt.Errorf("documents request event %d: %w", e.ID, err)
		}
		if req.MessageID == messageID && (req.Delivery == ticket.DocsByEmail || req.Delivery == ticket.DocsByWhatsApp) {
			return req, e.ID, nil
		}
	}
	return ticket.DocsRequest{}, 0, nil
}
