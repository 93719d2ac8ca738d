# Sourced by the other scripts: the settings every build shares.
# npm's wasm-opt (and Playwright) first on PATH: cargo-leptos would otherwise try to download
# binaryen, which cannot work offline, or find Debian's, whose output breaks in the browser.
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
# The name of the JS/WASM bundle, as Leptos's hydration script asks for it.
export LEPTOS_OUTPUT_NAME=herald
# Builds the site (server and WASM). Always with --split: the pages in app/src/pages/lazy.rs are
# split points, imports that only cargo-leptos's splitter resolves. Arguments go to cargo-leptos.
build_site() { cargo leptos build --split "$@"; }
