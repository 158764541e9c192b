# shellcheck shell=bash
# make run's demo mail, sourced by scripts/run.sh and scripts/time-first-ack.sh from the
# repository's root. The addresses are users of `scripts/provision.sh mail`
# (scripts/mail/users) that no test reads; aduan.yaml points Aduan at them.
# shellcheck disable=SC2034 # used by the scripts that source this file

DEMO_CONFIG=scripts/demo/aduan.yaml
DEMO_DESK=demo@kemkes.test   # the complaint mailbox Aduan reads
DEMO_CITIZEN=demo@warga.test # the complainant: acknowledgements land in this mailbox
DEMO_DOVECOT_CONF=/etc/dovecot/aduan/dovecot.conf

# demo_mail_wanted: the demo runs on the local mail system unless the mail settings are
# someone's own (a config file, or a mailbox or relay in the environment).
demo_mail_wanted() {
  [ -z "${ADUAN_CONFIG:-}${ADUAN_IMAP_ADDR:-}${ADUAN_SMTP_ADDR:-}" ]
}

# demo_send_command: the swaks command that sends the demo complaint: the form in the text,
# the KTP, the selfie and the vaccination card as JPEG attachments. Absolute paths, so it
# runs from any folder.
demo_send_command() {
  local dir photo
  dir=$(printf '%q' "$PWD/scripts/demo")
  echo "swaks --server 127.0.0.1:2525 --from $DEMO_CITIZEN --to $DEMO_DESK \\"
  echo "  --header 'Subject: Sertifikat vaksin belum muncul' --body @$dir/keluhan.txt \\"
  for photo in ktp.jpg selfie.jpg kartu-vaksin.jpg; do
    printf '  --attach-type image/jpeg --attach-name %s --attach @%s/%s' "$photo" "$dir" "$photo"
    if [ "$photo" != kartu-vaksin.jpg ]; then printf ' %s' "\\"; fi
    echo
  done
}

# demo_inbox_command: the command that shows the complainant's mailbox (Maildir files of
# the system user vmail, hence root).
demo_inbox_command() {
  local sudo=
  if [ "$(id -u)" -ne 0 ]; then sudo='sudo '; fi
  echo "${sudo}doveadm -c $DEMO_DOVECOT_CONF fetch -u $DEMO_CITIZEN text mailbox INBOX all"
}

# demo_ticket_command: the commands that show the newest email ticket through the API, as
# the demo agent agen1 (a login of `aduan seed --demo`), with the session cookie.
demo_ticket_command() {
  local api="http://${ADUAN_HTTP_ADDR:-127.0.0.1:8080}/api/v1" jar=/tmp/aduan-demo.cookies
  echo "curl -s -c $jar $api/auth/login -d '{\"email\":\"agen1@aduan.test\",\"password\":\"agen1-demo-123\"}' >/dev/null"
  echo "curl -s -b $jar '$api/tickets?channel=email&limit=1'"
}

# demo_instructions: what make run prints before Aduan starts. time-first-ack.sh runs the
# commands printed here as a newcomer would paste them: each block of commands ends at the
# next line starting with "run:".
demo_instructions() {
  echo "run: ---- the demo: mail -> ticket -> checked photos -> acknowledgement"
  echo "run: Aduan reads $DEMO_DESK on the local Dovecot and answers through the local Postfix."
  echo "run: 1. send a complaint with three photos (KTP, swafoto, kartu vaksin):"
  demo_send_command
  echo "run: 2. within seconds the mail is read, a ticket opened and its photos checked (the log below"
  echo "run:    says \"documents checked\": ktp, selfie, vaccine_card ok). The ticket, as agent agen1:"
  demo_ticket_command
  echo "run: 3. the acknowledgement, in the complainant's mailbox ($DEMO_CITIZEN):"
  demo_inbox_command
  echo "run: ----"
}
