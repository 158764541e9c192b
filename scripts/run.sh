#!/usr/bin/env bash
# make run: provision services, build, migrate, seed demo data, run everything in one process.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh

scripts/provision.sh db heif
go build -o bin/aduan ./cmd/aduan
bin/aduan migrate
bin/aduan seed --demo
echo "run: Aduan at http://$ADUAN_HTTP_ADDR/"
exec bin/aduan all
