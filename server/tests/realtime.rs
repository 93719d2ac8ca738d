//! The real-time protocol, end to end: real sockets against a real server on a random port.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::ws::{Ended, Socket};
use common::{spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{self, Message};

use app::model::NotificationId;
use app::protocol::Disconnect;
use app::ssr::secret;

fn id(frame: &Value) -> NotificationId {
    NotificationId::new(frame["notification"]["id"].as_i64().unwrap())
}

#[tokio::test]
async fn the_first_frame_is_hello_with_the_unread_count() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    app.send(ada.id, "one").await;
    app.send(ada.id, "two").await;
    let mut socket = app.socket(&ada, "").await;
    assert_eq!(
        socket.next().await,
        json!({ "type": "hello", "user_id": ada.id, "unread_count": 2 })
    );
}

#[tokio::test]
async fn each_user_receives_only_their_own_notifications_and_both_receive_globals() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let mut ada_socket = app.socket(&ada, "").await;
    let mut grace_socket = app.socket(&grace, "").await;
    ada_socket.next().await;
    grace_socket.next().await;

    let sent = app.send(ada.id, "for ada").await;
    let frame = ada_socket.next_of("notification").await;
    assert_eq!(frame["notification"]["title"], "for ada");
    assert_eq!(id(&frame), sent.id);
    assert_eq!(
        ada_socket.next().await,
        json!({ "type": "unread_count", "count": 1 })
    );

    let admin = app.admin().await;
    let response = admin
        .post(app.url("/api/global-notifications/"))
        .json(&json!({ "title": "Everyone, listen", "level": "critical" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    for socket in [&mut ada_socket, &mut grace_socket] {
        let frame = socket.next_of("global_notification").await;
        assert_eq!(frame["notification"]["title"], "Everyone, listen");
        assert_eq!(frame["notification"]["level"], "critical");
    }
    // Grace saw the global and nothing of Ada's.
    grace_socket.assert_quiet(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn three_sockets_of_one_user_all_receive_and_a_mark_read_on_one_updates_the_others() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut sockets = Vec::new();
    for _ in 0..3 {
        let mut socket = app.socket(&ada, "").await;
        socket.next().await;
        sockets.push(socket);
    }
    let sent = app.send(ada.id, "hello tabs").await;
    for socket in &mut sockets {
        assert_eq!(id(&socket.next_of("notification").await), sent.id);
        assert_eq!(socket.next_of("unread_count").await["count"], 1);
    }
    sockets[0]
        .send_json(json!({ "action": "mark_read", "notification_id": sent.id }))
        .await;
    for socket in &mut sockets {
        assert_eq!(socket.next_of("unread_count").await["count"], 0);
    }
    assert_eq!(app.store.unread_count(ada.id).await.unwrap(), 0);
}

#[tokio::test]
async fn a_mark_all_read_through_the_api_reaches_every_socket() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    app.send(ada.id, "x").await;
    socket.next_of("notification").await;
    socket.next_of("unread_count").await;
    let response = ada
        .client
        .post(app.url("/api/notifications/mark-all-read/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(socket.next_of("unread_count").await["count"], 0);
}

#[tokio::test]
async fn fifty_notifications_created_while_away_arrive_once_and_in_order_on_reconnect() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let seen = app.send(ada.id, "seen before leaving").await;

    let mut missed = Vec::new();
    for i in 0..50 {
        missed.push(app.send(ada.id, &format!("missed {i}")).await.id);
    }
    let mut socket = app.socket(&ada, &format!("?after={}", seen.id)).await;
    assert_eq!(socket.next().await["type"], "hello");
    let mut replayed = Vec::new();
    for _ in 0..50 {
        replayed.push(id(&socket
            .next_of_skipping("notification", &["unread_count"])
            .await));
    }
    assert_eq!(replayed, missed);
    socket.assert_quiet(Duration::from_millis(300)).await;
    assert_eq!(app.node.metrics.replayed_notifications.get(), 50);
}

#[tokio::test]
async fn replay_racing_live_publishes_leaves_no_gap_and_no_duplicate() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    for round in 0..15 {
        let start = app.send(ada.id, "cursor").await.id;
        for i in 0..10 {
            app.send(ada.id, &format!("before {round}.{i}")).await;
        }
        // Publish while the socket connects and replays.
        let publisher = {
            let services = app.services.clone();
            let user_id = ada.id;
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..20 {
                    let new = common::new_notification(user_id, &format!("live {i}"), "");
                    ids.push(app::ssr::inbox::send(&services, &new).await.unwrap().id);
                    tokio::task::yield_now().await;
                }
                ids
            })
        };
        let mut socket = app.socket(&ada, &format!("?after={start}")).await;
        let live_ids = publisher.await.unwrap();
        let expected = 10 + live_ids.len();
        let mut received = Vec::new();
        while received.len() < expected {
            received.push(id(&socket
                .next_of_skipping("notification", &["unread_count"])
                .await));
        }
        let unique: HashSet<_> = received.iter().collect();
        assert_eq!(
            unique.len(),
            received.len(),
            "round {round}: a duplicate in {received:?}"
        );
        assert!(
            received.windows(2).all(|w| w[0] < w[1]),
            "round {round}: out of order {received:?}"
        );
        assert_eq!(received.last(), live_ids.last(), "round {round}: a gap");
        assert!(received.iter().all(|&n| n > start));
        // Nothing more, not even a late duplicate.
        let quiet = tokio::time::timeout(
            Duration::from_millis(150),
            socket.next_of_skipping("notification", &["unread_count"]),
        )
        .await;
        assert!(quiet.is_err(), "round {round}: an extra frame {quiet:?}");
    }
}

#[tokio::test]
async fn an_unauthenticated_upgrade_answers_401_and_a_foreign_origin_403() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let status = |result: Result<Socket, tungstenite::Error>| match result {
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the upgrade should be refused"),
    };
    assert_eq!(
        status(Socket::connect(&app, None, Some(&app.base), "").await),
        401
    );
    let foreign = Socket::connect(&app, Some(&ada.cookie), Some("https://evil.example"), "").await;
    assert_eq!(status(foreign), 403);
    let bad_cursor = Socket::connect(&app, Some(&ada.cookie), Some(&app.base), "?after=x").await;
    assert_eq!(status(bad_cursor), 422);
}

#[tokio::test]
async fn an_oversized_frame_closes_the_socket_with_1009() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    let huge = "x".repeat(64 * 1024);
    let _ = socket.send_raw(Message::Text(huge.into())).await;
    assert_eq!(
        socket.ended().await,
        Ended::Closed(Disconnect::TooBig.code())
    );
}

#[tokio::test]
async fn bad_json_gets_an_error_frame_and_the_socket_keeps_working() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    socket
        .send_raw(Message::Text("{not json".into()))
        .await
        .unwrap();
    let error = socket.next().await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["code"], "invalid_frame");
    socket.send_json(json!({ "action": "explode" })).await;
    assert_eq!(socket.next().await["code"], "invalid_frame");
    socket
        .send_raw(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(socket.next().await["code"], "invalid_frame");
    socket.send_json(json!({ "action": "ping" })).await;
    assert_eq!(socket.next().await, json!({ "type": "pong" }));
}

#[tokio::test]
async fn marking_another_users_notification_read_changes_nothing() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let theirs = app.send(ada.id, "private").await;
    let mut socket = app.socket(&grace, "").await;
    socket.next().await;
    socket
        .send_json(json!({ "action": "mark_read", "notification_id": theirs.id }))
        .await;
    let answer = socket.next().await;
    assert_eq!(answer["type"], "error");
    assert_eq!(answer["code"], "not_found");
    socket
        .send_json(json!({ "action": "mark_read", "notification_id": 987654 }))
        .await;
    let missing = socket.next().await;
    assert_eq!(missing["code"], answer["code"]);
    assert_eq!(missing["message"], answer["message"]);
    assert_eq!(app.store.unread_count(ada.id).await.unwrap(), 1);
}

#[tokio::test]
async fn a_flood_of_frames_closes_the_socket_with_1008() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    for _ in 0..200 {
        if socket
            .send_raw(Message::Text(r#"{"action":"ping"}"#.into()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(
        socket.ended().await,
        Ended::Closed(Disconnect::Flood.code())
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_as_slow_and_others_are_unaffected() {
    let app = spawn_app_with(|config| {
        config.realtime.ws_queue_frames = 32;
        config.realtime.ws_max_write_buffer_bytes = 64 * 1024;
        config.realtime.ws_write_timeout_ms = 1_000;
    })
    .await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let mut stalled = app.socket(&ada, "").await;
    let mut healthy = app.socket(&grace, "").await;
    stalled.next().await;
    healthy.next().await;

    // Big frames for Ada, who never reads, until the server gives up on her socket; Grace gets
    // one notification per round and reads every one.
    let long = "m".repeat(1900);
    // Both sockets are registered (each read its hello), so the loop below runs until one goes.
    assert_eq!(app.node.hub.len(), 2, "both sockets registered");
    let mut rounds = 0;
    while app.node.hub.len() == 2 {
        rounds += 1;
        assert!(rounds <= 4000, "the stalled socket was never closed");
        let new = common::new_notification(ada.id, "big", &long);
        app::ssr::inbox::send(&app.services, &new).await.unwrap();
        if rounds % 50 == 0 {
            let sent = app.send(grace.id, "still here").await;
            assert_eq!(
                id(&healthy
                    .next_of_skipping("notification", &["unread_count"])
                    .await),
                sent.id
            );
        }
    }
    assert!(app.node.metrics.slow_client_closes.get() >= 1);
    // What the stalled client reads now ends, not with an unbounded backlog.
    let ending = stalled.ended().await;
    assert!(
        [Ended::Dropped, Ended::Closed(Disconnect::SlowClient.code())].contains(&ending),
        "{ending:?}"
    );
    let sent = app.send(grace.id, "after the slow one left").await;
    assert_eq!(
        id(&healthy
            .next_of_skipping("notification", &["unread_count"])
            .await),
        sent.id
    );
}

#[tokio::test]
async fn on_shutdown_clients_see_1012_and_after_a_restart_they_miss_nothing() {
    let mut app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let last = app.send(ada.id, "before the restart").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;

    app.stop().await;
    assert_eq!(
        socket.ended().await,
        Ended::Closed(Disconnect::ServiceRestart.code())
    );

    // Created while the server is down, straight into storage.
    let mut missed = Vec::new();
    for i in 0..3 {
        let new = common::new_notification(ada.id, &format!("while down {i}"), "");
        missed.push(app.store.create_notification(&new).await.unwrap().id);
    }
    let restarted = app.restart().await;
    let mut socket = restarted.socket(&ada, &format!("?after={}", last.id)).await;
    assert_eq!(socket.next().await["unread_count"], 4);
    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(id(&socket
            .next_of_skipping("notification", &["unread_count"])
            .await));
    }
    assert_eq!(replayed, missed);
}

#[tokio::test]
async fn signing_out_closes_that_sessions_sockets_and_no_others() {
    let app = spawn_app().await;
    let laptop = app.user("ada", "jobseeker").await;
    let phone = app.sign_in_again("ada").await;
    let mut laptop_socket = app.socket(&laptop, "").await;
    let mut phone_socket = app.socket(&phone, "").await;
    laptop_socket.next().await;
    phone_socket.next().await;

    let response = laptop
        .client
        .post(app.url("/api/auth/logout/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        laptop_socket.ended().await,
        Ended::Closed(Disconnect::SignedOut.code())
    );

    let sent = app.send(phone.id, "phone still listens").await;
    assert_eq!(id(&phone_socket.next_of("notification").await), sent.id);
}

#[tokio::test]
async fn a_removed_session_closes_its_socket_at_the_next_check() {
    let app = spawn_app_with(|config| config.realtime.ws_ping_ms = 100).await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    let token = ada.cookie.split_once('=').unwrap().1;
    app.store
        .delete_session(&secret::hash(token))
        .await
        .unwrap();
    assert_eq!(
        socket.ended().await,
        Ended::Closed(Disconnect::SessionExpired.code())
    );
}

#[tokio::test]
async fn a_session_that_expires_closes_its_open_socket_with_4001() {
    let ttl = Duration::from_secs(2);
    let app = spawn_app_with(|config| {
        config.session_ttl_seconds = ttl.as_secs();
        config.realtime.ws_ping_ms = 100;
    })
    .await;
    let signed_up = tokio::time::Instant::now();
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    assert_eq!(socket.next().await["type"], "hello");
    let ended = tokio::time::timeout(ttl * 5, socket.ended())
        .await
        .expect("the socket was still open long after its session expired");
    assert_eq!(ended, Ended::Closed(Disconnect::SessionExpired.code()));
    assert!(
        signed_up.elapsed() >= ttl - Duration::from_millis(200),
        "closed after {:?}, before the session's {ttl:?} were up",
        signed_up.elapsed()
    );
    // The cookie, sent by hand (the client's own jar let it go at its Max-Age), opens nothing.
    let me = reqwest::Client::new()
        .get(app.url("/api/auth/me/"))
        .header("cookie", &ada.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_socket_that_never_answers_is_dropped() {
    let app = spawn_app_with(|config| {
        config.realtime.ws_ping_ms = 50;
        config.realtime.ws_idle_timeout_ms = 200;
    })
    .await;
    let ada = app.user("ada", "jobseeker").await;
    let socket = app.socket(&ada, "").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while app.node.hub.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the socket never registered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Holding the socket without polling it means no pong ever goes back. The server closes it
    // after the idle timeout, waits up to a second for the close to be answered, and lets go.
    while !app.node.hub.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "a silent socket was still held after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(socket);
}

#[tokio::test]
async fn deactivating_a_global_takes_its_banner_down_everywhere() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    let created: Value = admin
        .post(app.url("/api/global-notifications/"))
        .json(&json!({ "title": "Heads up" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        socket.next_of("global_notification").await["notification"]["id"],
        created["id"]
    );
    let response = admin
        .patch(app.url(&format!("/api/global-notifications/{}/", created["id"])))
        .json(&json!({ "is_active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        socket.next_of("global_notification_removed").await,
        json!({ "type": "global_notification_removed", "id": created["id"] })
    );
}

#[tokio::test]
async fn a_global_is_removed_when_it_expires_and_shown_when_it_starts() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    let now = time::OffsetDateTime::now_utc();
    let format = &time::format_description::well_known::Rfc3339;
    let soon = (now + Duration::from_millis(700)).format(format).unwrap();
    let later = (now + Duration::from_millis(1400)).format(format).unwrap();
    let created: Value = admin
        .post(app.url("/api/global-notifications/"))
        .json(&json!({ "title": "Brief", "starts_at": soon, "expires_at": later }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let shown = socket.next_of("global_notification").await;
    assert_eq!(shown["notification"]["id"], created["id"]);
    assert!(time::OffsetDateTime::now_utc() >= now + Duration::from_millis(700));
    let removed = socket.next_of("global_notification_removed").await;
    assert_eq!(removed["id"], created["id"]);
}

#[tokio::test]
async fn reconnecting_with_after_global_replays_the_live_globals_it_missed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut ids = Vec::new();
    for title in ["first", "second"] {
        let created: Value = admin
            .post(app.url("/api/global-notifications/"))
            .json(&json!({ "title": title }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(created["id"].as_i64().unwrap());
    }
    let mut socket = app.socket(&ada, &format!("?after_global={}", ids[0])).await;
    socket.next().await;
    let replayed = socket.next_of("global_notification").await;
    assert_eq!(replayed["notification"]["id"], ids[1]);
    socket.assert_quiet(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn metrics_count_sockets_and_publishes() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    app.send(ada.id, "counted").await;
    socket.next_of("notification").await;
    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("herald_websocket_connections 1"), "{text}");
    let publishes = text
        .lines()
        .find_map(|line| line.strip_prefix("herald_publishes_total "))
        .unwrap();
    assert!(publishes.parse::<u64>().unwrap() >= 2, "{text}");
}

#[tokio::test]
async fn the_send_and_announce_commands_push_through_a_running_server() {
    use clap::Parser;
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut socket = app.socket(&ada, "").await;
    socket.next().await;
    let token = app.token().await;
    let send = server::config::Cli::parse_from([
        "herald",
        "send",
        "--server",
        &app.base,
        "--token",
        &token,
        "--user",
        "ada",
        "--title",
        "From the command line",
        "--type",
        "application",
        "--link",
        "/jobs/1",
    ]);
    server::commands::run(send).await.unwrap();
    let frame = socket.next_of("notification").await;
    assert_eq!(frame["notification"]["title"], "From the command line");
    assert_eq!(frame["notification"]["notification_type"], "application");

    let announce = server::config::Cli::parse_from([
        "herald",
        "announce",
        "--server",
        &app.base,
        "--token",
        &token,
        "--title",
        "Hello all",
        "--level",
        "warning",
    ]);
    server::commands::run(announce).await.unwrap();
    let frame = socket
        .next_of_skipping("global_notification", &["unread_count"])
        .await;
    assert_eq!(frame["notification"]["level"], "warning");

    let refused = server::config::Cli::parse_from([
        "herald",
        "send",
        "--server",
        &app.base,
        "--token",
        "hrld_wrong",
        "--user",
        "ada",
        "--title",
        "x",
    ]);
    let err = server::commands::run(refused).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn signing_out_everywhere_else_closes_the_other_browsers_and_keeps_this_one() {
    use app::ssr::session;

    let app = spawn_app().await;
    let laptop = app.user("ada", "jobseeker").await;
    let phone = app.sign_in_again("ada").await;
    let bob = app.user("bob", "jobseeker").await;
    let mut laptop_socket = app.socket(&laptop, "").await;
    let mut phone_socket = app.socket(&phone, "").await;
    laptop_socket.next().await;
    phone_socket.next().await;
    let token = |user: &common::TestUser| user.cookie.split_once('=').unwrap().1.to_owned();
    let me = session::resolve(&*app.store, &token(&laptop))
        .await
        .unwrap()
        .unwrap();
    let bobs = session::resolve(&*app.store, &token(&bob))
        .await
        .unwrap()
        .unwrap();

    let mine = session::list(&*app.store, &me).await.unwrap();
    assert_eq!(mine.current_id, me.session_id);
    assert_eq!(mine.sessions.len(), 2, "ada's two browsers, not bob's");
    assert!(
        !session::end_one(&app.services, &me, bobs.session_id)
            .await
            .unwrap(),
        "ada cannot end bob's session"
    );

    assert_eq!(session::end_others(&app.services, &me).await.unwrap(), 1);
    assert_eq!(
        phone_socket.ended().await,
        Ended::Closed(Disconnect::SignedOut.code())
    );
    let me_on_phone = phone
        .client
        .get(app.url("/api/auth/me/"))
        .send()
        .await
        .unwrap();
    assert_eq!(me_on_phone.status(), StatusCode::UNAUTHORIZED);
    let sent = app.send(laptop.id, "the laptop still listens").await;
    assert_eq!(id(&laptop_socket.next_of("notification").await), sent.id);
    let bob_me = bob
        .client
        .get(app.url("/api/auth/me/"))
        .send()
        .await
        .unwrap();
    assert_eq!(bob_me.status(), StatusCode::OK, "bob is still signed in");
}

#[tokio::test]
async fn each_session_remembers_the_browser_it_was_started_from() {
    use app::ssr::session;

    let app = spawn_app().await;
    app.user("ada", "jobseeker").await;
    let response = app
        .browser()
        .post(app.url("/api/auth/login/"))
        .header("user-agent", "Firefox on a phone")
        .json(&json!({ "username": "ada", "password": common::PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    let me = session::resolve(&*app.store, token).await.unwrap().unwrap();
    let mine = session::list(&*app.store, &me).await.unwrap();
    let browsers: Vec<&str> = mine.sessions.iter().map(|s| s.browser.as_str()).collect();
    assert!(browsers.contains(&"Firefox on a phone"), "{browsers:?}");
}

/// A client that asks for everything (`after=0`) gets the newest 500 notifications it missed,
/// oldest first, then one `resync` frame telling it to re-read its list over HTTP: a long inbox
/// costs every handshake a bounded replay, not the whole history.
#[tokio::test]
async fn a_replay_of_a_long_inbox_sends_the_newest_500_then_a_resync_frame() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let batch: Vec<_> = (0..510)
        .map(|i| common::new_notification(ada.id, &format!("missed {i}"), ""))
        .collect();
    let stored = app.store.create_notifications(&batch).await.unwrap();
    let newest: Vec<NotificationId> = stored[10..].iter().map(|n| n.id).collect();

    let mut socket = app.socket(&ada, "?after=0").await;
    assert_eq!(socket.next().await["type"], "hello");
    let mut replayed = Vec::new();
    for _ in 0..500 {
        replayed.push(id(&socket.next_of("notification").await));
    }
    assert_eq!(replayed, newest, "the newest 500, oldest first");
    assert_eq!(socket.next().await, json!({ "type": "resync" }));
    socket.assert_quiet(Duration::from_millis(300)).await;
    assert_eq!(app.node.metrics.replayed_notifications.get(), 500);
}

/// A bulk publish of 1,000 notifications to one user is more than a socket's queue (256 frames)
/// holds at once. A client that reads as fast as it can keeps its socket, learns of every one
/// (as frames, or as frames then a `resync` telling it to re-read its list), ends with the right
/// unread count, and hears the next notification live.
#[tokio::test]
async fn a_burst_larger_than_the_queue_keeps_a_fast_readers_socket_open_and_loses_nothing() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let token = app.token().await;
    let mut socket = app.socket(&ada, "").await;
    assert_eq!(socket.next().await["type"], "hello");

    let bulk: Vec<Value> = (0..1000)
        .map(|i| json!({ "user_id": ada.id.get(), "title": format!("burst {i}") }))
        .collect();
    let publish = reqwest::Client::new()
        .post(app.url("/api/notifications/bulk/"))
        .bearer_auth(&token)
        .json(&json!({ "notifications": bulk }))
        .send();
    let publish = tokio::spawn(publish);

    let (mut ids, mut resynced, mut count) = (HashSet::new(), false, None);
    while !((ids.len() == 1000 || resynced) && count == Some(1000)) {
        match socket.next_or_end().await {
            Ok(frame) => match frame["type"].as_str().unwrap_or_default() {
                "notification" => {
                    ids.insert(id(&frame));
                }
                "resync" => resynced = true,
                "unread_count" => count = frame["count"].as_i64(),
                other => panic!("unexpected {other} frame: {frame}"),
            },
            Err(ended) => panic!(
                "the socket ended ({ended:?}) after {} of the 1,000 notifications",
                ids.len()
            ),
        }
    }
    assert_eq!(
        publish.await.unwrap().unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(app.node.metrics.slow_client_closes.get(), 0);

    let live = app.send(ada.id, "after the burst").await;
    let next = socket
        .next_of_skipping("notification", &["unread_count", "resync"])
        .await;
    assert_eq!(id(&next), live.id);
}

/// A client closed as slow is one socket closed: `herald_slow_client_closes_total` counts it
/// once, however many of its frames could not be queued or written meanwhile.
#[tokio::test]
async fn a_client_closed_as_slow_counts_once_in_the_metrics() {
    let app = spawn_app_with(|config| {
        config.realtime.ws_queue_frames = 32;
        config.realtime.ws_max_write_buffer_bytes = 64 * 1024;
        config.realtime.ws_write_timeout_ms = 1_000;
    })
    .await;
    let ada = app.user("ada", "jobseeker").await;
    let mut stalled = app.socket(&ada, "").await;
    stalled.next().await;
    let long = "m".repeat(1900);
    let mut rounds = 0;
    while !app.node.hub.is_empty() {
        rounds += 1;
        assert!(rounds <= 4000, "the stalled socket was never closed");
        let new = common::new_notification(ada.id, "big", &long);
        app::ssr::inbox::send(&app.services, &new).await.unwrap();
    }
    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let closes = text
        .lines()
        .find_map(|line| line.strip_prefix("herald_slow_client_closes_total "))
        .expect("the counter is served");
    assert_eq!(closes, "1", "one socket closed as slow");
}
