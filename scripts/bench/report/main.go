// Command report is the Go side of scripts/bench-report.sh, the weekly
// report benchmark: it runs the reports:rollup task handler and the store
// as the worker and the API call them, on the database DATABASE_URL names,
// and prints "key=value" lines the script reads. It is not part of Aduan.
//
//	report -first 2021-W27 -last 2023-W26 -week 2022-W45 -runs 20 -plain scripts/bench/report-plain.sql
//
// It rolls up the weeks first..last (timed), then times, runs times each
// after two warm-ups: the periodic rollup of the last two weeks, the week's
// report from the store and through the router (GET /api/v1/reports/weekly),
// and the same report as the plain GROUP BYs of -plain; and it checks that
// the rollups and the plain query give the same figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/ticket"
)

func main() {
	first := flag.String("first", "", "first week to roll up, e.g. 2021-W27")
	last := flag.String("last", "", "last week to roll up")
	week := flag.String("week", "", "the week whose report is timed")
	runs := flag.Int("runs", 20, "timed runs of each measurement")
	plain := flag.String("plain", "scripts/bench/report-plain.sql", "the report as plain GROUP BYs")
	flag.Parse()
	if err := run(context.Background(), *first, *last, *week, *runs, *plain); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, first, last, week string, runs int, plainFile string) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" || first == "" || last == "" || week == "" || runs < 1 {
		return errors.New("need DATABASE_URL, -first, -last, -week and -runs >= 1")
	}
	plainSQL, err := os.ReadFile(plainFile)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, url, store.Options{MaxOpenConns: 4})
	if err != nil {
		return err
	}
	defer st.Close()
	task, err := tasks.NewReportsRollupTask(tasks.RollupRequest{From: first, To: last})
	if err != nil {
		return err
	}
	t0 := time.Now()
	rollup := tasks.NewReportRollup(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := rollup.HandleRollup(ctx, task); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	fmt.Printf("rollup_s=%.1f\n", time.Since(t0).Seconds())
	// What the periodic run does at the data's end: the last week and the one before.
	lastWeek, err := store.ParseWeek(last)
	if err != nil {
		return err
	}
	recent, err := tasks.NewReportsRollupTask(tasks.RollupRequest{From: lastWeek.Prev().String(), To: last})
	if err != nil {
		return err
	}
	if err := measure("periodic", runs, func() error { return rollup.HandleRollup(ctx, recent) }); err != nil {
		return err
	}

	w, err := store.ParseWeek(week)
	if err != nil {
		return err
	}
	var rep store.WeeklyReport
	if err := measure("store", runs, func() (err error) { rep, err = st.WeeklyReport(ctx, w); return err }); err != nil {
		return err
	}
	// The whole endpoint: a supervisor's token, the router, the JSON.
	u := ticket.User{Email: "supervisor@bench.test", Name: "Bench Supervisor", Role: ticket.RoleSupervisor}
	if err := st.CreateUser(ctx, &u, "not-a-hash"); err != nil {
		return err
	}
	if err := st.CreateToken(ctx, u.ID, "bench-report-token", time.Now().Add(time.Hour)); err != nil {
		return err
	}
	api := httpapi.New(httpapi.Config{Users: st, Reports: sla.Reports{Store: st}})
	if err := measure("http", runs, func() error {
		req := httptest.NewRequest("GET", "/api/v1/reports/weekly?week="+week, nil)
		req.Header.Set("Authorization", "Bearer bench-report-token")
		rec := httptest.NewRecorder()
		if api.ServeHTTP(rec, req); rec.Code != http.StatusOK {
			return fmt.Errorf("GET report: %d %s", rec.Code, rec.Body)
		}
		return nil
	}); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	plain := map[string]float64{}
	if err := measure("plain", runs, func() (err error) { plain, err = plainFigures(ctx, conn, string(plainSQL), w); return err }); err != nil {
		return err
	}

	rolled, mismatches := reportFigures(rep), 0
	keys := maps.Clone(rolled) // every figure either side has, once
	maps.Copy(keys, plain)
	for k := range keys {
		if math.Abs(rolled[k]-plain[k]) > 1e-6 {
			fmt.Fprintf(os.Stderr, "mismatch %s: rollup %v, plain %v\n", k, rolled[k], plain[k])
			mismatches++
		}
	}
	fmt.Printf("figures=%d mismatches=%d created=%d resolved=%d backlog_end=%d median_s=%.0f sla=%d/%d\n",
		len(rolled), mismatches, rep.Created(), rep.Resolved(), rep.BacklogEnd, rolled["first_response_median_seconds"],
		rep.SLAMet, rep.SLATotal)
	return nil
}

// measure runs fn twice to warm up, then runs times, and prints the median
// and the 95th percentile (nearest rank) in milliseconds.
func measure(name string, runs int, fn func() error) error {
	var ms []float64
	for i := range runs + 2 {
		t := time.Now()
		if err := fn(); err != nil {
			return err
		}
		if i >= 2 {
			ms = append(ms, float64(time.Since(t).Microseconds())/1000)
		}
	}
	slices.Sort(ms)
	at := func(p float64) float64 { return ms[int(math.Ceil(p*float64(len(ms))))-1] }
	fmt.Printf("%s_p50_ms=%.3f %s_p95_ms=%.3f\n", name, at(0.5), name, at(0.95))
	return nil
}

// key names one figure: "created 2022-11-07 email", "created nik_conflict", "backlog_end".
func key(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), " ")
}

// reportFigures are the report's numbers by key.
func reportFigures(r store.WeeklyReport) map[string]float64 {
	f := map[string]float64{"backlog_end": float64(r.BacklogEnd), "sla_met": float64(r.SLAMet), "sla_total": float64(r.SLATotal)}
	for _, d := range r.Days {
		for ch, n := range d.Created {
			f[key("created", d.Date.Format(time.DateOnly), string(ch))] += float64(n)
		}
		for ch, n := range d.Resolved {
			f[key("resolved", d.Date.Format(time.DateOnly), string(ch))] += float64(n)
		}
	}
	for cat, n := range r.ByCategory {
		f[key("created", string(cat))] += float64(n)
	}
	if v := r.FirstResponseMedianSeconds; v != nil {
		f["first_response_median_seconds"] = *v
	}
	return f
}

// plainFigures runs the plain query for week w and returns its numbers by key.
func plainFigures(ctx context.Context, conn *pgx.Conn, sql string, w store.Week) (map[string]float64, error) {
	rows, err := conn.Query(ctx, sql, w.Start(), w.End())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f := map[string]float64{}
	for rows.Next() {
		var metric string
		var by [3]*string // day, channel, category
		var value *float64
		if err := rows.Scan(&metric, &by[0], &by[1], &by[2], &value); err != nil {
			return nil, err
		}
		parts := []string{metric}
		for _, p := range by {
			if p != nil {
				parts = append(parts, *p)
			}
		}
		if value != nil {
			f[key(parts...)] += *value
		}
	}
	return f, rows.Err()
}
