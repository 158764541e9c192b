package tasks

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// DocumentsReview reviews a ticket's documents; *documents.Reviewer is one.
type DocumentsReview interface {
	Review(ctx context.Context, ticketID, messageID int64) error
}

// DocumentsCheck is the documents:check handler.
type DocumentsCheck struct{ review DocumentsReview }

// NewDocumentsCheck returns the documents:check handler over r.
func NewDocumentsCheck(r DocumentsReview) *DocumentsCheck { return &DocumentsCheck{review: r} }

// Register adds the documents:check handler to w.
func (h *DocumentsCheck) Register(w *Worker) { w.Handle(store.TaskDocumentsCheck, h.Handle) }

// NewDocumentsCheckTask returns a documents:check task for the attachments
// message messageID brought to a ticket; the ingester writes the same
// payload to the outbox.
func NewDocumentsCheckTask(ticketID, messageID int64) (*asynq.Task, error) {
	return newTicketTask(store.TaskDocumentsCheck, ticketID, messageID)
}

// Handle reviews the documents of the ticket the task names (see
// documents.Reviewer.Review). A payload that cannot be read, or names no
// ticket, wraps asynq.SkipRetry.
func (h *DocumentsCheck) Handle(ctx context.Context, task *asynq.Task) error {
	p, err := ticketTask(task, true)
	if err != nil {
		return err
	}
	err = h.review.Review(ctx, p.TicketID, p.MessageID)
	switch {
	case err == nil:
		return nil
	case ticket.ErrorCode(err) == ticket.ENOTFOUND:
		return fmt.Errorf("%s: %w: %w", task.Type(), err, asynq.SkipRetry)
	}
	return fmt.Errorf("%s: %w", task.Type(), err)
}
