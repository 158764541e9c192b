#!/usr/bin/env bash
# The console's reads over a year at national volume (11 million tickets, 30
# million messages): server time p99 of the queue page, the ticket page (a
# 200-message ticket), the caller lookup and the ticket search (number, NIK,
# phone, name, words), 50 agents at once, each against the plain indexed
# SELECT of the same rows in the same run. Target: pages p99 <= 50 ms,
# search <= 100 ms.
#
#   scripts/bench-console.sh
#
# On loopback only, in the database "aduan_bench_year" (KEPT at the end: it
# takes the better part of an hour to make; BENCH_KEEP_DB=0 drops it):
#   1. provisions PostgreSQL (scripts/provision.sh db), builds bin/aduan, the
#      generator (scripts/bench/gen) and the load program (scripts/bench/console);
#   2. unless BENCH_REUSE=1 and the database holds a year already: creates
#      and migrates it, then generates a year with `gen year` (synth.Year says
#      how queues, statuses, assignees and threads are distributed) and loads
#      it with COPY, BENCH_JOBS at once, secondary indexes dropped during the
#      load and rebuilt after it, then VACUUM ANALYZE; with BENCH_REUSE=1 it
#      only migrates (new indexes are built on the rows there);
#   3. starts `aduan serve` on 127.0.0.1:7781 and runs the load program:
#      BENCH_AGENTS agents (each with its own API token), each looping over
#      the request kinds for BENCH_DURATION; then, in the same run, the plain
#      SELECTs of the same rows through pgx. Server time is the server's own
#      (its Server-Timing header: handler time, no network); client time too;
#   4. EXPLAIN ANALYZE of each query shape in explain.txt; prints a summary.
#
# Settings (environment): BENCH_TICKETS (11000000), BENCH_COMPLAINANTS
# (4000000), BENCH_AGENT_USERS (300: agents in the data), BENCH_AGENTS (50:
# at once), BENCH_DURATION (60s), BENCH_START (a year ago), BENCH_JOBS
# (cores), BENCH_REUSE (0), BENCH_DATA_ONLY (0: 1 stops after the data),
# BENCH_PAGES (extra request kinds, "name=/path" lines; see
# scripts/bench/console), BENCH_KINDS (replaces the default kinds), BENCH_LOGIN
# (the console's login path, e.g. /console/masuk: a session cookie per agent), BENCH_DB (aduan_bench_year), BENCH_KEEP_DB (1), BENCH_OUT, BENCH_QUIET_WAIT
# (120), BENCH_MAX_SECONDS (10800).
#
# A quick check that the script works end to end, in a minute or two:
#   BENCH_TICKETS=20000 BENCH_COMPLAINANTS=5000 BENCH_DURATION=10s BENCH_QUIET_WAIT=0 BENCH_KEEP_DB=0 scripts/bench-console.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

TICKETS=${BENCH_TICKETS:-11000000}
COMPLAINANTS=${BENCH_COMPLAINANTS:-4000000}
AGENT_USERS=${BENCH_AGENT_USERS:-300}
AGENTS=${BENCH_AGENTS:-50}
DURATION=${BENCH_DURATION:-60s}
START=${BENCH_START:-$(date -u -d '365 days ago' +%Y-%m-%d)}
JOBS=${BENCH_JOBS:-$(nproc)}
REUSE=${BENCH_REUSE:-0}
DATA_ONLY=${BENCH_DATA_ONLY:-0}
export BENCH_KEEP_DB=${BENCH_KEEP_DB:-1}
MAX_SECONDS=10800 QUIET_WAIT=120
ADDR=127.0.0.1:7781
PASSWORD=bench-console-password
# The ticket of the 200-message thread: a recent one.
THREAD=$((TICKETS > 5000 ? TICKETS - 5000 : 1))

bench_on_exit() { rm -f "$OUT/console"; }
bench_init bench-console "${BENCH_DB:-aduan_bench_year}"

provision db
build_aduan
log "building the generator and the load program (scripts/bench/gen, scripts/bench/console)"
build_gen
[ "$DATA_ONLY" = 1 ] || go build -o "$OUT/console" ./scripts/bench/console

have_year() {
  [ "$(sql "SELECT 1 FROM pg_database WHERE datname = '$DB'" postgres)" = 1 ] &&
    [ "$(sql "SELECT count(*) > 0 FROM pg_tables WHERE tablename = 'tickets'" 2>/dev/null)" = t ] &&
    [ "$(sql "SELECT EXISTS (SELECT 1 FROM tickets)")" = t ]
}

# ------------------------------------------------------------ data

# copy_csv TABLE COLUMNS: COPY from stdin, CSV, triggers and foreign keys
# off: the generator makes the rows consistent (see bench-report.sh).
copy_csv() {
  PGOPTIONS='-c session_replication_role=replica' psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" \
    -c "COPY $1 ($2) FROM STDIN (FORMAT csv)"
}

# parallel KIND TABLE COLUMNS N: gen year KIND rows 1..N in BENCH_JOBS
# slices, each piped into COPY TABLE.
parallel() {
  local kind=$1 table=$2 cols=$3 n=$4 per j lo hi pids=()
  per=$(((n + JOBS - 1) / JOBS))
  for ((j = 0; j < JOBS; j++)); do
    lo=$((j * per + 1)) hi=$(((j + 1) * per))
    [ "$hi" -le "$n" ] || hi=$n
    [ "$lo" -le "$hi" ] || continue
    { "$GEN" year "$kind" "${YEAR[@]}" -lo "$lo" -hi "$hi" | copy_csv "$table" "$cols"; } >"$OUT/$kind-$j.log" 2>&1 </dev/null &
    pids+=($!)
    bg $!
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || { cat "$OUT/$kind"-*.log >&2; die "loading $kind failed"; }
    forget "$pid"
  done
}

YEAR=(-start "$START" -days 365 -total "$TICKETS" -complainants "$COMPLAINANTS" -agents "$AGENT_USERS" -thread "$THREAD")
if [ "$REUSE" = 1 ] && have_year; then
  log "reusing the year in $DB; migrating it"
  DB_MADE=1
  bin/aduan migrate >"$OUT/migrate.log" 2>&1 || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }
else
  [ "$(df -P -BG /work 2>/dev/null | awk 'NR == 2 { print int($4) }')" -ge 40 ] ||
    die "less than 40 GB free for the year's data"
  make_db
  # The secondary indexes of the loaded tables are dropped for the load and
  # rebuilt from their own definitions after it.
  TABLES="'tickets', 'messages', 'complainants', 'complainant_identities'"
  sql "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ($TABLES)
    AND indexname NOT IN (SELECT conname FROM pg_constraint)" >"$OUT/indexes.sql"
  sql "SELECT 'DROP INDEX ' || indexname || ';' FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ($TABLES)
    AND indexname NOT IN (SELECT conname FROM pg_constraint)" | psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null

  log "generating a year from $START: $COMPLAINANTS complainants, $TICKETS tickets and their messages, $JOBS loaders"
  T0=$(now)
  "$GEN" year users "${YEAR[@]}" -password "$PASSWORD" | copy_csv users "$("$GEN" columns users)"
  sql "SELECT setval('users_id_seq', $AGENT_USERS)" >/dev/null
  parallel complainants complainants "$("$GEN" columns complainants)" "$COMPLAINANTS"
  parallel identities complainant_identities "$("$GEN" columns identities)" "$COMPLAINANTS"
  sql "SELECT setval('complainants_id_seq', $COMPLAINANTS)" >/dev/null
  log "  complainants in $(since "$T0")s"
  parallel tickets tickets "$("$GEN" columns year-tickets)" "$TICKETS"
  sql "SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))" >/dev/null
  log "  tickets in $(since "$T0")s"
  parallel messages messages "$("$GEN" columns messages)" "$TICKETS"
  INSERT_S=$(since "$T0")
  log "  messages in ${INSERT_S}s; rebuilding $(wc -l <"$OUT/indexes.sql") indexes"
  T1=$(now)
  # Two at a time: each index build is one process.
  split -n "l/$JOBS" "$OUT/indexes.sql" "$OUT/indexes-part-"
  pids=()
  for part in "$OUT"/indexes-part-*; do
    { echo "SET maintenance_work_mem = '1GB';"; cat "$part"; } | psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" >"$part.log" 2>&1 &
    pids+=($!)
    bg $!
  done
  for pid in "${pids[@]}"; do wait "$pid" || { cat "$OUT"/indexes-part-*.log >&2; die "index rebuild failed"; }; forget "$pid"; done
  log "  indexes in $(since "$T1")s; VACUUM ANALYZE"
  step "$OUT/vacuum.log" psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" \
    -c "VACUUM (ANALYZE) tickets, messages, complainants, complainant_identities, users" ||
    { cat "$OUT/vacuum.log" >&2; die "VACUUM failed"; }
  GEN_S=$(since "$T0")
  log "  the year made in ${GEN_S}s"
  echo "$GEN_S" >"$OUT/generation_s"
fi
read -r ROWS MESSAGES PEOPLE DB_SIZE < <(sql "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM messages),
  (SELECT count(*) FROM complainants), pg_size_pretty(pg_database_size(current_database()))" | tr '|' ' ')
sql "SELECT 'status', status, count(*) FROM tickets GROUP BY 2 UNION ALL SELECT 'queue', queue, count(*)
  FROM tickets WHERE status NOT IN ('resolved', 'closed') GROUP BY 2 ORDER BY 1, 3 DESC" >"$OUT/distribution.txt"
log "  $ROWS tickets, $MESSAGES messages, $PEOPLE complainants; database $DB_SIZE"
[ "$DATA_ONLY" != 1 ] || exit 0

# ------------------------------------------------------------ measure

# At level info the server logs every request with its duration and the
# X-Request-Id the load program sends: the server's own time per request.
ADUAN_HTTP_ADDR=$ADDR ADUAN_LOG_LEVEL=info start_server "$ADDR" bin/aduan serve
wait_quiet
log "$AGENTS agents for $DURATION, then the plain SELECTs; raw output in $OUT/console.txt"
TICKS=$(cpu_ticks) LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
pages=()
[ -z "${BENCH_PAGES:-}" ] || pages=(-pages "$BENCH_PAGES")
[ -z "${BENCH_KINDS:-}" ] || pages+=(-kinds "$BENCH_KINDS")
[ -z "${BENCH_LOGIN:-}" ] || pages+=(-login "$BENCH_LOGIN")
step "$OUT/console.txt" "$OUT/console" -url "http://$ADDR" -db "$DATABASE_URL" -agents "$AGENTS" \
  -agent-users "$AGENT_USERS" -duration "$DURATION" -thread "$THREAD" -server-log "$OUT/server.log" \
  -explain "$OUT/explain.txt" "${pages[@]}" ||
  { cat "$OUT/console.txt" >&2; die "the load program failed"; }
IDLE=$(idle_since "$TICKS") LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
stop_server

{
  echo "== Aduan benchmark: the console's reads over a year (scripts/bench-console.sh) =="
  echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:     $(commit_line)"
  echo "machine:    $(machine_line)"
  echo "versions:   $(go version | awk '{print $3}'), PostgreSQL $(sql 'SHOW server_version' postgres) (shared_buffers $(sql 'SHOW shared_buffers' postgres), work_mem $(sql 'SHOW work_mem' postgres))"
  echo "data:       $ROWS tickets, $MESSAGES messages, $PEOPLE complainants from $START; database $DB_SIZE"
  echo "other work: machine ${IDLE}% idle during the run (load average $LOAD_BEFORE before, $LOAD_AFTER after)"
  cat "$OUT/console.txt"
  echo "raw output: $OUT (EXPLAIN ANALYZE in explain.txt)"
} | tee "$OUT/summary.txt"
