#!/usr/bin/env bash
# make run: provision services, build, migrate, seed demo data, run everything in one process.
#
# Unless the mail settings are your own (ADUAN_CONFIG, ADUAN_IMAP_ADDR or ADUAN_SMTP_ADDR
# set), the demo also gets the local Postfix and Dovecot of `scripts/provision.sh mail` and
# scripts/demo/aduan.yaml points Aduan at them; the start prints a swaks command that sends a
# complaint with photos, and the commands that show its ticket and the acknowledgement.
# Unless ADUAN_WA_GRAPH_URL is set, WhatsApp runs on the local Graph API stand-in
# (scripts/demo/whatsapp.sh) and the start prints the chat page's address.
# Running it again is harmless; Ctrl-C stops Aduan, which finishes the work in hand first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh
# shellcheck source=scripts/demo/demo.sh
. scripts/demo/demo.sh
# shellcheck source=scripts/demo/whatsapp.sh
. scripts/demo/whatsapp.sh

demo=0
if demo_mail_wanted; then demo=1; fi
if [ "$demo" = 1 ]; then
  scripts/provision.sh db mail heif
  export ADUAN_CONFIG=$DEMO_CONFIG
else
  scripts/provision.sh db heif
fi
wa_demo=0
if demo_whatsapp_wanted; then
  wa_demo=1
  demo_whatsapp_env
fi
go build -o bin/aduan ./cmd/aduan
bin/aduan migrate
bin/aduan seed --demo
echo "run: Aduan at http://$ADUAN_HTTP_ADDR/"
if [ "$demo" = 1 ]; then
  demo_instructions
else
  echo "run: mail as you configured it (ADUAN_CONFIG, ADUAN_IMAP_*, ADUAN_SMTP_*); no demo mail"
fi
if [ "$wa_demo" = 1 ]; then
  demo_whatsapp_start
  demo_whatsapp_instructions
  bin/aduan all # not exec: the stand-in is stopped when Aduan ends
else
  exec bin/aduan all
fi
