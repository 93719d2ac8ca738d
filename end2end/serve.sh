#!/usr/bin/env bash
# Starts the Herald that `cargo leptos build` made, on a fresh database, for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .herald
rm -f .herald/e2e.db .herald/e2e.db-shm .herald/e2e.db-wal
export HERALD_DATABASE_URL="sqlite://$PWD/.herald/e2e.db"
export HERALD_BIND="127.0.0.1:${HERALD_E2E_PORT:-3100}"
export HERALD_SITE_ROOT="$PWD/../target/site"
# Every test signs up its own people, all from 127.0.0.1.
export HERALD_MAX_SIGN_UPS_PER_HOUR=100000
exec ../target/debug/herald serve --demo
