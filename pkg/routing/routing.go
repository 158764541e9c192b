// Package routing puts tickets in queues and gives them to agents. Rules
// (configs/routing.yaml) choose a ticket's queue and priority; then the
// ticket is pushed to the available agent serving that queue with the
// fewest open tickets, or waits there until an agent claims it. Agents who
// go offline hand back the tickets they had not started.
package routing

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// The kinds of ticket event routing writes, besides ticket.EventAssigned.
const (
	EventRouted          = "routed"            // data: queue, priority, rule
	EventReturnedToQueue = "returned_to_queue" // data: from (the agent), queue, reason
)

// How a ticket came to its agent, in an assigned event's "by".
const (
	ByPush  = "push"
	ByClaim = "claim"
)

// RouterStore is what routing needs from storage. PickAgent, LockAgent,
// ClaimTicket and ReleaseUnstarted lock rows and must run inside WithTx.
type RouterStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
	SaveTicket(ctx context.Context, t *ticket.Ticket) error
	AddEvents(ctx context.Context, events ...ticket.Event) error
	AddOutbox(ctx context.Context, taskType string, payload any) error
	PickAgent(ctx context.Context, queue string) (store.AgentLoad, bool, error)
	LockAgent(ctx context.Context, id int64) (store.AgentLoad, error)
	AssignTicket(ctx context.Context, ticketID, agentID int64) error
	ClaimTicket(ctx context.Context, queue string, agentID int64) (int64, error)
	ReleaseUnstarted(ctx context.Context, agentID int64) ([]store.QueuedTicket, error)
}

// Router routes tickets and hands them to agents.
type Router struct {
	store RouterStore
	rules *Rules
}

// NewRouter returns a Router deciding by rules.
func NewRouter(s RouterStore, rules *Rules) *Router { return &Router{store: s, rules: rules} }

// Rules returns the rules the router decides by.
func (r *Router) Rules() *Rules { return r.rules }

// Why Route left a ticket alone.
const (
	SkippedClosed   = "closed"   // resolved or closed: nothing to route
	SkippedAssigned = "assigned" // routed and assigned already
)

// Outcome is what Route did with a ticket.
type Outcome struct {
	Queue      string
	Priority   ticket.Priority
	Rule       string // the rule that decided; empty when skipped
	AssigneeID *int64 // the ticket's agent after routing; nil when it waits in its queue
	Changed    bool   // whether anything about the ticket changed
	Skipped    string // SkippedClosed, SkippedAssigned, or empty
}

// Route puts a ticket in the queue its rules choose, at their priority
// (never lowering one set higher), and pushes it to an agent when it is
// new or open and nobody has it. It is safe to run again: a ticket routed
// and assigned, resolved or closed is left as it is, and an unassigned one
// keeps its queue unless the rules now say otherwise, and is offered to
// agents again. An unknown ticket is ENOTFOUND.
func (r *Router) Route(ctx context.Context, ticketID int64) (Outcome, error) {
	var out Outcome
	err := r.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := r.store.TicketByRef(ctx, strconv.FormatInt(ticketID, 10), true)
		if err != nil {
			return err
		}
		out = Outcome{Queue: t.Queue, Priority: t.Priority, AssigneeID: t.AssigneeID}
		switch {
		case !t.Status.IsOpen():
			out.Skipped = SkippedClosed
			return nil
		case t.AssigneeID != nil && t.Queue != "":
			out.Skipped = SkippedAssigned
			return nil
		}
		d := r.rules.Decide(t)
		out.Rule = d.Rule
		var events []ticket.Event
		if q, p := d.Queue, mergePriority(t.Priority, d.Priority); q != t.Queue || p != t.Priority {
			t.Queue, t.Priority = q, p
			if err := r.store.SaveTicket(ctx, &t); err != nil {
				return err
			}
			events = append(events, ticket.Event{TicketID: t.ID, Kind: EventRouted,
				Data: map[string]any{"queue": q, "priority": p, "rule": d.Rule}})
			out.Queue, out.Priority, out.Changed = q, p, true
		}
		if t.AssigneeID == nil && waitsForAgent(t.Status) {
			agent, err := r.push(ctx, t)
			if err != nil {
				return err
			}
			if agent != nil {
				events = append(events, assignedEvent(t, nil, *agent, ByPush))
				out.AssigneeID, out.Changed = agent, true
			}
		}
		return r.store.AddEvents(ctx, events...)
	})
	return out, err
}

// mergePriority is a ticket's priority after a rule: the rule's replaces
// the default (normal) and raises a lower one, but never lowers one that
// someone set higher.
func mergePriority(current, rule ticket.Priority) ticket.Priority {
	if rule == "" || (current != ticket.PriorityNormal && current.Rank() >= rule.Rank()) {
		return current
	}
	return rule
}

// waitsForAgent reports whether an unassigned ticket in status s is work
// an agent can take now; needs_info and pending wait on the complainant.
func waitsForAgent(s ticket.Status) bool { return s == ticket.StatusNew || s == ticket.StatusOpen }

func assignedEvent(t ticket.Ticket, actor *int64, agentID int64, by string) ticket.Event {
	return ticket.Event{TicketID: t.ID, ActorID: actor, Kind: ticket.EventAssigned,
		Data: map[string]any{"from": nil, "to": agentID, "by": by, "queue": t.Queue}}
}

// QueueStatsStore is what the queue metrics read.
type QueueStatsStore interface {
	QueueStats(ctx context.Context) ([]store.QueueStat, error)
}

// QueueMetrics is a prometheus.Collector of what waits in each queue:
// aduan_queue_depth and aduan_queue_oldest_wait_seconds, read with one
// query per scrape. Every queue of the rules is reported, 0 when empty.
type QueueMetrics struct {
	store   QueueStatsStore
	queues  []string
	log     *slog.Logger
	depth   *prometheus.Desc
	wait    *prometheus.Desc
	Timeout time.Duration // bounds the query; default 3s
}

// NewQueueMetrics returns the queue collector; register it on the
// registry that /metrics serves.
func NewQueueMetrics(s QueueStatsStore, rules *Rules, log *slog.Logger) *QueueMetrics {
	return &QueueMetrics{store: s, queues: rules.Queues(), log: log, Timeout: 3 * time.Second,
		depth: prometheus.NewDesc("aduan_queue_depth",
			"Unassigned tickets in new or open waiting for an agent, by queue.", []string{"queue"}, nil),
		wait: prometheus.NewDesc("aduan_queue_oldest_wait_seconds",
			"Age of the oldest unassigned ticket waiting in the queue, 0 when none waits.", []string{"queue"}, nil)}
}

// Describe implements prometheus.Collector.
func (m *QueueMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.depth
	ch <- m.wait
}

// Collect implements prometheus.Collector. When the database does not
// answer, the queue series are left out of this scrape (and logged) rather
// than failing every other metric with them.
func (m *QueueMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), m.Timeout)
	defer cancel()
	stats, err := m.store.QueueStats(ctx)
	if err != nil {
		m.log.Warn("queue metrics not collected", "err", err)
		return
	}
	seen := map[string]bool{}
	for _, st := range stats {
		seen[st.Queue] = true
		ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(st.Waiting), st.Queue)
		ch <- prometheus.MustNewConstMetric(m.wait, prometheus.GaugeValue, st.OldestWait.Seconds(), st.Queue)
	}
	for _, q := range m.queues {
		if !seen[q] {
			ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, 0, q)
			ch <- prometheus.MustNewConstMetric(m.wait, prometheus.GaugeValue, 0, q)
		}
	}
}
