package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
)

// WhatsAppHandler runs the WhatsApp channel's tasks: taking stored
// webhook bodies apart (whatsapp:webhook), handing each inbound message
// to the conversation (whatsapp:message, its task id naming the wamid),
// and sending queued messages (notify:whatsapp).
type WhatsAppHandler struct {
	proc   *whatsapp.Processor
	sender *notify.WASender
	// Messages says whether a conversation takes the inbound messages;
	// without one their tasks wait in the outbox.
	Messages bool
}

// NewWhatsAppHandler returns the handlers over proc and sender; a nil
// sender leaves queued messages in the outbox.
func NewWhatsAppHandler(proc *whatsapp.Processor, sender *notify.WASender, messages bool) *WhatsAppHandler {
	return &WhatsAppHandler{proc: proc, sender: sender, Messages: messages}
}

// Register adds the handlers to w.
func (h *WhatsAppHandler) Register(w *Worker) {
	w.Handle(store.TaskWhatsAppWebhook, h.HandleWebhook)
	if h.Messages {
		w.Handle(store.TaskWhatsAppMessage, h.HandleMessage)
	}
	if h.sender != nil {
		w.Handle(store.TaskWhatsAppSend, h.HandleSend)
	}
}

// HandleWebhook runs a whatsapp:webhook task.
func (h *WhatsAppHandler) HandleWebhook(ctx context.Context, task *asynq.Task) error {
	var p store.WebhookTask
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.WebhookID <= 0 {
		return fmt.Errorf("%s: bad payload %q: %w", task.Type(), task.Payload(), asynq.SkipRetry)
	}
	return waResult(task, h.proc.TakeWebhook(ctx, p.WebhookID))
}

// HandleMessage runs a whatsapp:message task.
func (h *WhatsAppHandler) HandleMessage(ctx context.Context, task *asynq.Task) error {
	var p store.WhatsAppMessageTask
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.WaMID == "" {
		return fmt.Errorf("%s: bad payload %q: %w", task.Type(), task.Payload(), asynq.SkipRetry)
	}
	return waResult(task, h.proc.HandleMessage(ctx, p.WaMID))
}

// HandleSend runs a notify:whatsapp task.
func (h *WhatsAppHandler) HandleSend(ctx context.Context, task *asynq.Task) error {
	var p store.WhatsAppSendTask
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.OutboundID <= 0 {
		return fmt.Errorf("%s: bad payload %q: %w", task.Type(), task.Payload(), asynq.SkipRetry)
	}
	return waResult(task, h.sender.Send(ctx, p.OutboundID))
}

// waResult maps the channel's outcomes to asynq's: waiting is Later (not
// a failure), work that can never succeed is not retried.
func waResult(task *asynq.Task, err error) error {
	var wait *whatsapp.Wait
	var paced *notify.WAWait
	switch {
	case err == nil:
		return nil
	case errors.As(err, &wait):
		return Later(wait.After, err)
	case errors.As(err, &paced):
		return Later(paced.After, err)
	case errors.Is(err, whatsapp.ErrBroken), errors.Is(err, notify.ErrFinal):
		return fmt.Errorf("%s: %w: %w", task.Type(), err, asynq.SkipRetry)
	}
	return fmt.Errorf("%s: %w", task.Type(), err)
}
