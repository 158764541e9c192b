package sla_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// wib is a wall-clock time in Jakarta. In January 2026 the 1st (a
// Thursday) and the 16th (a Friday) are holidays; the 12th is a Monday.
func wib(d time.Month, day, hh, mm int) time.Time {
	return time.Date(2026, d, day, hh, mm, 0, 0, ticket.Jakarta)
}

type slaFixture struct {
	s     *store.Store
	rules *sla.Rules
	scan  *sla.Scanner
	c     ticket.Complainant
	agent ticket.User
}

func newSLAFixture(t *testing.T) *slaFixture {
	t.Helper()
	b, err := os.ReadFile("../../configs/sla.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := sla.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := storetest.New(t)
	f := &slaFixture{s: s, rules: rules, scan: sla.NewScanner(s, rules, quiet)}
	f.c = ticket.Complainant{Name: "Dewi Lestari", Phone: "+6281234567890"}
	if err := s.CreateComplainant(context.Background(), &f.c); err != nil {
		t.Fatal(err)
	}
	f.agent = ticket.User{Email: "agen.sla@example.id", Name: "Agen SLA", Role: ticket.RoleAgent}
	if err := s.CreateUser(context.Background(), &f.agent, "hash-not-checked-here"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *slaFixture) ticket(t *testing.T, tk ticket.Ticket) ticket.Ticket {
	t.Helper()
	tk.Channel, tk.ComplainantID, tk.Documents = ticket.ChannelEmail, f.c.ID, ticket.NoDocuments
	if tk.Status == "" {
		tk.Status = ticket.StatusNew
	}
	if tk.Priority == "" {
		tk.Priority = ticket.PriorityNormal
	}
	if tk.Category == "" {
		tk.Category = ticket.CategoryCertificateMissing
	}
	if err := f.s.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f *slaFixture) scanAt(t *testing.T, now time.Time) sla.ScanResult {
	t.Helper()
	r, err := f.scan.Scan(context.Background(), now)
	if err != nil {
		t.Fatalf("Scan(%s): %v", now, err)
	}
	return r
}

func (f *slaFixture) load(t *testing.T, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.s.TicketByRef(context.Background(), strconv.FormatInt(id, 10), false)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// events counts a ticket's events of kind for target ("" for any).
func (f *slaFixture) events(t *testing.T, id int64, kind, target string) int {
	t.Helper()
	evs, err := f.s.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == kind && (target == "" || e.Data["target"] == target) {
			n++
		}
	}
	return n
}

func TestSLAScanSetsDueTimes(t *testing.T) {
	f := newSLAFixture(t)
	tests := []struct {
		name     string
		category ticket.Category
		priority ticket.Priority
		status   ticket.Status
		created  time.Time
		policy   string
		fr, res  time.Time
	}{
		{"Friday evening", ticket.CategoryCertificateMissing, ticket.PriorityNormal, "", wib(1, 9, 16, 30),
			"default", wib(1, 12, 11, 30), wib(1, 14, 12, 30)},
		{"NIK conflict over a holiday", ticket.CategoryNIKConflict, ticket.PriorityNormal, "", wib(1, 12, 9, 0),
			"nik-conflict", wib(1, 12, 17, 0), wib(1, 19, 14, 0)},
		{"urgent, created on a holiday", ticket.CategoryAppIssue, ticket.PriorityUrgent, "", wib(1, 1, 10, 0),
			"urgent", wib(1, 2, 9, 0), wib(1, 2, 17, 0)},
		{"low, created on a Sunday evening", ticket.CategoryOther, ticket.PriorityLow, "", wib(1, 11, 20, 0),
			"low", wib(1, 13, 17, 0), wib(1, 26, 9, 0)},
		{"already resolved on the call", ticket.CategoryVaccinationStatus, ticket.PriorityNormal, ticket.StatusResolved,
			wib(1, 12, 10, 0), "quick-answer", wib(1, 12, 14, 0), wib(1, 13, 10, 0)},
	}
	f.rules.Batch = 2 // several batches in one scan
	ids := make([]int64, len(tests))
	for i, tt := range tests {
		ids[i] = f.ticket(t, ticket.Ticket{Category: tt.category, Priority: tt.priority, Status: tt.status,
			CreatedAt: tt.created}).ID
	}
	if r := f.scanAt(t, wib(1, 12, 8, 0)); r.Planned != len(tests) {
		t.Errorf("planned %d tickets, want %d", r.Planned, len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sla := f.load(t, ids[i]).SLA
			if sla.FirstResponseDue == nil || !sla.FirstResponseDue.Equal(tt.fr) {
				t.Errorf("first response due %v, want %s", sla.FirstResponseDue, tt.fr)
			}
			if sla.ResolutionDue == nil || !sla.ResolutionDue.Equal(tt.res) {
				t.Errorf("resolution due %v, want %s", sla.ResolutionDue, tt.res)
			}
		})
	}
	if r := f.scanAt(t, wib(1, 12, 8, 1)); r.Planned != 0 {
		t.Errorf("a second scan planned %d tickets again", r.Planned)
	}
}

func TestSLAScanWarnsOnce(t *testing.T) {
	f := newSLAFixture(t)
	// default policy: first response due Monday 17:00, resolution Thursday 09:00.
	tk := f.ticket(t, ticket.Ticket{CreatedAt: wib(1, 12, 9, 0)})
	steps := []struct {
		now    time.Time
		warned int
	}{
		{wib(1, 12, 15, 30), 0}, // 1.5h before: outside the 1h window
		{wib(1, 12, 16, 5), 1},
		{wib(1, 12, 16, 10), 0},
		{wib(1, 12, 16, 59), 0},
		{wib(1, 15, 8, 0), 1}, // the resolution's turn; the first response is breached by now
		{wib(1, 15, 8, 30), 0},
	}
	for _, st := range steps {
		if r := f.scanAt(t, st.now); r.Warned != st.warned {
			t.Errorf("scan at %s warned %d, want %d", st.now.Format("Mon 15:04"), r.Warned, st.warned)
		}
	}
	if n := f.events(t, tk.ID, sla.EventWarning, string(store.SLAFirstResponse)); n != 1 {
		t.Errorf("%d first response warnings, want 1", n)
	}
	if n := f.events(t, tk.ID, sla.EventWarning, string(store.SLAResolution)); n != 1 {
		t.Errorf("%d resolution warnings, want 1", n)
	}
}

func TestSLABreachOnceUnderConcurrentScans(t *testing.T) {
	f := newSLAFixture(t)
	type want struct {
		id       int64
		from, to ticket.Priority
	}
	var tickets []want
	for i := range 12 {
		from := []ticket.Priority{ticket.PriorityNormal, ticket.PriorityHigh, ticket.PriorityUrgent}[i%3]
		tk := ticket.Ticket{Priority: from, Queue: "sertifikat", CreatedAt: wib(1, 12, 9, 0)}
		if i%2 == 0 {
			tk.AssigneeID = &f.agent.ID
		}
		tickets = append(tickets, want{f.ticket(t, tk).ID, from, sla.EscalatedPriority(from)})
	}
	concurrently := func(now time.Time) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 10 {
			wg.Go(func() {
				<-start
				if _, err := f.scan.Scan(context.Background(), now); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
	}

	// Tuesday: every first response is late, no resolution yet.
	concurrently(wib(1, 13, 10, 0))
	// Next Monday: every resolution is late too; the tickets were escalated already.
	concurrently(wib(1, 19, 10, 0))

	for i, w := range tickets {
		tk := f.load(t, w.id)
		if tk.Priority != w.to || tk.Queue != "eskalasi" || !tk.SLA.Breached {
			t.Errorf("ticket %d: priority %s (want %s from %s), queue %q, breached %v", i, tk.Priority, w.to, w.from,
				tk.Queue, tk.SLA.Breached)
		}
		if (i%2 == 0) != (tk.AssigneeID != nil) {
			t.Errorf("ticket %d: assignee %v changed", i, tk.AssigneeID)
		}
		for kind, target := range map[string]string{sla.EventBreached: "first_response", sla.EventEscalated: ""} {
			if n := f.events(t, w.id, kind, target); n != 1 {
				t.Errorf("ticket %d: %d %s %s events, want 1", i, n, kind, target)
			}
		}
		if n := f.events(t, w.id, sla.EventBreached, "resolution"); n != 1 {
			t.Errorf("ticket %d: %d resolution breaches, want 1", i, n)
		}
	}
}

func TestSLAResolvedTicketsNeverBreach(t *testing.T) {
	f := newSLAFixture(t)
	var ids []int64
	for _, st := range []ticket.Status{ticket.StatusResolved, ticket.StatusClosed} {
		ids = append(ids, f.ticket(t, ticket.Ticket{Status: st, Queue: "sertifikat", CreatedAt: wib(1, 12, 9, 0)}).ID)
	}
	f.scanAt(t, wib(1, 12, 9, 0))
	r := f.scanAt(t, wib(6, 1, 10, 0))
	if r.Warned+r.Breached+r.Escalated != 0 {
		t.Errorf("scan of finished tickets: %+v", r)
	}
	for _, id := range ids {
		tk := f.load(t, id)
		if tk.SLA.Breached || tk.Priority != ticket.PriorityNormal || tk.Queue != "sertifikat" || !sla.Met(tk) {
			t.Errorf("%s ticket: breached %v, priority %s, queue %q", tk.Status, tk.SLA.Breached, tk.Priority, tk.Queue)
		}
	}
}

func TestSLAFirstResponseInTimeKeepsTheTarget(t *testing.T) {
	f := newSLAFixture(t)
	tk := f.ticket(t, ticket.Ticket{CreatedAt: wib(1, 12, 9, 0)}) // first response due Monday 17:00
	f.scanAt(t, wib(1, 12, 9, 0))
	answered := wib(1, 12, 12, 0)
	got := f.load(t, tk.ID)
	got.SLA.FirstRespondedAt, got.Status = &answered, ticket.StatusPending // what desk.Reply does
	if err := f.s.SaveTicket(context.Background(), &got); err != nil {
		t.Fatal(err)
	}
	if r := f.scanAt(t, wib(1, 13, 10, 0)); r.Breached != 0 || r.Escalated != 0 {
		t.Errorf("scan after an answer in time: %+v", r)
	}
	// Answered in time and not resolved yet: nothing is missed, nothing decided.
	if got = f.load(t, tk.ID); got.SLA.Breached || sla.VerdictOf(got.SLA) != sla.VerdictPending ||
		got.Priority != ticket.PriorityNormal {
		t.Errorf("answered in time: breached %v, verdict %s, priority %s", got.SLA.Breached, sla.VerdictOf(got.SLA),
			got.Priority)
	}
	// The resolution is still owed: due Thursday 09:00.
	if r := f.scanAt(t, wib(1, 15, 9, 1)); r.Breached != 1 || r.Escalated != 1 {
		t.Errorf("scan after the resolution due time: %+v", r)
	}
	if got = f.load(t, tk.ID); !got.SLA.Breached || sla.VerdictOf(got.SLA) != sla.VerdictMissed {
		t.Errorf("resolution missed: breached %v, verdict %s", got.SLA.Breached, sla.VerdictOf(got.SLA))
	}
	if n := f.events(t, tk.ID, sla.EventBreached, string(store.SLAFirstResponse)); n != 0 {
		t.Errorf("%d first response breaches for a ticket answered in time", n)
	}
}

func TestSLAPriorityChangeRecomputesResolutionDue(t *testing.T) {
	f := newSLAFixture(t)
	tk := f.ticket(t, ticket.Ticket{CreatedAt: wib(1, 12, 9, 0)})
	f.scanAt(t, wib(1, 12, 9, 0))
	got := f.load(t, tk.ID)
	got.Priority = ticket.PriorityUrgent // an agent raises it
	if err := f.s.SaveTicket(context.Background(), &got); err != nil {
		t.Fatal(err)
	}
	if r := f.scanAt(t, wib(1, 12, 10, 0)); r.Planned != 1 {
		t.Errorf("planned %d after a priority change, want 1", r.Planned)
	}
	got = f.load(t, tk.ID)
	// urgent: 9h of business time from Monday 09:00; the first response due stays the default's.
	if !got.SLA.ResolutionDue.Equal(wib(1, 13, 9, 0)) || !got.SLA.FirstResponseDue.Equal(wib(1, 12, 17, 0)) {
		t.Errorf("due times after raising to urgent: first response %s, resolution %s",
			got.SLA.FirstResponseDue, got.SLA.ResolutionDue)
	}
}
