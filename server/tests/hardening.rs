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
async fn json_answers_with_private_data_are_never_stored_by_a_cache() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    app.send(ada.id, "Private").await;
    let stranger = reqwest::Client::new();
    for (client, path) in [
        (&ada.client, "/api/auth/me/"),
        (&ada.client, "/api/notifications/"),
        (&ada.client, "/api/notifications/?archived=true"),
        (&ada.client, "/api/global-notifications/"),
        (&stranger, "/api/auth/me/"),
        (&stranger, "/api/notifications/"),
        (&stranger, "/api/no-such-thing/"),
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("private, no-store"),
            "GET {path} ({})",
            response.status()
        );
    }
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

/// How long a write waits for SQLite's lock before giving up (`SqliteStore::connect`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

#[tokio::test]
async fn publishes_arriving_while_the_database_is_locked_each_answer_503_within_the_busy_timeout() {
    use sqlx::{Connection, Executor};

    let app = spawn_app().await;
    let token = app.token().await;
    let ada = app.user("ada", "jobseeker").await;
    let database = app.database_path();
    let mut locker = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    locker.execute("BEGIN EXCLUSIVE").await.unwrap();

    // A burst at once, then one every 150 ms for three seconds: some wait behind a batch that
    // is already failing, and each must be refused within about one busy timeout of its own
    // arrival, not after every batch queued ahead of it has waited out its own.
    let client = reqwest::Client::new();
    let publish = |delay: Duration| {
        let client = client.clone();
        let url = app.url("/api/notifications/");
        let token = token.clone();
        let user_id = ada.id.get();
        async move {
            tokio::time::sleep(delay).await;
            let started = Instant::now();
            let answer = tokio::time::timeout(
                Duration::from_secs(30),
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({ "user_id": user_id, "title": "While locked" }))
                    .send(),
            )
            .await;
            (delay, started.elapsed(), answer)
        }
    };
    let delays = (0..8)
        .map(|_| Duration::ZERO)
        .chain((1..=20).map(|n| Duration::from_millis(150 * n)));
    let answers = futures::future::join_all(delays.map(publish)).await;

    let bound = BUSY_TIMEOUT + Duration::from_millis(1500);
    let mut late = Vec::new();
    for (delay, waited, answer) in answers {
        let response = answer
            .unwrap_or_else(|_| panic!("the publish sent at {delay:?} had no answer after 30 s"))
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key("retry-after"));
        if waited > bound {
            late.push((delay, waited));
        }
    }
    assert!(
        late.is_empty(),
        "refused later than {bound:?} after being sent (sent at, waited): {late:?}"
    );

    locker.execute("ROLLBACK").await.unwrap();
    let started = Instant::now();
    app.notify(&token, ada.id.get(), "After the lock").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the first publish after the lock took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_socket_action_on_a_locked_database_is_answered_unavailable_with_a_retry_hint() {
    use sqlx::{Connection, Executor};

    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    app.send(ada.id, "Unread").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next_of("hello").await;
    let database = app.database_path();
    let mut locker = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    locker.execute("BEGIN EXCLUSIVE").await.unwrap();

    socket.send_json(json!({ "action": "mark_all_read" })).await;
    let refused = socket.next_of_skipping("error", &["notification"]).await;
    assert_eq!(refused["code"], "unavailable", "{refused}");
    let retry_after_ms = refused["retry_after_ms"].as_u64();
    assert!(
        retry_after_ms.is_some_and(|ms| ms > 0),
        "a retry hint in {refused}"
    );

    locker.execute("ROLLBACK").await.unwrap();
    socket.send_json(json!({ "action": "mark_all_read" })).await;
    let count = socket
        .next_of_skipping("unread_count", &["notification"])
        .await;
    assert_eq!(count["count"], 0);
}

#[tokio::test]
async fn once_the_database_file_is_deleted_readyz_and_writes_answer_503_instead_of_losing_data() {
    let app = spawn_app().await;
    let token = app.token().await;
    let ada = app.user("ada", "jobseeker").await;
    app.notify(&token, ada.id.get(), "Before").await;
    let ready = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);

    std::fs::remove_file(app.database_path()).unwrap();

    let ready = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let response = reqwest::Client::new()
        .post(app.url("/api/notifications/"))
        .bearer_auth(&token)
        .json(&json!({ "user_id": ada.id, "title": "Into the void" }))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "try again").await;
    let marked = ada
        .client
        .post(app.url("/api/notifications/mark-all-read/"))
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// The lines at WARN and above logged on this thread (a current-thread test runs its server
/// here), as (level, target, message).
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<(tracing::Level, String, String)>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CapturedLog {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                use std::fmt::Write;
                let _ = write!(self.0, "{}={value:?} ", field.name());
            }
        }
        let level = *event.metadata().level();
        if level <= tracing::Level::WARN {
            let mut message = Message(String::new());
            event.record(&mut message);
            let target = event.metadata().target().to_owned();
            self.0.lock().unwrap().push((level, target, message.0));
        }
    }
}

impl CapturedLog {
    fn lines(&self, level: tracing::Level) -> Vec<String> {
        let lines = self.0.lock().unwrap();
        lines
            .iter()
            .filter(|(at, ..)| *at == level)
            .map(|(_, target, message)| format!("{target}: {message}"))
            .collect()
    }
}

#[tokio::test]
async fn a_burst_of_503s_from_a_locked_database_is_logged_at_warn_a_few_lines_at_most() {
    use sqlx::{Connection, Executor};
    use tracing_subscriber::layer::SubscriberExt;

    let log = CapturedLog::default();
    let _logging =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(log.clone()));
    let app = spawn_app().await;
    let token = app.token().await;
    let ada = app.user("ada", "jobseeker").await;
    let database = app.database_path();
    let mut locker = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    locker.execute("BEGIN EXCLUSIVE").await.unwrap();

    let started = Instant::now();
    let client = reqwest::Client::new();
    let refusals = 30;
    let answers = futures::future::join_all((0..refusals).map(|_| {
        client
            .post(app.url("/api/notifications/"))
            .bearer_auth(&token)
            .json(&json!({ "user_id": ada.id, "title": "While locked" }))
            .send()
    }))
    .await;
    let seconds = started.elapsed().as_secs() + 1;
    for answer in answers {
        assert_eq!(answer.unwrap().status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    locker.execute("ROLLBACK").await.unwrap();

    let errors = log.lines(tracing::Level::ERROR);
    assert!(
        errors.is_empty(),
        "{} ERROR lines: {errors:#?}",
        errors.len()
    );
    let warnings = log.lines(tracing::Level::WARN);
    assert!(
        !warnings.is_empty(),
        "the refusals left no trace in the log"
    );
    // At most a line a second for each kind (the refused request, the database's "not now").
    assert!(
        warnings.len() as u64 <= 2 * (seconds + 1),
        "{} WARN lines for {refusals} refusals in {seconds} s: {warnings:#?}",
        warnings.len()
    );
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

/// A client whose requests come from `127.0.0.<n>`, keeping cookies like a browser.
fn browser_at(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, n]))
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn sign_in_from(
    client: &reqwest::Client,
    app: &common::TestApp,
    password: &str,
) -> StatusCode {
    client
        .post(app.url("/api/auth/login/"))
        .json(&json!({ "username": "admin1", "password": password }))
        .send()
        .await
        .unwrap()
        .status()
}

/// The probe's attack: ten wrong passwords from each of eleven addresses. The owner's browser
/// shares the first address (as behind one NAT), and signed in once before the attack.
#[tokio::test]
async fn strangers_guessing_from_eleven_addresses_cannot_lock_the_owner_out_of_a_browser_they_used_before(
) {
    let app = spawn_app().await;
    app.user("admin1", "employer").await;
    let owner = browser_at(1);
    assert_eq!(sign_in_from(&owner, &app, PASSWORD).await, StatusCode::OK);
    for n in 1..=11 {
        let guesser = browser_at(n);
        for _ in 0..10 {
            let status = sign_in_from(&guesser, &app, "not the password").await;
            assert!(
                matches!(
                    status,
                    StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
                ),
                "{status}"
            );
        }
    }
    assert_eq!(sign_in_from(&owner, &app, PASSWORD).await, StatusCode::OK);
}

/// The other side of that trade-off: the attack still stops anyone without such a browser, the
/// right password included, at an address it never used.
#[tokio::test]
async fn strangers_guessing_from_eleven_addresses_lock_the_account_for_browsers_it_never_signed_in_from(
) {
    let app = spawn_app().await;
    app.user("admin1", "employer").await;
    for n in 1..=11 {
        let guesser = browser_at(n);
        for _ in 0..10 {
            sign_in_from(&guesser, &app, "not the password").await;
        }
    }
    let newcomer = browser_at(50);
    assert_eq!(
        sign_in_from(&newcomer, &app, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Every handshake costs a session check and a replay: one account reconnecting in a loop is
/// refused with 429 and `Retry-After` once past its budget (a burst of 20, then 20 per 10 s),
/// gets in again after waiting that long, and other users are not affected.
#[tokio::test]
async fn a_user_reconnecting_in_a_loop_is_refused_with_429_and_retry_after() {
    use tokio_tungstenite::tungstenite::Error;
    let app = spawn_app_with(|c| c.realtime.ws_max_sockets_per_user = 1000).await;
    let ada = app.user("ada", "jobseeker").await;
    let mut open = Vec::new();
    let refused = loop {
        assert!(open.len() < 40, "40 handshakes in a row were all accepted");
        match common::ws::Socket::connect(&app, Some(&ada.cookie), Some(&app.base), "").await {
            Ok(socket) => open.push(socket),
            Err(Error::Http(response)) => break response,
            Err(other) => panic!("expected an HTTP refusal, got {other:?}"),
        }
    };
    assert_eq!(refused.status(), 429);
    assert!(
        open.len() >= 20,
        "only {} handshakes were accepted",
        open.len()
    );
    let body: serde_json::Value =
        serde_json::from_slice(refused.body().as_deref().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=10).contains(&retry_after),
        "Retry-After: {retry_after}"
    );

    let grace = app.user("grace", "jobseeker").await;
    app.socket(&grace, "").await;
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    app.socket(&ada, "").await;
}

/// With few file descriptors (a systemd service often gets 1,024; here 256), the socket cap
/// comes down to fit what the process may open: new sockets get 503 well before the descriptors
/// run out, and the health checks and the sign-in page still answer at once.
#[tokio::test]
async fn with_256_file_descriptors_new_sockets_get_503_and_health_checks_still_answer() {
    use tokio_tungstenite::tungstenite::Error;
    let dir = tempfile::tempdir().unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let _server = tokio::process::Command::new("prlimit")
        .args(["--nofile=256:256", "--"])
        .arg(env!("CARGO_BIN_EXE_herald"))
        .arg("serve")
        .env("HERALD_BIND", addr.to_string())
        .env(
            "HERALD_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("herald.db").display()),
        )
        .env("HERALD_WS_MAX_SOCKETS_PER_USER", "1000")
        .env("HERALD_WS_HANDSHAKES_PER_USER", "100000")
        .env(
            "HERALD_LOG",
            std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("prlimit (util-linux) runs herald");
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut ready = false;
    for _ in 0..300 {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await {
            ready = response.status().is_success();
            if ready {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "herald never became ready");
    let response = client
        .post(format!("{base}/api/auth/register/"))
        .json(&json!({ "username": "ada", "password": PASSWORD, "role": "jobseeker" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let mut sockets = Vec::new();
    let refusal = loop {
        assert!(
            sockets.len() < 256,
            "256 sockets were accepted with 256 file descriptors"
        );
        let opening = common::ws::Socket::connect_to(addr, Some(&cookie), None, "");
        match tokio::time::timeout(Duration::from_secs(5), opening).await {
            Err(_) => panic!(
                "socket {} was neither accepted nor refused within 5 s",
                sockets.len() + 1
            ),
            Ok(Ok(socket)) => sockets.push(socket),
            Ok(Err(Error::Http(response))) => break response,
            Ok(Err(other)) => panic!("socket {}: {other:?}", sockets.len() + 1),
        }
    };
    assert_eq!(refusal.status(), 503, "after {} sockets", sockets.len());
    assert!(refusal.headers().contains_key("retry-after"));
    assert!(sockets.len() >= 64, "only {} sockets fit", sockets.len());
    for path in ["/healthz", "/readyz", "/login"] {
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap_or_else(|err| panic!("{path} with {} sockets open: {err}", sockets.len()));
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} was slow"
        );
    }
}
