#!/usr/bin/env bash
# A million distinct failed logins: does the server's memory stay flat and
# do the login tables stay bounded (issue: hardening)?
#
#   scripts/bench-logins.sh
#
# On loopback only, in a throwaway database "aduan_bench_logins" (dropped at the end):
#   1. builds aduan as /tmp/aduan-logins and the load program
#      (scripts/bench/logins), creates the database and runs `aduan migrate`;
#   2. starts `aduan serve` on 127.0.0.1:18091 with 127.0.0.1 as its trusted
#      proxy (Redis db 9 for what it needs there);
#   3. sends BENCH_LOGINS failed logins, each for its own account (a
#      200-character random local part) and, with BENCH_FORWARDED=1, from its
#      own client address, BENCH_CONCURRENCY at once; every 10,000th carries a
#      1 MB email, which must answer 422. Every BENCH_EVERY the server's
#      VmRSS and the rows of login_attempts and login_known are printed;
#   4. stops the server and drops the database.
#
# Settings (environment): BENCH_LOGINS (1000000), BENCH_CONCURRENCY (64),
# BENCH_FORWARDED (1), BENCH_EVERY (10s), BENCH_FOR (0: stop sending after
# this long, e.g. 15m, whatever BENCH_LOGINS says), BENCH_KEEP_DB (1: keep the
# database), BENCH_OUT (raw output; default a new directory under /tmp),
# BENCH_MAX_SECONDS (3600: the whole run is stopped after this).
#
# A quick check (and the rate, to size a long run): BENCH_LOGINS=10000 scripts/bench-logins.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

LOGINS=${BENCH_LOGINS:-1000000}
CONCURRENCY=${BENCH_CONCURRENCY:-64}
FORWARDED=${BENCH_FORWARDED:-1}
EVERY=${BENCH_EVERY:-10s}
FOR=${BENCH_FOR:-0}
ADDR=127.0.0.1:18091
ADUAN=/tmp/aduan-logins
LOAD=/tmp/aduan-logins-load
MAX_SECONDS=3600

bench_on_exit() { rm -f "$LOAD"; }
bench_init bench-logins aduan_bench_logins
export REDIS_URL=redis://127.0.0.1:6379/9

log "building $ADUAN and the load program"
go build -o "$ADUAN" ./cmd/aduan
go build -o "$LOAD" ./scripts/bench/logins

make_db "$ADUAN"

ADUAN_HTTP_ADDR=$ADDR ADUAN_TRUSTED_PROXIES=127.0.0.1 start_server "$ADDR" "$ADUAN" serve

forwarded=()
[ "$FORWARDED" != 1 ] || forwarded=(-forwarded)
log "$LOGINS failed logins, $CONCURRENCY at once; table in $OUT/logins.txt"
step "$OUT/logins.txt" "$LOAD" -url "http://$ADDR" -pid "$SERVER_PID" -db "$DATABASE_URL" \
  -n "$LOGINS" -concurrency "$CONCURRENCY" -every "$EVERY" -for "$FOR" "${forwarded[@]}" || die "load program failed: $(tail -3 "$OUT/logins.txt")"
cat "$OUT/logins.txt"

echo
echo "machine: $(machine_line); commit $(commit_line); $(date -u '+%Y-%m-%d %H:%M UTC')"
