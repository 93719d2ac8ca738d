//! The site's build output under `/pkg` (the WASM, its JS glue and the CSS), served the way a CDN
//! would serve it.
//!
//! A release build (`make release`) names each file after a hash of its content and writes the
//! hashes to `hash.txt` beside the binary; it also writes a brotli (`.br`) and a gzip (`.gz`) copy
//! of every file. Hashed names never change meaning, so browsers may keep them for a year without
//! asking again; the compressed copies are sent to whoever accepts them. A debug build has
//! neither: its files are revalidated on every load (`no-cache`, answered 304 while unchanged).

use std::path::{Path, PathBuf};

use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The name of the file, beside the running binary, in which a release build lists the hashes
/// of its site files (cargo-leptos's and Leptos's default).
pub const HASH_FILE: &str = "hash.txt";

/// Whether the site was built with content-hashed file names: a release build's `hash.txt` sits
/// beside the running binary. Leptos reads it from there to name the files in each page.
pub fn names_are_hashed() -> bool {
    hash_file().is_some_and(|path| path.is_file())
}

fn hash_file() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(HASH_FILE))
}

/// Serves `<site_root>/<pkg_dir>` at `/<pkg_dir>`, where Leptos's pages load the bundle from: the
/// precompressed copy the client accepts (brotli first), with `Vary: Accept-Encoding`, and
/// caching that matches the names.
pub fn router<S: Clone + Send + Sync + 'static>(
    site_root: &Path,
    pkg_dir: &str,
    hashed: bool,
) -> Router<S> {
    let cache_control = HeaderValue::from_static(if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    });
    let files = ServeDir::new(site_root.join(pkg_dir))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{pkg_dir}"), files)
        // Which copy is sent depends on Accept-Encoding: a cache in between must keep them
        // apart (ServeDir does not say so itself).
        .layer(SetResponseHeaderLayer::if_not_present(
            VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        // Only a file found is cached: a 404 for a name may turn into a file with the next
        // deployment.
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            move |response: &Response| {
                let found =
                    response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
                found.then(|| cache_control.clone())
            },
        ))
}
