//! What a hostile client (or bad luck) tries, and what Herald answers: connections that never
//! finish, floods, too many sockets, a locked database, and the headers that keep pages safe.

mod common;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use common::ws::Ended;
use common::{assert_error, spawn_app, spawn_app_with, PASSWORD};

/// Reads until the server closes the connection; answers what it sent and when it closed.
async fn read_until_closed(
    stream: &mut TcpStream,
    patience: Duration,
) -> Option<(String, Instant)> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&received).into_owned(),
                    Instant::now(),
                ))
            }
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(|c| c.http_header_timeout_ms = 300).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let closed = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "the silent connection was still open after 5 s"
    );
}

#[tokio::test]
async fn a_request_whose_headers_trickle_in_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(|c| c.http_header_timeout_ms = 500).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    // One header every 100 ms, never the blank line that ends them.
    let mut closed = false;
    for n in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if stream
            .write_all(format!("X-Slow-{n}: 1\r\n").as_bytes())
            .await
            .is_err()
        {
            closed = true;
            break;
        }
    }
    if !closed {
        closed = read_until_closed(&mut stream, Duration::from_secs(1))
            .await
            .is_some();
    }
    assert!(
        closed,
        "the trickling connection was still open after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(|c| c.http_header_timeout_ms = 300).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (received, _) = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the idle connection is closed after its request");
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
}

#[tokio::test]
async fn a_body_slower_than_declared_is_answered_408_in_json() {
    let app = spawn_app_with(|c| c.http_request_timeout_ms = 500).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
    let (received, _) = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the server answers and closes");
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(
        received.contains(r#""code":"request_timeout""#),
        "{received}"
    );
}

#[tokio::test]
async fn a_page_carries_a_strict_content_security_policy_whose_nonce_is_on_every_script() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/login")).await.unwrap();
    let headers = response.headers().clone();
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("object-src 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    let scripts = html.matches("<script").count();
    assert!(scripts > 0, "the page has its hydration script");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script carries this response's nonce"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));
}

#[tokio::test]
async fn every_page_gets_a_new_nonce() {
    let app = spawn_app().await;
    let first = reqwest::get(app.url("/")).await.unwrap();
    let second = reqwest::get(app.url("/")).await.unwrap();
    assert_ne!(
        first.headers()["content-security-policy"],
        second.headers()["content-security-policy"]
    );
}

#[tokio::test]
async fn json_answers_cannot_be_framed_or_sniffed() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/api/auth/me/")).await.unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn a_signed_in_page_is_never_stored_by_the_browser_cache() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let response = ada
        .client
        .get(app.url("/notifications/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "private, no-store");
}

#[tokio::test]
async fn a_user_beyond_their_socket_limit_is_refused_with_429_and_retry_after() {
    let app = spawn_app_with(|c| c.realtime.ws_max_sockets_per_user = 3).await;
    let ada = app.user("ada", "jobseeker").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(app.socket(&ada, "").await);
    }
    let refused = common::ws::Socket::connect(&app, Some(&ada.cookie), Some(&app.base), "").await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
            assert!(response.headers().contains_key("retry-after"));
        }
        Err(other) => panic!("expected an HTTP refusal, got {other:?}"),
        Ok(_) => panic!("a fourth socket was accepted"),
    }
    // Another user still gets in, and closing a socket frees its slot.
    let grace = app.user("grace", "jobseeker").await;
    app.socket(&grace, "").await;
    drop(open.pop());
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(socket) =
            common::ws::Socket::connect(&app, Some(&ada.cookie), Some(&app.base), "").await
        {
            reopened = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        reopened.is_some(),
        "a closed socket's slot was never given back"
    );
}

#[tokio::test]
async fn the_instance_refuses_sockets_beyond_its_total_with_503() {
    let app = spawn_app_with(|c| c.realtime.ws_max_sockets = 2).await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let _a = app.socket(&ada, "").await;
    let _g = app.socket(&grace, "").await;
    match common::ws::Socket::connect(&app, Some(&grace.cookie), Some(&app.base), "").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503)
        }
        other => panic!("expected 503, got {:?}", other.map(|_| "a socket")),
    }
}

#[tokio::test]
async fn a_thousand_frames_back_to_back_end_in_a_1008_close_frame_not_a_reset() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await; // hello
    for _ in 0..1000 {
        if socket
            .send_raw(Message::Text(r#"{"action":"ping"}"#.into()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(socket.ended().await, Ended::Closed(1008));
}

#[tokio::test]
async fn a_ping_flood_is_closed_with_1008() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await; // hello
    for _ in 0..200 {
        if socket
            .send_raw(Message::Ping(Default::default()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(socket.ended().await, Ended::Closed(1008));
}

#[tokio::test]
async fn a_silent_client_is_closed_with_the_idle_code_at_the_idle_timeout() {
    let app = spawn_app_with(|c| {
        c.realtime.ws_idle_timeout_ms = 400;
        c.realtime.ws_ping_ms = 60_000;
    })
    .await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await; // hello
    assert_eq!(socket.ended().await, Ended::Closed(4102));
}

#[tokio::test]
async fn too_many_sign_ups_from_one_address_are_refused_with_429_and_retry_after() {
    let app = spawn_app_with(|c| c.max_sign_ups_per_hour = 3).await;
    for n in 0..3 {
        app.user(&format!("user{n}"), "jobseeker").await;
    }
    let response = reqwest::Client::new()
        .post(app.url("/api/auth/register/"))
        .json(&json!({ "username": "onemore", "password": PASSWORD, "role": "jobseeker" }))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "too many sign-ups").await;
}

#[tokio::test]
async fn a_guesser_locks_only_themselves_out_and_the_lock_answers_retry_after() {
    let app = spawn_app_with(|c| c.max_failed_logins = 3).await;
    app.user("ada", "jobseeker").await;
    let guesser = reqwest::Client::new();
    for _ in 0..3 {
        let wrong = guesser
            .post(app.url("/api/auth/login/"))
            .json(&json!({ "username": "ada", "password": "not her password" }))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = guesser
        .post(app.url("/api/auth/login/"))
        .json(&json!({ "username": "ada", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(locked.headers().contains_key("retry-after"));
    assert_error(
        locked,
        StatusCode::TOO_MANY_REQUESTS,
        "too many failed sign-ins",
    )
    .await;
}

#[tokio::test]
async fn a_lockout_lifts_when_its_retry_after_has_passed_and_the_right_password_gets_in() {
    let app = spawn_app_with(|c| {
        c.max_failed_logins = 3;
        c.failed_login_window_seconds = 2;
    })
    .await;
    app.user("ada", "jobseeker").await;
    let guesser = reqwest::Client::new();
    let sign_in = |password: &'static str| {
        guesser
            .post(app.url("/api/auth/login/"))
            .json(&json!({ "username": "ada", "password": password }))
            .send()
    };
    for _ in 0..3 {
        let wrong = sign_in("not her password").await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = sign_in(PASSWORD).await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=2).contains(&retry_after),
        "within the 2 s window: {retry_after}"
    );
    // The moment the server named is the event to wait for: nothing is sent before it.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let after = sign_in(PASSWORD).await.unwrap();
    assert_eq!(after.status(), StatusCode::OK, "the lockout lifted");
}

#[tokio::test]
async fn a_huge_user_name_is_refused_without_being_remembered() {
    let app = spawn_app().await;
    let name = "x".repeat(60_000);
    for _ in 0..3 {
        let response = reqwest::Client::new()
            .post(app.url("/api/auth/login/"))
            .json(&json!({ "username": name, "password": "whatever" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_write_to_a_locked_database_answers_503_with_retry_after_quickly_and_recovers() {
    use sqlx::{Connection, Executor};

    let app = spawn_app().await;
    let token = app.token().await;
    let ada = app.user("ada", "jobseeker").await;
    let database = app.database_path();
    let mut locker = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    locker.execute("BEGIN EXCLUSIVE").await.unwrap();

    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(app.url("/api/notifications/"))
        .bearer_auth(&token)
        .json(&json!({ "user_id": ada.id, "title": "While locked" }))
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "try again").await;
    assert!(waited < Duration::from_secs(4), "answered after {waited:?}");

    locker.execute("ROLLBACK").await.unwrap();
    app.notify(&token, ada.id.get(), "After the lock").await;
}

#[tokio::test]
async fn a_method_the_api_does_not_allow_answers_405_in_json() {
    let app = spawn_app().await;
    let response = reqwest::Client::new()
        .delete(app.url("/api/notifications/mark-all-read/"))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("allow"));
    assert_error(response, StatusCode::METHOD_NOT_ALLOWED, "").await;
}

#[tokio::test]
async fn a_path_id_that_is_not_a_number_answers_400_in_json() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let response = ada
        .client
        .post(app.url("/api/notifications/%FF/mark-read/"))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "").await;
}

#[tokio::test]
async fn a_body_refused_as_too_large_tells_the_client_to_close_the_connection() {
    let app = spawn_app_with(|c| c.max_body_bytes = 1024).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/auth/login/"))
        .header("content-type", "application/json")
        .body(vec![b' '; 10_000])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["connection"], "close");
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too large").await;
}

#[tokio::test]
async fn a_title_with_invisible_or_direction_changing_characters_is_refused() {
    let app = spawn_app().await;
    let token = app.token().await;
    let ada = app.user("ada", "jobseeker").await;
    for title in ["nul\u{0}byte", "evil\u{202E}txt.exe", "zero\u{200B}width"] {
        let response = reqwest::Client::new()
            .post(app.url("/api/notifications/"))
            .bearer_auth(&token)
            .json(&json!({ "user_id": ada.id, "title": title }))
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "title").await;
    }
}

#[tokio::test]
async fn bidirectional_marks_soft_hyphens_line_separators_and_annotations_are_refused_in_every_text_field(
) {
    let app = spawn_app().await;
    let token = app.token().await;
    let ada = app.user("ada", "jobseeker").await;
    let client = reqwest::Client::new();
    for c in ['\u{061C}', '\u{200E}', '\u{00AD}', '\u{2028}', '\u{FFF9}'] {
        let code = format!("U+{:04X}", u32::from(c));
        let text = format!("looks{c}plain");
        for (path, field, body) in [
            (
                "/api/notifications/",
                "title",
                json!({ "user_id": ada.id, "title": text }),
            ),
            (
                "/api/notifications/",
                "message",
                json!({ "user_id": ada.id, "title": "Hello", "message": text }),
            ),
            (
                "/api/global-notifications/",
                "title",
                json!({ "title": text }),
            ),
            (
                "/api/global-notifications/",
                "message",
                json!({ "title": "Hello", "message": text }),
            ),
        ] {
            let response = client
                .post(app.url(path))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_error(
                response,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{field}: must not contain the character {code}"),
            )
            .await;
        }
    }
}

#[tokio::test]
async fn metrics_behind_a_token_are_refused_without_it() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape-me".into())).await;
    let client = reqwest::Client::new();
    let without = client.get(app.url("/metrics")).send().await.unwrap();
    assert_error(without, StatusCode::UNAUTHORIZED, "sign in").await;
    let wrong = client
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let with = client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me")
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::OK);
    assert!(with.text().await.unwrap().contains("herald_"));
}
