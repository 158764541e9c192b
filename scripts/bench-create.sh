#!/usr/bin/env bash
# make bench: ticket creation through the real HTTP server and PostgreSQL.
#
#   scripts/bench-create.sh
#
# What it does, all on loopback, in a throwaway database "aduan_bench":
#   1. provisions PostgreSQL, Redis and the load tools, builds bin/aduan (and
#      vegeta, pinned, through the Go module proxy, into a cache directory)
#      and the synthetic-data generator (scripts/bench/gen), migrates and
#      seeds the database, inserts BENCH_POOL complainants (the "returning
#      callers", people 0..BENCH_POOL-1 of the generator) and starts
#      `aduan serve` on 127.0.0.1:18088;
#   2. logs in as the demo agent agen1@aduan.test;
#   3. throughput: wrk, POST /api/v1/tickets with a different valid body on
#      every request (half from returning complainants, half from new ones:
#      `gen calls`, sent by scripts/bench/create-ticket.lua), BENCH_DURATION
#      seconds at each of BENCH_CONNS connections;
#   4. latency at fixed rates: vegeta at each of BENCH_RATES requests/s (open model:
#      requests are sent on schedule however slow the answers; the same
#      bodies, `gen calls -vegeta`), or hey -q when vegeta cannot be built;
#   5. baseline: pgbench, one plain single-row INSERT of the same ticket row
#      into the same tickets table (scripts/bench/insert-ticket.sql),
#      -M prepared, same client counts and duration, server stopped; and, for
#      reference, the API's whole transaction run by pgbench
#      (scripts/bench/create-ticket-tx.sql, its callers from the generator
#      too);
#   6. prints a summary with the machine, the versions and the CPU split
#      (aduan / PostgreSQL / load tool) measured from /proc during each run.
#
# Settings (environment): BENCH_DURATION (30 s), BENCH_CONNS ("16 64"),
# BENCH_THREADS (wrk and pgbench threads, 2), BENCH_RATES (fixed rates, "500 150":
# the target's rate and one the server can sustain), BENCH_POOL
# (20000), BENCH_BODIES_PER_S (4000: wrk's bodies are made for this rate; past
# it a thread starts its bodies over, and says how often), BENCH_PERF (1: also profile the whole machine with perf during an
# extra, unreported wrk run), BENCH_KEEP_DB (1: keep aduan_bench afterwards),
# BENCH_OUT (directory for raw output; default a new one under /tmp),
# BENCH_QUIET_WAIT (60: at most this many seconds waiting, before each run,
# for other work on the machine to calm down), BENCH_MAX_SECONDS (1200: the
# whole run is stopped after this).
#
# A quick check that the script works end to end, in about a minute:
#   BENCH_DURATION=3 BENCH_CONNS=4 BENCH_RATES=20 BENCH_POOL=100 BENCH_QUIET_WAIT=0 scripts/bench-create.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

DURATION=${BENCH_DURATION:-30}
CONNS=${BENCH_CONNS:-16 64}
THREADS=${BENCH_THREADS:-2}
RATES=${BENCH_RATES:-500 150}
POOL=${BENCH_POOL:-20000}
BODIES_PER_S=${BENCH_BODIES_PER_S:-4000}
PERF=${BENCH_PERF:-0}
MAX_SECONDS=1200 QUIET_WAIT=60

ADDR=127.0.0.1:18088
BASE=http://$ADDR
VEGETA_VERSION=v12.12.0
VEGETA=${XDG_CACHE_HOME:-$HOME/.cache}/aduan-bench/vegeta-$VEGETA_VERSION
ulimit -n 65536 2>/dev/null || true # vegeta may hold thousands of connections at a saturated rate

bench_on_exit() { rm -f "$OUT"/calls-*.jsonl; }
bench_init bench aduan_bench
export ADUAN_HTTP_ADDR=$ADDR ADUAN_DATA_DIR=$OUT/data

# ------------------------------------------------------------ CPU split

# snapshot FILE: CPU ticks so far of the whole machine and of every process,
# grouped: aduan, postgres (this database's backends and the server's own
# processes), load (the load tool), and the rest by command name.
snapshot() {
  local ours
  ours=$(sql "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
    WHERE datname = '$DB' OR backend_type <> 'client backend'" postgres 2>/dev/null || true)
  {
    awk '/^cpu /{print "machine", 0, $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v srv="${SERVER_PID:-x}" -v ld="${LOAD_PID:-x}" -v ours=" $ours " '
      { lp = index($0, "("); rp = match($0, /\) [A-Za-z] /)
        if (!lp || !rp) next
        comm = substr($0, lp + 1, rp - lp - 1); gsub(/[^A-Za-z0-9_.:\/-]/, "_", comm)
        split(substr($0, rp + 2), f, " "); pid = $1
        if (pid == srv) g = "aduan"; else if (pid == ld) g = "load"
        else if (comm == "postgres") g = (index(ours, " " pid " ") ? "postgres" : "other:postgres")
        else g = "other:" comm
        print g, pid, f[12] + f[13], f[14] + f[15] }'
  } >"$1"
}

# cpu_split A B: shares of the whole machine (100% = all cores busy) between
# two snapshots: "aduan=60% postgres=25% load=10% rest=5% (go, compile) idle=0%".
# aduan, postgres and load are processes that live through the run, so their
# own CPU time is exact. rest is everything else the machine did: unrelated
# processes (named by who used most, counting what their children used) and
# the kernel's softirq work for loopback TCP, which no process is billed for.
cpu_split() {
  awk '
    FNR == NR { a[$1 " " $2] = $3; c[$1 " " $2] = $4; if ($1 == "machine") ai = $4; next }
    $1 == "machine" { total = $3 - a[$1 " " $2]; idle = $4 - ai; next }
    ($1 " " $2) in a { g[$1] += $3 - a[$1 " " $2]; if ($1 ~ /^other:/) h[$1] += $3 + $4 - a[$1 " " $2] - c[$1 " " $2] }
    END {
      if (total <= 0) { print "n/a"; exit }
      rest = total - idle - g["aduan"] - g["postgres"] - g["load"]
      printf "aduan=%.0f%% postgres=%.0f%% load=%.0f%% rest=%.0f%%", 100 * g["aduan"] / total,
        100 * g["postgres"] / total, 100 * g["load"] / total, 100 * rest / total
      top = ""
      for (i = 0; i < 3; i++) {
        best = ""; for (k in h) if (best == "" || h[k] > h[best]) best = k
        if (best == "" || 100 * h[best] / total < 2) break
        top = top (top == "" ? "" : ", ") substr(best, 7); delete h[best]
      }
      if (top != "") printf " (%s)", top
      printf " idle=%.0f%%\n", 100 * idle / total
    }' "$1" "$2"
}

# sample NAME: in the background, snapshot after 3 s and 3 s before the end
# of a DURATION-long run, keep a top(1) view of the middle, and write the
# split to $OUT/NAME.cpu.
sample() {
  local name=$1
  (
    trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM
    sleep 3 & wait $!
    snapshot "$OUT/$name.snap1"
    top -b -n 2 -d 2 -w 200 2>/dev/null | awk '/^top -/{n++} n == 2' | head -n 25 >"$OUT/$name.top" || true
    sleep $((DURATION - 10 > 1 ? DURATION - 10 : 1)) & wait $!
    snapshot "$OUT/$name.snap2"
    cpu_split "$OUT/$name.snap1" "$OUT/$name.snap2" >"$OUT/$name.cpu"
  ) &
  SAMPLER_PID=$!
  bg "$SAMPLER_PID"
}

finish_sample() {
  wait "$SAMPLER_PID" 2>/dev/null || true
  forget "$SAMPLER_PID"
}

# ------------------------------------------------------------ setup

ensure_vegeta() {
  [ -x "$VEGETA" ] && return 0
  have go || return 1
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/vegeta-build.XXXXXX")
  printf 'module vegetabuild\n\ngo 1.22\n\nrequire github.com/tsenart/vegeta/v12 %s\n' "$VEGETA_VERSION" >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/tsenart/vegeta/v12"\n' >"$dir/tools.go"
  log "building vegeta $VEGETA_VERSION (Go module proxy) into $VEGETA"
  mkdir -p "$(dirname "$VEGETA")"
  if (cd "$dir" && timeout 300 go mod tidy >/dev/null 2>&1 &&
    timeout 300 go build -o "$VEGETA" github.com/tsenart/vegeta/v12 >/dev/null 2>&1); then
    rm -rf "$dir"
    return 0
  fi
  rm -rf "$dir"
  return 1
}

provision db loadtools
build_aduan
build_gen
FIXED_TOOL=vegeta
ensure_vegeta || { log "vegeta unavailable; using hey -q for the fixed rate"; FIXED_TOOL=hey; }
[ "$FIXED_TOOL" = hey ] || have python3 || die "python3 is needed to read vegeta's report"
make_db
bin/aduan seed --demo >"$OUT/seed.log" 2>&1 || { cat "$OUT/seed.log" >&2; die "seed failed"; }

# The generator's people, in a table of the benchmark's own: the returning
# complainants (0..POOL-1), inserted as complainants with the identities the
# Ingester would have written, and the new callers of pgbench's reference
# run, which create-ticket-tx.sql takes one after the other.
TX_CALLERS=$((BODIES_PER_S * DURATION * $(wc -w <<<"$CONNS")))
log "generating $POOL returning complainants and $TX_CALLERS new callers for pgbench"
sql "CREATE UNLOGGED TABLE bench_people (k bigint PRIMARY KEY, name text NOT NULL, nik text NOT NULL, phone text NOT NULL);
  CREATE SEQUENCE bench_tx_caller" >/dev/null
{ "$GEN" people -from 0 -n "$POOL"; "$GEN" people -run 10 -n "$TX_CALLERS"; } |
  psql -w -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "COPY bench_people (k, name, nik, phone) FROM STDIN (FORMAT csv)" >/dev/null
TX_FIRST=$(sql "SELECT min(k) FROM bench_people WHERE k >= $POOL")
BEFORE=$(sql "SELECT coalesce(max(id), 0) FROM complainants")
sql "
INSERT INTO complainants (name, nik, phone) SELECT name, nik, phone FROM bench_people WHERE k < $POOL ORDER BY k;
INSERT INTO complainant_identities (kind, value, complainant_id)
SELECT 'nik', nik, id FROM complainants WHERE id > $BEFORE
UNION ALL SELECT 'phone', phone, id FROM complainants WHERE id > $BEFORE;
ANALYZE;" >/dev/null
read -r CID_MIN CID_MAX < <(sql "SELECT min(id), max(id) FROM complainants WHERE id > $BEFORE" | tr '|' ' ')
AGENT_ID=$(sql "SELECT id FROM users WHERE email = 'agen1@aduan.test'")

start_server "$ADDR" bin/aduan serve

TOKEN=$(curl -fsS -m 10 -H 'Content-Type: application/json' \
  -d '{"email":"agen1@aduan.test","password":"agen1-demo-123"}' "$BASE/api/v1/auth/login" |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || die "login as agen1@aduan.test failed"

# One request by hand (run 0 of the generator, which the load runs leave
# alone), so a broken body fails loudly rather than as 100% non-2xx.
BODY=$("$GEN" calls -run 0 -pool 0 -n 1)
code=$(curl -sS -m 10 -o "$OUT/first.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d "$BODY" "$BASE/api/v1/tickets")
[ "$code" = 201 ] || { cat "$OUT/first.json" >&2; die "POST /api/v1/tickets answered $code, not 201"; }

# ------------------------------------------------------------ load

# calls RUN SECONDS: the generator's bodies for run RUN, enough for SECONDS
# at BODIES_PER_S; prints the file's name.
calls() {
  local f=$OUT/calls-$1.jsonl
  "$GEN" calls -run "$1" -pool "$POOL" -n $((BODIES_PER_S * $2)) >"$f"
  echo "$f"
}

# run_wrk NAME CONNS SECONDS RUN: wrk against POST /api/v1/tickets; sets LINE to its BENCH line.
run_wrk() {
  local name=$1 conns=$2 secs=$3 run=$4 bodies
  bodies=$(calls "$run" "$secs")
  wrk -t "$THREADS" -c "$conns" -d "${secs}s" --timeout 5s --latency -s scripts/bench/create-ticket.lua \
    "$BASE" -- "$TOKEN" "$bodies" "$THREADS" >"$OUT/$name.txt" 2>&1 &
  LOAD_PID=$!
  bg "$LOAD_PID"
  [ "$secs" -lt 12 ] || sample "$name"
  wait "$LOAD_PID" || { cat "$OUT/$name.txt" >&2; die "wrk failed"; }
  forget "$LOAD_PID"
  [ "$secs" -lt 12 ] || finish_sample
  LOAD_PID=''
  rm -f "$bodies"
  LINE=$(grep '^BENCH ' "$OUT/$name.txt") || die "no result from wrk in $OUT/$name.txt"
  [ "$(field repeats "$LINE")" = 0 ] || log "  $(field repeats "$LINE") requests sent a body again (more than $BODIES_PER_S/s)"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

log "warm-up: wrk 16 connections, 5 s (not reported)"
run_wrk warmup 16 5 1

declare -A RPS P50 P90 P99 NON2XX ERRS CPU
run=2
for c in $CONNS; do
  wait_quiet
  log "throughput: wrk $c connections, ${DURATION}s"
  run_wrk "wrk-c$c" "$c" "$DURATION" "$run"
  line=$LINE
  run=$((run + 1))
  RPS[$c]=$(field rps "$line") P50[$c]=$(field p50_ms "$line") P90[$c]=$(field p90_ms "$line")
  P99[$c]=$(field p99_ms "$line") NON2XX[$c]=$(field non2xx "$line")
  ERRS[$c]=$(($(field connect_err "$line") + $(field read_err "$line") + $(field write_err "$line") + $(field timeouts "$line")))
  CPU[wrk$c]=$(cat "$OUT/wrk-c$c.cpu" 2>/dev/null || echo n/a)
  log "  ${RPS[$c]} creates/s, p50 ${P50[$c]} ms, p99 ${P99[$c]} ms, non-2xx ${NON2XX[$c]}, socket errors ${ERRS[$c]}"
done

# run_fixed RATE RUN: requests at RATE per second for DURATION seconds;
# sets FX_RATE, FX_TPUT, FX_P50, FX_P90, FX_P99, FX_MAX, FX_REQ, FX_BAD and
# CPU[fixedRATE].
run_fixed() {
  local rate=$1 run=$2 name=fixed-$1
  if [ "$FIXED_TOOL" = vegeta ]; then
    "$GEN" calls -run "$run" -pool "$POOL" -n $((rate * DURATION + rate)) -vegeta "$BASE/api/v1/tickets" \
      -token "$TOKEN" >"$OUT/$name.targets"
    "$VEGETA" attack -format=json -targets="$OUT/$name.targets" -rate="$rate/1s" -duration="${DURATION}s" \
      -timeout=5s -workers=20 -max-workers=$((rate * 6)) >"$OUT/$name.bin" 2>"$OUT/$name.err" &
    LOAD_PID=$!
    bg "$LOAD_PID"
    sample "$name"
    wait "$LOAD_PID" || { cat "$OUT/$name.err" >&2; die "vegeta failed"; }
    forget "$LOAD_PID"
    finish_sample
    LOAD_PID=''
    "$VEGETA" report -type=json <"$OUT/$name.bin" >"$OUT/$name.json"
    "$VEGETA" report <"$OUT/$name.bin" >"$OUT/$name.txt"
    rm -f "$OUT/$name.targets"
    read -r FX_RATE FX_TPUT FX_P50 FX_P90 FX_P99 FX_MAX FX_REQ FX_BAD < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); l = r["latencies"]; ms = lambda ns: ns / 1e6
bad = sum(n for code, n in r["status_codes"].items() if not code.startswith("2"))
print("%.1f %.1f %.2f %.2f %.2f %.2f %d %d" % (r["rate"], r["throughput"], ms(l["50th"]), ms(l["90th"]),
      ms(l["99th"]), ms(l["max"]), r["requests"], bad))' "$OUT/$name.json")
  else
    # hey sends one body over and over: every request is the same caller.
    printf '%s' "$BODY" >"$OUT/body.json"
    hey -z "${DURATION}s" -c $(((rate + 49) / 50)) -q 50 -t 5 -m POST -T application/json \
      -H "Authorization: Bearer $TOKEN" -D "$OUT/body.json" "$BASE/api/v1/tickets" >"$OUT/$name.txt" 2>&1 &
    LOAD_PID=$!
    bg "$LOAD_PID"
    sample "$name"
    wait "$LOAD_PID" || { cat "$OUT/$name.txt" >&2; die "hey failed"; }
    forget "$LOAD_PID"
    finish_sample
    LOAD_PID=''
    local f=$OUT/$name.txt
    pct() { awk -v p="$1%" '$1 == p && $2 == "in" {printf "%.2f", $3 * 1000}' "$f"; }
    FX_TPUT=$(awk '/Requests\/sec:/{print $2}' "$f") FX_RATE=$FX_TPUT
    FX_P50=$(pct 50) FX_P90=$(pct 90) FX_P99=$(pct 99)
    FX_MAX=$(awk '/Slowest:/{printf "%.2f", $2 * 1000}' "$f")
    # Status code distribution: "[201] 1234 responses"; Error distribution: "[12] Post ...: timeout".
    read -r FX_REQ FX_BAD < <(awk '
      /Status code distribution:/ { sec = "status"; next }
      /Error distribution:/ { sec = "error"; next }
      sec == "status" && $1 ~ /^\[[0-9]+\]$/ { code = $1; gsub(/[][]/, "", code); req += $2; if (code !~ /^2/) bad += $2 }
      sec == "error" && $1 ~ /^\[[0-9]+\]$/ { n = $1; gsub(/[][]/, "", n); req += n; bad += n }
      END { print req + 0, bad + 0 }' "$f")
  fi
  CPU[fixed$rate]=$(cat "$OUT/$name.cpu" 2>/dev/null || echo n/a)
}

declare -A FXRATE FXTPUT FXP50 FXP90 FXP99 FXMAX FXREQ FXBAD
run=6
for rate in $RATES; do
  wait_quiet
  log "fixed rate: $FIXED_TOOL at $rate/s for ${DURATION}s"
  run_fixed "$rate" "$run"
  run=$((run + 1))
  FXRATE[$rate]=$FX_RATE FXTPUT[$rate]=$FX_TPUT FXP50[$rate]=$FX_P50 FXP90[$rate]=$FX_P90 FXP99[$rate]=$FX_P99
  FXMAX[$rate]=$FX_MAX FXREQ[$rate]=$FX_REQ FXBAD[$rate]=$FX_BAD
  log "  p50 $FX_P50 ms, p90 $FX_P90 ms, p99 $FX_P99 ms; $FX_RATE/s sent, $FX_TPUT/s answered, non-2xx or failed $FX_BAD"
done

if [ "$PERF" = 1 ] && have perf; then
  # Not reported: perf costs CPU itself. 20 s of wrk at the last connection
  # count, the whole machine sampled for 10 s in the middle.
  c=${CONNS##* }
  log "profile: perf record -a -g during wrk $c connections (not reported)"
  bodies=$(calls 9 20)
  wrk -t "$THREADS" -c "$c" -d 20s --timeout 5s -s scripts/bench/create-ticket.lua \
    "$BASE" -- "$TOKEN" "$bodies" "$THREADS" >"$OUT/perf-wrk.txt" 2>&1 &
  LOAD_PID=$!
  bg "$LOAD_PID"
  sleep 5
  perf record -q -a -g -F 499 -o "$OUT/perf.data" -- sleep 10 >"$OUT/perf-record.log" 2>&1 || log "perf record failed (see $OUT/perf-record.log)"
  wait "$LOAD_PID" || true
  forget "$LOAD_PID"
  LOAD_PID=''
  if [ -s "$OUT/perf.data" ]; then
    perf report -i "$OUT/perf.data" --stdio --no-children -g none --sort comm 2>/dev/null | grep -v '^$' | head -n 30 >"$OUT/perf-comm.txt" || true
    perf report -i "$OUT/perf.data" --stdio --no-children -g none --comm aduan --sort sym --percentage relative 2>/dev/null | grep -v '^$' | head -n 70 >"$OUT/perf-aduan-self.txt" || true
    perf report -i "$OUT/perf.data" --stdio --children -g none --comm aduan --sort sym --percentage relative 2>/dev/null | grep -v '^$' | head -n 120 >"$OUT/perf-aduan-children.txt" || true
    perf report -i "$OUT/perf.data" --stdio --no-children -g none --comm postgres --sort sym --percentage relative 2>/dev/null | grep -v '^$' | head -n 50 >"$OUT/perf-postgres-self.txt" || true
    perf report -i "$OUT/perf.data" --stdio --children -g none --comm postgres --sort sym --percentage relative 2>/dev/null | grep -v '^$' | head -n 80 >"$OUT/perf-postgres-children.txt" || true
  fi
fi

read -r API_TICKETS API_NEW_PEOPLE < <(sql "SELECT count(*) FILTER (WHERE call_ref LIKE 'CC-%'),
  (SELECT count(*) FROM complainants WHERE id > $CID_MAX) FROM tickets" | tr '|' ' ')
log "stopping aduan serve ($API_TICKETS tickets created through the API, $API_NEW_PEOPLE new complainants)"
stop_server

# run_pgbench NAME CLIENTS SCRIPT ARGS...: sets PG_TPS and PG_LAT (average ms)
# and CPU[NAME].
run_pgbench() {
  local name=$1 c=$2 script=$3
  shift 3
  wait_quiet
  pgbench -n -M prepared -f "$script" "$@" -c "$c" -j "$THREADS" -T "$DURATION" "$DB" >"$OUT/$name.txt" 2>&1 &
  LOAD_PID=$!
  bg "$LOAD_PID"
  sample "$name"
  wait "$LOAD_PID" || { cat "$OUT/$name.txt" >&2; die "pgbench failed"; }
  forget "$LOAD_PID"
  finish_sample
  LOAD_PID=''
  PG_TPS=$(awk '/^tps = /{printf "%.1f", $3}' "$OUT/$name.txt")
  PG_LAT=$(awk '/^latency average = /{print $4}' "$OUT/$name.txt")
  CPU[$name]=$(cat "$OUT/$name.cpu" 2>/dev/null || echo n/a)
  log "  $PG_TPS tps, latency average $PG_LAT ms"
}

declare -A TPS PGLAT TXTPS TXLAT
for c in $CONNS; do
  log "baseline: pgbench, one INSERT of the ticket row, $c clients, ${DURATION}s, -M prepared"
  run_pgbench "pgbench-insert-c$c" "$c" scripts/bench/insert-ticket.sql \
    -D cidmin="$CID_MIN" -D cidmax="$CID_MAX" -D uid="$AGENT_ID"
  TPS[$c]=$PG_TPS PGLAT[$c]=$PG_LAT
done
for c in $CONNS; do
  log "reference: pgbench, the API's whole transaction, $c clients, ${DURATION}s, -M prepared"
  run_pgbench "pgbench-tx-c$c" "$c" scripts/bench/create-ticket-tx.sql -D pool="$POOL" -D uid="$AGENT_ID" \
    -D first_new="$TX_FIRST" -D new_callers="$TX_CALLERS"
  TXTPS[$c]=$PG_TPS TXLAT[$c]=$PG_LAT
done

# ------------------------------------------------------------ summary

pg_version=$(sql "SHOW server_version" postgres)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# cpu_ms SPLIT GROUP PER_S: CPU milliseconds GROUP spent per operation.
cpu_ms() {
  awk -v s=" $1 " -v g="$2" -v n="$3" -v ncpu="$NCPU" 'BEGIN {
    i = index(s, " " g "="); if (!i || n <= 0) { print "n/a"; exit }
    v = substr(s, i + length(g) + 2); sub(/%.*/, "", v); printf "%.2f", v / 100 * ncpu * 1000 / n }'
}
{
  echo "== Aduan benchmark: ticket creation (POST /api/v1/tickets) =="
  echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:     $(commit_line)"
  echo "machine:    $(machine_line)"
  echo "versions:   $(go version | awk '{print $3}'), PostgreSQL $pg_version, $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}'), $FIXED_TOOL$([ "$FIXED_TOOL" = vegeta ] && echo " $VEGETA_VERSION"), pgbench $(pgbench --version | awk '{print $3}')"
  echo "settings:   ${DURATION}s per run, wrk/pgbench threads $THREADS, $POOL returning complainants, half of requests from them"
  echo "            the load tool runs on the same $NCPU cores as aduan and PostgreSQL"
  echo "            CPU: share of the whole machine during the run; rest = unrelated processes (named) + kernel softirq"
  echo
  printf '%-34s %10s %9s %9s %9s %8s  %s\n' "run" "per s" "p50 ms" "p90 ms" "p99 ms" "non-2xx" "CPU (% of all $NCPU cores)"
  for c in $CONNS; do
    printf '%-34s %10s %9s %9s %9s %8s  %s\n' "API wrk -c $c (closed loop)" "${RPS[$c]}" "${P50[$c]}" "${P90[$c]}" \
      "${P99[$c]}" "$((NON2XX[$c] + ERRS[$c]))" "${CPU[wrk$c]}"
  done
  for rate in $RATES; do
    printf '%-34s %10s %9s %9s %9s %8s  %s\n' "API $FIXED_TOOL at $rate/s (fixed rate)" "${FXTPUT[$rate]}" "${FXP50[$rate]}" \
      "${FXP90[$rate]}" "${FXP99[$rate]}" "${FXBAD[$rate]}" "${CPU[fixed$rate]}"
  done
  for c in $CONNS; do
    printf '%-34s %10s %9s %9s %9s %8s  %s\n' "pgbench INSERT -c $c" "${TPS[$c]}" "avg ${PGLAT[$c]}" "" "" "" \
      "${CPU[pgbench-insert-c$c]}"
  done
  for c in $CONNS; do
    printf '%-34s %10s %9s %9s %9s %8s  %s\n' "pgbench API transaction -c $c" "${TXTPS[$c]}" "avg ${TXLAT[$c]}" "" "" "" \
      "${CPU[pgbench-tx-c$c]}"
  done
  echo
  best=0 bestc=''
  for c in $CONNS; do
    echo "ratio at $c clients: API ${RPS[$c]}/s / pgbench ${TPS[$c]} tps = $(ratio "${RPS[$c]}" "${TPS[$c]}")"
    if awk -v a="${RPS[$c]}" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=${RPS[$c]} bestc=$c; fi
  done
  echo "best API throughput: $best creates/s at $bestc connections; ratio to pgbench INSERT at $bestc clients: $(ratio "$best" "${TPS[$bestc]}")"
  for c in $CONNS; do
    echo "reference at $c clients: API ${RPS[$c]}/s / the same transaction from pgbench ${TXTPS[$c]} tps = $(ratio "${RPS[$c]}" "${TXTPS[$c]}")"
  done
  for c in $CONNS; do
    echo "CPU per operation at $c clients: API aduan $(cpu_ms "${CPU[wrk$c]}" aduan "${RPS[$c]}") ms + postgres $(cpu_ms "${CPU[wrk$c]}" postgres "${RPS[$c]}") ms per create; pgbench INSERT postgres $(cpu_ms "${CPU[pgbench-insert-c$c]}" postgres "${TPS[$c]}") ms; API transaction from pgbench postgres $(cpu_ms "${CPU[pgbench-tx-c$c]}" postgres "${TXTPS[$c]}") ms"
  done
  for rate in $RATES; do
    echo "fixed rate $rate/s: ${FXRATE[$rate]}/s sent, ${FXTPUT[$rate]}/s answered with 2xx, ${FXREQ[$rate]} requests, ${FXBAD[$rate]} non-2xx or failed (5 s timeout), p99 ${FXP99[$rate]} ms (max ${FXMAX[$rate]} ms)"
  done
  echo "API tickets in the database: $API_TICKETS; new complainants created: $API_NEW_PEOPLE"
  echo "targets: >= 2000 creates/s; p99 < 50 ms at 500/s; ratio >= 0.5"
  echo "raw output: $OUT"
} | tee "$OUT/summary.txt"
