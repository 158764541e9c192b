#!/usr/bin/env bash
# make test: provision services, vet, then run every test with the race detector.
# Extra arguments go to `go test` (e.g. scripts/test.sh -run TestIngest).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh

# Services the tests need. Add components here as they appear (e.g. mail browser).
TEST_COMPONENTS=(db mail heif browser)
scripts/provision.sh "${TEST_COMPONENTS[@]}"

status=0
go vet ./... || status=$?
export ADUAN_E2E_MAIL=1 # the mail component is provisioned: run the end-to-end mail test
if [ "$status" -eq 0 ]; then
  go test -race -count=1 -timeout 15m "$@" ./... || status=$?
fi
if [ "$status" -eq 0 ]; then echo "test: PASS"; else echo "test: FAIL (exit $status)"; fi
exit "$status"
