# Sourced by the other scripts: the settings every build shares.
# npm's wasm-opt (and Playwright) first on PATH: cargo-leptos would otherwise try to download
# binaryen, which cannot work offline, or find Debian's, whose output breaks in the browser.
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
# The name of the JS/WASM bundle, as Leptos's hydration script asks for it.
export LEPTOS_OUTPUT_NAME=herald
