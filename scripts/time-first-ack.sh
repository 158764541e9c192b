#!/usr/bin/env bash
# Time make run's demo end to end, as a newcomer meets it: start `make run`, wait for the
# instructions it prints, run the swaks command printed there, and wait for the answer in
# the complainant's mailbox; then show the ticket with the printed curl commands and stop
# make run with SIGINT to its process group, as Ctrl-C does.
#
#   scripts/time-first-ack.sh [LOG]      (make run's output goes to LOG; default a temp file)
#
# Needs ADUAN_HTTP_ADDR (127.0.0.1:8080) free and no mail settings of your own (see
# scripts/run.sh). The demo mailboxes keep what it sent; scripts/mail/reset.sh
# demo@kemkes.test demo@warga.test empties them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
# shellcheck source=scripts/demo/demo.sh
. scripts/demo/demo.sh

START_TIMEOUT=${START_TIMEOUT:-900} # a first run installs packages and compiles everything
ACK_TIMEOUT=${ACK_TIMEOUT:-120}
STOP_TIMEOUT=${STOP_TIMEOUT:-60}

log() { echo "time-first-ack: $*"; }
die() { echo "time-first-ack: ERROR: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
dove() { "${SUDO[@]}" doveadm -c "$DEMO_DOVECOT_CONF" "$@"; }

demo_mail_wanted || die "ADUAN_CONFIG, ADUAN_IMAP_ADDR or ADUAN_SMTP_ADDR is set: make run would not run the demo"
host=${ADUAN_HTTP_ADDR%:*} port=${ADUAN_HTTP_ADDR##*:}
# shellcheck disable=SC2016 # expanded by the inner bash
if timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null; then
  die "$ADUAN_HTTP_ADDR is already taken; stop what listens there first"
fi

out=${1:-$(mktemp "${TMPDIR:-/tmp}/make-run.XXXXXX")}
log "make run > $out"
t0=$(now)
setsid make run >"$out" 2>&1 </dev/null &
pid=$! # setsid runs make itself (no fork: we are not a group leader), so $! is make's group
stop_run() {
  kill -0 "$pid" 2>/dev/null || return 0
  kill -INT -- "-$pid" 2>/dev/null || true
}
trap stop_run EXIT

# block FROM: the commands make run printed after the line starting with FROM (and the
# "run:" lines that continue it), up to the next line starting with "run:".
block() {
  awk -v from="$1" 'index($0, from) == 1 { on = 1; next }
    on && /^run:/ { if (seen) exit; next }
    on { seen = 1; print }' "$out"
}

while ! grep -q '^run: ----$' "$out"; do
  kill -0 "$pid" 2>/dev/null || { tail -n 30 "$out" >&2; die "make run stopped before printing the demo"; }
  [ "$(since "$t0" | cut -d. -f1)" -lt "$START_TIMEOUT" ] || die "no demo instructions after ${START_TIMEOUT}s"
  sleep 0.1
done
t_printed=$(since "$t0")
log "instructions printed after ${t_printed}s"

send=$(block 'run: 1.')
[ -n "$send" ] || die "no swaks command in the instructions"
transcript=$(bash -c "$send" 2>&1) || { echo "$transcript" >&2; die "the printed swaks command failed"; }
msgid=$(sed -n 's/^ -> Message-Id: *//Ip' <<<"$transcript" | head -n 1 | tr -d '\r')
[ -n "$msgid" ] || die "no Message-Id in swaks's transcript"
t_sent=$(since "$t0")
log "complaint $msgid sent after ${t_sent}s"

# The first answer: a mail in the complainant's INBOX that refers to the complaint.
while [ -z "$(dove search -u "$DEMO_CITIZEN" mailbox INBOX HEADER References "$msgid" 2>/dev/null)" ]; do
  [ "$(awk -v a="$t_sent" -v b="$(since "$t0")" 'BEGIN { print int(b - a) }')" -lt "$ACK_TIMEOUT" ] ||
    die "no answer in $DEMO_CITIZEN's INBOX ${ACK_TIMEOUT}s after sending"
  sleep 0.1
done
t_ack=$(since "$t0")
subject=$(dove fetch -u "$DEMO_CITIZEN" hdr.subject mailbox INBOX HEADER References "$msgid" | head -n 1)
log "first answer in $DEMO_CITIZEN's INBOX after ${t_ack}s (${subject#hdr.subject: })"

# The ticket, through the printed commands (the documents are checked by then or soon).
ticket=$(bash -c "$(block 'run: 2.')")
number=$(grep -o '"number":"[^"]*"' <<<"$ticket" | head -n 1)
documents=$(grep -o '"documents":{[^}]*}' <<<"$ticket" | head -n 1)
log "ticket ${number:-?}, ${documents:-no documents in the answer}"

t_stop=$(now)
stop_run
for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null && die "make run still running ${STOP_TIMEOUT}s after SIGINT"
status=0
wait "$pid" || status=$?
log "stopped ${status:+(exit $status) }$(since "$t_stop")s after SIGINT"
echo "make-run-to-first-ack ${t_ack}s (instructions ${t_printed}s, sent ${t_sent}s)"
