package routing_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// queued stores a ticket already routed to queue and waiting there.
func (f *fixture) queued(t testing.TB, queue string, p ticket.Priority) ticket.Ticket {
	t.Helper()
	return f.ticket(t, ticket.Ticket{Queue: queue, Priority: p})
}

func TestClaim(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ayu := f.agent(t, "ayu", []string{"sertifikat"}, 2, ticket.PresenceAvailable)
	normal := f.queued(t, "sertifikat", ticket.PriorityNormal)
	urgent := f.queued(t, "sertifikat", ticket.PriorityUrgent)
	f.queued(t, "sertifikat", ticket.PriorityLow)

	for i, want := range []ticket.Ticket{urgent, normal} {
		got, ok, err := f.router.Claim(ctx, ayu, "sertifikat")
		if err != nil || !ok || got.ID != want.ID || got.AssigneeID == nil || *got.AssigneeID != ayu.ID {
			t.Fatalf("claim %d = %+v, %v, %v; want ticket %d assigned to ayu", i+1, got, ok, err, want.ID)
		}
		evs := f.events(t, got.ID)
		if len(evs) != 1 || evs[0].Kind != ticket.EventAssigned || evs[0].Data["by"] != routing.ByClaim ||
			evs[0].ActorID == nil || *evs[0].ActorID != ayu.ID {
			t.Errorf("events %+v; want one assigned by claim, by ayu", evs)
		}
	}

	refusals := []struct {
		name  string
		user  func() ticket.User
		queue string
		code  string
		says  string
	}{
		{"at capacity", func() ticket.User { return ayu }, "sertifikat", ticket.ECONFLICT, "kapasitas Anda 2"},
		{"unknown queue", func() ticket.User { return ayu }, "vaksin", ticket.ENOTFOUND, "tidak ada"},
		{"a queue the agent does not serve", func() ticket.User {
			return f.agent(t, "bayu", []string{"data-diri"}, 0, ticket.PresenceAvailable)
		}, "sertifikat", ticket.EFORBIDDEN, "tidak melayani"},
		{"offline", func() ticket.User { return f.agent(t, "citra", nil, 0, ticket.PresenceOffline) },
			"sertifikat", ticket.ECONFLICT, "offline"},
		{"admin", func() ticket.User { return f.user(t, ticket.User{Name: "adi", Role: ticket.RoleAdmin}) },
			"sertifikat", ticket.EFORBIDDEN, "Admin"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, err := f.router.Claim(ctx, tt.user(), tt.queue)
			if ticket.ErrorCode(err) != tt.code || ok || !strings.Contains(ticket.ErrorMessage(err), tt.says) {
				t.Errorf("Claim = %v, %v; want %s saying %q", ok, err, tt.code, tt.says)
			}
		})
	}

	t.Run("away agents and supervisors may claim; an empty queue gives nothing", func(t *testing.T) {
		dewi := f.agent(t, "dewi", nil, 0, ticket.PresenceAway)
		sri := f.user(t, ticket.User{Name: "sri", Role: ticket.RoleSupervisor})
		if got, ok, err := f.router.Claim(ctx, dewi, "sertifikat"); err != nil || !ok || *got.AssigneeID != dewi.ID {
			t.Errorf("away agent: %+v, %v, %v", got, ok, err)
		}
		if got, ok, err := f.router.Claim(ctx, sri, "sertifikat"); err != nil || ok {
			t.Errorf("claim of an empty queue: %+v, %v, %v; want nothing", got, ok, err)
		}
	})
}

// A hundred agents claiming from a queue of sixty at once: every ticket is
// handed out once, none is skipped, and the other forty get nothing.
func TestClaimConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var agents []ticket.User
	for i := range 100 {
		agents = append(agents, f.agent(t, fmt.Sprintf("agen%d", i), nil, 0, ticket.PresenceAvailable))
	}
	var want []int64
	for i := range 60 {
		want = append(want, f.queued(t, "umum", ticket.Priorities[i%4]).ID)
	}
	f.queued(t, "sertifikat", ticket.PriorityUrgent) // another queue's

	var mu sync.Mutex
	got := map[int64]int64{} // ticket → claimer
	empty := 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, a := range agents {
		wg.Go(func() {
			<-start
			tk, ok, err := f.router.Claim(context.Background(), a, "umum")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("%s: %v", a.Name, err)
			case !ok:
				empty++
			case got[tk.ID] != 0:
				t.Errorf("ticket %d handed to agents %d and %d", tk.ID, got[tk.ID], a.ID)
			default:
				got[tk.ID] = a.ID
			}
		})
	}
	close(start)
	wg.Wait()
	claimed := make([]int64, 0, len(got))
	for id, agent := range got {
		claimed = append(claimed, id)
		if tk := f.load(t, id); tk.AssigneeID == nil || *tk.AssigneeID != agent {
			t.Errorf("ticket %d assigned to %v, claimed by %d", id, tk.AssigneeID, agent)
		}
	}
	slices.Sort(claimed)
	if !slices.Equal(claimed, want) || empty != 40 {
		t.Errorf("%d tickets claimed, %d claims empty; want the 60 of the queue and 40 empty", len(claimed), empty)
	}
}

func TestReleaseUnstarted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ayu := f.agent(t, "ayu", nil, 0, ticket.PresenceAvailable)
	pushed := f.ticket(t, ticket.Ticket{})
	f.route(t, pushed.ID)
	claimed := f.queued(t, "umum", ticket.PriorityNormal)
	if _, ok, err := f.router.Claim(ctx, ayu, "umum"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	started := f.ticket(t, ticket.Ticket{})
	f.route(t, started.ID)
	if err := f.store.MarkStarted(ctx, started.ID, ayu.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{pushed.ID, claimed.ID, started.ID} {
		if tk := f.load(t, id); tk.AssigneeID == nil || *tk.AssigneeID != ayu.ID {
			t.Fatalf("ticket %d is not ayu's: %v", id, tk.AssigneeID)
		}
	}

	if n, err := f.router.ReleaseUnstarted(ctx, ayu.ID); err != nil || n != 0 {
		t.Fatalf("release while available = %d, %v; want nothing", n, err)
	}
	offline := ticket.PresenceOffline
	if _, err := f.store.UpdateAgent(ctx, ayu.ID, store.AgentUpdate{Presence: &offline}); err != nil {
		t.Fatal(err)
	}
	routesBefore := storetest.Count(t, f.dbURL, `SELECT count(*) FROM outbox WHERE task_type = $1`, store.TaskTicketRoute)
	if n, err := f.router.ReleaseUnstarted(ctx, ayu.ID); err != nil || n != 2 {
		t.Fatalf("release = %d, %v; want 2", n, err)
	}
	for id, queue := range map[int64]string{pushed.ID: "sertifikat", claimed.ID: "umum"} {
		tk := f.load(t, id)
		if tk.AssigneeID != nil || tk.Queue != queue {
			t.Errorf("ticket %d: assignee %v queue %q, want back in %s", id, tk.AssigneeID, tk.Queue, queue)
		}
		kinds := f.kinds(t, id)
		if kinds[len(kinds)-1] != routing.EventReturnedToQueue {
			t.Errorf("ticket %d events %v, want returned_to_queue last", id, kinds)
		}
	}
	if tk := f.load(t, started.ID); tk.AssigneeID == nil || *tk.AssigneeID != ayu.ID {
		t.Errorf("the started ticket went back too")
	}
	routes := storetest.Count(t, f.dbURL, `SELECT count(*) FROM outbox WHERE task_type = $1`, store.TaskTicketRoute)
	if routes-routesBefore != 2 {
		t.Errorf("%d ticket:route tasks written, want one per returned ticket", routes-routesBefore)
	}
	if n, err := f.router.ReleaseUnstarted(ctx, ayu.ID); err != nil || n != 0 {
		t.Errorf("second release = %d, %v; want nothing left", n, err)
	}

	// The task routing writes pushes the ticket to whoever is free.
	bayu := f.agent(t, "bayu", nil, 0, ticket.PresenceAvailable)
	if out := f.route(t, pushed.ID); out.AssigneeID == nil || *out.AssigneeID != bayu.ID {
		t.Errorf("re-route of a returned ticket %+v, want it pushed to bayu", out)
	}
}

func TestQueueMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.queued(t, "sertifikat", ticket.PriorityNormal)
	f.queued(t, "sertifikat", ticket.PriorityHigh)
	f.queued(t, "lama", ticket.PriorityHigh) // a queue no longer in the rules
	reg := prometheus.NewRegistry()
	reg.MustRegister(routing.NewQueueMetrics(f.store, f.router.Rules(), quietLog))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			got[mf.GetName()+"/"+m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	want := map[string]float64{"aduan_queue_depth/sertifikat": 2, "aduan_queue_depth/lama": 1,
		"aduan_queue_depth/umum": 0, "aduan_queue_depth/eskalasi": 0, "aduan_queue_depth/data-diri": 0,
		"aduan_queue_depth/nik-bermasalah": 0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if w := got["aduan_queue_oldest_wait_seconds/sertifikat"]; w <= 0 || w > 60 {
		t.Errorf("oldest wait in sertifikat %vs, want a few seconds at most", w)
	}
	if len(got) != 12 {
		t.Errorf("%d series, want depth and wait for 6 queues: %v", len(got), got)
	}
}
