#!/usr/bin/env bash
# The weekly report over ten million synthetic tickets: read from the rollups
# (what GET /api/v1/reports/weekly does) against the same report as plain
# GROUP BYs over the tickets table, in the same run. Target: <= 200 ms.
#
#   scripts/bench-report.sh
#
# On loopback only, in a throwaway database "aduan_bench_report" (dropped at the end):
#   1. provisions PostgreSQL (scripts/provision.sh db), builds bin/aduan,
#      creates the database and migrates it with `bin/aduan migrate`;
#   2. generates the complainants and tickets with generate_series
#      (scripts/bench/report-complainants.sql and report-tickets.sql, which say
#      how channel, category, status and response times are distributed),
#      BENCH_JOBS loaders at once, with the secondary indexes of tickets
#      dropped during the load and rebuilt after it, then VACUUM ANALYZE;
#   3. rolls up every week through the reports:rollup task handler, timed, then
#      times the periodic run's work (the last two weeks) BENCH_RUNS times;
#   4. for BENCH_WEEK, BENCH_RUNS runs after two warm-ups of (a) store.WeeklyReport,
#      the endpoint's query path, and the whole GET through the router (auth,
#      JSON); (b) scripts/bench/report-plain.sql, the same report as plain
#      GROUP BYs over tickets; and checks that (a) and (b) give the same numbers;
#   5. prints a summary; EXPLAIN ANALYZE of (b) and the raw output stay in BENCH_OUT.
#
# Settings (environment): BENCH_TICKETS (10000000), BENCH_COMPLAINANTS (300000),
# BENCH_START (2021-07-05, a Monday), BENCH_WEEKS (104), BENCH_WEEK (2022-W45),
# BENCH_RUNS (20), BENCH_JOBS (cores), BENCH_KEEP_DB (1: keep the database),
# BENCH_OUT (raw output; default a new directory under /tmp), BENCH_QUIET_WAIT
# (120: at most this many seconds waiting, before the measurements, for other
# work on the machine to calm down; the idle share is reported),
# BENCH_MAX_SECONDS (5400: the whole run is stopped after this).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TICKETS=${BENCH_TICKETS:-10000000}
COMPLAINANTS=${BENCH_COMPLAINANTS:-300000}
START=${BENCH_START:-2021-07-05}
WEEKS=${BENCH_WEEKS:-104}
WEEK=${BENCH_WEEK:-2022-W45}
RUNS=${BENCH_RUNS:-20}
JOBS=${BENCH_JOBS:-$(nproc)}
KEEP_DB=${BENCH_KEEP_DB:-0}
MAX_SECONDS=${BENCH_MAX_SECONDS:-5400}
QUIET_WAIT=${BENCH_QUIET_WAIT:-120}
OUT=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/aduan-bench-report.XXXXXX")}
mkdir -p "$OUT"

DB=aduan_bench_report
PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
export PGHOST PGPORT PGUSER
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
DAYS=$((WEEKS * 7))

log() { echo "bench-report: $(date -u +%H:%M:%S) $*" >&2; }
die() { echo "bench-report: ERROR: $*" >&2; exit 1; }
sql() { PGOPTIONS='-c client_min_messages=warning' psql -w -X -q -v ON_ERROR_STOP=1 -d "${2:-$DB}" -tAc "$1" </dev/null; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# step LOG CMD...: run a long step in the background and wait for it, so the
# watchdog's TERM (or Ctrl-C) stops it instead of waiting for it to finish.
step() {
  local logf=$1 pid rc=0
  shift
  "$@" >"$logf" 2>&1 </dev/null &
  pid=$!
  BG_PIDS+=("$pid")
  wait "$pid" || rc=$?
  BG_PIDS=("${BG_PIDS[@]/$pid/}")
  return "$rc"
}

# Other work on the machine skews every figure: cpu_ticks is "total idle"
# from /proc/stat, idle_since the idle share since such a reading, and
# wait_quiet waits (a bounded time) for the machine to be 85% idle.
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat; }
idle_since() {
  awk -v a="$1" -v b="$(cpu_ticks)" 'BEGIN { split(a, x, " "); split(b, y, " ")
    printf "%.0f", 100 * (y[2] - x[2]) / (y[1] - x[1]) }'
}
wait_quiet() {
  local a idle waited=0
  while a=$(cpu_ticks) && sleep 3 && idle=$(idle_since "$a") && [ "$idle" -lt 85 ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    [ "$waited" -gt 0 ] || log "  machine only ${idle}% idle (other work); waiting up to ${QUIET_WAIT}s"
    waited=$((waited + 3))
  done
  [ "$idle" -ge 85 ] || log "  machine still only ${idle}% idle; measuring anyway"
}

[ "$(date -d "$START" +%u 2>/dev/null)" = 1 ] || die "BENCH_START $START is not a Monday"
[[ $WEEK =~ ^[0-9]{4}-W[0-9]{2}$ ]] || die "BENCH_WEEK $WEEK is not an ISO week such as 2022-W45"

# ------------------------------------------------------------ cleanup

DB_MADE=0 WATCHDOG_PID='' BG_PIDS=()
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  [ -z "$WATCHDOG_PID" ] || kill -TERM "$WATCHDOG_PID" 2>/dev/null || true
  if [ "$DB_MADE" = 1 ] && [ "$KEEP_DB" != 1 ]; then
    log "dropping $DB"
    sql "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres >/dev/null 2>&1 || true
  fi
  [ "$rc" = 0 ] || log "failed (exit $rc); raw output in $OUT"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The whole run is bounded: past MAX_SECONDS the script is told to stop.
(
  trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM
  sleep "$MAX_SECONDS" &
  wait $!
  echo "bench-report: ERROR: over ${MAX_SECONDS}s, stopping" >&2
  kill -TERM $$
) </dev/null >/dev/null &
WATCHDOG_PID=$!

# ------------------------------------------------------------ database

log "output in $OUT"
scripts/provision.sh db >"$OUT/provision.log" 2>&1 || { cat "$OUT/provision.log" >&2; die "provisioning failed"; }
log "building bin/aduan"
go build -o bin/aduan ./cmd/aduan

log "database $DB: drop, create, migrate"
sql "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres >/dev/null
sql "CREATE DATABASE $DB" postgres >/dev/null
DB_MADE=1
bin/aduan migrate >"$OUT/migrate.log" 2>&1 || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }

# ------------------------------------------------------------ data

# The secondary indexes of tickets, whatever the migrations made them, are
# dropped for the load and rebuilt from their own definitions after it.
sql "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'tickets'
  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'tickets'::regclass)" >"$OUT/indexes.sql"
INDEXES=$(wc -l <"$OUT/indexes.sql")
sql "SELECT 'DROP INDEX ' || indexname || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'tickets'
  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'tickets'::regclass)" |
  psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null

log "generating $COMPLAINANTS complainants and $TICKETS tickets over $WEEKS weeks from $START, $JOBS loaders"
T0=$(now)
psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" -v complainants="$COMPLAINANTS" \
  -f scripts/bench/report-complainants.sql >"$OUT/complainants.log" 2>&1 || { cat "$OUT/complainants.log" >&2; die "complainants"; }
per=$(((TICKETS + JOBS - 1) / JOBS))
for ((j = 0; j < JOBS; j++)); do
  lo=$((j * per + 1)) hi=$(((j + 1) * per))
  [ "$hi" -le "$TICKETS" ] || hi=$TICKETS
  [ "$lo" -le "$hi" ] || continue
  psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" -v lo="$lo" -v hi="$hi" -v total="$TICKETS" -v days="$DAYS" \
    -v start="'$START 00:00+07'" -v complainants="$COMPLAINANTS" \
    -f scripts/bench/report-tickets.sql >"$OUT/tickets-$j.log" 2>&1 </dev/null &
  BG_PIDS+=($!)
done
for pid in "${BG_PIDS[@]}"; do wait "$pid" || { cat "$OUT"/tickets-*.log >&2; die "ticket loader failed"; }; done
BG_PIDS=()
sql "SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))" >/dev/null
INSERT_S=$(since "$T0")
log "  inserted in ${INSERT_S}s; rebuilding $INDEXES indexes"
T1=$(now)
{ echo "SET maintenance_work_mem = '1GB';"; cat "$OUT/indexes.sql"; } >"$OUT/rebuild.sql"
step "$OUT/indexes.log" psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$OUT/rebuild.sql" ||
  { cat "$OUT/indexes.log" >&2; die "index rebuild failed"; }
INDEX_S=$(since "$T1")
log "  indexes in ${INDEX_S}s; VACUUM ANALYZE"
T2=$(now)
step "$OUT/vacuum.log" psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "VACUUM (ANALYZE) tickets, complainants" ||
  { cat "$OUT/vacuum.log" >&2; die "VACUUM failed"; }
VACUUM_S=$(since "$T2")
GEN_S=$(since "$T0")
read -r ROWS PEOPLE TABLE_SIZE < <(sql "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM complainants),
  pg_size_pretty(pg_total_relation_size('tickets'))" | tr '|' ' ')
sql "SELECT 'status', status, count(*) FROM tickets GROUP BY 2 UNION ALL SELECT 'channel', channel, count(*)
  FROM tickets GROUP BY 2 ORDER BY 1, 3 DESC" >"$OUT/distribution.txt"
log "  $ROWS tickets, $PEOPLE complainants, tickets $TABLE_SIZE with indexes; ${GEN_S}s in all"

# ------------------------------------------------------------ measure

FIRST=$(date -d "$START" +%G-W%V)
LAST=$(date -d "$START + $((DAYS - 1)) days" +%G-W%V)
read -r WEEK_FROM WEEK_TO < <(sql "SELECT (d AT TIME ZONE 'Asia/Jakarta')::text, ((d + interval '7 days') AT TIME ZONE
  'Asia/Jakarta')::text FROM (SELECT to_date('$WEEK', 'IYYY-\"W\"IW')::timestamp AS d) AS w" | tr ' |' 'T ')
{ echo "PREPARE plain(timestamptz, timestamptz) AS"; cat scripts/bench/report-plain.sql
  echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE plain('$WEEK_FROM', '$WEEK_TO');"; } >"$OUT/explain-plain.sql"

# The Go side: the task handler and the store, as the worker and the API
# call them. Written here and run from the module, so it builds against
# this tree; nothing of it is left in the repository.
mkdir -p "$OUT/bench"
cat >"$OUT/bench/main.go" <<'EOF'
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
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
	if err := run(context.Background(), os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, first, last, week, runsArg, plainFile string) error {
	url := os.Getenv("DATABASE_URL")
	runs, _ := strconv.Atoi(runsArg)
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
	recent, _ := tasks.NewReportsRollupTask(tasks.RollupRequest{From: lastWeek.Prev().String(), To: last})
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
	for _, figures := range []map[string]float64{rolled, plain} {
		for k := range figures {
			if math.Abs(rolled[k]-plain[k]) > 1e-6 {
				fmt.Fprintf(os.Stderr, "mismatch %s: rollup %v, plain %v\n", k, rolled[k], plain[k])
				mismatches++
			}
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
EOF

go build -o "$OUT/bench/bench" "$OUT/bench/main.go"
wait_quiet
log "rolling up $FIRST to $LAST, then $RUNS runs of each measurement for $WEEK"
TICKS=$(cpu_ticks) LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
step "$OUT/go.txt" "$OUT/bench/bench" "$FIRST" "$LAST" "$WEEK" "$RUNS" scripts/bench/report-plain.sql ||
  { cat "$OUT/go.txt" >&2; die "the Go side failed"; }
IDLE=$(idle_since "$TICKS") LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$OUT/go.txt" | head -n 1; }
[ "$(field mismatches)" = 0 ] || { cat "$OUT/go.txt" >&2; die "the rollup and the plain GROUP BY disagree"; }
psql -w -X -q -d "$DB" -f "$OUT/explain-plain.sql" >"$OUT/explain-plain.txt" 2>&1 || true
read -r ROLLED ROLLUP_SIZE < <(sql "SELECT (SELECT count(*) FROM report_weekly),
  pg_size_pretty(pg_total_relation_size('report_daily') + pg_total_relation_size('report_weekly'))" | tr '|' ' ')

# ------------------------------------------------------------ summary

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print "n/a" }'; }
{
  echo "== Aduan benchmark: weekly report (GET /api/v1/reports/weekly) =="
  echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:     $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -z "$(git status --porcelain 2>/dev/null)" ] || echo ' (with uncommitted changes)')"
  echo "machine:    $(nproc) cores, $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo), $(awk '/^MemTotal/{printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)"
  echo "versions:   $(go version | awk '{print $3}'), PostgreSQL $(sql 'SHOW server_version' postgres) (shared_buffers $(sql 'SHOW shared_buffers' postgres), work_mem $(sql 'SHOW work_mem' postgres))"
  echo "data:       $ROWS tickets, $PEOPLE complainants, $WEEKS weeks from $START; tickets table with indexes $TABLE_SIZE"
  echo "generation: ${GEN_S}s (insert ${INSERT_S}s with $JOBS loaders, $INDEXES indexes ${INDEX_S}s, VACUUM ANALYZE ${VACUUM_S}s)"
  echo "rollup:     $ROLLED weeks ($FIRST to $LAST) in $(field rollup_s)s through the reports:rollup handler; rollup tables $ROLLUP_SIZE"
  echo "week:       $WEEK: created $(field created), resolved $(field resolved), backlog_end $(field backlog_end), median first response $(field median_s)s, SLA $(field sla)"
  echo "runs:       $RUNS per measurement after 2 warm-ups, one client, sequential"
  echo "other work: machine ${IDLE}% idle over the rollup and the measurements (load average $LOAD_BEFORE before, $LOAD_AFTER after)"
  printf '%-52s %10s %10s\n' "measurement" "p50 ms" "p95 ms"
  printf '%-52s %10s %10s\n' "reports:rollup of the last two weeks (periodic run)" "$(field periodic_p50_ms)" "$(field periodic_p95_ms)"
  printf '%-52s %10s %10s\n' "(a) store.WeeklyReport (rollups; the endpoint's SQL)" "$(field store_p50_ms)" "$(field store_p95_ms)"
  printf '%-52s %10s %10s\n' "(a) GET /api/v1/reports/weekly through the router" "$(field http_p50_ms)" "$(field http_p95_ms)"
  printf '%-52s %10s %10s\n' "(b) plain GROUP BY over tickets (report-plain.sql)" "$(field plain_p50_ms)" "$(field plain_p95_ms)"
  echo "same numbers: $(field figures) figures compared, $(field mismatches) mismatches"
  echo "plain / rollup at p50: $(ratio "$(field plain_p50_ms)" "$(field store_p50_ms)")x; target: report <= 200 ms"
  echo "raw output: $OUT (EXPLAIN ANALYZE of (b) in explain-plain.txt)"
} | tee "$OUT/summary.txt"
