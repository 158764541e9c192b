#!/usr/bin/env bash
# Make the services Aduan needs reachable on loopback. Idempotent, no systemd needed.
#
#   scripts/provision.sh [component ...]      (default: db)
#
# Components (each is a provision_<name> function below):
#   db         PostgreSQL on 127.0.0.1:5432 (trust for loopback), Redis on 127.0.0.1:6379,
#              and the database "aduan"
#   loadtools  hey, wrk, pgbench
#   mail       Postfix (SMTP 127.0.0.1:2525) delivering over LMTP to Dovecot (IMAP
#              127.0.0.1:1143, plain), users in scripts/mail/users, and swaks to send
#              test mail; see "Mail" below. scripts/mail/reset.sh empties the mailboxes.
#              make run's demo (scripts/demo) and make test both use it.
#   heif       optional: heif-convert (libheif-examples), so the document checks decode
#              iPhones' HEIC photos; without it they ask for JPG. A failed install warns.
#   browser    the console's end-to-end tests: chromium (Debian's, at /usr/bin/chromium),
#              Node.js >= 20 and npm, then `npm ci` in web/ for playwright-core; no browser
#              is ever downloaded. Stops with a clear message when apt's Node.js is older.
# To add a component, write provision_<name>.
set -euo pipefail

# Overridable only for testing this script; Aduan's defaults expect these values.
PG_HOST=127.0.0.1 PG_PORT=${PROVISION_PG_PORT:-5432} PG_CLUSTER=${PROVISION_PG_CLUSTER:-main} PG_DB=aduan
REDIS_HOST=127.0.0.1 REDIS_PORT=${PROVISION_REDIS_PORT:-6379}
WAIT_SECONDS=${PROVISION_WAIT_SECONDS:-30}

log() { echo "provision: $*"; }
die() { echo "provision: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# Run as root: directly when root, through sudo (non-interactive) when it exists.
SUDO=()
if [ "$(id -u)" -ne 0 ] && have sudo; then SUDO=(sudo -n); fi
as_root() { "${SUDO[@]}" "$@"; }

APT_UPDATED=0
apt_install() {
  have apt-get || die "apt-get not found; install these yourself: $*"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq </dev/null
    APT_UPDATED=1
  fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" </dev/null
}

# wait_for NAME LOGFILE CMD...: poll CMD once a second, up to WAIT_SECONDS.
wait_for() {
  local name=$1 logfile=$2 i
  shift 2
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    if "$@" >/dev/null 2>&1; then log "$name is up"; return 0; fi
    sleep 1
  done
  [ -r "$logfile" ] && tail -n 20 "$logfile" >&2
  die "$name did not answer within ${WAIT_SECONDS}s (log: $logfile)"
}

# ---------------------------------------------------------------- PostgreSQL

pg_ready() { have pg_isready && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
pg_sql() { psql -w -X -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc "$1" </dev/null; }

pg_version() { # newest version with a cluster, else newest installed server
  local v
  v=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
  [ -n "$v" ] || v=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
  echo "$v"
}

# Trust TCP connections from 127.0.0.1 (first match wins, so put the line first).
pg_trust_loopback() {
  local hba="/etc/postgresql/$1/$PG_CLUSTER/pg_hba.conf"
  if ! as_root grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    log "adding trust for 127.0.0.1 to $hba"
    as_root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    return 0 # changed
  fi
  return 1
}

start_postgres() {
  if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    apt_install postgresql postgresql-client
  fi
  local v
  v=$(pg_version)
  [ -n "$v" ] || die "no PostgreSQL version found under /usr/lib/postgresql"
  if [ ! -f "/etc/postgresql/$v/$PG_CLUSTER/postgresql.conf" ]; then
    log "creating cluster $v/$PG_CLUSTER"
    as_root pg_createcluster --port "$PG_PORT" "$v" "$PG_CLUSTER"
  fi
  [ "$(pg_conftool -s "$v" "$PG_CLUSTER" show port 2>/dev/null)" = "$PG_PORT" ] ||
    as_root pg_conftool "$v" "$PG_CLUSTER" set port "$PG_PORT"
  case "$(pg_conftool -s "$v" "$PG_CLUSTER" show listen_addresses 2>/dev/null || echo localhost)" in
    *localhost* | *127.0.0.1* | *'*'* | *0.0.0.0*) ;;
    *) as_root pg_conftool "$v" "$PG_CLUSTER" set listen_addresses localhost ;;
  esac
  pg_trust_loopback "$v" || true
  if as_root pg_ctlcluster --skip-systemctl-redirect "$v" "$PG_CLUSTER" status >/dev/null 2>&1; then
    log "restarting PostgreSQL $v/$PG_CLUSTER"
    as_root pg_ctlcluster --skip-systemctl-redirect "$v" "$PG_CLUSTER" restart
  else
    log "starting PostgreSQL $v/$PG_CLUSTER"
    as_root pg_ctlcluster --skip-systemctl-redirect "$v" "$PG_CLUSTER" start
  fi
  wait_for PostgreSQL "/var/log/postgresql/postgresql-$v-$PG_CLUSTER.log" pg_ready
}

ensure_database() {
  if ! pg_sql 'SELECT 1' >/dev/null 2>&1; then
    # Reachable but refusing user postgres without a password: fix a local cluster.
    local v
    v=$(pg_version)
    if [ -n "$v" ] && [ -f "/etc/postgresql/$v/$PG_CLUSTER/pg_hba.conf" ] && pg_trust_loopback "$v"; then
      as_root pg_ctlcluster --skip-systemctl-redirect "$v" "$PG_CLUSTER" reload
      sleep 1
    fi
    pg_sql 'SELECT 1' >/dev/null ||
      die "cannot connect as postgres@$PG_HOST:$PG_PORT without a password (pg_hba.conf needs 'host all all 127.0.0.1/32 trust')"
  fi
  if [ "$(pg_sql "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")" = 1 ]; then
    log "database $PG_DB exists"
  else
    log "creating database $PG_DB"
    pg_sql "CREATE DATABASE $PG_DB" >/dev/null
  fi
}

# --------------------------------------------------------------------- Redis

redis_ready() { have redis-cli && [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start_redis() {
  if ! have redis-server || ! have redis-cli; then apt_install redis-server redis-tools; fi
  local dir="${TMPDIR:-/tmp}/aduan-redis"
  mkdir -p "$dir"
  log "starting Redis on $REDIS_HOST:$REDIS_PORT"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" </dev/null
  wait_for Redis "$dir/redis.log" redis_ready
}

# ---------------------------------------------------------------------- Mail
#
# Postfix and Dovecot, loopback only, started without systemd. Config lives in scripts/mail/:
#   dovecot.conf      complete Dovecot config -> /etc/dovecot/aduan/dovecot.conf, run as
#                     `dovecot -c` (Debian's own /etc/dovecot/dovecot.conf is not used)
#   users             passwd-file -> /etc/dovecot/aduan/users; Postfix's recipient list
#                     /etc/postfix/aduan/vmailbox is made from it
#   postfix-main.cf   applied with `postconf -e`
#   postfix-master.cf services added with `postconf -M` (smtpd on 127.0.0.1:2525); the
#                     default smtpd on :25 is commented out, chroot is off for all services
# Mail for kemkes.test and warga.test goes over LMTP into /var/mail/aduan/<domain>/<user>;
# mail for any other domain never leaves the machine: refused at RCPT time over SMTP (550
# 5.7.1), bounced locally to its sender when handed to sendmail(1).
# Logs: /var/log/aduan-mail/{postfix,dovecot}.log.

MAIL_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/mail"
MAIL_HOST=127.0.0.1 SMTP_PORT=2525 IMAP_PORT=1143
MAIL_PASSWORD=aduan-test-pass
MAIL_LOG_DIR=/var/log/aduan-mail
DOVECOT_DIR=/etc/dovecot/aduan DOVECOT_CONF=/etc/dovecot/aduan/dovecot.conf
POSTFIX_VMAILBOX=/etc/postfix/aduan/vmailbox
POSTFIX_LISTEN_MARK=/run/aduan-postfix-listen # addresses the running Postfix was started with
MAIL_STORE=/var/mail/aduan

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
mail_users() { grep -Ev '^[[:space:]]*(#|$)' "$MAIL_SRC/users" | cut -d: -f1; }

# install_file SRC DEST MODE OWNER GROUP: copy SRC to DEST when content, mode or owner differ.
# Returns 0 when it changed DEST, 1 when DEST was already right.
install_file() {
  local src=$1 dest=$2 mode=$3 owner=$4 group=$5
  if as_root cmp -s "$src" "$dest" &&
    [ "$(as_root stat -c '%a %U %G' "$dest")" = "$mode $owner $group" ]; then
    return 1
  fi
  log "writing $dest"
  as_root install -D -m "$mode" -o "$owner" -g "$group" "$src" "$dest"
}

mail_install_packages() {
  local pkgs=() p
  for p in postfix dovecot-imapd dovecot-lmtpd swaks; do pkg_installed "$p" || pkgs+=("$p"); done
  [ ${#pkgs[@]} -gt 0 ] || return 0
  if ! pkg_installed postfix; then
    as_root debconf-set-selections <<'EOF'
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string aduan.test
EOF
  fi
  # Keep the packages from starting their services with Debian's defaults (Dovecot would
  # listen on every interface): a policy-rc.d that says no, only for this install.
  local policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
    apt_install "${pkgs[@]}"
    as_root rm -f "$policy"
    trap - EXIT
  else
    apt_install "${pkgs[@]}"
  fi
}

# run_detached LOGFILE CMD...: run a self-daemonising server without our descriptors. Dovecot
# keeps the ones it inherits, and a caller reading our output through a pipe would then wait
# for as long as Dovecot runs.
run_detached() {
  local logfile=$1
  shift
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi
    done
    exec "${SUDO[@]}" "$@" </dev/null >>"$logfile" 2>&1
  )
}

tcp_greets() { # tcp_greets HOST PORT PREFIX: the server's first line starts with PREFIX
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r -t 4 line <&3 && [[ $line == "$3"* ]]' _ "$@"
}
# shellcheck disable=SC2016 # expanded by the inner bash
port_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$@" 2>/dev/null; }
# port_free NAME PORT: die clearly when another program holds MAIL_HOST:PORT.
port_free() {
  port_open "$MAIL_HOST" "$2" || return 0
  have ss && as_root ss -ltnp "sport = :$2" >&2
  die "cannot start $1: $MAIL_HOST:$2 is already taken by another program"
}
imap_ready() { tcp_greets "$MAIL_HOST" "$IMAP_PORT" '* OK'; }
smtp_ready() { tcp_greets "$MAIL_HOST" "$SMTP_PORT" '220'; }

mail_system_setup() {
  if ! getent group vmail >/dev/null; then as_root groupadd --system vmail; fi
  if ! getent passwd vmail >/dev/null; then
    log "creating system user vmail"
    as_root useradd --system --gid vmail --home-dir "$MAIL_STORE" --no-create-home \
      --shell /usr/sbin/nologin vmail
  fi
  as_root install -d -m 750 -o vmail -g vmail "$MAIL_STORE"
  as_root install -d -m 755 "$MAIL_LOG_DIR"
}

# Returns 0 when the running Dovecot (if any) must pick up a new config.
dovecot_configure() {
  local changed=1
  install_file "$MAIL_SRC/dovecot.conf" "$DOVECOT_CONF" 644 root root && changed=0
  install_file "$MAIL_SRC/users" "$DOVECOT_DIR/users" 640 root dovecot && changed=0
  as_root doveconf -c "$DOVECOT_CONF" -n >/dev/null || die "Dovecot rejects $DOVECOT_CONF"
  return "$changed"
}

dovecot_master_pid() { # prints the pid of the running Dovecot master, if any
  local pid
  pid=$(as_root cat /run/dovecot/master.pid 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dovecot ] && echo "$pid"
}

dovecot_start() {
  local changed=$1 pid
  if pid=$(dovecot_master_pid); then
    if ! as_root tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DOVECOT_CONF"; then
      # A Dovecot on Debian's default config (all interfaces, :143): replace it with ours.
      log "stopping a Dovecot not started with $DOVECOT_CONF (pid $pid)"
      as_root kill -TERM "$pid"
      local i
      for ((i = 0; i < WAIT_SECONDS; i++)); do
        as_root kill -0 "$pid" 2>/dev/null || break
        sleep 1
      done
      as_root kill -0 "$pid" 2>/dev/null && die "Dovecot (pid $pid) did not stop"
    elif [ "$changed" = 1 ]; then
      log "reloading Dovecot (config changed)"
      as_root doveadm -c "$DOVECOT_CONF" reload
      return
    else
      log "Dovecot already running"
      return
    fi
  fi
  port_free Dovecot "$IMAP_PORT"
  log "starting Dovecot (IMAP $MAIL_HOST:$IMAP_PORT)"
  run_detached "$MAIL_LOG_DIR/dovecot.log" dovecot -c "$DOVECOT_CONF" ||
    { tail -n 20 "$MAIL_LOG_DIR/dovecot.log" >&2; die "Dovecot did not start"; }
}

# Returns 0 when main.cf, master.cf or the recipient list changed.
postfix_configure() {
  local before after settings=() line vmailbox f
  before=$(as_root cat /etc/postfix/main.cf /etc/postfix/master.cf "$POSTFIX_VMAILBOX" 2>/dev/null | md5sum)

  while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    settings+=("$line")
  done <"$MAIL_SRC/postfix-main.cf"
  as_root postconf -e "${settings[@]}"

  while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    read -r -a f <<<"$line"
    as_root postconf -M "${f[0]}/${f[1]}=$line"
  done <"$MAIL_SRC/postfix-master.cf"
  if as_root postconf -M | awk '$1 == "smtp" && $2 == "inet" { f = 1 } END { exit !f }'; then
    as_root postconf -M# smtp/inet # no listener on :25
  fi
  # (only when needed: postconf -F with wildcards reorders master.cf every time)
  if [ -n "$(as_root postconf -F '*/*/chroot' | grep -v '= n$' || true)" ]; then
    as_root postconf -F '*/*/chroot = n'
  fi

  vmailbox=$(mktemp)
  mail_users | sed 's/$/ OK/' >"$vmailbox"
  install_file "$vmailbox" "$POSTFIX_VMAILBOX" 644 root root || true
  rm -f "$vmailbox"

  if [ -f /etc/aliases ] && ! as_root test /etc/aliases.db -nt /etc/aliases; then
    as_root newaliases
  fi
  as_root postfix check || die "postfix check failed (see $MAIL_LOG_DIR/postfix.log)"

  after=$(as_root cat /etc/postfix/main.cf /etc/postfix/master.cf "$POSTFIX_VMAILBOX" | md5sum)
  [ "$before" != "$after" ]
}

postfix_start() {
  local changed=$1 listen
  if as_root postfix status >/dev/null 2>&1; then
    # A change of inet_interfaces or inet_protocols needs a restart, anything else a reload.
    listen="$(postconf -h inet_interfaces) $(postconf -h inet_protocols)"
    if [ "$listen" != "$(as_root cat "$POSTFIX_LISTEN_MARK" 2>/dev/null)" ]; then
      log "restarting Postfix (listening addresses changed)"
      as_root postfix stop
      as_root postfix start </dev/null ||
        { tail -n 20 "$MAIL_LOG_DIR/postfix.log" >&2; die "Postfix did not start"; }
    elif [ "$changed" = 1 ]; then
      log "reloading Postfix (config changed)"
      as_root postfix reload
    else
      log "Postfix already running"
    fi
  else
    port_free Postfix "$SMTP_PORT"
    log "starting Postfix (SMTP $MAIL_HOST:$SMTP_PORT)"
    as_root postfix start </dev/null ||
      { tail -n 20 "$MAIL_LOG_DIR/postfix.log" >&2; die "Postfix did not start"; }
  fi
  echo "$(postconf -h inet_interfaces) $(postconf -h inet_protocols)" |
    as_root tee "$POSTFIX_LISTEN_MARK" >/dev/null
}

provision_mail() {
  mail_install_packages
  mail_system_setup
  local changed=0
  dovecot_configure && changed=1
  dovecot_start "$changed"
  wait_for "Dovecot IMAP on $MAIL_HOST:$IMAP_PORT" "$MAIL_LOG_DIR/dovecot.log" imap_ready
  changed=0
  postfix_configure && changed=1
  postfix_start "$changed"
  wait_for "Postfix SMTP on $MAIL_HOST:$SMTP_PORT" "$MAIL_LOG_DIR/postfix.log" smtp_ready
  log "mail: SMTP $MAIL_HOST:$SMTP_PORT, IMAP $MAIL_HOST:$IMAP_PORT, users $(mail_users | paste -sd ' ')," \
    "password $MAIL_PASSWORD (plain, no TLS; scripts/mail/reset.sh empties the mailboxes)"
}

# ---------------------------------------------------------------- components

provision_db() {
  if pg_ready; then log "PostgreSQL already up on $PG_HOST:$PG_PORT"; else start_postgres; fi
  if redis_ready; then log "Redis already up on $REDIS_HOST:$REDIS_PORT"; else start_redis; fi
  ensure_database
}

provision_loadtools() {
  local pkgs=()
  have hey || pkgs+=(hey)
  have wrk || pkgs+=(wrk)
  have pgbench || pkgs+=(postgresql-client)
  if [ ${#pkgs[@]} -eq 0 ]; then log "load tools present (hey, wrk, pgbench)"; return; fi
  apt_install "${pkgs[@]}"
}

provision_heif() {
  if have heif-convert; then log "heif-convert present"; return; fi
  (apt_install libheif-examples) ||
    log "WARNING: libheif-examples not installed: HEIC photos will be refused, asking for JPG"
}

# The console's end-to-end tests: Debian's chromium, Node.js >= 20 and
# playwright-core from web/package-lock.json (npm ci; never a browser
# download: the tests drive /usr/bin/chromium).
BROWSER_NODE_MAJOR=20
node_major() { node --version 2>/dev/null | sed -n 's/^v\([0-9]*\).*/\1/p'; }

provision_browser() {
  local pkgs=()
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  have node || pkgs+=(nodejs)
  have npm || pkgs+=(npm)
  if [ ${#pkgs[@]} -gt 0 ]; then apt_install "${pkgs[@]}"; else log "chromium, node and npm present"; fi
  local major
  major=$(node_major)
  if [ -z "$major" ] || [ "$major" -lt "$BROWSER_NODE_MAJOR" ]; then
    die "Node.js $(node --version 2>/dev/null || echo none) is too old: playwright-core needs Node.js >= $BROWSER_NODE_MAJOR." \
      "Debian 12's apt ships Node.js 18; install 20 or newer from NodeSource (https://deb.nodesource.com, nodejs 20.x)" \
      "or Debian 13 (trixie), then run this again."
  fi
  # npm ci again only when web/package-lock.json changed since the last one.
  if [ -f web/node_modules/.package-lock.json ] && [ web/node_modules/.package-lock.json -nt web/package-lock.json ]; then
    log "web/node_modules up to date"
  else
    log "npm ci in web/ (playwright-core, htmx; no browser download)"
    (cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) ||
      die "npm ci in web/ failed"
  fi
  log "browser: $(/usr/bin/chromium --version 2>/dev/null | head -1), node $(node --version)"
}

[ $# -gt 0 ] || set -- db
for component in "$@"; do
  declare -F "provision_$component" >/dev/null ||
    die "unknown component '$component' (known: $(declare -F | sed -n 's/^declare -f provision_//p' | paste -sd ' '))"
done
for component in "$@"; do
  log "== $component"
  "provision_$component"
done
log "done"
