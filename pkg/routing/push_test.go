package routing_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestPush(t *testing.T) {
	t.Parallel()
	type agentSpec struct {
		name     string
		queues   []string
		capacity int
		presence ticket.Presence
		role     ticket.Role
		open     int // open tickets held before routing
	}
	avail := ticket.PresenceAvailable
	tests := []struct {
		name    string
		agents  []agentSpec
		tickets int
		resolve bool     // resolve each ticket once pushed, so loads stay equal
		want    []string // who gets each ticket, in order; "" for nobody
	}{
		{"fewest open tickets", []agentSpec{{name: "ayu", open: 2}, {name: "bayu", open: 0}, {name: "citra", open: 1}},
			4, false, []string{"bayu", "citra", "bayu", "ayu"}},
		{"round-robin among equals", []agentSpec{{name: "ayu"}, {name: "bayu"}, {name: "citra"}},
			6, true, []string{"ayu", "bayu", "citra", "ayu", "bayu", "citra"}},
		{"skills", []agentSpec{{name: "ayu", queues: []string{"data-diri"}}, {name: "bayu", open: 3},
			{name: "citra", queues: []string{"umum", "sertifikat"}, open: 1}},
			2, false, []string{"citra", "citra"}},
		{"capacity", []agentSpec{{name: "ayu", capacity: 1, open: 1}, {name: "bayu", capacity: 3, open: 2}},
			2, false, []string{"bayu", ""}},
		{"away and offline agents are skipped", []agentSpec{{name: "ayu", presence: ticket.PresenceAway},
			{name: "bayu", presence: ticket.PresenceOffline}, {name: "citra", open: 4}},
			1, false, []string{"citra"}},
		{"supervisors and admins are not pushed to", []agentSpec{{name: "sri", role: ticket.RoleSupervisor},
			{name: "adi", role: ticket.RoleAdmin}}, 1, false, []string{""}},
		{"no agent at all", nil, 2, false, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			names := map[int64]string{}
			for _, a := range tt.agents {
				if a.presence == "" {
					a.presence = avail
				}
				if a.role == "" {
					a.role = ticket.RoleAgent
				}
				u := f.user(t, ticket.User{Name: a.name, Queues: a.queues, Capacity: a.capacity, Presence: a.presence,
					Role: a.role})
				f.holding(t, u, a.open)
				names[u.ID] = a.name
			}
			var got []string
			for range tt.tickets {
				tk := f.ticket(t, ticket.Ticket{Category: ticket.CategoryCertificateMissing})
				out := f.route(t, tk.ID)
				after := f.load(t, tk.ID)
				if after.Queue != "sertifikat" || out.Queue != "sertifikat" {
					t.Fatalf("ticket in queue %q (outcome %q), want sertifikat", after.Queue, out.Queue)
				}
				who := ""
				if after.AssigneeID != nil {
					who = names[*after.AssigneeID]
					if out.AssigneeID == nil || *out.AssigneeID != *after.AssigneeID {
						t.Errorf("outcome assignee %v, ticket's %d", out.AssigneeID, *after.AssigneeID)
					}
				}
				got = append(got, who)
				wantKinds := []string{routing.EventRouted, ticket.EventAssigned}
				if who == "" {
					wantKinds = wantKinds[:1]
				}
				if kinds := f.kinds(t, tk.ID); !slices.Equal(kinds, wantKinds) {
					t.Errorf("events %v, want %v", kinds, wantKinds)
				}
				if tt.resolve && after.AssigneeID != nil {
					after.Status = ticket.StatusResolved
					if err := f.store.SaveTicket(context.Background(), &after); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pushed to %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	t.Run("priority", func(t *testing.T) {
		tests := []struct {
			category ticket.Category
			channel  ticket.Channel
			set      ticket.Priority // what the ticket had before routing
			want     ticket.Priority
		}{
			{ticket.CategoryNIKConflict, ticket.ChannelEmail, ticket.PriorityNormal, ticket.PriorityHigh},
			{ticket.CategoryNIKConflict, ticket.ChannelEmail, ticket.PriorityLow, ticket.PriorityHigh},
			{ticket.CategoryNIKConflict, ticket.ChannelCallCenter, ticket.PriorityUrgent, ticket.PriorityUrgent},
			{ticket.CategoryVaccinationStatus, ticket.ChannelWhatsApp, ticket.PriorityNormal, ticket.PriorityLow},
			{ticket.CategoryVaccinationStatus, ticket.ChannelWhatsApp, ticket.PriorityHigh, ticket.PriorityHigh},
			{ticket.CategoryOther, ticket.ChannelEmail, ticket.PriorityUrgent, ticket.PriorityUrgent},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%s/%s", tt.category, tt.channel, tt.set), func(t *testing.T) {
				tk := f.ticket(t, ticket.Ticket{Category: tt.category, Channel: tt.channel, Priority: tt.set})
				if out := f.route(t, tk.ID); out.Priority != tt.want {
					t.Errorf("outcome priority %s, want %s", out.Priority, tt.want)
				}
				if got := f.load(t, tk.ID).Priority; got != tt.want {
					t.Errorf("priority %s, want %s", got, tt.want)
				}
			})
		}
	})

	t.Run("the routed event", func(t *testing.T) {
		tk := f.ticket(t, ticket.Ticket{Category: ticket.CategoryNIKConflict})
		f.route(t, tk.ID)
		evs := f.events(t, tk.ID)
		if len(evs) != 1 {
			t.Fatalf("events %+v", evs)
		}
		d := evs[0].Data
		if evs[0].Kind != routing.EventRouted || evs[0].ActorID != nil || d["queue"] != "nik-bermasalah" ||
			d["priority"] != "high" || d["rule"] != "nik-dipakai-orang-lain" {
			t.Errorf("event %+v", evs[0])
		}
	})

	ayu := f.agent(t, "ayu", nil, 0, ticket.PresenceAway)
	t.Run("running again changes nothing once assigned", func(t *testing.T) {
		tk := f.ticket(t, ticket.Ticket{})
		if out := f.route(t, tk.ID); out.AssigneeID != nil || !out.Changed {
			t.Fatalf("first route %+v, want routed and waiting (ayu is away)", out)
		}
		if out := f.route(t, tk.ID); out.AssigneeID != nil || out.Changed {
			t.Errorf("second route with nobody free %+v, want no change", out)
		}
		if _, err := f.store.UpdateAgent(ctx, ayu.ID, storeAvailable()); err != nil {
			t.Fatal(err)
		}
		if out := f.route(t, tk.ID); out.AssigneeID == nil || *out.AssigneeID != ayu.ID {
			t.Fatalf("route once ayu is back %+v, want pushed to her", out)
		}
		before := f.load(t, tk.ID)
		for range 3 {
			if out := f.route(t, tk.ID); out.Skipped != routing.SkippedAssigned || out.Changed {
				t.Errorf("route of an assigned ticket %+v, want skipped", out)
			}
		}
		after := f.load(t, tk.ID)
		if !after.UpdatedAt.Equal(before.UpdatedAt) || *after.AssigneeID != ayu.ID {
			t.Errorf("ticket changed: %+v -> %+v", before, after)
		}
		if kinds := f.kinds(t, tk.ID); !slices.Equal(kinds, []string{routing.EventRouted, ticket.EventAssigned}) {
			t.Errorf("events %v, want one routed and one assigned", kinds)
		}
	})

	t.Run("resolved and closed tickets are skipped", func(t *testing.T) {
		for _, st := range []ticket.Status{ticket.StatusResolved, ticket.StatusClosed} {
			tk := f.ticket(t, ticket.Ticket{Status: st})
			if out := f.route(t, tk.ID); out.Skipped != routing.SkippedClosed || out.Changed {
				t.Errorf("%s: outcome %+v, want skipped", st, out)
			}
			if got := f.load(t, tk.ID); got.Queue != "" || got.AssigneeID != nil || len(f.kinds(t, tk.ID)) != 0 {
				t.Errorf("%s: ticket changed: %+v", st, got)
			}
		}
	})

	t.Run("waiting on the complainant: routed, not pushed", func(t *testing.T) {
		tk := f.ticket(t, ticket.Ticket{Status: ticket.StatusNeedsInfo})
		if out := f.route(t, tk.ID); out.Queue != "sertifikat" || out.AssigneeID != nil {
			t.Errorf("outcome %+v, want in sertifikat, unassigned", out)
		}
	})

	t.Run("assigned by hand before routing: queued, kept", func(t *testing.T) {
		tk := f.ticket(t, ticket.Ticket{Category: ticket.CategoryPersonalDataChange, AssigneeID: &ayu.ID})
		out := f.route(t, tk.ID)
		if got := f.load(t, tk.ID); got.Queue != "data-diri" || got.AssigneeID == nil || *got.AssigneeID != ayu.ID ||
			out.Skipped != "" {
			t.Errorf("ticket %+v after %+v, want in data-diri, still ayu's", got, out)
		}
	})

	t.Run("unknown ticket", func(t *testing.T) {
		if _, err := f.router.Route(ctx, 999999); ticket.ErrorCode(err) != ticket.ENOTFOUND {
			t.Errorf("Route(unknown) = %v, want %s", err, ticket.ENOTFOUND)
		}
	})
}

// Eight workers routing fifty tickets at once never take an agent past
// their capacity, leave no place unfilled, and give each ticket one agent.
func TestPushConcurrentRespectsCapacity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	capacities := []int{3, 4, 5, 6, 7} // 25 places for 50 tickets
	var agents []ticket.User
	for i, c := range capacities {
		agents = append(agents, f.agent(t, fmt.Sprintf("agen%d", i), nil, c, ticket.PresenceAvailable))
	}
	ids := make(chan int64, 50)
	for i := range 50 { // two queues: pushes to each take turns, across them they race for agents
		category := []ticket.Category{ticket.CategoryCertificateMissing, ticket.CategoryPersonalDataChange}[i%2]
		ids <- f.ticket(t, ticket.Ticket{Category: category}).ID
	}
	close(ids)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 8 {
		wg.Go(func() {
			for id := range ids {
				if _, err := f.router.Route(context.Background(), id); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for i, a := range agents {
		n := f.openCount(t, a)
		if n != capacities[i] {
			t.Errorf("%s holds %d tickets, capacity %d", a.Name, n, capacities[i])
		}
		total += n
	}
	if waiting := storetest.Count(t, f.dbURL, `SELECT count(*) FROM tickets WHERE assignee_id IS NULL AND queue IN ('sertifikat', 'data-diri')`); total != 25 || waiting != 25 {
		t.Errorf("%d assigned and %d waiting, want 25 and 25", total, waiting)
	}
	if n := storetest.Count(t, f.dbURL, `SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE kind = 'assigned'
		GROUP BY ticket_id HAVING count(*) > 1) x`); n != 0 {
		t.Errorf("%d tickets were assigned more than once", n)
	}
}

func storeAvailable() store.AgentUpdate {
	p := ticket.PresenceAvailable
	return store.AgentUpdate{Presence: &p}
}
