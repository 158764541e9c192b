package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// slaNow is the fixed clock of these tests: Monday 12 January 2026, 10:00 WIB.
var slaNow = time.Date(2026, 1, 12, 10, 0, 0, 0, ticket.Jakarta)

// slaTx runs fn in a transaction of s, failing the test on error.
func slaTx(t *testing.T, s *store.Store, fn func(ctx context.Context) error) {
	t.Helper()
	if err := s.WithTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestPlanSLA(t *testing.T) {
	s, dbURL := storetest.New(t)
	c := mustComplainant(t, s, ticket.Complainant{Name: "Budi Santoso"})
	a := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, CreatedAt: slaNow.Add(-time.Hour)})
	b := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, CreatedAt: slaNow, Status: ticket.StatusResolved})
	unplanned := func() []int64 {
		var ids []int64
		slaTx(t, s, func(ctx context.Context) error {
			items, err := s.UnplannedSLA(ctx, 10)
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			return err
		})
		return ids
	}
	if got := unplanned(); !slices.Equal(got, []int64{a.ID, b.ID}) {
		t.Fatalf("unplanned = %v, want every new ticket %v", got, []int64{a.ID, b.ID})
	}
	fr, res := slaNow.Add(2*time.Hour), slaNow.Add(48*time.Hour)
	slaTx(t, s, func(ctx context.Context) error {
		for _, id := range []int64{a.ID, b.ID} {
			if err := s.PlanSLA(ctx, id, store.SLAPlan{Policy: "default", FirstResponse: fr, Resolution: res}); err != nil {
				return err
			}
		}
		_, err := s.MarkSLAWarned(ctx, a.ID, store.SLAResolution, slaNow)
		return err
	})
	if got := unplanned(); len(got) != 0 {
		t.Fatalf("unplanned after planning = %v, want none", got)
	}

	// A priority change makes the ticket due for planning again; a new plan
	// moves the resolution due and forgets its warning, not the first response due.
	got, err := s.TicketByRef(context.Background(), a.Number, false)
	if err != nil {
		t.Fatal(err)
	}
	got.Priority = ticket.PriorityHigh
	if err := s.SaveTicket(context.Background(), &got); err != nil {
		t.Fatal(err)
	}
	if ids := unplanned(); !slices.Equal(ids, []int64{a.ID}) {
		t.Fatalf("unplanned after a priority change = %v, want %v", ids, []int64{a.ID})
	}
	res2 := slaNow.Add(24 * time.Hour)
	slaTx(t, s, func(ctx context.Context) error {
		return s.PlanSLA(ctx, a.ID, store.SLAPlan{Policy: "high", FirstResponse: slaNow, Resolution: res2})
	})
	got, _ = s.TicketByRef(context.Background(), a.Number, false)
	if !got.SLA.FirstResponseDue.Equal(fr) || !got.SLA.ResolutionDue.Equal(res2) {
		t.Errorf("after re-planning: first response due %v (want %v kept), resolution due %v (want %v)",
			got.SLA.FirstResponseDue, fr, got.SLA.ResolutionDue, res2)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM tickets WHERE id = $1 AND resolution_warned_at IS NULL
		AND sla_policy = 'high' AND sla_basis = 'other/high'`, a.ID); n != 1 {
		t.Error("re-planning did not forget the warning or record the policy and basis")
	}
}

func TestSLADueSoonAndOverdue(t *testing.T) {
	s, dbURL := storetest.New(t)
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti Aminah"})
	at := func(d time.Duration) time.Time { return slaNow.Add(d) }
	tickets := map[string]ticket.Ticket{}
	for _, tt := range []struct {
		name   string
		status ticket.Status
		set    string // SQL SET clause beyond the due times
		fr     time.Duration
		res    time.Duration
	}{
		{name: "soon", fr: 30 * time.Minute, res: 30 * time.Minute},
		{name: "later", fr: 3 * time.Hour, res: 3 * time.Hour},
		{name: "overdue", fr: -time.Minute, res: -time.Minute},
		{name: "answered", fr: -time.Minute, res: 30 * time.Minute, set: "first_responded_at = created_at"},
		{name: "resolved", status: ticket.StatusResolved, fr: -time.Minute, res: -time.Minute},
		{name: "closed", status: ticket.StatusClosed, fr: 30 * time.Minute, res: 30 * time.Minute},
		{name: "warned", fr: 30 * time.Minute, res: 30 * time.Minute,
			set: "first_response_warned_at = created_at, resolution_warned_at = created_at"},
		{name: "breached", fr: -time.Minute, res: -time.Minute,
			set: "first_response_breached_at = created_at, resolution_breached_at = created_at"},
		{name: "due now", fr: 0, res: 0},
	} {
		tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Status: tt.status, Subject: tt.name})
		storetest.Exec(t, dbURL, `UPDATE tickets SET first_response_due = $1, resolution_due = $2 WHERE id = $3`,
			at(tt.fr), at(tt.res), tk.ID)
		if tt.set != "" {
			storetest.Exec(t, dbURL, `UPDATE tickets SET `+tt.set+` WHERE id = $1`, tk.ID)
		}
		tickets[tt.name] = tk
	}
	names := func(items []store.SLAItem) []string {
		var out []string
		for _, it := range items {
			for name, tk := range tickets {
				if tk.ID == it.ID {
					out = append(out, name)
				}
			}
		}
		return out
	}
	for _, tt := range []struct {
		target            store.SLATarget
		wantSoon, wantDue []string
	}{
		{store.SLAFirstResponse, []string{"soon"}, []string{"overdue"}},
		{store.SLAResolution, []string{"soon", "answered"}, []string{"overdue"}},
	} {
		t.Run(string(tt.target), func(t *testing.T) {
			slaTx(t, s, func(ctx context.Context) error {
				soon, err := s.SLADueSoon(ctx, tt.target, slaNow, at(time.Hour), 10)
				if err != nil {
					return err
				}
				overdue, err := s.SLAOverdue(ctx, tt.target, slaNow, 10)
				if err != nil {
					return err
				}
				if got := names(soon); !slices.Equal(got, tt.wantSoon) {
					t.Errorf("due soon = %v, want %v", got, tt.wantSoon)
				}
				if got := names(overdue); !slices.Equal(got, tt.wantDue) {
					t.Errorf("overdue = %v, want %v", got, tt.wantDue)
				}
				if len(overdue) == 1 && !overdue[0].Due.Equal(at(-time.Minute)) {
					t.Errorf("overdue due = %v, want %v", overdue[0].Due, at(-time.Minute))
				}
				return nil
			})
		})
	}
}

func TestSLAMarksOnce(t *testing.T) {
	s, dbURL := storetest.New(t)
	c := mustComplainant(t, s, ticket.Complainant{Name: "Wayan Sudarsana"})
	agent := mustUser(t, s, ticket.User{Email: "agen@example.id", Name: "Agen"})
	tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Queue: "sertifikat", AssigneeID: &agent.ID})
	slaTx(t, s, func(ctx context.Context) error {
		return s.PlanSLA(ctx, tk.ID, store.SLAPlan{Policy: "default", FirstResponse: slaNow, Resolution: slaNow})
	})
	for i, want := range []bool{true, false} {
		slaTx(t, s, func(ctx context.Context) error {
			warned, err := s.MarkSLAWarned(ctx, tk.ID, store.SLAFirstResponse, slaNow)
			if err != nil {
				return err
			}
			breached, err := s.MarkSLABreached(ctx, tk.ID, store.SLAFirstResponse, slaNow)
			if err != nil {
				return err
			}
			escalated, err := s.EscalateTicket(ctx, tk.ID, ticket.PriorityHigh, "eskalasi", slaNow)
			if warned != want || breached != want || escalated != want {
				t.Errorf("call %d: warned %v, breached %v, escalated %v; want %v", i+1, warned, breached, escalated, want)
			}
			return err
		})
	}
	got, err := s.TicketByRef(context.Background(), tk.Number, false)
	if err != nil {
		t.Fatal(err)
	}
	if !got.SLA.Breached || got.Priority != ticket.PriorityHigh || got.Queue != "eskalasi" ||
		got.AssigneeID == nil || *got.AssigneeID != agent.ID {
		t.Errorf("after escalation: breached %v, priority %s, queue %q, assignee %v", got.SLA.Breached,
			got.Priority, got.Queue, got.AssigneeID)
	}
	// Escalation keeps the due times: the ticket is not due for re-planning.
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM tickets WHERE sla_basis = 'other/high'`); n != 1 {
		t.Error("escalation did not carry the ticket's plan to its new priority")
	}
	if _, err := s.MarkSLAWarned(context.Background(), tk.ID, "reply", slaNow); err == nil {
		t.Error("an unknown target was accepted")
	}
}

// SLACounts counts by the rule it is given, and refuses to count without one.
func TestSLACounts(t *testing.T) {
	s, dbURL := storetest.New(t)
	c := mustComplainant(t, s, ticket.Complainant{Name: "Rina Marlina"})
	var ids []int64
	for i := range 5 {
		tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, CreatedAt: slaNow.Add(time.Duration(i) * time.Minute)})
		ids = append(ids, tk.ID)
	}
	mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, CreatedAt: slaNow.Add(-time.Hour)}) // before the window
	storetest.Exec(t, dbURL, `UPDATE tickets SET call_ref = 'met' WHERE id = ANY($1)`, ids[:2])
	storetest.Exec(t, dbURL, `UPDATE tickets SET call_ref = 'missed' WHERE id = $1`, ids[2])
	rule := store.SLARule{Met: `t.call_ref = 'met'`, Missed: `t.call_ref = 'missed'`}
	met, missed, pending, err := s.SLACounts(context.Background(), slaNow, slaNow.Add(time.Hour), rule)
	if err != nil || met != 2 || missed != 1 || pending != 2 {
		t.Errorf("SLACounts = %d met, %d missed, %d pending, %v; want 2, 1, 2", met, missed, pending, err)
	}
	if _, _, _, err := s.SLACounts(context.Background(), slaNow, slaNow.Add(time.Hour), store.SLARule{}); err == nil {
		t.Error("counted without a rule")
	}
	if err := s.RollupWeek(context.Background(), store.WeekOf(slaNow), store.SLARule{}); err == nil {
		t.Error("rolled up without a rule")
	}
}
