package routing

import (
	"context"
	"slices"
	"strconv"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// push gives t, locked and unassigned, to the agent store.PickAgent
// chooses and returns that agent's id, or nil when nobody can take it: it
// then waits in its queue for a claim. The agent's row stays locked until
// the transaction ends, so concurrent pushes never take an agent past
// their capacity.
func (r *Router) push(ctx context.Context, t ticket.Ticket) (*int64, error) {
	a, ok, err := r.store.PickAgent(ctx, t.Queue)
	if err != nil || !ok {
		return nil, err
	}
	if err := r.store.AssignTicket(ctx, t.ID, a.Agent.ID); err != nil {
		return nil, err
	}
	return &a.Agent.ID, nil
}

// serves reports whether agent u takes tickets of queue: an agent with no
// queues serves every queue.
func serves(u ticket.User, queue string) bool {
	return len(u.Queues) == 0 || slices.Contains(u.Queues, queue)
}

// Claim gives the caller the most urgent, oldest unassigned ticket of queue
// that is new or open; false when the queue has none. Concurrent claimers
// never get the same ticket, and none waits on another.
//
// Errors: ENOTFOUND for a queue the rules do not know; EFORBIDDEN when the
// caller is an admin or does not serve the queue; ECONFLICT when the caller
// is offline or already holds as many open tickets as their capacity.
func (r *Router) Claim(ctx context.Context, caller ticket.User, queue string) (ticket.Ticket, bool, error) {
	if !r.rules.HasQueue(queue) {
		return ticket.Ticket{}, false, ticket.Errorf(ticket.ENOTFOUND,
			"Antrean %q tidak ada. / No such queue %q.", queue, queue)
	}
	var t ticket.Ticket
	var claimed bool
	err := r.store.WithTx(ctx, func(ctx context.Context) error {
		// The caller's row, locked: their capacity is checked against every
		// assignment committed so far, and no push to them can slip in.
		a, err := r.store.LockAgent(ctx, caller.ID)
		if err != nil {
			return err
		}
		if err := mayClaim(a, queue); err != nil {
			return err
		}
		id, err := r.store.ClaimTicket(ctx, queue, a.Agent.ID)
		if err != nil || id == 0 {
			return err
		}
		if t, err = r.store.TicketByRef(ctx, strconv.FormatInt(id, 10), false); err != nil {
			return err
		}
		claimed = true
		return r.store.AddEvents(ctx, assignedEvent(t, &a.Agent.ID, a.Agent.ID, ByClaim))
	})
	if err != nil || !claimed {
		return ticket.Ticket{}, false, err
	}
	return t, true, nil
}

func mayClaim(a store.AgentLoad, queue string) error {
	u := a.Agent
	switch {
	case u.Role == ticket.RoleAdmin:
		return ticket.Errorf(ticket.EFORBIDDEN,
			"Admin tidak menangani tiket; masuk sebagai agen. / Admins do not work tickets.")
	case !serves(u, queue):
		return ticket.Errorf(ticket.EFORBIDDEN,
			"Anda tidak melayani antrean %q; minta supervisor menambahkannya. / You do not serve queue %q.", queue, queue)
	case u.Presence == ticket.PresenceOffline:
		return ticket.Errorf(ticket.ECONFLICT,
			"Status Anda offline. Ubah status ke available dulu sebelum mengambil tiket. / You are offline; set your presence to available first.")
	case a.Open >= u.Capacity:
		return ticket.Errorf(ticket.ECONFLICT,
			"Anda sudah memegang %d tiket terbuka, batas kapasitas Anda %d. Selesaikan tiket yang ada dulu sebelum mengambil tiket baru. / You hold %d open tickets, your capacity is %d.",
			a.Open, u.Capacity, a.Open, u.Capacity)
	}
	return nil
}

// Reason in a returned_to_queue event.
const reasonOffline = "agent_offline"

// ReleaseUnstarted returns to their queues the open tickets an offline
// agent holds but has not started (changed, replied to, or noted), and asks
// for each to be routed again so another agent can get it. It returns how
// many went back. It does nothing while the agent is not offline, so a
// quick offline-and-back does not strip them of their work.
func (r *Router) ReleaseUnstarted(ctx context.Context, agentID int64) (int, error) {
	var n int
	err := r.store.WithTx(ctx, func(ctx context.Context) error {
		n = 0
		// Locked like a push locks it: a push racing the presence change
		// either lands before and is returned here, or sees offline after.
		a, err := r.store.LockAgent(ctx, agentID)
		if err != nil || a.Agent.Presence != ticket.PresenceOffline {
			return err
		}
		released, err := r.store.ReleaseUnstarted(ctx, agentID)
		if err != nil || len(released) == 0 {
			return err
		}
		events := make([]ticket.Event, len(released))
		for i, q := range released {
			events[i] = ticket.Event{TicketID: q.ID, Kind: EventReturnedToQueue,
				Data: map[string]any{"from": agentID, "queue": q.Queue, "reason": reasonOffline}}
			if err := r.store.AddOutbox(ctx, store.TaskTicketRoute, store.TicketTask{TicketID: q.ID}); err != nil {
				return err
			}
		}
		n = len(released)
		return r.store.AddEvents(ctx, events...)
	})
	return n, err
}
