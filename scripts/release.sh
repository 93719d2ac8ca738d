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

# cargo-leptos runs wasm-bindgen, wasm-opt and the compression again even when nothing changed
# (about 100 s here), so a build is skipped when its inputs are those of the last one.
fingerprint() {
  { rustc -V; cargo leptos --version
    git ls-files -z -co --exclude-standard -- app frontend server style public Cargo.toml Cargo.lock \
      scripts/release.sh scripts/env.sh | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1
}
stamp=target/release/.built-from
inputs=$(fingerprint)
if [ -x target/release/herald ] && [ -f target/release/hash.txt ] && [ -d target/release/site/pkg ] \
  && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
  echo "The release build is up to date (nothing changed since the last one)."
  exit 0
fi
LEPTOS_SITE_ROOT=target/release/site LEPTOS_HASH_FILES=true build_site --release --precompress
echo "$inputs" >"$stamp"
echo "Built target/release/herald and target/release/site/. Serve with:"
echo "  HERALD_SITE_ROOT=target/release/site ./target/release/herald serve"
