#!/usr/bin/env bash
# The WhatsApp bot's answer latency: from the webhook POST of a person's
# message to the bot's first answer reaching the Graph API, with
# BENCH_PEOPLE conversations running at once (scripts/bench/wabot).
#
#   scripts/bench-whatsapp-bot.sh
#
# What it does, on loopback, in a throwaway database "aduan_wabotbench":
#   1. builds bin/aduan and the load program, migrates the database and
#      imports BENCH_PEOPLE registry people (`aduan registry import`);
#   2. starts `aduan all` on 127.0.0.1:7310 with a WhatsApp number whose
#      Graph API is the load program's stand-in on 127.0.0.1:7311;
#   3. each person says "hai", taps Sertifikat Vaksin, types their number,
#      the code from the OTP template, then asks Status Vaksinasi (name,
#      NIK) again and again for BENCH_DURATION seconds, each message sent
#      as soon as the answer before it arrived;
#   4. prints p50/p90/p99 of the answer latency and answers per second,
#      with the machine's idle share (other work on the machine skews it).
#
# Settings (environment): BENCH_PEOPLE (200), BENCH_DURATION (60),
# BENCH_THROUGHPUT (the number's messages a second Aduan paces itself to;
# default Aduan's, 80, Meta's default tier), BENCH_CONCURRENCY (the worker's
# tasks at once; default Aduan's, 10), plus
# lib.sh's BENCH_OUT, BENCH_KEEP_DB, BENCH_QUIET_WAIT (30), BENCH_MAX_SECONDS (900).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

PEOPLE=${BENCH_PEOPLE:-200}
DURATION=${BENCH_DURATION:-60}
QUIET_WAIT=30 MAX_SECONDS=900
ADDR=127.0.0.1:7310 GRAPH=127.0.0.1:7311
TOKEN=bench-access-token SECRET=bench-app-secret

bench_init bench-whatsapp-bot aduan_wabotbench
# A Redis database of its own, emptied: task ids name outbox rows, and the
# rows of a new database would collide with the tasks of the last run.
export REDIS_URL=redis://127.0.0.1:6379/13
redis-cli -h 127.0.0.1 -n 13 flushdb >/dev/null
build_aduan
go build -o "$OUT/wabot" ./scripts/bench/wabot
make_db
"$OUT/wabot" -people "$PEOPLE" -registry "$OUT/people.jsonl"
bin/aduan registry import "$OUT/people.jsonl" >"$OUT/import.log" 2>&1 || { cat "$OUT/import.log" >&2; die "registry import failed"; }
export ADUAN_HTTP_ADDR=$ADDR ADUAN_DATA_DIR=$OUT/data ADUAN_PUBLIC_URL=http://$ADDR
export ADUAN_WA_APP_SECRET=$SECRET ADUAN_WA_VERIFY_TOKEN=bench ADUAN_WA_PHONE_NUMBER_ID=106540352242922
export ADUAN_WA_ACCESS_TOKEN=$TOKEN ADUAN_WA_GRAPH_URL=http://$GRAPH/v23.0
ADUAN_OTP_SECRET=$(head -c 32 /dev/urandom | base64)
export ADUAN_OTP_SECRET
{
  echo "worker_concurrency: ${BENCH_CONCURRENCY:-10}"
  printf 'whatsapp:\n  throughput: %d\n' "${BENCH_THROUGHPUT:-80}"
} >"$OUT/aduan.yaml"
export ADUAN_CONFIG=$OUT/aduan.yaml
start_server "$ADDR" bin/aduan all

wait_quiet
log "$PEOPLE people walking the menus for ${DURATION}s"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(cpu_ticks)
"$OUT/wabot" -people "$PEOPLE" -duration "${DURATION}s" -graph-addr "$GRAPH" -webhook "http://$ADDR/webhooks/whatsapp" \
  -token "$TOKEN" -secret "$SECRET" | tee "$OUT/wabot.txt"
IDLE=$(idle_since "$t0")
stop_server

echo
echo "WhatsApp bot answer latency, $(date -u +%Y-%m-%d), commit $(commit_line)"
echo "machine: $(machine_line); load average before: $LOAD"
echo "$(cat "$OUT/wabot.txt"), throughput ${BENCH_THROUGHPUT:-80}/s, worker concurrency ${BENCH_CONCURRENCY:-10}, machine idle ${IDLE}%"
