package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// RouteService routes one ticket; *routing.Router is one.
type RouteService interface {
	Route(ctx context.Context, ticketID int64) (routing.Outcome, error)
}

// RouteHandler runs ticket:route tasks: the ingester writes one for every
// new ticket, and routing one for every ticket an offline agent gave back.
type RouteHandler struct {
	router RouteService
	log    *slog.Logger
}

// NewRouteHandler returns the ticket:route handler over r.
func NewRouteHandler(r RouteService, log *slog.Logger) *RouteHandler {
	return &RouteHandler{router: r, log: log}
}

// Register adds the handler to w.
func (h *RouteHandler) Register(w *Worker) { w.Handle(store.TaskTicketRoute, h.Handle) }

// NewRouteTask returns a ticket:route task for a ticket, with the payload
// the outbox carries.
func NewRouteTask(ticketID int64) (*asynq.Task, error) {
	return newTicketTask(store.TaskTicketRoute, ticketID, 0)
}

// Handle routes the ticket the task names. Running it again is harmless
// (see routing.Router.Route). A payload that cannot be read, or names no
// ticket, will never work: its error wraps asynq.SkipRetry.
func (h *RouteHandler) Handle(ctx context.Context, task *asynq.Task) error {
	var p store.TicketTask
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.TicketID <= 0 {
		return fmt.Errorf("%s: bad payload %q: %w", task.Type(), task.Payload(), asynq.SkipRetry)
	}
	out, err := h.router.Route(ctx, p.TicketID)
	switch {
	case ticket.ErrorCode(err) == ticket.ENOTFOUND:
		return fmt.Errorf("%s: ticket %d: %w: %w", task.Type(), p.TicketID, err, asynq.SkipRetry)
	case err != nil:
		return fmt.Errorf("%s: ticket %d: %w", task.Type(), p.TicketID, err)
	}
	attrs := []any{"ticket_id", p.TicketID, "queue", out.Queue, "priority", out.Priority, "rule", out.Rule,
		"changed", out.Changed}
	if out.AssigneeID != nil {
		attrs = append(attrs, "assignee_id", *out.AssigneeID)
	}
	if out.Skipped != "" {
		attrs = append(attrs, "skipped", out.Skipped)
	}
	h.log.DebugContext(ctx, "ticket routed", attrs...)
	return nil
}
