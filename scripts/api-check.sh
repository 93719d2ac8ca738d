#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis against a real Herald on a fresh database: no request may
# get a 5xx, and every response (status, content type, headers, body) must match what
# /api/openapi.json says. Uses the debug build that `make test` makes (built here if missing).
# Run by .ci/run; alone: `make api-check`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES="${HERALD_API_CHECK_EXAMPLES:-40}"
venv=target/schemathesis
say() { printf '\033[1;34m[api-check]\033[0m %s\n' "$*"; }

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
[ -x target/debug/herald ] || { scripts/setup.sh; build_site; }

# The fuzzer signs up many people and publishes fast from one address: the limits would answer
# nearly everything with 429 (which is documented, so allowed, but tests nothing else).
export HERALD_MAX_SIGN_UPS_PER_HOUR=1000000
source scripts/herald-server.sh
start_herald "${HERALD_API_CHECK_PORT:-3200}"
cookie=$(curl -sf -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"username":"admin","password":"herald-demo"}' "$base/api/auth/login/" |
  sed -n 's/^[Ss]et-[Cc]ookie: \(herald_session=[^;]*\).*/\1/p')

say "fuzzing $base/api/openapi.json ($EXAMPLES examples per operation)"
# Signing out would end the session every other request uses; it is covered by the Rust tests.
status=0
"$venv/bin/schemathesis" run "$base/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --exclude-path /api/auth/logout/ \
  --max-examples "$EXAMPLES" \
  --workers 1 \
  --seed 1 \
  --request-timeout 10 \
  --header "Cookie: $cookie" \
  --header "Authorization: Bearer $api_token" || status=$?
check_no_panic || status=1
exit $status
