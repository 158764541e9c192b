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
#   2. generates the complainants and tickets with the synthetic-data
#      generator (scripts/bench/gen; scripts/bench/synth/history.go says how
#      channel, category, status and response times are distributed) and
#      loads them with COPY, BENCH_JOBS generators and loaders at once, with
#      the secondary indexes of tickets dropped during the load and rebuilt
#      after it, then VACUUM ANALYZE;
#   3. rolls up every week through the reports:rollup task handler, timed, then
#      times the periodic run's work (the last two weeks) BENCH_RUNS times
#      (3 and 4 are scripts/bench/report, the Go side);
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
#
# A quick check that the script works end to end, in a minute:
#   BENCH_TICKETS=20000 BENCH_COMPLAINANTS=1000 BENCH_RUNS=3 BENCH_QUIET_WAIT=0 scripts/bench-report.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

TICKETS=${BENCH_TICKETS:-10000000}
COMPLAINANTS=${BENCH_COMPLAINANTS:-300000}
START=${BENCH_START:-2021-07-05}
WEEKS=${BENCH_WEEKS:-104}
WEEK=${BENCH_WEEK:-2022-W45}
RUNS=${BENCH_RUNS:-20}
JOBS=${BENCH_JOBS:-$(nproc)}
MAX_SECONDS=5400 QUIET_WAIT=120
DAYS=$((WEEKS * 7))

[ "$(date -d "$START" +%u 2>/dev/null)" = 1 ] || { echo "bench-report: BENCH_START $START is not a Monday" >&2; exit 2; }
[[ $WEEK =~ ^[0-9]{4}-W[0-9]{2}$ ]] || { echo "bench-report: BENCH_WEEK $WEEK is not an ISO week such as 2022-W45" >&2; exit 2; }

bench_on_exit() { rm -f "$OUT/report"; }
bench_init bench-report aduan_bench_report

# ------------------------------------------------------------ database

provision db
build_aduan
log "building the generator and the Go side (scripts/bench/gen, scripts/bench/report)"
build_gen
go build -o "$OUT/report" ./scripts/bench/report
make_db

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
# copy_csv TABLE: COPY TABLE (the generator's columns for it) from stdin, CSV,
# with triggers and foreign keys off: the rows are made consistent by the
# generator, and checking millions of them one by one is what a real import
# would avoid too.
copy_csv() {
  PGOPTIONS='-c session_replication_role=replica' psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" \
    -c "COPY $1 ($("$GEN" columns "$1")) FROM STDIN (FORMAT csv)"
}
"$GEN" complainants -start "$START" -n "$COMPLAINANTS" | copy_csv complainants >"$OUT/complainants.log" 2>&1 ||
  { cat "$OUT/complainants.log" >&2; die "complainants"; }
sql "SELECT setval('complainants_id_seq', $COMPLAINANTS)" >/dev/null
per=$(((TICKETS + JOBS - 1) / JOBS))
for ((j = 0; j < JOBS; j++)); do
  lo=$((j * per + 1)) hi=$(((j + 1) * per))
  [ "$hi" -le "$TICKETS" ] || hi=$TICKETS
  [ "$lo" -le "$hi" ] || continue
  { "$GEN" tickets -start "$START" -days "$DAYS" -total "$TICKETS" -complainants "$COMPLAINANTS" -lo "$lo" -hi "$hi" |
    copy_csv tickets; } >"$OUT/tickets-$j.log" 2>&1 </dev/null &
  bg $!
done
for pid in "${BG_PIDS[@]}"; do wait "$pid" || { cat "$OUT"/tickets-*.log >&2; die "ticket loader failed"; }; forget "$pid"; done
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

wait_quiet
log "rolling up $FIRST to $LAST, then $RUNS runs of each measurement for $WEEK"
TICKS=$(cpu_ticks) LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
step "$OUT/go.txt" "$OUT/report" -first "$FIRST" -last "$LAST" -week "$WEEK" -runs "$RUNS" -plain scripts/bench/report-plain.sql ||
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
  echo "commit:     $(commit_line)"
  echo "machine:    $(machine_line)"
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
