package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
)

// Notifications sends the complainant the help desk's messages;
// *notify.Notifier is one. An error wrapping notify.ErrFinal is not retried.
type Notifications interface {
	Ack(ctx context.Context, ticketID, messageID int64) error
	Reply(ctx context.Context, ticketID, messageID int64) error
	Docs(ctx context.Context, ticketID, messageID int64) error
}

// NotifyHandler runs the notify:* tasks: each names a ticket and a message
// (store.TicketTask) and calls the notifier.
type NotifyHandler struct{ n Notifications }

// NewNotifyHandler returns the notify:* handlers over n.
func NewNotifyHandler(n Notifications) *NotifyHandler { return &NotifyHandler{n: n} }

// Register adds the notification handlers to w.
func (h *NotifyHandler) Register(w *Worker) {
	w.Handle(store.TaskNotifyAck, h.HandleAck)
	w.Handle(store.TaskNotifyReply, h.HandleReply)
	w.Handle(store.TaskNotifyDocs, h.HandleDocs)
}

// NewAckTask returns a notify:ack task: acknowledge the message that
// opened a ticket. The ingester writes the same payload to the outbox.
func NewAckTask(ticketID, messageID int64) (*asynq.Task, error) {
	return newTicketTask(store.TaskNotifyAck, ticketID, messageID)
}

// NewReplyTask returns a notify:reply task: send the agent's reply stored
// as outbound message messageID (status queued).
func NewReplyTask(ticketID, messageID int64) (*asynq.Task, error) {
	return newTicketTask(store.TaskNotifyReply, ticketID, messageID)
}

// NewDocsTask returns a notify:docs task: mail the documents request made
// when the attachments of message messageID were checked. documents:check
// writes the same payload to the outbox.
func NewDocsTask(ticketID, messageID int64) (*asynq.Task, error) {
	return newTicketTask(store.TaskNotifyDocs, ticketID, messageID)
}

// HandleAck runs a notify:ack task (see notify.Notifier.Ack).
func (h *NotifyHandler) HandleAck(ctx context.Context, task *asynq.Task) error {
	return h.run(ctx, task, h.n.Ack)
}

// HandleReply runs a notify:reply task (see notify.Notifier.Reply).
func (h *NotifyHandler) HandleReply(ctx context.Context, task *asynq.Task) error {
	return h.run(ctx, task, h.n.Reply)
}

// HandleDocs runs a notify:docs task (see notify.Notifier.Docs).
func (h *NotifyHandler) HandleDocs(ctx context.Context, task *asynq.Task) error {
	return h.run(ctx, task, h.n.Docs)
}

// run decodes the task's ticket and message and calls send with them. A
// payload that cannot be read, or work that can never succeed, wraps
// asynq.SkipRetry.
func (h *NotifyHandler) run(ctx context.Context, task *asynq.Task, send func(context.Context, int64, int64) error) error {
	p, err := ticketTask(task, true)
	if err != nil {
		return err
	}
	err = send(ctx, p.TicketID, p.MessageID)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, notify.ErrFinal):
		return fmt.Errorf("%s: %w: %w", task.Type(), err, asynq.SkipRetry)
	}
	return fmt.Errorf("%s: %w", task.Type(), err)
}

// ticketTask decodes the payload of a task on a ticket; withMessage
// requires a message too. A payload that cannot be read wraps
// asynq.SkipRetry.
func ticketTask(task *asynq.Task, withMessage bool) (store.TicketTask, error) {
	var p store.TicketTask
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.TicketID <= 0 || (withMessage && p.MessageID <= 0) {
		return p, fmt.Errorf("%s: bad payload %q: %w", task.Type(), task.Payload(), asynq.SkipRetry)
	}
	return p, nil
}

func newTicketTask(taskType string, ticketID, messageID int64) (*asynq.Task, error) {
	payload, err := json.Marshal(store.TicketTask{TicketID: ticketID, MessageID: messageID})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(taskType, payload, asynq.Queue(QueueFor(taskType)), asynq.MaxRetry(MaxRetry(taskType))), nil
}
