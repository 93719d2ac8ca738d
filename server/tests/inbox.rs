//! The inbox beyond reading: archive, groups and alert preferences, over the JSON API and the
//! socket, as a user's tabs see them.

mod common;

use common::{assert_error, spawn_app};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn list(app: &common::TestApp, client: &Client, query: &str) -> Value {
    let response = client
        .get(app.url(&format!("/api/notifications/{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn titles(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn publish(app: &common::TestApp, token: &str, body: Value) -> Value {
    let response = Client::new()
        .post(app.url("/api/notifications/"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_archived_notification_moves_to_the_archived_list_and_out_of_the_unread_count() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    app.notify(&token, ada_id, "keep").await;
    let filed = app.notify(&token, ada_id, "file away").await;

    let url = app.url(&format!("/api/notifications/{}/archive/", filed["id"]));
    let response = ada.post(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let archived: Value = response.json().await.unwrap();
    assert!(archived["archived_at"].is_string());
    assert_eq!(archived["is_read"], false);

    let inbox = list(&app, &ada, "").await;
    assert_eq!(titles(&inbox), ["keep"]);
    assert_eq!(inbox["unread_count"], 1);
    assert_eq!(
        titles(&list(&app, &ada, "?archived=true").await),
        ["file away"]
    );

    let url = app.url(&format!("/api/notifications/{}/unarchive/", filed["id"]));
    let response = ada.post(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let back: Value = response.json().await.unwrap();
    assert_eq!(back["archived_at"], Value::Null);
    let inbox = list(&app, &ada, "").await;
    assert_eq!(titles(&inbox), ["file away", "keep"]);
    assert_eq!(inbox["unread_count"], 2);
}

#[tokio::test]
async fn nobody_archives_another_users_notification() {
    let app = spawn_app().await;
    let (_ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let (grace, _) = app.signed_in("grace", "jobseeker").await;
    let token = app.token().await;
    let theirs = app.notify(&token, ada_id, "private").await;
    for action in ["archive", "unarchive"] {
        let url = app.url(&format!("/api/notifications/{}/{action}/", theirs["id"]));
        assert_error(
            grace.post(url).send().await.unwrap(),
            StatusCode::NOT_FOUND,
            "not found",
        )
        .await;
    }
    let response = Client::new()
        .post(app.url("/api/notifications/1/archive/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_published_group_key_reads_back_and_marking_the_group_read_marks_all_of_it() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "employer").await;
    let token = app.token().await;
    for i in 0..3 {
        let n = publish(
            &app,
            &token,
            json!({ "user_id": ada_id, "title": format!("applicant {i}"), "group_key": "job:9:applications" }),
        )
        .await;
        assert_eq!(n["group_key"], "job:9:applications");
    }
    let alone = publish(&app, &token, json!({ "user_id": ada_id, "title": "alone" })).await;
    assert_eq!(alone["group_key"], Value::Null);

    let response = ada
        .post(app.url("/api/notifications/mark-group-read/"))
        .json(&json!({ "group_key": "job:9:applications" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "updated": 3, "unread_count": 1 }));
    assert_eq!(titles(&list(&app, &ada, "?unread=true").await), ["alone"]);
}

#[tokio::test]
async fn a_bad_group_key_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "employer").await;
    let token = app.token().await;
    for bad in ["", "has spaces", "<script>", &"k".repeat(101)] {
        let response = Client::new()
            .post(app.url("/api/notifications/"))
            .bearer_auth(&token)
            .json(&json!({ "user_id": ada_id, "title": "x", "group_key": bad }))
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "group_key").await;
        let response = ada
            .post(app.url("/api/notifications/mark-group-read/"))
            .json(&json!({ "group_key": bad }))
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "group_key").await;
    }
    assert_eq!(list(&app, &ada, "").await["results"], json!([]));
}

#[tokio::test]
async fn archiving_from_one_socket_tells_every_tab_and_lowers_their_unread_count() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let mut tabs = Vec::new();
    for _ in 0..2 {
        let mut socket = app.socket(&ada, "").await;
        socket.next().await;
        tabs.push(socket);
    }
    let sent = app.send(ada.id, "to file").await;
    for tab in &mut tabs {
        tab.next_of("notification").await;
        assert_eq!(tab.next_of("unread_count").await["count"], 1);
    }
    tabs[0]
        .send_json(json!({ "action": "archive", "notification_id": sent.id }))
        .await;
    for tab in &mut tabs {
        let changed = tab.next_of("notification_changed").await;
        assert_eq!(changed["notification"]["id"], sent.id.get());
        assert!(changed["notification"]["archived_at"].is_string());
        assert_eq!(tab.next_of("unread_count").await["count"], 0);
    }
    tabs[1]
        .send_json(json!({ "action": "unarchive", "notification_id": sent.id }))
        .await;
    for tab in &mut tabs {
        let changed = tab.next_of("notification_changed").await;
        assert_eq!(changed["notification"]["archived_at"], Value::Null);
        assert_eq!(tab.next_of("unread_count").await["count"], 1);
    }
}

#[tokio::test]
async fn a_socket_cannot_archive_or_group_read_what_is_not_its_users() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let theirs = app.send(ada.id, "ada's").await;
    let mut socket = app.socket(&grace, "").await;
    socket.next().await;
    socket
        .send_json(json!({ "action": "archive", "notification_id": theirs.id }))
        .await;
    let refused = socket.next_of("error").await;
    assert_eq!(refused["code"], "not_found");
    socket
        .send_json(json!({ "action": "mark_group_read", "group_key": "bad key" }))
        .await;
    assert_eq!(socket.next_of("error").await["code"], "invalid_frame");
    assert!(app
        .store
        .list_notifications(app::ssr::store::NotificationQuery {
            user_id: ada.id,
            unread_only: false,
            archived: true,
            before: None,
            limit: 10,
        })
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn saved_preferences_reach_every_socket_of_their_user_and_no_one_elses() {
    use app::model::{Channels, NotificationType, Preferences};
    use std::time::Duration;

    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let mut adas = Vec::new();
    for _ in 0..2 {
        let mut socket = app.socket(&ada, "").await;
        socket.next().await;
        adas.push(socket);
    }
    let mut graces = app.socket(&grace, "").await;
    graces.next().await;

    let mut chosen = Preferences::default();
    chosen.set(
        NotificationType::Message,
        Channels {
            toast: true,
            desktop: false,
            sound: true,
        },
    );
    app::ssr::preferences::save(&app.services, ada.id, chosen)
        .await
        .unwrap();
    for socket in &mut adas {
        let frame = socket.next_of("preferences").await;
        assert_eq!(
            frame["preferences"]["message"],
            json!({ "toast": true, "desktop": false, "sound": true })
        );
        assert_eq!(
            frame["preferences"]["system"],
            json!({ "toast": true, "desktop": true, "sound": false })
        );
    }
    graces.assert_quiet(Duration::from_millis(300)).await;
}
