# shellcheck shell=bash
# The benchmarks' shared set-up, sourced by scripts/bench-create.sh,
# bench-mail.sh, bench-report.sh and bench-logins.sh:
#
#   source scripts/lib.sh
#   bench_init NAME DB      # messages as "NAME: ...", the throwaway database DB,
#                           # raw output in $OUT (BENCH_OUT or a new directory),
#                           # cleanup on exit, the run bounded by MAX_SECONDS
#
# Then: provision WHAT... (scripts/provision.sh), build_aduan, build_gen (the
# synthetic-data generator, scripts/bench/gen, as $GEN), make_db [ADUAN] (drop,
# create, migrate), start_server ADDR CMD... / stop_server, bg / forget /
# stop_pid for background work, step LOG CMD... for long steps, wait_quiet
# before a measurement, machine_line / commit_line for the summary.
#
# Settings every benchmark takes (environment): BENCH_OUT, BENCH_KEEP_DB (1:
# keep the database), BENCH_QUIET_WAIT (at most this many seconds waiting,
# before each measurement, for other work on the machine to calm down),
# BENCH_MAX_SECONDS (the whole run is stopped after this). A script sets its
# own defaults for the last two before bench_init.

# bench_init NAME DB: see above. A script may define bench_on_exit, which
# the cleanup runs first (e.g. to empty a mailbox).
bench_init() {
  BENCH_NAME=$1 DB=$2
  KEEP_DB=${BENCH_KEEP_DB:-0}
  QUIET_WAIT=${BENCH_QUIET_WAIT:-${QUIET_WAIT:-60}}
  MAX_SECONDS=${BENCH_MAX_SECONDS:-${MAX_SECONDS:-1800}}
  OUT=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/aduan-$BENCH_NAME.XXXXXX")}
  mkdir -p "$OUT"
  NCPU=$(nproc)
  PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
  export PGHOST PGPORT PGUSER
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
  export REDIS_URL="redis://127.0.0.1:6379/15"
  export ADUAN_LOG_LEVEL=warn
  GEN=$OUT/gen
  BG_PIDS=() SERVER_PID='' WATCHDOG_PID='' DB_MADE=0
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  # The whole run is bounded: past MAX_SECONDS the script is told to stop.
  (
    trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM
    sleep "$MAX_SECONDS" &
    wait $!
    echo "$BENCH_NAME: ERROR: over ${MAX_SECONDS}s, stopping" >&2
    kill -TERM $$
  ) </dev/null >/dev/null &
  WATCHDOG_PID=$!
  log "output in $OUT"
}

log() { echo "$BENCH_NAME: $(date -u +%H:%M:%S) $*" >&2; }
die() { echo "$BENCH_NAME: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# sql QUERY [DATABASE]: one query, unaligned output without headers.
sql() { PGOPTIONS='-c client_min_messages=warning' psql -w -X -q -v ON_ERROR_STOP=1 -d "${2:-$DB}" -tAc "$1" </dev/null; }

# ------------------------------------------------------------ background work

# bg PID: remember a background process, so the cleanup stops it.
bg() { BG_PIDS+=("$1"); }

# forget PID: a background process that has ended.
forget() {
  local keep=() p
  for p in "${BG_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  BG_PIDS=("${keep[@]}")
}

# stop_pid PID: TERM, up to 10 s, then KILL.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# step LOG CMD...: run a long step in the background and wait for it, so the
# watchdog's TERM (or Ctrl-C) stops it instead of waiting for it to finish.
step() {
  local logf=$1 pid rc=0
  shift
  "$@" >"$logf" 2>&1 </dev/null &
  pid=$!
  bg "$pid"
  wait "$pid" || rc=$?
  forget "$pid"
  return "$rc"
}

bench_cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${BG_PIDS[@]}"; do stop_pid "$pid"; done
  stop_server
  [ -z "$WATCHDOG_PID" ] || kill -TERM "$WATCHDOG_PID" 2>/dev/null || true
  if declare -F bench_on_exit >/dev/null; then bench_on_exit || true; fi
  if [ "$DB_MADE" = 1 ] && [ "$KEEP_DB" != 1 ]; then
    sql "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres >/dev/null 2>&1 || true
  fi
  rm -f "$GEN"
  [ "$rc" = 0 ] || log "failed (exit $rc); raw output in $OUT"
  exit "$rc"
}

# ------------------------------------------------------------ setup

# provision WHAT...: scripts/provision.sh WHAT..., its output in $OUT/provision.log.
provision() {
  scripts/provision.sh "$@" >"$OUT/provision.log" 2>&1 || { cat "$OUT/provision.log" >&2; die "provisioning failed"; }
}

build_aduan() {
  log "building bin/aduan"
  go build -o bin/aduan ./cmd/aduan
}

# build_gen: the synthetic-data generator (scripts/bench/gen) as $GEN.
build_gen() { go build -o "$GEN" ./scripts/bench/gen; }

# make_db [ADUAN]: the throwaway database, dropped, created and migrated by
# ADUAN (default bin/aduan).
# shellcheck disable=SC2120 # the argument is optional
make_db() {
  local aduan=${1:-bin/aduan}
  log "database $DB: drop, create, migrate"
  sql "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres >/dev/null
  sql "CREATE DATABASE $DB" postgres >/dev/null
  DB_MADE=1
  "$aduan" migrate >"$OUT/migrate.log" 2>&1 || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }
}

# start_server ADDR CMD...: start CMD (e.g. bin/aduan serve) listening on
# ADDR, its output in $OUT/server.log, and wait up to 30 s for /readyz.
start_server() {
  local addr=$1
  shift
  log "starting $* on $addr"
  "$@" >"$OUT/server.log" 2>&1 </dev/null &
  SERVER_PID=$!
  for _ in $(seq 1 30); do
    curl -fsS -o /dev/null "http://$addr/readyz" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log" >&2; die "$* exited"; }
    sleep 1
  done
  cat "$OUT/server.log" >&2
  die "$* not ready after 30s"
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  stop_pid "$SERVER_PID"
  SERVER_PID=''
}

# ------------------------------------------------------------ other work on the machine

# cpu_ticks: "total idle" CPU ticks of the whole machine so far.
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat; }

# idle_since TICKS: the idle share (%) of the machine since cpu_ticks said TICKS.
idle_since() {
  awk -v a="$1" -v b="$(cpu_ticks)" 'BEGIN { split(a, x, " "); split(b, y, " ")
    printf "%.0f", (y[1] > x[1]) ? 100 * (y[2] - x[2]) / (y[1] - x[1]) : 100 }'
}

# wait_quiet: other work skews every figure. Waits (at most QUIET_WAIT
# seconds) for the machine to be 85% idle over 3 s; QUIET is the last idle share.
wait_quiet() {
  local a waited=0
  while a=$(cpu_ticks) && sleep 3 && QUIET=$(idle_since "$a") && [ "$QUIET" -lt 85 ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    [ "$waited" -gt 0 ] || log "  machine only ${QUIET}% idle (other work); waiting up to ${QUIET_WAIT}s"
    waited=$((waited + 3))
  done
  [ "$QUIET" -ge 85 ] || log "  machine still only ${QUIET}% idle; measuring anyway"
}

# ------------------------------------------------------------ summary

machine_line() {
  echo "$NCPU cores, $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo), $(awk '/^MemTotal/{printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)"
}

commit_line() {
  echo "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -z "$(git status --porcelain 2>/dev/null)" ] || echo ' (with uncommitted changes)')"
}
