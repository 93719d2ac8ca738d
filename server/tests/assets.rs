//! What a browser downloads, and how: compressed pages and JSON, the site's files precompressed
//! and cached according to their names.

mod common;

use std::io::Read;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::spawn_app_with;
use tower::ServiceExt;

/// A site folder with one script, its precompressed copies marked so a test can tell which one
/// it was sent.
fn site_with_a_script() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("herald.js"), "console.log('plain')").unwrap();
    std::fs::write(pkg.join("herald.js.br"), "brotli copy").unwrap();
    std::fs::write(pkg.join("herald.js.gz"), "gzip copy").unwrap();
    site
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a gzip body");
    text
}

#[tokio::test]
async fn a_page_and_json_are_sent_gzipped_to_a_browser_that_accepts_it() {
    let app = spawn_app_with(|_| {}).await;
    let client = reqwest::Client::new();
    for (path, expected) in [
        ("/", "<!DOCTYPE html>"),
        ("/api/openapi.json", "\"openapi\""),
    ] {
        let response = client
            .get(app.url(path))
            .header(header::ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()[header::CONTENT_ENCODING],
            "gzip",
            "{path}"
        );
        let body = gunzip(&response.bytes().await.unwrap());
        assert!(body.contains(expected), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_browser_that_accepts_brotli_gets_brotli_and_one_that_accepts_nothing_gets_plain_text() {
    let app = spawn_app_with(|_| {}).await;
    let client = reqwest::Client::new();
    let brotli = client
        .get(app.url("/"))
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
    let plain = client.get(app.url("/")).send().await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().starts_with("<!DOCTYPE html>"));
}

#[tokio::test]
async fn the_sites_files_are_sent_precompressed_and_revalidated_when_their_names_are_not_hashed() {
    let site = site_with_a_script();
    let root = site.path().to_owned();
    let app = spawn_app_with(move |config| config.site_root = Some(root)).await;
    let client = reqwest::Client::new();
    let get = |accept: &'static str| {
        client
            .get(app.url("/pkg/herald.js"))
            .header(header::ACCEPT_ENCODING, accept)
            .send()
    };

    let brotli = get("gzip, br").await.unwrap();
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(brotli.headers()[header::VARY], "accept-encoding");
    assert_eq!(brotli.headers()[header::CACHE_CONTROL], "no-cache");
    let modified = brotli.headers()[header::LAST_MODIFIED].clone();
    assert_eq!(brotli.text().await.unwrap(), "brotli copy");

    let gzip = get("gzip").await.unwrap();
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzip.text().await.unwrap(), "gzip copy");

    let plain = get("identity").await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.text().await.unwrap(), "console.log('plain')");

    let unchanged = client
        .get(app.url("/pkg/herald.js"))
        .header(header::IF_MODIFIED_SINCE, modified)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn files_with_hashed_names_may_be_kept_for_a_year_and_a_missing_one_may_not() {
    let site = site_with_a_script();
    let files = server::assets::router::<()>(site.path(), "pkg", true);
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();

    let found = files.clone().oneshot(get("/pkg/herald.js")).await.unwrap();
    assert_eq!(found.status(), StatusCode::OK);
    assert_eq!(
        found.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    let missing = files.oneshot(get("/pkg/herald.0123.js")).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get(header::CACHE_CONTROL).is_none());
}
