package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/ticket"
)

// serviceRecorder stands for the notifier and the documents reviewer: it
// records the ticket and message it is called with and answers err.
type serviceRecorder struct {
	calls [][2]int64
	err   error
}

func (r *serviceRecorder) call(ticketID, messageID int64) error {
	r.calls = append(r.calls, [2]int64{ticketID, messageID})
	return r.err
}

func (r *serviceRecorder) Ack(_ context.Context, ticketID, messageID int64) error {
	return r.call(ticketID, messageID)
}

func (r *serviceRecorder) Reply(_ context.Context, ticketID, messageID int64) error {
	return r.call(ticketID, messageID)
}

func (r *serviceRecorder) Docs(_ context.Context, ticketID, messageID int64) error {
	return r.call(ticketID, messageID)
}

func (r *serviceRecorder) Review(_ context.Context, ticketID, messageID int64) error {
	return r.call(ticketID, messageID)
}

// The notify:* and documents:check handlers decode the ticket and the
// message and call their service with them; a payload they cannot read,
// and a failure the service says is final, are not retried.
func TestTicketHandlers(t *testing.T) {
	notFound := ticket.Errorf(ticket.ENOTFOUND, "tiket tidak ditemukan")
	handlers := []struct {
		taskType string
		newTask  func(ticketID, messageID int64) (*asynq.Task, error)
		handle   func(*serviceRecorder) asynq.HandlerFunc
		final    error // a service error that must not be retried
	}{
		{store.TaskNotifyAck, tasks.NewAckTask,
			func(r *serviceRecorder) asynq.HandlerFunc { return tasks.NewNotifyHandler(r).HandleAck },
			fmt.Errorf("message 2 is not inbound: %w", notify.ErrFinal)},
		{store.TaskNotifyReply, tasks.NewReplyTask,
			func(r *serviceRecorder) asynq.HandlerFunc { return tasks.NewNotifyHandler(r).HandleReply },
			fmt.Errorf("message 2: %w: %w", notify.ErrPermanent, notify.ErrFinal)},
		{store.TaskNotifyDocs, tasks.NewDocsTask,
			func(r *serviceRecorder) asynq.HandlerFunc { return tasks.NewNotifyHandler(r).HandleDocs },
			fmt.Errorf("no documents request: %w", notify.ErrFinal)},
		{store.TaskDocumentsCheck, tasks.NewDocumentsCheckTask,
			func(r *serviceRecorder) asynq.HandlerFunc { return tasks.NewDocumentsCheck(r).Handle },
			fmt.Errorf("ticket 1: %w", notFound)},
	}
	for _, h := range handlers {
		t.Run(h.taskType, func(t *testing.T) {
			rec := &serviceRecorder{}
			handle := h.handle(rec)
			task, err := h.newTask(1, 2)
			if err != nil || task.Type() != h.taskType {
				t.Fatalf("new task: %v, %v", task, err)
			}
			if err := handle(context.Background(), task); err != nil || len(rec.calls) != 1 || rec.calls[0] != [2]int64{1, 2} {
				t.Fatalf("handle: %v, calls %v; want one call for ticket 1, message 2", err, rec.calls)
			}
			for _, p := range []string{`{`, `{}`, `[1]`, `{"ticket_id": 1}`, `{"ticket_id": -1, "message_id": 2}`} {
				if err := handle(context.Background(), asynq.NewTask(h.taskType, []byte(p))); !errors.Is(err, asynq.SkipRetry) {
					t.Errorf("payload %s: %v, want asynq.SkipRetry", p, err)
				}
			}
			if len(rec.calls) != 1 {
				t.Errorf("bad payloads reached the service: calls %v", rec.calls)
			}
			rec.err = h.final
			if err := handle(context.Background(), task); !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("final failure %v: %v, want asynq.SkipRetry", h.final, err)
			}
			rec.err = errors.New("connection refused")
			if err := handle(context.Background(), task); err == nil || errors.Is(err, asynq.SkipRetry) {
				t.Errorf("passing failure: %v, want an error that is retried", err)
			}
		})
	}
}
