package sla_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// verdictCase is a ticket's SLA as offsets from its creation (nil: not
// set), and the verdict it gets.
type verdictCase struct {
	name                                       string
	firstDue, resolutionDue, responded, solved *time.Duration
	breached                                   bool
	want                                       sla.Verdict
}

func after(d time.Duration) *time.Duration { return &d }

var (
	created  = wib(1, 12, 9, 0)
	firstDue = after(8 * time.Hour) // due times as the scan plans them
	solveDue = after(27 * time.Hour)
)

var verdictCases = []verdictCase{
	{"no due times yet, open", nil, nil, nil, nil, false, sla.VerdictPending},
	{"no due times, resolved", nil, nil, nil, after(time.Hour), false, sla.VerdictMet},
	{"waiting for a reply", firstDue, solveDue, nil, nil, false, sla.VerdictPending},
	{"answered in time, open", firstDue, solveDue, after(time.Hour), nil, false, sla.VerdictPending},
	{"answered late, open", firstDue, solveDue, after(9 * time.Hour), nil, false, sla.VerdictMissed},
	{"answered and resolved in time", firstDue, solveDue, after(time.Hour), after(3 * time.Hour), false, sla.VerdictMet},
	{"answered and resolved at the due times", firstDue, solveDue, firstDue, solveDue, false, sla.VerdictMet},
	{"resolved in time without a reply", firstDue, solveDue, nil, after(2 * time.Hour), false, sla.VerdictMet},
	{"resolved without a reply after the first due", firstDue, solveDue, nil, after(9 * time.Hour), false,
		sla.VerdictMissed},
	{"answered late, resolved in time", firstDue, solveDue, after(9 * time.Hour), after(10 * time.Hour), false,
		sla.VerdictMissed},
	{"resolved late", firstDue, solveDue, after(time.Hour), after(28 * time.Hour), false, sla.VerdictMissed},
	{"breach recorded, then resolved in time", firstDue, solveDue, after(time.Hour), after(2 * time.Hour), true,
		sla.VerdictMissed},
	{"breach recorded, open", firstDue, solveDue, nil, nil, true, sla.VerdictMissed},
}

func (c verdictCase) sla() ticket.SLA {
	at := func(d *time.Duration) *time.Time {
		if d == nil {
			return nil
		}
		v := created.Add(*d)
		return &v
	}
	return ticket.SLA{FirstResponseDue: at(c.firstDue), ResolutionDue: at(c.resolutionDue),
		FirstRespondedAt: at(c.responded), ResolvedAt: at(c.solved), Breached: c.breached}
}

func TestVerdictOf(t *testing.T) {
	for _, c := range verdictCases {
		t.Run(c.name, func(t *testing.T) {
			if got := sla.VerdictOf(c.sla()); got != c.want {
				t.Errorf("VerdictOf = %s, want %s", got, c.want)
			}
			if got := sla.Met(ticket.Ticket{SLA: c.sla()}); got != (c.want == sla.VerdictMet) {
				t.Errorf("Met = %v", got)
			}
		})
	}
}

// The SQL the store counts with gives every ticket the verdict VerdictOf
// gives it as the store loads it: the cases above, and a few hundred
// random tickets with every combination of set and unset times.
func TestComplianceSQLAgrees(t *testing.T) {
	cases := verdictCases
	rng := rand.New(rand.NewPCG(12, 2026))
	maybe := func() *time.Duration {
		if rng.IntN(3) == 0 {
			return nil
		}
		return after(time.Duration(rng.IntN(40*60)) * time.Minute)
	}
	for i := range 300 {
		cases = append(cases, verdictCase{name: fmt.Sprintf("random %d", i), firstDue: maybe(), resolutionDue: maybe(),
			responded: maybe(), solved: maybe(), breached: rng.IntN(8) == 0})
	}
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	c := ticket.Complainant{Name: "Rina Marlina"}
	if err := s.CreateComplainant(ctx, &c); err != nil {
		t.Fatal(err)
	}
	tally := map[string]float64{}
	for i, tc := range cases {
		tk := ticket.Ticket{Channel: ticket.ChannelEmail, Category: ticket.CategoryOther, Status: ticket.StatusOpen,
			Priority: ticket.PriorityNormal, ComplainantID: c.ID, Documents: ticket.NoDocuments,
			CreatedAt: created.Add(time.Duration(i) * time.Second)}
		if err := s.CreateTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		want := tc.sla()
		shift := func(p *time.Time) *time.Time { // to this ticket's creation
			if p == nil {
				return nil
			}
			v := p.Add(time.Duration(i) * time.Second)
			return &v
		}
		storetest.Exec(t, dbURL, `UPDATE tickets SET first_response_due = $2, resolution_due = $3,
			first_responded_at = $4, resolved_at = $5, sla_breached = $6 WHERE id = $1`, tk.ID,
			shift(want.FirstResponseDue), shift(want.ResolutionDue), shift(want.FirstRespondedAt), shift(want.ResolvedAt),
			want.Breached)
		loaded, err := s.TicketByRef(ctx, strconv.FormatInt(tk.ID, 10), false)
		if err != nil {
			t.Fatal(err)
		}
		goVerdict := sla.VerdictOf(loaded.SLA)
		tally[string(goVerdict)]++
		if tc.want != "" && goVerdict != tc.want {
			t.Errorf("%s: as loaded, %s; want %s", tc.name, goVerdict, tc.want)
		}
		met, missed, pending, err := s.SLACounts(ctx, tk.CreatedAt, tk.CreatedAt.Add(time.Second), sla.Compliance)
		if err != nil {
			t.Fatal(err)
		}
		sqlVerdict := map[[3]int64]sla.Verdict{{1, 0, 0}: sla.VerdictMet, {0, 1, 0}: sla.VerdictMissed,
			{0, 0, 1}: sla.VerdictPending}[[3]int64{met, missed, pending}]
		if sqlVerdict != goVerdict {
			t.Errorf("%s: SQL counts %d met, %d missed, %d pending; VerdictOf says %s", tc.name, met, missed, pending,
				goVerdict)
		}
	}

	// /metrics gives the week's tickets by the same verdicts.
	m := sla.NewMetrics(s, quiet)
	m.Now = func() time.Time { return created.Add(48 * time.Hour) }
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	families, err := reg.Gather()
	if err != nil || len(families) != 1 {
		t.Fatalf("gather: %d families, %v", len(families), err)
	}
	got := map[string]float64{}
	for _, metric := range families[0].GetMetric() {
		got[metric.GetLabel()[0].GetValue()] = metric.GetGauge().GetValue()
	}
	for _, v := range []sla.Verdict{sla.VerdictMet, sla.VerdictMissed, sla.VerdictPending} {
		if got[string(v)] != tally[string(v)] || tally[string(v)] == 0 {
			t.Errorf("aduan_sla_tickets{verdict=%q} = %v, want %v (a count over the tickets)", v, got[string(v)],
				tally[string(v)])
		}
	}
}
