#!/usr/bin/env bash
# Fuzzes what Herald parses from strangers (fuzz/fuzz_targets), each target for a bounded time.
# cargo-fuzz needs nightly's sanitizer flags; this machine has one stable toolchain, which
# RUSTC_BOOTSTRAP lets use them. A crash stops the run and leaves its input in
# fuzz/artifacts/<target>/: turn it into a test before fixing it.
#   make fuzz                      every target, 60 s each
#   FUZZ_SECONDS=600 make fuzz     longer
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
seconds="${FUZZ_SECONDS:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] installing cargo-fuzz (a few minutes, once)"
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
cd fuzz
for target in $(cargo fuzz list); do
  echo "[fuzz] $target for ${seconds}s"
  cargo fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096 2>&1 |
    grep -E "^(#[0-9]+\s+DONE|==[0-9]+==|SUMMARY|Done [0-9]+ runs|thread|assertion)" || true
  # cargo fuzz exits non-zero on a crash; the pipe above would hide it.
  if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
    echo "[fuzz] $target crashed: see fuzz/artifacts/$target/"
    exit 1
  fi
done
