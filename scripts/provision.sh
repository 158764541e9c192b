#!/usr/bin/env bash
# Make the services Aduan needs reachable on loopback. Idempotent, no systemd needed.
#
#   scripts/provision.sh [component ...]      (default: db)
#
# Components (each is a provision_<name> function below):
#   db         PostgreSQL on 127.0.0.1:5432 (trust for loopback), Redis on 127.0.0.1:6379,
#              and the database "aduan"
#   loadtools  hey, wrk, pgbench
# To add a component (e.g. mail: Dovecot + Postfix, browser: chromium), write provision_<name>.
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

# provision_mail()    { ... Dovecot + Postfix ... }   (to be added)
# provision_browser() { ... chromium ... }            (to be added)

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
