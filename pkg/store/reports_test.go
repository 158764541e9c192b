package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func wib(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, ticket.Jakarta)
}

func TestParseWeek(t *testing.T) {
	tests := []struct {
		in        string
		wantStart time.Time
		wantErr   string
	}{
		{in: "2021-W45", wantStart: wib(2021, 11, 8, 0, 0)},
		{in: "2021-W01", wantStart: wib(2021, 1, 4, 0, 0)},
		{in: "2020-W53", wantStart: wib(2020, 12, 28, 0, 0)}, // 2020 is a long ISO year
		{in: "2025-W01", wantStart: wib(2024, 12, 30, 0, 0)}, // starts in the calendar year before
		{in: "2021-W53", wantErr: "minggu 1 sampai 52"},
		{in: "2021-W00", wantErr: "minggu 1 sampai 52"},
		{in: "1999-W10", wantErr: "sebelum tahun 2000"},
		{in: "2021-45", wantErr: "TAHUN-Wnn"},
		{in: "2021-w45", wantErr: "TAHUN-Wnn"},
		{in: "2021-W5", wantErr: "TAHUN-Wnn"},
		{in: " 2021-W45", wantErr: "TAHUN-Wnn"},
		{in: "", wantErr: "TAHUN-Wnn"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w, err := store.ParseWeek(tt.in)
			if e := (*ticket.Error)(nil); tt.wantErr != "" {
				if !errors.As(err, &e) || e.Code != ticket.EINVALID || !strings.Contains(e.Fields["week"], tt.wantErr) {
					t.Fatalf("ParseWeek(%q) = %v, %v; want EINVALID naming week with %q", tt.in, w, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWeek(%q): %v", tt.in, err)
			}
			if !w.Start().Equal(tt.wantStart) || !w.End().Equal(tt.wantStart.AddDate(0, 0, 7)) || w.String() != tt.in {
				t.Fatalf("ParseWeek(%q) = %s from %s to %s, want from %s", tt.in, w, w.Start(), w.End(), tt.wantStart)
			}
		})
	}
}

func TestWeekOfInJakarta(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"Sunday 23:30 WIB is 16:30 UTC Sunday: the week Sunday ends", wib(2021, 11, 14, 23, 30), "2021-W45"},
		{"Monday 00:30 WIB is still Sunday in UTC: the new week", time.Date(2021, 11, 14, 17, 30, 0, 0, time.UTC), "2021-W46"},
		{"Monday 00:00 WIB exactly starts the week", time.Date(2021, 11, 7, 17, 0, 0, 0, time.UTC), "2021-W45"},
		{"one nanosecond before it ends the last", time.Date(2021, 11, 7, 16, 59, 59, 999999999, time.UTC), "2021-W44"},
		{"3 January 2021 belongs to 2020", wib(2021, 1, 3, 12, 0), "2020-W53"},
		{"30 December 2024 belongs to 2025", wib(2024, 12, 30, 0, 0), "2025-W01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.WeekOf(tt.at).String(); got != tt.want {
				t.Fatalf("WeekOf(%s) = %s, want %s", tt.at.UTC(), got, tt.want)
			}
		})
	}
	w, _ := store.ParseWeek("2021-W01")
	if w.Prev().String() != "2020-W53" || w.Prev().Next() != w || w.Next().String() != "2021-W02" {
		t.Fatalf("around 2021-W01: prev %s, next %s", w.Prev(), w.Next())
	}
}

// reportTicket is a ticket row as the report sees it.
type reportTicket struct {
	channel, category, status string
	created, updated          time.Time
	resolved, due, responded  *time.Time
	breached                  bool
}

// seedReportTickets writes tickets across 2021-W44..W46 (with a few days on
// either side): fixed ones on the week boundaries and a few hundred random
// ones with every fate a ticket can have.
func seedReportTickets(t *testing.T, dbURL string) []reportTicket {
	t.Helper()
	at := func(v time.Time) *time.Time { return &v }
	tks := []reportTicket{
		// 23:30 WIB on Sunday 7 November: W44, never W45.
		{channel: "email", category: "other", status: "new", created: wib(2021, 11, 7, 23, 30)},
		// 00:30 WIB on Monday 8 November, still Sunday in UTC: W45's Monday.
		{channel: "whatsapp", category: "app_issue", status: "open", created: wib(2021, 11, 8, 0, 30)},
		// The last minute of W45, resolved in the first minute of W46.
		{channel: "callcenter", category: "nik_conflict", status: "resolved", created: wib(2021, 11, 14, 23, 59),
			resolved: at(wib(2021, 11, 15, 0, 0))},
		// Closed as a duplicate on W45's Tuesday, no resolution.
		{channel: "sms", category: "other", status: "closed", created: wib(2021, 11, 5, 10, 0), updated: wib(2021, 11, 9, 8, 0)},
	}
	rng := rand.New(rand.NewPCG(45, 2021))
	channels := []string{"email", "callcenter", "whatsapp", "sms"}
	open := []string{"new", "needs_info", "open", "pending"}
	first := wib(2021, 10, 29, 0, 0)
	for range 400 {
		tk := reportTicket{channel: channels[rng.IntN(len(channels))],
			category: string(ticket.Categories[rng.IntN(len(ticket.Categories))]),
			created:  first.Add(time.Duration(rng.IntN(24*60*24)) * time.Minute)}
		switch f := rng.IntN(10); {
		case f < 5:
			tk.status = []string{"resolved", "closed"}[rng.IntN(2)]
			tk.resolved = at(tk.created.Add(time.Duration(rng.IntN(10*24*60)) * time.Minute))
		case f < 6:
			tk.status, tk.updated = "closed", tk.created.Add(time.Duration(rng.IntN(5*24*60))*time.Minute)
		default:
			tk.status = open[rng.IntN(len(open))]
		}
		if rng.IntN(10) < 7 {
			tk.responded = at(tk.created.Add(time.Duration(rng.IntN(48*3600)) * time.Second))
		}
		if rng.IntN(10) < 8 {
			tk.due = at(tk.created.Add(24 * time.Hour))
		}
		tk.breached = rng.IntN(10) == 0
		tks = append(tks, tk)
	}

	cid := storetest.Count(t, dbURL, `INSERT INTO complainants (name) VALUES ('Pelapor Laporan') RETURNING id`)
	rows := make([][]any, len(tks))
	for i, tk := range tks {
		rows[i] = []any{fmt.Sprintf("PL-211101-%06d", i+1), tk.channel, tk.category, tk.status, cid, tk.created,
			cmp.Or(tk.updated, tk.created), tk.resolved, tk.due, tk.responded, tk.breached}
	}
	storetest.Exec(t, dbURL, `INSERT INTO tickets (number, channel, category, status, priority, complainant_id,
		created_at, updated_at, resolved_at, first_response_due, first_responded_at, sla_breached)
		SELECT r->>0, r->>1, r->>2, r->>3, 'normal', (r->>4)::bigint, (r->>5)::timestamptz, (r->>6)::timestamptz,
			(r->>7)::timestamptz, (r->>8)::timestamptz, (r->>9)::timestamptz, (r->>10)::boolean
		FROM jsonb_array_elements($1::jsonb) AS r`, rows)
	return tks
}

// figures flattens a report into "metric [day] [channel] [category]" →
// value, leaving zeros out, so reports from anywhere compare as maps.
type figures map[string]float64

func (f figures) add(metric, day, channel, category string, v float64) {
	key := strings.Join(slices.DeleteFunc([]string{metric, day, channel, category}, func(s string) bool { return s == "" }), " ")
	f[key] += v
	if f[key] == 0 && metric != "first_response_median_seconds" {
		delete(f, key)
	}
}

func reportFigures(r store.WeeklyReport) figures {
	f := figures{}
	for _, d := range r.Days {
		for ch, n := range d.Created {
			f.add("created", d.Date.Format(time.DateOnly), string(ch), "", float64(n))
		}
		for ch, n := range d.Resolved {
			f.add("resolved", d.Date.Format(time.DateOnly), string(ch), "", float64(n))
		}
	}
	for cat, n := range r.ByCategory {
		f.add("created", "", "", string(cat), float64(n))
	}
	f.add("backlog_end", "", "", "", float64(r.BacklogEnd))
	if r.FirstResponseMedianSeconds != nil {
		f.add("first_response_median_seconds", "", "", "", *r.FirstResponseMedianSeconds)
	}
	f.add("sla_met", "", "", "", float64(r.SLAMet))
	f.add("sla_total", "", "", "", float64(r.SLATotal))
	return f
}

// expectedFigures counts week w straight from the seeded tickets, in Go.
func expectedFigures(tks []reportTicket, w store.Week) figures {
	from, to := w.Start(), w.End()
	in := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }
	day := func(at time.Time) string { return at.In(ticket.Jakarta).Format(time.DateOnly) }
	f := figures{}
	var firsts []float64
	for _, tk := range tks {
		if in(tk.created) {
			f.add("created", day(tk.created), tk.channel, "", 1)
			f.add("created", "", "", tk.category, 1)
			if tk.responded != nil {
				firsts = append(firsts, tk.responded.Sub(tk.created).Seconds())
			}
			switch sla.VerdictOf(ticket.SLA{FirstResponseDue: tk.due, FirstRespondedAt: tk.responded,
				ResolvedAt: tk.resolved, Breached: tk.breached}) {
			case sla.VerdictMet:
				f.add("sla_met", "", "", "", 1)
				f.add("sla_total", "", "", "", 1)
			case sla.VerdictMissed:
				f.add("sla_total", "", "", "", 1)
			}
		}
		if tk.resolved != nil && in(*tk.resolved) {
			f.add("resolved", day(*tk.resolved), tk.channel, "", 1)
		}
		finished := tk.resolved != nil && tk.resolved.Before(to) ||
			tk.resolved == nil && tk.status == "closed" && tk.updated.Before(to)
		if tk.created.Before(to) && !finished {
			f.add("backlog_end", "", "", "", 1)
		}
	}
	if len(firsts) > 0 { // percentile_cont(0.5): interpolate between the middle two
		sort.Float64s(firsts)
		pos := 0.5 * float64(len(firsts)-1)
		lo, hi := firsts[int(math.Floor(pos))], firsts[int(math.Ceil(pos))]
		f.add("first_response_median_seconds", "", "", "", lo+(pos-math.Floor(pos))*(hi-lo))
	}
	return f
}

// plainFigures runs the benchmark's baseline, the report as plain GROUP BYs
// over the tickets (scripts/bench/report-plain.sql).
func plainFigures(t *testing.T, dbURL string, w store.Week) figures {
	t.Helper()
	sql, err := os.ReadFile("../../scripts/bench/report-plain.sql")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, string(sql), w.Start(), w.End())
	if err != nil {
		t.Fatal(err)
	}
	f := figures{}
	for rows.Next() {
		var metric, day, channel, category pgtype.Text // empty when NULL
		var value *float64
		if err := rows.Scan(&metric, &day, &channel, &category, &value); err != nil {
			t.Fatal(err)
		}
		if value != nil {
			f.add(metric.String, day.String, channel.String, category.String, *value)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return f
}

func diffFigures(t *testing.T, what string, got, want figures) {
	t.Helper()
	both := maps.Clone(got)
	maps.Copy(both, want)
	for _, k := range slices.Sorted(maps.Keys(both)) {
		if g, w := got[k], want[k]; math.Abs(g-w) > 1e-6 {
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}

func mustRollup(t *testing.T, s *store.Store, weeks ...string) {
	t.Helper()
	for _, ws := range weeks {
		w, err := store.ParseWeek(ws)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RollupWeek(context.Background(), w, sla.Compliance); err != nil {
			t.Fatalf("RollupWeek(%s): %v", w, err)
		}
	}
}

func mustReport(t *testing.T, s *store.Store, ws string) store.WeeklyReport {
	t.Helper()
	w, _ := store.ParseWeek(ws)
	r, err := s.WeeklyReport(context.Background(), w)
	if err != nil {
		t.Fatalf("WeeklyReport(%s): %v", w, err)
	}
	return r
}

// The rollups hold the same numbers as counting the tickets directly, for
// weeks whose tickets cross day and week boundaries in WIB and UTC.
func TestRollupMatchesTickets(t *testing.T) {
	s, dbURL := storetest.New(t)
	tks := seedReportTickets(t, dbURL)
	mustRollup(t, s, "2021-W44", "2021-W45", "2021-W46")
	for _, ws := range []string{"2021-W44", "2021-W45", "2021-W46"} {
		t.Run(ws, func(t *testing.T) {
			r := mustReport(t, s, ws)
			want := expectedFigures(tks, r.Week)
			if want["sla_total"] < 30 || want["sla_met"] < 10 || want["backlog_end"] < 10 || want["first_response_median_seconds"] == 0 {
				t.Fatalf("the seed is too thin for %s: %v", ws, want)
			}
			diffFigures(t, "rollup vs tickets", reportFigures(r), want)
			diffFigures(t, "plain GROUP BY vs tickets", plainFigures(t, dbURL, r.Week), want)
			created := 0.0
			for k, v := range want {
				if strings.HasPrefix(k, "created ") && strings.Count(k, " ") == 2 { // by day and channel
					created += v
				}
			}
			if r.Created() != int(created) || len(r.Days) != 7 || r.Days[6].Date.Weekday() != time.Sunday {
				t.Errorf("created %d, want %v; days %v", r.Created(), created, r.Days)
			}
		})
	}
	r := mustReport(t, s, "2021-W45")
	if r.Days[0].Created[ticket.ChannelWhatsApp] == 0 || r.Days[6].Created[ticket.ChannelCallCenter] == 0 {
		t.Errorf("the tickets at 00:30 Monday and 23:59 Sunday WIB are not in W45: %+v", r.Days)
	}
}

// Rolling a week up again replaces it: the same numbers when nothing
// changed, and a late change (a ticket resolved, one recategorised) shows
// without leaving stale rows behind.
func TestRollupIsIdempotent(t *testing.T) {
	s, dbURL := storetest.New(t)
	seedReportTickets(t, dbURL)
	w45, _ := store.ParseWeek("2021-W45")
	mustRollup(t, s, "2021-W45")
	before := reportFigures(mustReport(t, s, "2021-W45"))
	rows := storetest.Count(t, dbURL, `SELECT count(*) FROM report_daily`)
	mustRollup(t, s, "2021-W45", "2021-W45")
	diffFigures(t, "second run", reportFigures(mustReport(t, s, "2021-W45")), before)
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM report_daily`); n != rows {
		t.Errorf("report_daily has %d rows after rerunning, %d before", n, rows)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM report_weekly`); n != 1 {
		t.Errorf("report_weekly has %d rows, want 1", n)
	}

	// Late changes: the ticket of 00:30 Monday (the only whatsapp app_issue
	// ticket of that day once the others are gone) is recategorised and
	// resolved on Wednesday.
	storetest.Exec(t, dbURL, `DELETE FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel = 'whatsapp'
		AND category = 'app_issue' AND number <> 'PL-211101-000002'`, wib(2021, 11, 8, 0, 0), wib(2021, 11, 9, 0, 0))
	storetest.Exec(t, dbURL, `UPDATE tickets SET category = 'vaccination_status', status = 'resolved', resolved_at = $1
		WHERE number = 'PL-211101-000002'`, wib(2021, 11, 10, 9, 0))
	mustRollup(t, s, "2021-W45")
	after := reportFigures(mustReport(t, s, "2021-W45"))
	// The plain GROUP BY is held to the tickets by TestRollupMatchesTickets.
	diffFigures(t, "after late changes", after, plainFigures(t, dbURL, w45))
	if after["resolved 2021-11-10 whatsapp"] == before["resolved 2021-11-10 whatsapp"] {
		t.Errorf("the late resolution did not change the counts")
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM report_daily WHERE day = '2021-11-08'
		AND channel = 'whatsapp' AND category = 'app_issue'`); n != 0 {
		t.Errorf("a stale report_daily row survived the rerun")
	}
}

func TestWeeklyReportOfEmptyAndUnknownWeeks(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	w, _ := store.ParseWeek("2021-W45")
	if _, err := s.WeeklyReport(ctx, w); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Fatalf("WeeklyReport of a week never rolled up: %v, want not_found", err)
	}
	mustRollup(t, s, "2021-W45")
	r := mustReport(t, s, "2021-W45")
	if r.Created() != 0 || r.Resolved() != 0 || r.BacklogEnd != 0 || r.FirstResponseMedianSeconds != nil ||
		r.SLATotal != 0 || len(r.ByCategory) != 0 || !r.Days[0].Date.Equal(w.Start()) || r.ComputedAt.IsZero() {
		t.Fatalf("empty week: %+v", r)
	}
}

// finished_at follows the status whichever way the ticket is saved: the
// resolution, or the closing of a ticket closed without one; null again
// when a ticket is reopened.
func TestFinishedAtFollowsStatus(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	c := ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001"}
	if err := s.CreateComplainant(ctx, &c); err != nil {
		t.Fatal(err)
	}
	newTicket := func(status ticket.Status) ticket.Ticket {
		tk := ticket.Ticket{Channel: ticket.ChannelCallCenter, Category: ticket.CategoryOther, Status: status,
			Priority: ticket.PriorityNormal, ComplainantID: c.ID, Documents: ticket.NoDocuments}
		if err := s.CreateTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	// check saves tk in status (unless it is empty) and compares finished_at
	// with the column want names, or with NULL.
	check := func(tk *ticket.Ticket, status ticket.Status, want string) {
		t.Helper()
		if status != "" {
			tk.Status = status
			if err := s.SaveTicket(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		cond := "finished_at IS NULL"
		if want != "" {
			cond = "finished_at = " + want
		}
		if storetest.Count(t, dbURL, `SELECT count(*) FROM tickets WHERE id = $1 AND `+cond, tk.ID) != 1 {
			t.Errorf("ticket %d %s: want %s", tk.ID, tk.Status, cond)
		}
	}
	a := newTicket(ticket.StatusNew)
	check(&a, "", "")
	check(&a, ticket.StatusOpen, "")
	check(&a, ticket.StatusResolved, "resolved_at")
	check(&a, ticket.StatusOpen, "") // reopened
	check(&a, ticket.StatusResolved, "resolved_at")
	check(&a, ticket.StatusClosed, "resolved_at") // closing keeps the resolution's time

	b := newTicket(ticket.StatusNew)
	check(&b, ticket.StatusClosed, "updated_at")       // a duplicate, closed unresolved
	closedAt := b.UpdatedAt.Truncate(time.Microsecond) // PostgreSQL's precision
	b.Category = ticket.CategoryAppIssue
	check(&b, ticket.StatusClosed, fmt.Sprintf("'%s'", closedAt.Format(time.RFC3339Nano))) // a later save keeps it

	onCall := newTicket(ticket.StatusResolved) // solved while the caller was on the line
	check(&onCall, "", "created_at")
}
