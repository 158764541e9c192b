# shellcheck shell=bash
# make run's WhatsApp demo, sourced by scripts/run.sh from the repository's root: the local
# Graph API stand-in (cmd/wa-standin, loopback only) and its chat page, where you talk to the
# bot as a complainant would. Aduan is pointed at the stand-in instead of Meta; the secrets
# below are the demo's own, for this machine only. Skipped when ADUAN_WA_GRAPH_URL is set:
# then WhatsApp is yours, configured as the README says.
# shellcheck disable=SC2034 # used by the scripts that source this file

WA_STANDIN_ADDR="${WA_STANDIN_ADDR:-127.0.0.1:8089}"
WA_STANDIN_PID=

# demo_whatsapp_wanted: the demo runs on the stand-in unless a Graph URL is configured.
demo_whatsapp_wanted() {
  [ -z "${ADUAN_WA_GRAPH_URL:-}" ]
}

# demo_whatsapp_env: the settings that point Aduan at the stand-in, and the certificate key
# (made once under the data directory, so certificates issued in the demo still check as
# genuine after a restart).
demo_whatsapp_env() {
  export ADUAN_WA_GRAPH_URL="http://$WA_STANDIN_ADDR/v23.0"
  export ADUAN_WA_ACCESS_TOKEN="${ADUAN_WA_ACCESS_TOKEN:-demo-access-token}"
  export ADUAN_WA_APP_SECRET="${ADUAN_WA_APP_SECRET:-demo-app-secret}"
  export ADUAN_WA_VERIFY_TOKEN="${ADUAN_WA_VERIFY_TOKEN:-demo-verify-token}"
  export ADUAN_WA_PHONE_NUMBER_ID="${ADUAN_WA_PHONE_NUMBER_ID:-106540352242922}"
  export ADUAN_PUBLIC_URL="${ADUAN_PUBLIC_URL:-http://$ADUAN_HTTP_ADDR}"
  # The bot keeps its one-time codes under this secret and does not start without it; made
  # once, so a code sent before a restart still checks.
  if [ -z "${ADUAN_OTP_SECRET:-}" ]; then
    local otp_file="$ADUAN_DATA_DIR/demo-otp-secret"
    if [ ! -s "$otp_file" ]; then
      mkdir -p "$ADUAN_DATA_DIR"
      (umask 077 && head -c 32 /dev/urandom | base64 >"$otp_file")
    fi
    ADUAN_OTP_SECRET=$(cat "$otp_file")
    export ADUAN_OTP_SECRET
  fi
  if [ -z "${ADUAN_CERT_KEY:-}${ADUAN_CERT_KEY_FILE:-}" ]; then
    export ADUAN_CERT_KEY_FILE="$ADUAN_DATA_DIR/demo-cert-key"
    if [ ! -s "$ADUAN_CERT_KEY_FILE" ]; then
      mkdir -p "$ADUAN_DATA_DIR"
      (umask 077 && head -c 32 /dev/urandom | base64 >"$ADUAN_CERT_KEY_FILE")
    fi
  fi
}

# demo_whatsapp_start: build and start the stand-in in the background; it stops with make run.
demo_whatsapp_start() {
  go build -o bin/wa-standin ./cmd/wa-standin
  bin/wa-standin -addr "$WA_STANDIN_ADDR" -webhook "http://$ADUAN_HTTP_ADDR/webhooks/whatsapp" &
  WA_STANDIN_PID=$!
  trap 'kill "$WA_STANDIN_PID" 2>/dev/null || true' EXIT
}

# demo_whatsapp_instructions: what make run prints about the WhatsApp demo.
demo_whatsapp_instructions() {
  echo "run: ---- the WhatsApp demo: chat with the bot at http://$WA_STANDIN_ADDR/chat"
  echo "run: set 'Nomor WhatsApp Anda' (e.g. 6281234567801), type \"hai\", tap Sertifikat Vaksin, then"
  echo "run: type the registered number of one of the demo people listed above by seed --demo."
  echo "run: The OTP goes to the registered number: chat as that number to see it (the template and its code)."
  echo "run: A certificate's QR code opens $ADUAN_PUBLIC_URL/v/... (the check page)."
  echo "run: ----"
}
