#!/usr/bin/env bash
# Builds Herald for production (scripts/release.sh) and serves it on SQLite at
# http://127.0.0.1:3000 with demo accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/release.sh
export HERALD_DATABASE_URL="${HERALD_DATABASE_URL:-sqlite://herald.db}"
export HERALD_SITE_ROOT="${HERALD_SITE_ROOT:-target/release/site}"
exec ./target/release/herald serve --demo "$@"
