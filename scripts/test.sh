#!/usr/bin/env bash
# Runs every test: the Rust unit and integration tests, schemathesis against the JSON API, a
# small load test, then the Playwright suite in Chromium and the smoke suite in Firefox ESR and
# WebKitGTK.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --e2e
source scripts/env.sh
# One test at a time: each integration test runs a whole server in this process, and under load
# a server-rendered page in one of them was seen, rarely, to hang until the request timeout
# (cause not yet found; see the closing notes). Serial, the Rust tests take about 30 s.
cargo test -p app -p server -p herald-load -- --test-threads=1
# After the Rust tests, not before: `cargo test` relinks target/debug/herald with the test
# build's unified features, and that binary's pages do not hydrate. cargo-leptos puts back the
# one the browser tests must run.
build_site
# The JSON API against its OpenAPI document, fuzzed by schemathesis.
scripts/api-check.sh
# A few seconds of load at 200 sockets: nothing may be lost (speed is not asserted).
scripts/load.sh smoke
cd end2end
npx playwright test
# Sign-in, the live connection, toasts, the badge, banners and reconnecting, in the other two
# engines (about a minute).
cross-browser/run.sh
