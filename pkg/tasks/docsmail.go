package tasks

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// NewDocsTask returns a notify:docs task: mail the documents request made
// when the attachments of message messageID were checked. documents:check
// writes the same payload to the outbox.
func NewDocsTask(ticketID, messageID int64) (*asynq.Task, error) {
	return newTicketTask(store.TaskNotifyDocs, ticketID, messageID)
}

// HandleDocs mails the complainant, on their thread, the latest documents
// request recorded for the message the task names. Like the
// acknowledgement, its Message-ID is derived from what it answers (the
// request's event), so a retry finds the row it stored before and a mail
// already sent is not sent again.
func (n *Notifier) HandleDocs(ctx context.Context, task *asynq.Task) error {
	t, in, err := n.load(ctx, task)
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
		return fmt.Errorf("%s: no documents request by email for message %d: %w", task.Type(), in.ID, asynq.SkipRetry)
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
func (n *Notifier) newDocs(ctx context.Context, t ticket.Ticket, to, id string, req DocsRequest) (ticket.Message, error) {
	subject, body, err := n.docs.render(n.docsView(t, req))
	if err != nil {
		return ticket.Message{}, err
	}
	m := ticket.Message{TicketID: t.ID, Direction: ticket.Outbound, Channel: ticket.ChannelEmail, SourceID: id,
		Subject: subject, Body: body, Status: ticket.DeliverySending, Kind: KindDocsRequest, Recipient: to}
	err = n.store.AddMessage(ctx, &m)
	if store.UniqueViolation(err) == store.ConstraintMessageSource {
		return n.store.MessageBySource(ctx, ticket.ChannelEmail, id) // a concurrent run stored it first
	}
	return m, err
}
