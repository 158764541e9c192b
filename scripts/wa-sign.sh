#!/usr/bin/env bash
# Signs a WhatsApp webhook body as Meta does: prints the X-Hub-Signature-256
# value, "sha256=" and the hex HMAC-SHA256 of the file's bytes keyed with
# the app secret.
#
#   scripts/wa-sign.sh SECRET FILE
#   curl -H "X-Hub-Signature-256: $(scripts/wa-sign.sh "$ADUAN_WA_APP_SECRET" body.json)" \
#        -H 'Content-Type: application/json' --data-binary @body.json http://127.0.0.1:8080/webhooks/whatsapp
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SECRET FILE" >&2; exit 2; }
printf 'sha256=%s\n' "$(openssl dgst -sha256 -hmac "$1" -r <"$2" | cut -d' ' -f1)"
