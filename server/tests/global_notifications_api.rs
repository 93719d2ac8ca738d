mod common;

use common::{assert_error, spawn_app};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn live_titles(app: &common::TestApp, client: &Client) -> Vec<String> {
    let response = client
        .get(app.url("/api/global-notifications/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_admin_announces_a_global_every_user_sees_it_and_deactivating_hides_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;

    let response = admin
        .post(app.url("/api/global-notifications/"))
        .json(&json!({ "title": "Maintenance at noon", "level": "warning" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["level"], "warning");
    assert_eq!(created["show_on_site"], true);
    assert_eq!(created["is_active"], true);
    assert!(created["created_by"].is_i64());
    assert_eq!(live_titles(&app, &ada).await, ["Maintenance at noon"]);

    let url = app.url(&format!("/api/global-notifications/{}/", created["id"]));
    let response = admin
        .patch(url)
        .json(&json!({ "is_active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["is_active"], false);
    assert_eq!(patched["title"], "Maintenance at noon");
    assert!(live_titles(&app, &ada).await.is_empty());
}

#[tokio::test]
async fn a_service_token_may_announce_with_level_info_by_default() {
    let app = spawn_app().await;
    let token = app.token().await;
    let response = Client::new()
        .post(app.url("/api/global-notifications/"))
        .bearer_auth(&token)
        .json(&json!({ "title": "Hello everyone" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["level"], "info");
    assert_eq!(created["created_by"], Value::Null);
}

#[tokio::test]
async fn only_globals_inside_their_time_window_and_shown_on_site_are_listed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    let bodies = [
        json!({ "title": "expired", "expires_at": "2020-01-01T00:00:00Z" }),
        json!({ "title": "future", "starts_at": "2999-01-01T00:00:00Z" }),
        json!({ "title": "hidden", "show_on_site": false }),
        json!({ "title": "inactive", "is_active": false }),
        json!({ "title": "live", "starts_at": "2020-01-01T00:00:00Z", "expires_at": "2999-01-01T00:00:00+02:00" }),
    ];
    for body in bodies {
        let response = admin
            .post(app.url("/api/global-notifications/"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    assert_eq!(live_titles(&app, &ada).await, ["live"]);
}

#[tokio::test]
async fn invalid_globals_answer_422_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cases = [
        (json!({ "title": "" }), "title"),
        (json!({ "title": "x", "level": "loud" }), "level"),
        (
            json!({ "title": "x", "starts_at": "tomorrow" }),
            "starts_at",
        ),
        (
            json!({ "title": "x", "starts_at": "2030-01-02T00:00:00Z", "expires_at": "2030-01-01T00:00:00Z" }),
            "expires_at",
        ),
        (json!({ "title": "x", "is_active": "yes" }), "is_active"),
    ];
    for (body, field) in cases {
        let response = admin
            .post(app.url("/api/global-notifications/"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, field).await;
    }
}

#[tokio::test]
async fn a_patch_with_a_misspelt_field_answers_422_naming_it_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Value = admin
        .post(app.url("/api/global-notifications/"))
        .json(&json!({ "title": "Maintenance at noon" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = app.url(&format!("/api/global-notifications/{}/", created["id"]));

    let response = admin
        .patch(&url)
        .json(&json!({ "titel": "Maintenance at one", "is_active": false }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("titel: "),
        "names the field first: {message}"
    );
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    assert_eq!(live_titles(&app, &ada).await, ["Maintenance at noon"]);
}

#[tokio::test]
async fn patching_a_missing_global_answers_404_and_jobseekers_may_not_patch() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .patch(app.url("/api/global-notifications/999/"))
        .json(&json!({ "is_active": false }))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "not found").await;

    let created: Value = admin
        .post(app.url("/api/global-notifications/"))
        .json(&json!({ "title": "stay" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    let url = app.url(&format!("/api/global-notifications/{}/", created["id"]));
    let response = ada
        .patch(url)
        .json(&json!({ "is_active": false }))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::FORBIDDEN, "admin").await;
    assert_eq!(live_titles(&app, &ada).await, ["stay"]);
}
