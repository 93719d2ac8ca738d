#!/usr/bin/env bash
# The cross-browser smoke suite: Firefox ESR and WebKitGTK against a real Herald (the one
# `cargo leptos build --split` made), one after the other. Arguments go to `playwright test`, e.g.
# `--project="Firefox ESR"` or `--list`.
set -euo pipefail
cd "$(dirname "$0")"
# Puppeteer and Playwright must not try to download browsers: the engines are Debian's.
export PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
for need in firefox-esr WebKitWebDriver; do
  command -v "$need" >/dev/null || { echo "$need is missing: run scripts/setup.sh --e2e" >&2; exit 1; }
done
# WebKitGTK has no headless mode: without a display, give it a virtual one.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "xvfb-run is missing: run scripts/setup.sh --e2e" >&2; exit 1; }
  exec xvfb-run --auto-servernum --server-args="-screen 0 1280x1024x24" \
    ../node_modules/.bin/playwright test --config playwright.config.ts "$@"
fi
exec ../node_modules/.bin/playwright test --config playwright.config.ts "$@"
