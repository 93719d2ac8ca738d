//! Announcements that reach the right people: a global notification for everyone, jobseekers or
//! employers reaches exactly its audience by every path (the REST list, a rendered page, a
//! socket's live frame and its replay), and its reach (who saw it, who dismissed it) counts each
//! person once.

mod common;

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use common::{assert_error, spawn_app, TestApp, TestUser};

/// Announces `body` as the admin `admin`; answers the created announcement.
async fn announce(app: &TestApp, admin: &Client, body: Value) -> Value {
    let response = admin
        .post(app.url("/api/global-notifications/"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// The titles `client` is given by `GET /api/global-notifications/`.
async fn listed_titles(app: &TestApp, client: &Client) -> Vec<String> {
    let body: Value = client
        .get(app.url("/api/global-notifications/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The HTML of `path` as `user`'s browser gets it.
async fn page(app: &TestApp, user: &TestUser, path: &str) -> String {
    let response = user.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// The announcement `id` as the admin API shows it.
async fn shown(app: &TestApp, admin: &Client, id: &Value) -> Value {
    let response = admin
        .get(app.url(&format!("/api/global-notifications/{id}/")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Waits (a few seconds at most) until the announcement's reach is `expected`: sights are
/// written in the background, moments after they happen.
async fn assert_reach(app: &TestApp, admin: &Client, id: &Value, expected: Value) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let reach = shown(app, admin, id).await["reach"].clone();
        if reach == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected reach {expected}, got {reach}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Closes a banner as the page's × does: the `dismiss_banner` server function.
async fn dismiss(app: &TestApp, user: &TestUser, id: &Value) -> StatusCode {
    let path = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .find(|path| {
            path.rsplit('/')
                .next()
                .and_then(|last| last.strip_prefix("dismiss_banner"))
                .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_digit()))
        })
        .expect("the dismiss_banner server function");
    user.client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(format!("id={id}"))
        .send()
        .await
        .unwrap()
        .status()
}

// --- the API ------------------------------------------------------------------------------------

#[tokio::test]
async fn an_announcement_is_for_everyone_unless_it_names_jobseekers_or_employers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let plain = announce(&app, &admin, json!({ "title": "For all" })).await;
    assert_eq!(plain["audience"], "everyone");
    let targeted = announce(
        &app,
        &admin,
        json!({ "title": "For employers", "audience": "employers" }),
    )
    .await;
    assert_eq!(targeted["audience"], "employers");
    assert_eq!(targeted["reach"], json!({ "seen": 0, "dismissed": 0 }));
}

#[tokio::test]
async fn an_unknown_audience_answers_422_naming_the_field_on_create_and_patch() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .post(app.url("/api/global-notifications/"))
        .json(&json!({ "title": "Who?", "audience": "admins" }))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "audience").await;
    let created = announce(&app, &admin, json!({ "title": "Fine" })).await;
    let response = admin
        .patch(app.url(&format!("/api/global-notifications/{}/", created["id"])))
        .json(&json!({ "audience": "martians" }))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "audience").await;
}

#[tokio::test]
async fn a_jobseeker_lists_announcements_for_everyone_and_jobseekers_but_never_for_employers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    let (acme, _) = app.signed_in("acme", "employer").await;
    for (title, audience) in [
        ("all", "everyone"),
        ("seekers", "jobseekers"),
        ("employers", "employers"),
    ] {
        announce(
            &app,
            &admin,
            json!({ "title": title, "audience": audience }),
        )
        .await;
    }
    assert_eq!(listed_titles(&app, &ada).await, ["all", "seekers"]);
    assert_eq!(listed_titles(&app, &acme).await, ["all", "employers"]);
    // An admin's own list follows the same rule as anyone's: only what is for everyone.
    assert_eq!(listed_titles(&app, &admin).await, ["all"]);
}

#[tokio::test]
async fn only_admins_and_tokens_may_read_an_announcements_reach() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = announce(&app, &admin, json!({ "title": "Counted" })).await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    let url = app.url(&format!("/api/global-notifications/{}/", created["id"]));
    let response = ada.get(&url).send().await.unwrap();
    assert_error(response, StatusCode::FORBIDDEN, "admins").await;
    let token = app.token().await;
    let response = Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["title"], "Counted");
    assert_eq!(body["reach"], json!({ "seen": 0, "dismissed": 0 }));
    let missing = app.url("/api/global-notifications/999999/");
    let response = admin.get(missing).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// --- pages --------------------------------------------------------------------------------------

#[tokio::test]
async fn an_announcement_for_employers_is_rendered_on_an_employers_page_and_not_a_jobseekers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let acme = app.user("acme", "employer").await;
    announce(
        &app,
        &admin,
        json!({ "title": "Hiring fair for employers", "audience": "employers" }),
    )
    .await;
    let employers_page = page(&app, &acme, "/notifications/").await;
    assert!(employers_page.contains("Hiring fair for employers"));
    assert!(employers_page.contains(r#"data-testid="global-banner""#));
    let jobseekers_page = page(&app, &ada, "/notifications/").await;
    assert!(
        !jobseekers_page.contains("Hiring fair for employers"),
        "nowhere in the jobseeker's page, not even in its hydration data"
    );
}

#[tokio::test]
async fn a_jobseeker_cannot_dismiss_an_announcement_for_employers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let created = announce(
        &app,
        &admin,
        json!({ "title": "Employers only", "audience": "employers" }),
    )
    .await;
    assert_eq!(
        dismiss(&app, &ada, &created["id"]).await,
        StatusCode::NOT_FOUND
    );
    assert_reach(
        &app,
        &admin,
        &created["id"],
        json!({ "seen": 0, "dismissed": 0 }),
    )
    .await;
}

#[tokio::test]
async fn only_a_live_announcement_can_be_dismissed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let not_live = [
        json!({ "title": "Scheduled", "starts_at": "2999-01-01T00:00:00Z" }),
        json!({ "title": "Inactive", "is_active": false }),
        json!({ "title": "Hidden", "show_on_site": false }),
        json!({ "title": "Expired", "expires_at": "2001-01-01T00:00:00Z" }),
    ];
    for body in not_live {
        let created = announce(&app, &admin, body.clone()).await;
        assert_eq!(
            dismiss(&app, &ada, &created["id"]).await,
            StatusCode::NOT_FOUND,
            "{body}"
        );
        assert_reach(
            &app,
            &admin,
            &created["id"],
            json!({ "seen": 0, "dismissed": 0 }),
        )
        .await;
    }
    let live = announce(&app, &admin, json!({ "title": "Live" })).await;
    assert_eq!(dismiss(&app, &ada, &live["id"]).await, StatusCode::OK);
}

/// Dismissed without any page having shown it (as a script can): it still counts as seen, so
/// "dismissed" never exceeds "seen".
#[tokio::test]
async fn an_announcement_dismissed_without_being_rendered_counts_as_seen_too() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let live = announce(&app, &admin, json!({ "title": "Live" })).await;
    assert_eq!(dismiss(&app, &ada, &live["id"]).await, StatusCode::OK);
    assert_reach(
        &app,
        &admin,
        &live["id"],
        json!({ "seen": 1, "dismissed": 1 }),
    )
    .await;
}

// --- sockets ------------------------------------------------------------------------------------

#[tokio::test]
async fn an_announcement_for_employers_is_pushed_to_an_employers_socket_and_not_a_jobseekers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let acme = app.user("acme", "employer").await;
    let mut seeker = app.socket(&ada, "").await;
    let mut employer = app.socket(&acme, "").await;
    seeker.next_of("hello").await;
    employer.next_of("hello").await;

    let created = announce(
        &app,
        &admin,
        json!({ "title": "For employers", "audience": "employers" }),
    )
    .await;
    let pushed = employer.next_of("global_notification").await;
    assert_eq!(pushed["notification"]["id"], created["id"]);
    assert_eq!(pushed["notification"]["audience"], "employers");

    // Sent to everyone after it, the next global is the first the jobseeker's socket receives.
    let later = announce(&app, &admin, json!({ "title": "For all" })).await;
    let first = seeker.next_of("global_notification").await;
    assert_eq!(first["notification"]["id"], later["id"]);

    // Taking it down tells only the sockets it was shown on.
    let response = admin
        .patch(app.url(&format!("/api/global-notifications/{}/", created["id"])))
        .json(&json!({ "is_active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let removed = employer
        .next_of_skipping("global_notification_removed", &["global_notification"])
        .await;
    assert_eq!(removed["id"], created["id"]);
    seeker.assert_quiet(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_reconnecting_jobseeker_is_replayed_only_the_announcements_meant_for_them() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut ids = Vec::new();
    for (title, audience) in [
        ("for employers", "employers"),
        ("for jobseekers", "jobseekers"),
    ] {
        let created = announce(
            &app,
            &admin,
            json!({ "title": title, "audience": audience }),
        )
        .await;
        ids.push(created["id"].clone());
    }
    let mut socket = app.socket(&ada, "?after_global=0").await;
    let replayed = socket.next_of("global_notification").await;
    assert_eq!(replayed["notification"]["id"], ids[1]);
    socket.assert_quiet(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn retargeting_a_live_announcement_moves_its_banner_from_one_role_to_the_other() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let acme = app.user("acme", "employer").await;
    // The sockets first, so the banner's arrival is one live frame, not a race between the
    // watcher's broadcast and the sockets' registration.
    let mut seeker = app.socket(&ada, "").await;
    let mut employer = app.socket(&acme, "").await;
    seeker.next_of("hello").await;
    employer.next_of("hello").await;
    let created = announce(
        &app,
        &admin,
        json!({ "title": "Moving", "audience": "jobseekers" }),
    )
    .await;
    assert_eq!(
        seeker.next_of("global_notification").await["notification"]["id"],
        created["id"]
    );

    let response = admin
        .patch(app.url(&format!("/api/global-notifications/{}/", created["id"])))
        .json(&json!({ "audience": "employers" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["audience"], "employers");
    assert_eq!(
        seeker.next_of("global_notification_removed").await["id"],
        created["id"]
    );
    assert_eq!(
        employer.next_of("global_notification").await["notification"]["id"],
        created["id"]
    );
    seeker.assert_quiet(Duration::from_millis(300)).await;
}

// --- reach --------------------------------------------------------------------------------------

#[tokio::test]
async fn an_announcements_reach_counts_each_person_who_saw_it_once_and_who_dismissed_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ada = app.user("ada", "jobseeker").await;
    let acme = app.user("acme", "employer").await;
    let boss = app.user("boss", "employer").await;
    let mut live = app.socket(&boss, "").await;
    live.next_of("hello").await;

    let created = announce(
        &app,
        &admin,
        json!({ "title": "Employers, read this", "audience": "employers" }),
    )
    .await;
    let id = &created["id"];
    // Delivered to boss's socket: seen by one.
    live.next_of("global_notification").await;
    assert_reach(&app, &admin, id, json!({ "seen": 1, "dismissed": 0 })).await;

    // Rendered in acme's page, twice: seen by two. The jobseeker's page does not count.
    page(&app, &acme, "/notifications/").await;
    page(&app, &acme, "/").await;
    page(&app, &ada, "/notifications/").await;
    assert_reach(&app, &admin, id, json!({ "seen": 2, "dismissed": 0 })).await;

    // boss's page shows it too: still two people.
    page(&app, &boss, "/notifications/").await;
    assert_eq!(dismiss(&app, &acme, id).await, StatusCode::OK);
    assert_reach(&app, &admin, id, json!({ "seen": 2, "dismissed": 1 })).await;
    assert_eq!(dismiss(&app, &acme, id).await, StatusCode::OK);
    assert_reach(&app, &admin, id, json!({ "seen": 2, "dismissed": 1 })).await;
}
