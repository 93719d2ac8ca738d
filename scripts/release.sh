#!/usr/bin/env bash
# Builds Herald for production: the optimized server and the size-optimized WASM (wasm-opt).
# The result is target/release/herald and the site in target/site; see the README.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo leptos build --release
echo "Built target/release/herald and target/site/. Serve with:"
echo "  HERALD_SITE_ROOT=target/site ./target/release/herald serve"
