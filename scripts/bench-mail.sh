#!/usr/bin/env bash
# The email intake benchmark: complaint mails with three photos each, through Dovecot into
# tickets.
#
#   scripts/bench-mail.sh [N]          (N mails, default 10000)
#
# What it does, all on loopback, in a throwaway database "aduan_bench_mail", a fresh
# ADUAN_DATA_DIR under /tmp (deleted at the end: it holds GBs) and the test mailbox
# BENCH_MAIL_USER, by default sertifikat@kemkes.test (the legacy complaint mailbox, which the
# end-to-end mail tests leave alone: they empty pedulilindungi@ and warga1@ whenever they
# start, so sharing one with them breaks both), emptied before and after:
#   1. provisions PostgreSQL, Redis, Dovecot and Postfix (scripts/provision.sh db mail),
#      builds bin/aduan and the helper scripts/bench/mail, creates and migrates the database;
#   2. corpus: N mails, each with the five form fields (Nama Lengkap, a valid NIK of its own,
#      Tempat, Tanggal Lahir, Nomor HP, Keluhan) and three ~200 KB JPEG photos attached as
#      ktp.jpg, selfie.jpg and kartu-vaksin.jpg (base64; every photo's bytes, hence its sha256,
#      its own), IMAP APPENDed to the INBOX over BENCH_APPEND_CONNS connections (timed);
#   3. baseline: a plain IMAP read of the same INBOX without processing: EXAMINE, UID SEARCH,
#      UID FETCH BODY.PEEK[] in batches of 50, bytes read and discarded (mails/s, MB/s); then
#      the same again with its CPU sampled (client and Dovecot, ms a mail);
#   4. the drain: `/usr/bin/time -v bin/aduan poll --once` (wall time, peak RSS), the CPU split
#      between aduan, PostgreSQL and Dovecot sampled from /proc, top and vmstat every 5 s; then
#      checks N tickets, 3N attachments, an empty INBOX and N mails in Processed;
#   4b. the drain again with the blob store in an S3 bucket (BENCH_S3=1, the default): the
#      same mails moved back from Processed to the INBOX, a fresh database, the file drain's
#      blobs removed, and `bin/aduan poll --once` with ADUAN_BLOB_URL naming a bucket of its own
#      on the versitygw of `scripts/provision.sh s3` (removed at the end); its rate is set
#      against the file drain's (target: at least 0.8);
#   5. profile (BENCH_PROFILE=1): BENCH_PROFILE_MAILS more mails drained by the same code as
#      `aduan poll --once` run inside the helper under the Go CPU profiler (not reported as
#      throughput: it is a second, smaller run); with BENCH_PERF=1 also perf over the machine,
#      and the poller's CPU split by what it was doing, kernel included, in ms a mail
#      (perf-attribution.txt);
#   6. IDLE latency: `bin/aduan poll` waiting on an empty INBOX while BENCH_IDLE_MAILS such
#      mails arrive through Postfix (SMTP 127.0.0.1:2525) at BENCH_IDLE_RATE a second; each
#      mail's latency is its message's created_at in the database minus the moment its SMTP
#      send began (p50/p95/p99/max);
#   7. prints a summary with the machine and the versions.
#
# Settings (environment): BENCH_S3 (1: also drain into an S3 bucket), BENCH_MAIL_USER (sertifikat@kemkes.test), BENCH_APPEND_CONNS (4), BENCH_IDLE_MAILS (200), BENCH_IDLE_RATE (10),
# BENCH_PROFILE (1), BENCH_PROFILE_MAILS (2000, at most N), BENCH_PERF (0), BENCH_KEEP_DB (1: keep
# aduan_bench_mail), BENCH_KEEP_MAIL (1: leave the mailbox full), BENCH_OUT (directory for raw
# output; default a new one under /tmp; the data directory inside it is always removed),
# BENCH_QUIET_WAIT (60: at most this many seconds waiting, before each timed run, for other work
# on the machine to calm down), BENCH_MAX_SECONDS (5400: the whole run is stopped after this).
#
# A quick check that the script works end to end, in a minute or two:
#   BENCH_IDLE_MAILS=5 BENCH_PROFILE_MAILS=5 BENCH_QUIET_WAIT=0 scripts/bench-mail.sh 20
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

N=${1:-10000}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/bench-mail.sh [N]" >&2; exit 2; }
APPEND_CONNS=${BENCH_APPEND_CONNS:-4}
IDLE_MAILS=${BENCH_IDLE_MAILS:-200}
IDLE_RATE=${BENCH_IDLE_RATE:-10}
PROFILE=${BENCH_PROFILE:-1}
PROFILE_MAILS=${BENCH_PROFILE_MAILS:-2000}
((PROFILE_MAILS <= N)) || PROFILE_MAILS=$N
PERF=${BENCH_PERF:-0}
S3=${BENCH_S3:-1}
S3_BUCKET=aduan-bench-mail S3_DIR=/var/lib/aduan-s3 S3_MADE=0
KEEP_MAIL=${BENCH_KEEP_MAIL:-0}
MAX_SECONDS=5400 QUIET_WAIT=60

MAIL_USER=${BENCH_MAIL_USER:-sertifikat@kemkes.test}
DOVECOT_CONF=/etc/dovecot/aduan/dovecot.conf
MAIL_USED=0

dove() { doveadm -c "$DOVECOT_CONF" "$@"; }
box_count() { dove mailbox status -u "$MAIL_USER" messages "$1" 2>/dev/null | sed -n 's/.*messages=\([0-9]*\).*/\1/p'; }
# reset_mailbox: what scripts/mail/reset.sh USER does to the mailbox (expunge every message,
# delete every folder but INBOX), without its `postsuper -d ALL`, which would also drop mail
# other users' tests have in Postfix's queue.
reset_mailbox() {
  {
    dove expunge -u "$MAIL_USER" mailbox '*' all
    dove mailbox list -u "$MAIL_USER" | { grep -vx INBOX || true; } | sort -r | while IFS= read -r box; do
      dove mailbox delete -s -u "$MAIL_USER" "$box"
    done
  } >>"$OUT/reset.log" 2>&1
}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.1f}" 'BEGIN { if (b > 0) printf f, a / b; else print "n/a" }'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

# The mailbox is emptied and the data directory (it holds GBs) removed at the end.
bench_on_exit() {
  if [ "$MAIL_USED" = 1 ] && [ "$KEEP_MAIL" != 1 ]; then
    reset_mailbox || log "could not empty $MAIL_USER (see $OUT/reset.log)"
  fi
  rm -rf "$DATA" "$TOOL"
  [ "$S3_MADE" = 0 ] || rm -rf "${S3_DIR:?}/data/$S3_BUCKET" "${S3_DIR:?}/meta/$S3_BUCKET"
}
bench_init bench-mail aduan_bench_mail
DATA=$OUT/data TOOL=$OUT/bench-mail
export ADUAN_DATA_DIR=$DATA ADUAN_HTTP_ADDR=127.0.0.1:18089
export ADUAN_IMAP_ADDR=127.0.0.1:1143 ADUAN_IMAP_TLS=none ADUAN_IMAP_USER=$MAIL_USER
export ADUAN_IMAP_PASSWORD=aduan-test-pass

# ------------------------------------------------------------ CPU split

# snapshot FILE PID: CPU ticks so far of the machine and of every process, grouped:
# subject (PID: aduan, or the helper), postgres (this database's backends and the server's
# own processes), dovecot (its master and its imap, lmtp, auth, ... processes), and the rest
# by command name.
DOVECOT_COMMS=" dovecot imap imap-login lmtp auth anvil log config stats indexer indexer-worker dict doveadm "
snapshot() {
  local ours
  ours=$(sql "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
    WHERE datname = '$DB' OR backend_type <> 'client backend'" postgres 2>/dev/null || true)
  {
    awk '/^cpu /{print "machine", 0, $2+$3+$4+$5+$6+$7+$8+$9, $5+$6, $6}' /proc/stat
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v subj="$2" -v ours=" $ours " -v dc="$DOVECOT_COMMS" '
      { lp = index($0, "("); rp = match($0, /\) [A-Za-z] /)
        if (!lp || !rp) next
        comm = substr($0, lp + 1, rp - lp - 1); gsub(/[^A-Za-z0-9_.:\/-]/, "_", comm)
        split(substr($0, rp + 2), f, " "); pid = $1
        if (pid == subj) g = "subject"
        else if (comm == "postgres") g = (index(ours, " " pid " ") ? "postgres" : "other:postgres")
        else if (index(dc, " " comm " ")) g = "dovecot"
        else g = "other:" comm
        print g, pid, f[12] + f[13], f[14] + f[15] }'
  } >"$1"
}

# cpu_split A B [MAILS]: shares of the whole machine (100% = all cores busy) between two
# snapshots: "subject=55% postgres=20% dovecot=15% rest=5% (kworker) iowait=3% idle=2%". rest
# is everything else, including other work on the machine and the kernel's softirq
# work for loopback TCP that no process is billed for; iowait is idle time with I/O
# outstanding. With MAILS (handled between the two), also the CPU milliseconds per mail of
# the subject, PostgreSQL, Dovecot and everything busy on the machine (all, which includes the
# rest): "| per mail: subject=29.3 postgres=3.1 dovecot=2.0 all=36.0 ms".
cpu_split() {
  awk -v mails="${3:-0}" -v hz="$(getconf CLK_TCK)" '
    FNR == NR { a[$1 " " $2] = $3; c[$1 " " $2] = $4; if ($1 == "machine") { ai = $4; aw = $5 }; next }
    $1 == "machine" { total = $3 - a[$1 " " $2]; idle = $4 - ai; wait = $5 - aw; next }
    ($1 " " $2) in a { g[$1] += $3 - a[$1 " " $2]; if ($1 ~ /^other:/) h[$1] += $3 + $4 - a[$1 " " $2] - c[$1 " " $2] }
    END {
      if (total <= 0) { print "n/a"; exit }
      rest = total - idle - g["subject"] - g["postgres"] - g["dovecot"]
      printf "subject=%.0f%% postgres=%.0f%% dovecot=%.0f%% rest=%.0f%%", 100 * g["subject"] / total,
        100 * g["postgres"] / total, 100 * g["dovecot"] / total, 100 * rest / total
      top = ""
      for (i = 0; i < 3; i++) {
        best = ""; for (k in h) if (best == "" || h[k] > h[best]) best = k
        if (best == "" || 100 * h[best] / total < 2) break
        top = top (top == "" ? "" : ", ") substr(best, 7); delete h[best]
      }
      if (top != "") printf " (%s)", top
      printf " iowait=%.0f%% idle=%.0f%%", 100 * wait / total, 100 * (idle - wait) / total
      if (mails > 0) printf " | per mail: subject=%.1f postgres=%.1f dovecot=%.1f all=%.1f ms", 1000 * g["subject"] / hz / mails,
        1000 * g["postgres"] / hz / mails, 1000 * g["dovecot"] / hz / mails, 1000 * (total - idle) / hz / mails
      printf "\n"
    }' "$1" "$2"
}

# sample NAME PID EVERY [COUNT_CMD]: until PID ends, snapshot every EVERY seconds (the first
# after one interval, at most 2 s), with the mails handled so far when COUNT_CMD (a command
# printing that number) is given, and keep top(1) and vmstat(8) views; finish_sample writes
# the split between the first snapshot and the last one taken while PID lived to
# $OUT/NAME.cpu ("subject" renamed to SUBJECT).
sample() {
  local name=$1 pid=$2 every=$3 count_cmd=${4:-}
  : >"$OUT/$name.snaps"
  (
    trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM
    top -b -d "$every" -w 220 >"$OUT/$name.top" 2>/dev/null &
    vmstat -n "$every" >"$OUT/$name.vmstat" 2>/dev/null &
    sleep "$(awk -v e="$every" 'BEGIN { print (e < 2 ? e : 2) }')" & wait $!
    i=0
    while kill -0 "$pid" 2>/dev/null; do
      snapshot "$OUT/$name.snap.$i" "$pid"
      count=0
      [ -z "$count_cmd" ] || count=$($count_cmd 2>/dev/null || echo 0)
      grep -q "^subject $pid " "$OUT/$name.snap.$i" || { rm -f "$OUT/$name.snap.$i"; break; }
      echo "$OUT/$name.snap.$i ${count:-0}" >>"$OUT/$name.snaps"
      i=$((i + 1))
      sleep "$every" & wait $!
    done
    # shellcheck disable=SC2046 # one pid per word
    kill $(jobs -p) 2>/dev/null || true
  ) &
  SAMPLER_PID=$!
  bg "$SAMPLER_PID"
}
tickets_so_far() { sql "SELECT count(*) FROM tickets"; }
fetched_so_far() { cat "$OUT/fetch.progress"; }

finish_sample() { # finish_sample NAME SUBJECT
  local name=$1 subject=$2 first last c1 c2
  wait "$SAMPLER_PID" 2>/dev/null || true
  forget "$SAMPLER_PID"
  read -r first c1 < <(head -n 1 "$OUT/$name.snaps") || true
  read -r last c2 < <(tail -n 1 "$OUT/$name.snaps") || true
  if [ -n "${first:-}" ] && [ "$first" != "$last" ]; then
    cpu_split "$first" "$last" $((c2 - c1)) | sed "s/^subject=/$subject=/; s/per mail: subject=/per mail: $subject=/" >"$OUT/$name.cpu"
  else
    echo "n/a (run too short to sample)" >"$OUT/$name.cpu"
  fi
  rm -f "$OUT/$name".snap.* "$OUT/$name.snaps"
}

# ------------------------------------------------------------ setup

df -h / /tmp /var/mail >"$OUT/df-before.txt" 2>&1 || true
need_mb=$((N * 25 / 10 + 2048)) # Dovecot ~0.8 MB, raw blob ~0.8 MB, photos ~0.6 MB per mail
for dir in /tmp /var/mail; do
  free_mb=$(df -Pm "$dir" | awk 'NR == 2 {print $4}')
  [ "$free_mb" -ge "$need_mb" ] || die "$dir has ${free_mb} MB free; $N mails need about ${need_mb} MB"
done
log "disk: $(df -h /tmp | awk 'NR == 2 {print $4 " free on " $6}')"

if [ "$S3" = 1 ]; then provision db mail s3; else provision db mail; fi
have vmstat || log "vmstat missing: no I/O view"
build_aduan
log "building the helper (scripts/bench/mail; its mails come from scripts/bench/synth)"
go build -o "$TOOL" ./scripts/bench/mail
rm -rf "$DATA"
mkdir -p "$DATA"
make_db

# ------------------------------------------------------------ 2. corpus

log "emptying $MAIL_USER"
MAIL_USED=1
reset_mailbox || die "reset failed (see $OUT/reset.log)"
log "corpus: $N mails with three photos each, IMAP APPEND over $APPEND_CONNS connections"
"$TOOL" append -n "$N" -conns "$APPEND_CONNS" -run 1 >"$OUT/append.txt" 2>"$OUT/append.log" ||
  { tail -n 20 "$OUT/append.log" >&2; die "append failed"; }
APPEND=$(grep '^BENCH append' "$OUT/append.txt")
INBOX=$(box_count INBOX)
[ "$INBOX" = "$N" ] || die "INBOX holds $INBOX mails after appending $N"
MAIL_BYTES=$(field bytes "$APPEND")
MAIL_KB=$(div "$MAIL_BYTES" "$((N * 1024))" %.0f)
log "  $(field seconds "$APPEND") s, $(field mails_per_s "$APPEND") mails/s, $(field mb_per_s "$APPEND") MB/s; mails of $MAIL_KB KB, photos of $(field photo_kb "$APPEND") KB"

# ------------------------------------------------------------ 3. baseline

# Twice: the first, with nothing else watching, gives the rate; the second, sampled every
# second (the sampler's own reads of /proc take a few percent of the machine), its CPU a mail.
wait_quiet
FETCH_QUIET=$QUIET
log "baseline: plain IMAP fetch of the INBOX (EXAMINE, UID FETCH BODY.PEEK[] by 50)"
"$TOOL" fetch -batch 50 >"$OUT/fetch.txt" 2>"$OUT/fetch.log" || { cat "$OUT/fetch.log" >&2; die "fetch failed"; }
FETCH=$(grep '^BENCH fetch' "$OUT/fetch.txt")
[ "$(field mails "$FETCH")" = "$N" ] || die "the fetch read $(field mails "$FETCH") mails, not $N"
log "  $(field seconds "$FETCH") s, $(field mails_per_s "$FETCH") mails/s, $(field mb_per_s "$FETCH") MB/s"
wait_quiet
log "  again, sampling its CPU"
"$TOOL" fetch -batch 50 -progress "$OUT/fetch.progress" >"$OUT/fetch-sampled.txt" 2>>"$OUT/fetch.log" &
FETCH_PID=$!
bg "$FETCH_PID"
sample fetch "$FETCH_PID" 1 fetched_so_far
wait "$FETCH_PID" || { cat "$OUT/fetch.log" >&2; die "fetch failed"; }
forget "$FETCH_PID"
finish_sample fetch client
FETCH2=$(grep '^BENCH fetch' "$OUT/fetch-sampled.txt")
log "  $(field seconds "$FETCH2") s, $(field mails_per_s "$FETCH2") mails/s; CPU $(cat "$OUT/fetch.cpu")"

# ------------------------------------------------------------ 4. the drain

# What storing one blob costs on the data directory's disk (Dir.Put: written and renamed
# into place; then Sync, for that blob alone): a photo and a raw mail.
"$TOOL" put -dir "$DATA/put" -n 100 -size $(($(field photo_kb "$APPEND") * 1024)) >"$OUT/put.txt"
"$TOOL" put -dir "$DATA/put" -n 100 -size $((MAIL_BYTES / N)) >>"$OUT/put.txt"
PUT_PHOTO=$(sed -n 1p "$OUT/put.txt") PUT_MAIL=$(sed -n 2p "$OUT/put.txt")

wait_quiet
DRAIN_QUIET=$QUIET DRAIN_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
log "drain: /usr/bin/time -v bin/aduan poll --once ($N mails)"
t0=$(now)
/usr/bin/time -v -o "$OUT/drain.time" bin/aduan poll --once >"$OUT/drain.log" 2>&1 &
TIME_PID=$!
bg "$TIME_PID"
AD_PID=''
for _ in $(seq 1 50); do
  AD_PID=$(pgrep -P "$TIME_PID" || true)
  [ -z "$AD_PID" ] || break
  sleep 0.1
done
[ -n "$AD_PID" ] || die "aduan poll did not start"
bg "$AD_PID"
sample drain "$AD_PID" 5 tickets_so_far
wait "$TIME_PID" || { tail -n 20 "$OUT/drain.log" >&2; die "aduan poll --once failed"; }
t1=$(now)
forget "$TIME_PID"
forget "$AD_PID"
finish_sample drain aduan
DRAIN_SECS=$(secs "$t0" "$t1")
DRAIN_RATE=$(div "$N" "$DRAIN_SECS")
DRAIN_MB=$(div "$MAIL_BYTES" "$(awk -v s="$DRAIN_SECS" 'BEGIN { print s * 1e6 }')")
DRAIN_RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/drain.time")
DRAIN_RSS=$(div "$DRAIN_RSS_KB" 1024 %.0f)
DRAIN_CPU=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.1f %.1f", u, s}' "$OUT/drain.time")
read -r DRAIN_USER DRAIN_SYS <<<"$DRAIN_CPU"
RATIO=$(div "$DRAIN_RATE" "$(field mails_per_s "$FETCH")" %.2f)
# At half the plain fetch's rate, the CPU time a mail may cost in all (Dovecot, PostgreSQL,
# aduan, the kernel) with every core busy.
BUDGET=$(awk -v c="$NCPU" -v r="$(field mails_per_s "$FETCH")" 'BEGIN { if (r > 0) printf "%.2f", c * 1000 / (0.5 * r); else print "n/a" }')

read -r TICKETS ATTACH MSGS STORED FAILS QUAR < <(sql "SELECT (SELECT count(*) FROM tickets),
  (SELECT count(*) FROM attachments), (SELECT count(*) FROM messages),
  (SELECT count(*) FROM attachments WHERE stored), (SELECT count(*) FROM mail_failures),
  (SELECT count(*) FROM quarantined_mail)" | tr '|' ' ')
INBOX_AFTER=$(box_count INBOX) PROCESSED=$(box_count Processed)
BLOBS=$(find "$DATA/blobs" -type f | wc -l) BLOB_MB=$(du -sm "$DATA/blobs" | cut -f1)
CHECK="tickets=$TICKETS attachments=$ATTACH (stored $STORED) messages=$MSGS failures=$FAILS quarantined=$QUAR INBOX=$INBOX_AFTER Processed=$PROCESSED blobs=$BLOBS (${BLOB_MB} MB)"
log "  $DRAIN_SECS s, $DRAIN_RATE mails/s, peak RSS $DRAIN_RSS MB, CPU user ${DRAIN_USER}s sys ${DRAIN_SYS}s"
log "  CPU $(cat "$OUT/drain.cpu")"
log "  $CHECK"
if ! { [ "$TICKETS" = "$N" ] && [ "$ATTACH" = $((3 * N)) ] && [ "$STORED" = $((3 * N)) ] &&
  [ "$INBOX_AFTER" = 0 ] && [ "$PROCESSED" = "$N" ] && [ "$BLOBS" = $((4 * N)) ]; }; then
  die "the drain did not take every mail in: $CHECK"
fi

# ------------------------------------------------------------ 4b. the drain into an S3 bucket

# s3_curl METHOD PATH: a signed request without a body to the provisioned versitygw.
s3_curl() {
  local method=(-X "$1")
  [ "$1" = HEAD ] && method=(--head)
  curl -s -o /dev/null -w '%{http_code}' "${method[@]}" --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user aduan:aduan-local-secret -H "x-amz-content-sha256: $(sha256sum </dev/null | cut -d' ' -f1)" \
    "http://127.0.0.1:7070/$2"
}
S3_SECS='' S3_RATE='' S3_RATIO='' S3_CHECK=''
if [ "$S3" = 1 ]; then
  rm -rf "$DATA/blobs" # the file drain's, checked above: GBs
  rm -rf "${S3_DIR:?}/data/$S3_BUCKET" "${S3_DIR:?}/meta/$S3_BUCKET"
  S3_MADE=1
  [ "$(s3_curl PUT "$S3_BUCKET")" = 200 ] || die "could not create the bucket $S3_BUCKET on versitygw 127.0.0.1:7070"
  log "drain with the S3 blob store: the same mails back to the INBOX, a fresh database"
  dove move -u "$MAIL_USER" INBOX mailbox Processed all >>"$OUT/reset.log" 2>&1 || die "moving the mails back failed"
  [ "$(box_count INBOX)" = "$N" ] || die "INBOX holds $(box_count INBOX) mails, not $N, for the S3 drain"
  make_db
  wait_quiet
  S3_QUIET=$QUIET S3_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
  log "drain (S3): ADUAN_BLOB_URL=s3://$S3_BUCKET… bin/aduan poll --once ($N mails)"
  t0=$(now)
  ADUAN_BLOB_URL="s3://$S3_BUCKET?endpoint=http://127.0.0.1:7070&region=us-east-1" \
    ADUAN_S3_ACCESS_KEY=aduan ADUAN_S3_SECRET_KEY=aduan-local-secret \
    /usr/bin/time -v -o "$OUT/drain-s3.time" bin/aduan poll --once >"$OUT/drain-s3.log" 2>&1 &
  TIME_PID=$!
  bg "$TIME_PID"
  AD_PID=''
  for _ in $(seq 1 50); do
    AD_PID=$(pgrep -P "$TIME_PID" || true)
    [ -z "$AD_PID" ] || break
    sleep 0.1
  done
  [ -n "$AD_PID" ] || die "aduan poll (S3) did not start"
  bg "$AD_PID"
  sample drain-s3 "$AD_PID" 5 tickets_so_far
  wait "$TIME_PID" || { tail -n 20 "$OUT/drain-s3.log" >&2; die "aduan poll --once (S3) failed"; }
  t1=$(now)
  forget "$TIME_PID"
  forget "$AD_PID"
  finish_sample drain-s3 aduan
  S3_SECS=$(secs "$t0" "$t1")
  S3_RATE=$(div "$N" "$S3_SECS")
  S3_RATIO=$(div "$S3_RATE" "$DRAIN_RATE" %.2f)
  S3_RSS=$(div "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/drain-s3.time")" 1024 %.0f)
  read -r TICKETS ATTACH STORED < <(sql "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM attachments),
    (SELECT count(*) FROM attachments WHERE stored)" | tr '|' ' ')
  OBJECTS=$(find "$S3_DIR/data/$S3_BUCKET" -type f | wc -l) OBJ_MB=$(du -sm "$S3_DIR/data/$S3_BUCKET" | cut -f1)
  S3_CHECK="tickets=$TICKETS attachments=$ATTACH (stored $STORED) INBOX=$(box_count INBOX) Processed=$(box_count Processed) objects=$OBJECTS (${OBJ_MB} MB)"
  log "  $S3_SECS s, $S3_RATE mails/s ($S3_RATIO of the file drain), peak RSS $S3_RSS MB; load before: $S3_LOAD"
  log "  CPU $(cat "$OUT/drain-s3.cpu")"
  log "  $S3_CHECK"
  if ! { [ "$TICKETS" = "$N" ] && [ "$STORED" = $((3 * N)) ] && [ "$(box_count INBOX)" = 0 ] && [ "$OBJECTS" = $((4 * N)) ]; }; then
    die "the S3 drain did not take every mail in: $S3_CHECK"
  fi
  rm -rf "${S3_DIR:?}/data/$S3_BUCKET" "${S3_DIR:?}/meta/$S3_BUCKET"
  S3_MADE=0
fi

# ------------------------------------------------------------ 5. profile

PROF_LINE='' PROF_RATE=''
if [ "$PROFILE" = 1 ]; then
  log "profile: $PROFILE_MAILS more mails drained under the Go CPU profiler (not reported as throughput)"
  reset_mailbox || die "reset failed (see $OUT/reset.log)"
  "$TOOL" append -n "$PROFILE_MAILS" -conns "$APPEND_CONNS" -run 2 -first "$N" >"$OUT/profile-append.txt" 2>>"$OUT/append.log" ||
    die "append for the profile failed"
  wait_quiet
  PERF_PID=''
  if [ "$PERF" = 1 ] && have perf; then
    perf record -q -a -g -F 199 -o "$OUT/perf.data" >"$OUT/perf-record.log" 2>&1 &
    PERF_PID=$!
    bg "$PERF_PID"
  fi
  "$TOOL" profile -cpu "$OUT/drain-cpu.pprof" -mem "$OUT/drain-allocs.pprof" >"$OUT/profile.txt" 2>"$OUT/profile.log" ||
    { tail -n 20 "$OUT/profile.log" >&2; die "the profiled drain failed"; }
  if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    forget "$PERF_PID"
    perf report -i "$OUT/perf.data" --stdio --no-children -g none --sort comm 2>/dev/null | grep -v '^$' | head -n 30 >"$OUT/perf-comm.txt" || true
    perf report -i "$OUT/perf.data" --stdio --no-children -g none --sort comm,dso 2>/dev/null | grep -v '^$' | head -n 40 >"$OUT/perf-comm-dso.txt" || true
    perf script -i "$OUT/perf.data" -F comm,tid,ip,sym 2>/dev/null |
      "$TOOL" attribute -comm "$(basename "$TOOL")" -freq 199 -mails "$PROFILE_MAILS" >"$OUT/perf-attribution.txt" 2>&1 || true
    rm -f "$OUT/perf.data"
  fi
  PROF_LINE=$(grep '^BENCH profile' "$OUT/profile.txt")
  PROF_RATE=$(div "$PROFILE_MAILS" "$(field seconds "$PROF_LINE")")
  go tool pprof -top -nodecount=40 "$OUT/drain-cpu.pprof" >"$OUT/profile-flat.txt" 2>/dev/null || true
  go tool pprof -top -cum -nodecount=70 "$OUT/drain-cpu.pprof" >"$OUT/profile-cum.txt" 2>/dev/null || true
  go tool pprof -top -sample_index=alloc_space -nodecount=25 "$OUT/drain-allocs.pprof" >"$OUT/profile-alloc.txt" 2>/dev/null || true
  log "  $PROFILE_MAILS mails in $(field seconds "$PROF_LINE") s ($PROF_RATE mails/s under the profiler); see $OUT/profile-*.txt"
fi

# ------------------------------------------------------------ 6. IDLE latency

log "IDLE: bin/aduan poll on an empty INBOX; $IDLE_MAILS mails through Postfix at $IDLE_RATE/s"
reset_mailbox || die "reset failed (see $OUT/reset.log)"
bin/aduan poll >"$OUT/idle-poller.log" 2>&1 </dev/null &
POLL_PID=$!
bg "$POLL_PID"
for i in $(seq 1 30); do # until the poller's IMAP session is up
  kill -0 "$POLL_PID" 2>/dev/null || { cat "$OUT/idle-poller.log" >&2; die "aduan poll exited"; }
  dove who "$MAIL_USER" 2>/dev/null | grep -q imap && break
  [ "$i" -lt 30 ] || die "aduan poll did not log in within 30 s"
  sleep 1
done
sleep 2 # SELECT, the first (empty) drain, IDLE
"$TOOL" smtp -n "$IDLE_MAILS" -rate "$IDLE_RATE" -run 1 -first 1000000 -out "$OUT/idle-sends.tsv" \
  >"$OUT/idle-smtp.txt" 2>"$OUT/idle-smtp.log" || { cat "$OUT/idle-smtp.log" >&2; die "SMTP sending failed"; }
SMTP_LINE=$(grep '^BENCH smtp' "$OUT/idle-smtp.txt")
got=0
for _ in $(seq 1 120); do
  got=$(sql "SELECT count(*) FROM messages WHERE source_id LIKE '<idle-1-%'")
  [ "$got" -lt "$IDLE_MAILS" ] || break
  sleep 1
done
IDLE_RSS=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$POLL_PID/status" 2>/dev/null || echo n/a)
stop_pid "$POLL_PID"
forget "$POLL_PID"
sql "SELECT source_id, extract(epoch FROM created_at) FROM messages WHERE source_id LIKE '<idle-1-%'" |
  tr '|' '\t' >"$OUT/idle-created.tsv"
"$TOOL" latency -sends "$OUT/idle-sends.tsv" -created "$OUT/idle-created.tsv" >"$OUT/idle-latency.txt"
LAT=$(grep '^BENCH latency' "$OUT/idle-latency.txt")
log "  $(field ticketed "$LAT")/$IDLE_MAILS ticketed; p50 $(field p50_ms "$LAT") ms, p95 $(field p95_ms "$LAT") ms, p99 $(field p99_ms "$LAT") ms, max $(field max_ms "$LAT") ms"
[ "$got" -ge "$IDLE_MAILS" ] || log "  WARNING: only $got of $IDLE_MAILS mails became tickets within 120 s"

# ------------------------------------------------------------ 7. summary

df -h / /tmp /var/mail >"$OUT/df-after-run.txt" 2>&1 || true
pg_version=$(sql "SHOW server_version" postgres)
met() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { if (v == "n/a" || v == "") { print "n/a"; exit }
  ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0); print ok ? "met" : "NOT met" }'; }
P99_S=$(div "$(field p99_ms "$LAT")" 1000 %.2f)
{
  echo "== Aduan benchmark: email intake (aduan poll) =="
  echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:    $(commit_line)"
  echo "machine:   $(machine_line)"
  echo "versions:  $(go version | awk '{print $3}'), Dovecot $(dovecot --version | awk '{print $1}'), Postfix $(postconf -h mail_version), PostgreSQL $pg_version ($(psql --version | awk '{print $1, $3}'))"
  echo "corpus:    $N mails of $MAIL_KB KB (three JPEG photos of $(field photo_kb "$APPEND") KB, base64), $((MAIL_BYTES / 1000000)) MB in all"
  echo "           Dovecot, PostgreSQL, the helper and aduan share the same $NCPU cores; the mail is in the page cache"
  echo
  printf '%-44s %s\n' "IMAP APPEND of the corpus ($APPEND_CONNS connections)" \
    "$(field seconds "$APPEND") s = $(field mails_per_s "$APPEND") mails/s, $(field mb_per_s "$APPEND") MB/s"
  printf '%-44s %s\n' "plain IMAP fetch (UID FETCH BODY.PEEK[] by 50)" \
    "$(field seconds "$FETCH") s = $(field mails_per_s "$FETCH") mails/s, $(field mb_per_s "$FETCH") MB/s (machine ${FETCH_QUIET}% idle before)"
  printf '%-44s %s\n' "  CPU during the fetch (a second, sampled run)" "$(cat "$OUT/fetch.cpu") ($(field mails_per_s "$FETCH2") mails/s)"
  printf '%-44s %s\n' "drain: aduan poll --once" "$DRAIN_SECS s = $DRAIN_RATE mails/s, $DRAIN_MB MB/s (machine ${DRAIN_QUIET}% idle before, load $DRAIN_LOAD)"
  printf '%-44s %s\n' "  ratio drain / plain fetch" "$RATIO"
  if [ -n "$S3_RATE" ]; then
    printf '%-44s %s\n' "drain with blobs in an S3 bucket (versitygw)" "$S3_SECS s = $S3_RATE mails/s, $S3_RATIO of the file drain (machine ${S3_QUIET}% idle before, load $S3_LOAD); peak RSS $S3_RSS MB"
    printf '%-44s %s\n' "  CPU during the S3 drain" "$(cat "$OUT/drain-s3.cpu")"
    printf '%-44s %s\n' "  checked afterwards" "$S3_CHECK"
  fi
  printf '%-44s %s\n' "  CPU a mail may cost for a ratio of 0.5" "$BUDGET ms on $NCPU cores (all of them busy); the drain used $(DRAIN_ALL=$(field all "$(sed 's/.*per mail: //' "$OUT/drain.cpu")"); echo "${DRAIN_ALL:-n/a}") ms"
  printf '%-44s %s\n' "  peak RSS of the poller" "$DRAIN_RSS MB"
  printf '%-44s %s\n' "  aduan CPU time" "user ${DRAIN_USER} s + sys ${DRAIN_SYS} s = $(div "$(awk -v u="$DRAIN_USER" -v s="$DRAIN_SYS" 'BEGIN{print (u+s)*1000}')" "$N" %.1f) ms per mail"
  printf '%-44s %s\n' "  CPU during the drain (% of all $NCPU cores)" "$(cat "$OUT/drain.cpu")"
  printf '%-44s %s\n' "  checked afterwards" "$CHECK"
  printf '%-44s %s\n' "  one blob stored (Dir.Put, then its Sync)" "$(field size "$PUT_PHOTO") B: $(field mean_ms "$PUT_PHOTO") + $(field sync_mean_ms "$PUT_PHOTO") ms; $(field size "$PUT_MAIL") B: $(field mean_ms "$PUT_MAIL") + $(field sync_mean_ms "$PUT_MAIL") ms (Put p99 $(field p99_ms "$PUT_MAIL") ms); direct I/O $(field direct "$PUT_MAIL"); means of 100"
  if [ -n "$PROF_LINE" ]; then
    printf '%-44s %s\n' "profiled drain ($PROFILE_MAILS mails, Go profiler on)" "$(field seconds "$PROF_LINE") s = $PROF_RATE mails/s"
  fi
  if [ -s "$OUT/perf-attribution.txt" ]; then
    echo "  where the profiled drain's CPU went (perf, kernel work included):"
    grep -v '^BENCH' "$OUT/perf-attribution.txt" | sed 's/^/    /'
    ATTR=$(grep '^BENCH attribute' "$OUT/perf-attribution.txt" || true)
    if [ -n "$ATTR" ]; then
      printf '%-44s %s\n' "  the floor: what any mail costs here" "storing it (hash, decode, write, sync) $(field stored_ms_per_mail "$ATTR") ms + PostgreSQL $(field postgres_ms_per_mail "$ATTR") ms + Dovecot $(field imap_ms_per_mail "$ATTR") ms = $(awk -v a="$(field stored_ms_per_mail "$ATTR")" -v b="$(field postgres_ms_per_mail "$ATTR")" -v c="$(field imap_ms_per_mail "$ATTR")" 'BEGIN { printf "%.2f", a + b + c }') ms a mail, against $BUDGET ms for a ratio of 0.5"
    fi
  fi
  printf '%-44s %s\n' "IDLE: $IDLE_MAILS mails by SMTP at $IDLE_RATE/s" "$(field ticketed "$LAT") ticketed; send start -> ticket p50 $(field p50_ms "$LAT") ms, p95 $(field p95_ms "$LAT") ms, p99 $(field p99_ms "$LAT") ms, max $(field max_ms "$LAT") ms"
  printf '%-44s %s\n' "" "(from SMTP acceptance: p50 $(field accepted_p50_ms "$LAT") ms, p99 $(field accepted_p99_ms "$LAT") ms; SMTP send p50 $(field send_p50_ms "$SMTP_LINE") ms; poller peak RSS $IDLE_RSS MB)"
  echo
  echo "targets:   drain >= 100 mails/s: $(met "$DRAIN_RATE" '>=' 100); ratio >= 0.5: $(met "$RATIO" '>=' 0.5);" \
    "S3 drain >= 0.8 of the file drain: $(met "${S3_RATIO:-n/a}" '>=' 0.8);" \
    "peak RSS <= 256 MB: $(met "$DRAIN_RSS" '<=' 256); IDLE p99 <= 5 s: $(met "$P99_S" '<=' 5)"
  echo "raw output: $OUT"
} | tee "$OUT/summary.txt"
