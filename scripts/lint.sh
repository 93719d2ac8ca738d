#!/usr/bin/env bash
# Formatting, clippy on both builds of the app (server and browser) with warnings denied, and
# cargo-deny on the dependency graph (deny.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --lint
source scripts/env.sh
cargo fmt --all -- --check
cargo clippy -p app -p server -p herald-load --features app/ssr --all-targets -- -D warnings
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
cargo deny --offline check bans licenses sources
# Security advisories come from the RustSec database on GitHub; where GitHub cannot be reached
# (these machines reach only the package registries), say so rather than pass in silence.
advisories=https://github.com/RustSec/advisory-db
if timeout 20 git ls-remote "$advisories" HEAD >/dev/null 2>&1; then
  cargo deny check advisories
else
  echo "SKIPPED: cargo deny's advisories check: $advisories cannot be reached from here" >&2
fi
