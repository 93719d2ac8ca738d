#!/usr/bin/env bash
# Builds Herald and serves it on SQLite at http://127.0.0.1:3000 with demo accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo leptos build
export HERALD_DATABASE_URL="${HERALD_DATABASE_URL:-sqlite://herald.db}"
exec ./target/debug/herald serve --demo "$@"
