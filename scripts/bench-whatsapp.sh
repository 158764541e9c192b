#!/usr/bin/env bash
# WhatsApp webhook intake through the real HTTP server and PostgreSQL: how
# many signed POSTs `aduan serve` accepts a second (each stored durably,
# with its processing in the outbox, before the 200) and their latency.
#
#   scripts/bench-whatsapp.sh
#
# What it does, on loopback, in a throwaway database "aduan_wabench":
#   1. provisions the load tools (hey, wrk), builds bin/aduan, migrates the
#      database and starts `aduan serve` on 127.0.0.1:7280 with an app secret;
#   2. makes a text message body as Meta sends it and signs it
#      (scripts/wa-sign.sh);
#   3. fixed rate: hey at BENCH_RATE POSTs/s (BENCH_CONNS workers each at
#      RATE/CONNS a second) for BENCH_DURATION seconds: latency percentiles
#      and status codes;
#   4. saturation: wrk, BENCH_WRK_CONNS connections, the same body and
#      signature (scripts/bench/wa-webhook.lua): the most it accepts;
#   5. checks that every 200 left one stored body and one outbox row, and
#      prints a summary with the machine's idle share during each run (other
#      work on the machine skews every figure).
#
# Settings (environment): BENCH_DURATION (30), BENCH_RATE (1000), BENCH_CONNS
# (50), BENCH_WRK_CONNS (64), plus lib.sh's BENCH_OUT, BENCH_KEEP_DB,
# BENCH_QUIET_WAIT (30), BENCH_MAX_SECONDS (900).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

DURATION=${BENCH_DURATION:-30}
RATE=${BENCH_RATE:-1000}
CONNS=${BENCH_CONNS:-50}
WRK_CONNS=${BENCH_WRK_CONNS:-64}
QUIET_WAIT=30 MAX_SECONDS=900
ADDR=127.0.0.1:7280
SECRET=bench-app-secret

bench_init bench-whatsapp aduan_wabench
provision loadtools
build_aduan
make_db
export ADUAN_HTTP_ADDR=$ADDR ADUAN_DATA_DIR=$OUT/data ADUAN_WA_APP_SECRET=$SECRET ADUAN_WA_VERIFY_TOKEN=bench
export ADUAN_WA_PHONE_NUMBER_ID=106540352242922
start_server "$ADDR" bin/aduan serve

BODY=$OUT/body.json
cat >"$BODY" <<'JSON'
{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"6281110500567","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Siti Aminah"},"wa_id":"6281234567890"}],"messages":[{"from":"6281234567890","id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=","timestamp":"1749416383","type":"text","text":{"body":"hai, saya mau unduh sertifikat vaksin"}}]},"field":"messages"}]}]}
JSON
SIG=$(scripts/wa-sign.sh "$SECRET" "$BODY")
URL=http://$ADDR/webhooks/whatsapp
curl -fsS -o /dev/null -H "X-Hub-Signature-256: $SIG" -H 'Content-Type: application/json' --data-binary @"$BODY" "$URL" ||
  die "a signed POST was refused"

before=$(sql "SELECT count(*) FROM whatsapp_webhooks")
wait_quiet
log "hey: $RATE POSTs/s for ${DURATION}s ($CONNS workers)"
t0=$(cpu_ticks)
hey -z "${DURATION}s" -c "$CONNS" -q $((RATE / CONNS)) -m POST -T application/json \
  -H "X-Hub-Signature-256: $SIG" -D "$BODY" "$URL" >"$OUT/hey.txt"
IDLE_HEY=$(idle_since "$t0")
stored_hey=$(($(sql "SELECT count(*) FROM whatsapp_webhooks") - before))

before=$(sql "SELECT count(*) FROM whatsapp_webhooks")
wait_quiet
log "wrk: $WRK_CONNS connections for ${DURATION}s"
t0=$(cpu_ticks)
WA_BODY_FILE=$BODY WA_SIGNATURE=$SIG wrk -t2 -c "$WRK_CONNS" -d "${DURATION}s" --latency \
  -s scripts/bench/wa-webhook.lua "$URL" >"$OUT/wrk.txt"
IDLE_WRK=$(idle_since "$t0")
stored_wrk=$(($(sql "SELECT count(*) FROM whatsapp_webhooks") - before))
outbox=$(sql "SELECT count(*) FROM outbox WHERE task_type = 'whatsapp:webhook'")
hooks=$(sql "SELECT count(*) FROM whatsapp_webhooks")
stop_server

ok_hey=$(awk '/\[200\]/{print $2}' "$OUT/hey.txt")
echo
echo "WhatsApp webhook intake, $(date -u +%Y-%m-%d), commit $(commit_line)"
echo "machine: $(machine_line)"
echo "hey at $RATE/s for ${DURATION}s: $(awk '/Requests\/sec/{print $2}' "$OUT/hey.txt") req/s," \
  "p50 $(awk '/ 50% in/{print $3}' "$OUT/hey.txt") s, p99 $(awk '/ 99% in/{print $3}' "$OUT/hey.txt") s," \
  "200s: ${ok_hey:-0}, stored: $stored_hey, machine idle ${IDLE_HEY}%"
echo "wrk, $WRK_CONNS connections: $(awk '/Requests\/sec/{print $2}' "$OUT/wrk.txt") req/s," \
  "p50 $(awk '$1=="50%"{print $2}' "$OUT/wrk.txt"), p99 $(awk '$1=="99%"{print $2}' "$OUT/wrk.txt")," \
  "non-2xx: $(awk '/Non-2xx/{print $NF}' "$OUT/wrk.txt" || true), stored: $stored_wrk, machine idle ${IDLE_WRK}%"
echo "every stored body has its processing in the outbox: $([ "$outbox" = "$hooks" ] && echo yes || echo "NO ($outbox of $hooks)")"
