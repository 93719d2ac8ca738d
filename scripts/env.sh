# Sourced by the other scripts: the settings every build shares.
# npm's wasm-opt (and Playwright) first on PATH: cargo-leptos would otherwise try to download
# binaryen, which cannot work offline, or find Debian's, whose output breaks in the browser.
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
# Leptos's runtime settings live in Leptos.toml; cargo-leptos takes them as LEPTOS_* variables,
# so it builds the site where the server looks. The bundle's name is also read when the app
# compiles (the lazy routes' loader asks for it), so plain `cargo` builds need it too.
leptos_setting() { sed -n "s/^$1 = \"\(.*\)\"\$/\1/p" Leptos.toml; }
LEPTOS_OUTPUT_NAME=$(leptos_setting output-name)
LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-$(leptos_setting site-root)}
LEPTOS_SITE_PKG_DIR=$(leptos_setting site-pkg-dir)
export LEPTOS_OUTPUT_NAME LEPTOS_SITE_ROOT LEPTOS_SITE_PKG_DIR
# Builds the site (server and WASM). Always with --split: the pages in app/src/pages/lazy.rs are
# split points, imports that only cargo-leptos's splitter resolves. Arguments go to cargo-leptos.
build_site() { cargo leptos build --split "$@"; }
