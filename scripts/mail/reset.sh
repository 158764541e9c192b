#!/usr/bin/env bash
# Empty the test mailboxes made by `scripts/provision.sh mail`, so e2e tests start clean:
# every message of every user in scripts/mail/users is expunged, every mailbox but INBOX
# (Processed, Quarantine, ...) is deleted, and mail still in Postfix's queue is dropped.
#
#   scripts/mail/reset.sh [user@domain ...]     (default: all users)
set -euo pipefail

DOVECOT_CONF=/etc/dovecot/aduan/dovecot.conf
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
as_root() { "${SUDO[@]}" "$@"; }
dove() { as_root doveadm -c "$DOVECOT_CONF" "$@"; }

[ -r "$DOVECOT_CONF" ] || { echo "reset: $DOVECOT_CONF missing; run scripts/provision.sh mail" >&2; exit 1; }

if [ $# -eq 0 ]; then
  mapfile -t users < <(grep -Ev '^[[:space:]]*(#|$)' "$HERE/users" | cut -d: -f1)
else
  users=("$@")
fi

# Mail accepted but not yet delivered would land after the reset.
as_root postsuper -d ALL >/dev/null 2>&1 || true

for user in "${users[@]}"; do
  dove expunge -u "$user" mailbox '*' all
  # Children before parents (A/B before A).
  mapfile -t boxes < <(dove mailbox list -u "$user" | grep -vx INBOX | sort -r)
  for box in "${boxes[@]}"; do
    dove mailbox delete -s -u "$user" "$box"
  done
  echo "reset: $user emptied${boxes[*]:+ (deleted: ${boxes[*]})}"
done
