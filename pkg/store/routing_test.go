package store_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// assignment reads a ticket's assignee bookkeeping.
type assignment struct {
	Assigned, Started bool
	AssignedAt        *time.Time
}

func assignmentOf(t *testing.T, dbURL string, id int64) assignment {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var a assignment
	err = conn.QueryRow(ctx, `SELECT assigned_at IS NOT NULL, started_at IS NOT NULL, assigned_at FROM tickets WHERE id = $1`,
		id).Scan(&a.Assigned, &a.Started, &a.AssignedAt)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// inTx runs fn in a transaction, failing the test on an error.
func inTx(t *testing.T, s *store.Store, fn func(ctx context.Context) error) {
	t.Helper()
	if err := s.WithTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestAssignmentBookkeeping(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti"})
	ayu := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	bayu := mustUser(t, s, ticket.User{Email: "bayu@kemkes.go.id", Name: "Bayu"})
	tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Queue: "sertifikat"})

	steps := []struct {
		name          string
		do            func() error
		assigned      bool
		started       bool
		newAssignedAt bool // assigned_at moved
	}{
		{"assigned", func() error { return s.AssignTicket(ctx, tk.ID, ayu.ID) }, true, false, true},
		{"assigning again is a conflict", func() error {
			if err := s.AssignTicket(ctx, tk.ID, bayu.ID); ticket.ErrorCode(err) != ticket.ECONFLICT {
				t.Errorf("AssignTicket on an assigned ticket = %v, want %s", err, ticket.ECONFLICT)
			}
			return nil
		}, true, false, false},
		{"someone else's work does not start it", func() error { return s.MarkStarted(ctx, tk.ID, bayu.ID) }, true, false, false},
		{"the assignee's work starts it", func() error { return s.MarkStarted(ctx, tk.ID, ayu.ID) }, true, true, false},
		{"a save that keeps the assignee keeps it started", func() error {
			got, _ := s.TicketByRef(ctx, itoa(tk.ID), false)
			got.Status = ticket.StatusOpen
			return s.SaveTicket(ctx, &got)
		}, true, true, false},
		{"a new assignee has not started", func() error {
			got, _ := s.TicketByRef(ctx, itoa(tk.ID), false)
			got.AssigneeID = &bayu.ID
			return s.SaveTicket(ctx, &got)
		}, true, false, true},
		{"unassigned", func() error {
			got, _ := s.TicketByRef(ctx, itoa(tk.ID), false)
			got.AssigneeID = nil
			return s.SaveTicket(ctx, &got)
		}, false, false, true},
	}
	var last *time.Time
	for _, st := range steps {
		// The database's clock past the last assigned_at, so that a step
		// that wrongly sets it again moves it.
		for last != nil && storetest.Count(t, dbURL, "SELECT (clock_timestamp() <= $1)::int", *last) == 1 {
		}
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		a := assignmentOf(t, dbURL, tk.ID)
		if a.Assigned != st.assigned || a.Started != st.started {
			t.Errorf("%s: assigned=%v started=%v, want %v %v", st.name, a.Assigned, a.Started, st.assigned, st.started)
		}
		moved := (last == nil) != (a.AssignedAt == nil) || (last != nil && !last.Equal(*a.AssignedAt))
		if moved != st.newAssignedAt {
			t.Errorf("%s: assigned_at %v -> %v, moved=%v want %v", st.name, last, a.AssignedAt, moved, st.newAssignedAt)
		}
		last = a.AssignedAt
	}
}

func TestClaimTicketOrder(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti"})
	ayu := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	base := time.Date(2021, 11, 10, 8, 0, 0, 0, time.UTC)
	add := func(subject string, p ticket.Priority, st ticket.Status, queue string, age time.Duration) int64 {
		return mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Subject: subject, Priority: p, Status: st,
			Queue: queue, CreatedAt: base.Add(-age)}).ID
	}
	normalNew := add("normal, newer", ticket.PriorityNormal, ticket.StatusNew, "sertifikat", time.Hour)
	highNew := add("high, newer", ticket.PriorityHigh, ticket.StatusNew, "sertifikat", time.Hour)
	normalOld := add("normal, older, id later", ticket.PriorityNormal, ticket.StatusOpen, "sertifikat", 3*time.Hour)
	highOld := add("high, older", ticket.PriorityHigh, ticket.StatusOpen, "sertifikat", 2*time.Hour)
	add("needs info", ticket.PriorityUrgent, ticket.StatusNeedsInfo, "sertifikat", 5*time.Hour)
	add("pending", ticket.PriorityUrgent, ticket.StatusPending, "sertifikat", 5*time.Hour)
	add("other queue", ticket.PriorityUrgent, ticket.StatusNew, "umum", 5*time.Hour)
	taken := add("taken", ticket.PriorityUrgent, ticket.StatusNew, "sertifikat", 5*time.Hour)
	if err := s.AssignTicket(ctx, taken, ayu.ID); err != nil {
		t.Fatal(err)
	}

	var got []int64
	for {
		var id int64
		inTx(t, s, func(ctx context.Context) (err error) {
			id, err = s.ClaimTicket(ctx, "sertifikat", ayu.ID)
			return err
		})
		if id == 0 {
			break
		}
		got = append(got, id)
	}
	if want := []int64{highOld, highNew, normalOld, normalNew}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v (most urgent first, then oldest)", got, want)
	}
}

func TestPickAgent(t *testing.T) {
	s, dbURL := storetest.New(t)
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti"})
	agent := func(name string, queues []string, capacity int, p ticket.Presence, role ticket.Role) ticket.User {
		u := mustUser(t, s, ticket.User{Email: name + "@kemkes.go.id", Name: name, Queues: queues, Capacity: capacity,
			Presence: p, Role: role})
		return u
	}
	holding := func(u ticket.User, n int, st ticket.Status) {
		for range n {
			mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Status: st, AssigneeID: &u.ID})
		}
	}
	busy := agent("busy", nil, 5, ticket.PresenceAvailable, ticket.RoleAgent)
	holding(busy, 2, ticket.StatusOpen)
	light := agent("light", []string{"sertifikat", "umum"}, 5, ticket.PresenceAvailable, ticket.RoleAgent)
	holding(light, 1, ticket.StatusPending)
	holding(light, 3, ticket.StatusResolved) // done work does not count
	full := agent("full", nil, 1, ticket.PresenceAvailable, ticket.RoleAgent)
	holding(full, 1, ticket.StatusNeedsInfo)
	agent("away", nil, 5, ticket.PresenceAway, ticket.RoleAgent)
	agent("offline", nil, 5, ticket.PresenceOffline, ticket.RoleAgent)
	agent("supervisor", nil, 5, ticket.PresenceAvailable, ticket.RoleSupervisor)
	agent("zero", nil, 0, ticket.PresenceAvailable, ticket.RoleAgent)

	tests := []struct {
		queue string
		want  string
		open  int
	}{
		{"sertifikat", "light", 1},
		{"umum", "light", 1},
		{"data-diri", "busy", 2}, // light does not serve it
	}
	for _, tt := range tests {
		t.Run(tt.queue, func(t *testing.T) {
			var a store.AgentLoad
			var ok bool
			inTx(t, s, func(ctx context.Context) (err error) {
				a, ok, err = s.PickAgent(ctx, tt.queue)
				return err
			})
			if !ok || a.Agent.Name != tt.want || a.Open != tt.open {
				t.Fatalf("PickAgent(%s) = %s with %d open (ok %v), want %s with %d", tt.queue, a.Agent.Name, a.Open, ok,
					tt.want, tt.open)
			}
		})
	}
	t.Run("nobody free", func(t *testing.T) {
		storetest.Exec(t, dbURL, `UPDATE users SET presence = 'away' WHERE name IN ('busy', 'light')`)
		inTx(t, s, func(ctx context.Context) error {
			a, ok, err := s.PickAgent(ctx, "umum")
			if err == nil && ok {
				t.Errorf("PickAgent = %s, want nobody (the rest are full, away, offline or supervisors)", a.Agent.Name)
			}
			return err
		})
	})
}

func TestReleaseUnstarted(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti"})
	ayu := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	bayu := mustUser(t, s, ticket.User{Email: "bayu@kemkes.go.id", Name: "Bayu"})
	give := func(u ticket.User, st ticket.Status, started bool) int64 {
		tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Status: st, Queue: "sertifikat"})
		if err := s.AssignTicket(ctx, tk.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		if started {
			if err := s.MarkStarted(ctx, tk.ID, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		return tk.ID
	}
	newOne := give(ayu, ticket.StatusNew, false)
	needsInfo := give(ayu, ticket.StatusNeedsInfo, false)
	started := give(ayu, ticket.StatusOpen, true)
	resolved := give(ayu, ticket.StatusResolved, false)
	others := give(bayu, ticket.StatusNew, false)

	var got []store.QueuedTicket
	inTx(t, s, func(ctx context.Context) (err error) {
		got, err = s.ReleaseUnstarted(ctx, ayu.ID)
		return err
	})
	want := []store.QueuedTicket{{ID: newOne, Queue: "sertifikat"}, {ID: needsInfo, Queue: "sertifikat"}}
	if !slices.Equal(got, want) {
		t.Fatalf("released %+v, want %+v", got, want)
	}
	for id, assignee := range map[int64]*int64{newOne: nil, needsInfo: nil, started: &ayu.ID, resolved: &ayu.ID,
		others: &bayu.ID} {
		tk, err := s.TicketByRef(ctx, itoa(id), false)
		if err != nil {
			t.Fatal(err)
		}
		if (tk.AssigneeID == nil) != (assignee == nil) || (assignee != nil && *tk.AssigneeID != *assignee) {
			t.Errorf("ticket %d assignee %v, want %v", id, tk.AssigneeID, assignee)
		}
	}
}

func TestQueueStats(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti"})
	ayu := mustUser(t, s, ticket.User{Email: "ayu@kemkes.go.id", Name: "Ayu"})
	now := time.Now()
	add := func(queue string, st ticket.Status, age time.Duration, assignee *int64) {
		mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Queue: queue, Status: st, CreatedAt: now.Add(-age),
			AssigneeID: assignee})
	}
	add("sertifikat", ticket.StatusNew, time.Hour, nil)
	add("sertifikat", ticket.StatusOpen, 3*time.Hour, nil)
	add("sertifikat", ticket.StatusNew, 9*time.Hour, &ayu.ID)   // someone has it
	add("sertifikat", ticket.StatusNeedsInfo, 9*time.Hour, nil) // waits on the complainant
	add("umum", ticket.StatusNew, 30*time.Minute, nil)          //
	add("", ticket.StatusNew, 9*time.Hour, nil)                 // not routed yet
	add("eskalasi", ticket.StatusResolved, 9*time.Hour, nil)    // done

	stats, err := s.QueueStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 || stats[0].Queue != "sertifikat" || stats[1].Queue != "umum" {
		t.Fatalf("stats %+v, want sertifikat and umum", stats)
	}
	for i, want := range []struct {
		n    int64
		wait time.Duration
	}{{2, 3 * time.Hour}, {1, 30 * time.Minute}} {
		st := stats[i]
		if st.Waiting != want.n || st.OldestWait < want.wait || st.OldestWait > want.wait+time.Minute {
			t.Errorf("%s: %d waiting, oldest %v; want %d, about %v", st.Queue, st.Waiting, st.OldestWait, want.n, want.wait)
		}
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
