#!/usr/bin/env bash
# Starts the Herald that `cargo leptos build --split` made, on a fresh database, for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .herald
# A suite of its own (the cross-browser smoke suite) names its own file with HERALD_E2E_DB.
db=".herald/${HERALD_E2E_DB:-e2e}.db"
rm -f "$db" "$db-shm" "$db-wal"
export HERALD_DATABASE_URL="sqlite://$PWD/$db"
export HERALD_BIND="127.0.0.1:${HERALD_E2E_PORT:-3100}"
# Where the build put the site: Leptos.toml says, through scripts/env.sh.
export HERALD_SITE_ROOT="$(cd .. && source scripts/env.sh && echo "$PWD/$LEPTOS_SITE_ROOT")"
# Every test signs up its own people, all from 127.0.0.1.
export HERALD_MAX_SIGN_UPS_PER_HOUR=100000
exec ../target/debug/herald serve --demo
