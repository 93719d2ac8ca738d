#!/usr/bin/env bash
# Formatting, and clippy on both builds of the app (server and browser) with warnings denied.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo fmt --all -- --check
cargo clippy -p app -p server -p herald-load --features app/ssr --all-targets -- -D warnings
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
