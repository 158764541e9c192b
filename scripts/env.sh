# shellcheck shell=bash
# Defaults for Aduan's environment; sourced by the other scripts. Set values win.
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aduan?sslmode=disable}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export ADUAN_HTTP_ADDR="${ADUAN_HTTP_ADDR:-127.0.0.1:8080}"
export ADUAN_DATA_DIR="${ADUAN_DATA_DIR:-./data}"
