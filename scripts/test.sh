#!/usr/bin/env bash
# Runs every test: the Rust unit and integration tests, then the Playwright suite in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --e2e
export LEPTOS_OUTPUT_NAME=herald
cargo leptos build
cargo test -p app -p server
cd end2end
npx playwright test
