#!/usr/bin/env bash
# Builds Herald for production: the optimized server, and the site with the size-optimized WASM
# (wasm-opt), content-hashed file names and a brotli and a gzip copy of every file.
# The result is target/release/herald, with target/release/hash.txt beside it (the hashed names
# the server puts in its pages), and the site in target/release/site: see docs/deploy.md.
# Its own site folder, so that the debug build the tests use (target/site) never replaces it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
LEPTOS_SITE_ROOT=target/release/site LEPTOS_HASH_FILES=true cargo leptos build --release --precompress
echo "Built target/release/herald and target/release/site/. Serve with:"
echo "  HERALD_SITE_ROOT=target/release/site ./target/release/herald serve"
