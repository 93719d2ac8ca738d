#!/usr/bin/env bash
# Installs what building (with --e2e, testing in browsers; with --lint, `make lint`) Herald
# needs, skipping whatever is already there. Safe to run again and again; quick on a machine that
# has everything.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs a newer Rust than 1.95
CARGO_DENY_VERSION=0.20.2
want_e2e=false
want_lint=false
for arg in "$@"; do
  case "$arg" in
    --e2e) want_e2e=true ;;   # the browsers and tools of the browser tests
    --lint) want_lint=true ;; # cargo-deny, for `make lint`
    *) echo "usage: scripts/setup.sh [--e2e] [--lint]" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# rust-toolchain.toml pins the release of Rust; rustup installs it when it is missing. Offline
# (these machines reach no rustup server), a `stable` that is that same release can stand in for
# it: rustup refuses to `toolchain link` a version's name, so the stand-in is the link rustup's
# own folder would have.
pinned=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$pinned-"; then
  stable_dir="$(RUSTUP_TOOLCHAIN=stable rustc --print sysroot 2>/dev/null || true)"
  if [ -n "$stable_dir" ] && RUSTUP_TOOLCHAIN=stable rustc -V | grep -q "^rustc $pinned "; then
    say "using the installed stable Rust as the pinned $pinned"
    ln -s "$stable_dir" "$(dirname "$stable_dir")/$pinned-$(basename "$stable_dir" | sed 's/^stable-//')"
  else
    say "installing Rust $pinned (rust-toolchain.toml)"
    rustup toolchain install "$pinned" --profile minimal --component rustfmt,clippy --target wasm32-unknown-unknown
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  # --debug: an unoptimized cargo-leptos compiles in half the time (7 min 47 s against about 17)
  # and builds the same output; only its own work is slower, chiefly compressing a release
  # build's files (about 40 s). See docs/benchmarks.md, "Cold set-up and build times".
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (several minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --debug
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly; cargo-leptos would
# otherwise try to download it, which fails without internet.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
  say "installing wasm-bindgen-cli $wbg"
  cargo install wasm-bindgen-cli --version "$wbg"
fi

# npm's binaryen brings the wasm-opt a release build needs (Debian's produces a broken module),
# Playwright drives the browser tests, and Puppeteer and selenium-webdriver the cross-browser
# ones (neither downloads a browser). scripts/env.sh puts them first on PATH.
if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the npm packages of end2end/ (wasm-opt, Playwright, Puppeteer, Selenium)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm --prefix end2end ci --no-audit --no-fund --loglevel=error
fi

if $want_e2e && ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's Chromium for the browser tests"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The cross-browser smoke suite (end2end/cross-browser/) drives Debian's Firefox ESR over
# WebDriver BiDi and WebKitGTK through WebKitWebDriver; WebKitGTK has no headless mode, so Xvfb
# (xvfb-run, with xauth) gives it a display.
if $want_e2e; then
  missing=()
  command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
  command -v WebKitWebDriver >/dev/null 2>&1 || missing+=(webkit2gtk-driver)
  command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb)
  command -v xauth >/dev/null 2>&1 || missing+=(xauth)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian's ${missing[*]} for the cross-browser tests"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# nginx fronts two instances in the cluster browser test (end2end/tests/cluster.spec.ts) and
# `make cluster`, and one test server in the close-code tests behind a proxy
# (server/tests/websocket_protocol.rs); nginx-light is Debian's smallest build that proxies
# WebSockets.
if $want_e2e && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  say "installing Debian's nginx for the cluster tests"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi

# cargo-deny checks the dependency graph's licenses, duplicate versions and sources (deny.toml).
if $want_lint && ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
  say "installing cargo-deny $CARGO_DENY_VERSION (a few minutes, once)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --debug
fi
