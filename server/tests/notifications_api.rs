mod common;

use app::model::UserId;
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

#[tokio::test]
async fn a_service_publishes_a_notification_and_its_user_lists_it() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    let response = Client::new()
        .post(app.url("/api/notifications/"))
        .bearer_auth(&token)
        .json(&json!({
            "username": "ada",
            "title": "Your application was read",
            "message": "Acme looked at it",
            "notification_type": "application",
            "link": "/jobs/3"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert!(created["id"].as_i64().unwrap() > 0);
    assert_eq!(created["user_id"], ada_id);
    assert_eq!(created["is_read"], false);
    assert_eq!(created["read_at"], Value::Null);
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));

    let page = list(&app, &ada, "").await;
    assert_eq!(page["unread_count"], 1);
    assert_eq!(page["next_before"], Value::Null);
    assert_eq!(page["results"][0], created);
}

#[tokio::test]
async fn only_title_is_required_and_the_rest_has_defaults() {
    let app = spawn_app().await;
    let (_, ada_id) = app.signed_in("ada", "jobseeker").await;
    let created = app.notify(&app.token().await, ada_id, "Hello").await;
    assert_eq!(created["message"], "");
    assert_eq!(created["notification_type"], "system");
    assert_eq!(created["link"], Value::Null);
}

#[tokio::test]
async fn the_list_is_newest_first_and_pages_with_before_and_limit() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    for i in 1..=5 {
        app.notify(&token, ada_id, &format!("n{i}")).await;
    }
    let first = list(&app, &ada, "?limit=2").await;
    assert_eq!(titles(&first), ["n5", "n4"]);
    let before = first["next_before"].as_i64().unwrap();
    let second = list(&app, &ada, &format!("?limit=2&before={before}")).await;
    assert_eq!(titles(&second), ["n3", "n2"]);
    let before = second["next_before"].as_i64().unwrap();
    let last = list(&app, &ada, &format!("?limit=2&before={before}")).await;
    assert_eq!(titles(&last), ["n1"]);
    assert_eq!(last["next_before"], Value::Null);
    assert_eq!(last["unread_count"], 5);
}

#[tokio::test]
async fn marking_one_read_lowers_the_count_and_the_unread_filter_skips_it() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    let first = app.notify(&token, ada_id, "first").await;
    app.notify(&token, ada_id, "second").await;

    let url = app.url(&format!("/api/notifications/{}/mark-read/", first["id"]));
    let response = ada.post(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let marked: Value = response.json().await.unwrap();
    assert_eq!(marked["notification"]["is_read"], true);
    assert!(marked["notification"]["read_at"].is_string());
    assert_eq!(marked["unread_count"], 1);

    let unread = list(&app, &ada, "?unread=true").await;
    assert_eq!(titles(&unread), ["second"]);
    assert_eq!(unread["unread_count"], 1);
}

#[tokio::test]
async fn mark_all_read_says_how_many_changed_and_leaves_none_unread() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    for i in 0..3 {
        app.notify(&token, ada_id, &format!("n{i}")).await;
    }
    let response = ada
        .post(app.url("/api/notifications/mark-all-read/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "updated": 3, "unread_count": 0 }));
    assert_eq!(list(&app, &ada, "?unread=true").await["results"], json!([]));
}

#[tokio::test]
async fn another_users_notification_answers_404_and_nothing_changes() {
    let app = spawn_app().await;
    let (_ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let (grace, _) = app.signed_in("grace", "jobseeker").await;
    let token = app.token().await;
    let theirs = app.notify(&token, ada_id, "private").await;

    let url = app.url(&format!("/api/notifications/{}/mark-read/", theirs["id"]));
    assert_error(
        grace.post(url).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "not found",
    )
    .await;
    assert_eq!(
        app.store.unread_count(UserId::new(ada_id)).await.unwrap(),
        1
    );
    assert_eq!(list(&app, &grace, "").await["results"], json!([]));

    let missing = app.url("/api/notifications/999999/mark-read/");
    assert_error(
        grace.post(missing).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "not found",
    )
    .await;
}

#[tokio::test]
async fn every_endpoint_answers_401_when_signed_out() {
    let app = spawn_app().await;
    let client = Client::new();
    let requests = [
        client.get(app.url("/api/notifications/")),
        client.post(app.url("/api/notifications/1/mark-read/")),
        client.post(app.url("/api/notifications/mark-all-read/")),
        client.get(app.url("/api/global-notifications/")),
        client
            .post(app.url("/api/notifications/"))
            .json(&json!({ "user_id": 1, "title": "x" })),
        client
            .post(app.url("/api/global-notifications/"))
            .json(&json!({ "title": "x" })),
        client
            .patch(app.url("/api/global-notifications/1/"))
            .json(&json!({ "is_active": false })),
        client.get(app.url("/api/auth/me/")),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        let url = response.url().to_string();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{url}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{url}");
    }
}

#[tokio::test]
async fn a_signed_in_non_admin_cannot_publish_and_a_bad_token_is_refused() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let body = json!({ "user_id": ada_id, "title": "self-made" });
    let response = ada
        .post(app.url("/api/notifications/"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::FORBIDDEN, "admin").await;
    let response = Client::new()
        .post(app.url("/api/notifications/"))
        .bearer_auth("hrld_not-a-real-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.store.unread_count(UserId::new(ada_id)).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn an_admin_session_may_publish_to_a_user() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let admin = app.admin().await;
    let response = admin
        .post(app.url("/api/notifications/"))
        .json(&json!({ "user_id": ada_id, "title": "From the admins" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(titles(&list(&app, &ada, "").await), ["From the admins"]);
}

#[tokio::test]
async fn invalid_notifications_answer_422_naming_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let (_, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    let cases = [
        (json!({ "user_id": ada_id, "title": "" }), "title"),
        (
            json!({ "user_id": ada_id, "title": "x".repeat(201) }),
            "title",
        ),
        (json!({ "user_id": ada_id }), "title"),
        (
            json!({ "user_id": ada_id, "title": "ok", "message": "m".repeat(2001) }),
            "message",
        ),
        (
            json!({ "user_id": ada_id, "title": "ok", "link": "javascript:alert(1)" }),
            "link",
        ),
        (
            json!({ "user_id": ada_id, "title": "ok", "link": "//evil.example" }),
            "link",
        ),
        (
            json!({ "user_id": ada_id, "title": "ok", "notification_type": "spam" }),
            "notification_type",
        ),
        (json!({ "user_id": ada_id, "title": 5 }), "title"),
        (json!({ "user_id": 424242, "title": "ok" }), "user_id"),
        (json!({ "username": "nobody", "title": "ok" }), "username"),
        (json!({ "title": "ok" }), "user_id"),
    ];
    for (body, field) in cases {
        let response = Client::new()
            .post(app.url("/api/notifications/"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, field).await;
    }
    assert_eq!(
        app.store.unread_count(UserId::new(ada_id)).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn an_unknown_field_in_any_json_body_answers_422_naming_it_and_stores_nothing() {
    let app = spawn_app().await;
    let token = app.token().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let cases = [
        (
            "/api/notifications/",
            json!({ "user_id": ada_id, "title": "Hi", "urgent": true }),
            "urgent",
        ),
        (
            "/api/notifications/bulk/",
            json!({ "notifications": [
                { "user_id": ada_id, "title": "Hi" },
                { "user_id": ada_id, "titel": "Hi" },
            ] }),
            "notifications[1].titel",
        ),
        (
            "/api/notifications/bulk/",
            json!({ "notifications": [], "dry_run": true }),
            "dry_run",
        ),
        (
            "/api/global-notifications/",
            json!({ "title": "Hi", "colour": "red" }),
            "colour",
        ),
        (
            "/api/auth/register/",
            json!({ "username": "eve", "password": "long enough pass", "role": "jobseeker", "is_admin": true }),
            "is_admin",
        ),
        (
            "/api/auth/login/",
            json!({ "username": "ada", "password": common::PASSWORD, "remember": true }),
            "remember",
        ),
    ];
    for (path, body, field) in cases {
        let response = reqwest::Client::new()
            .post(app.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}"
        );
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"]["code"], "invalid", "{path}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}: ")),
            "{path} names {field} first: {message}"
        );
    }
    let response = ada
        .post(app.url("/api/notifications/mark-group-read/"))
        .json(&json!({ "group_key": "job:1", "group": "job:1" }))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "group: ").await;

    let listed = list(&app, &ada, "").await;
    assert_eq!(listed["unread_count"], 0, "nothing stored: {listed}");
    let admin = app.admin().await;
    let response = admin
        .post(app.url("/api/auth/login/"))
        .json(&json!({ "username": "eve", "password": "long enough pass" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "eve was not signed up"
    );
}

/// The object schemas `schema` is or holds, resolving references in `doc`.
fn object_schemas<'a>(doc: &'a Value, schema: &'a Value, found: &mut Vec<(String, &'a Value)>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        let resolved = &doc["components"]["schemas"][name];
        if !found.iter().any(|(seen, _)| seen == name) {
            found.push((name.to_owned(), resolved));
            object_schemas(doc, resolved, found);
        }
        return;
    }
    if let Some(properties) = schema["properties"].as_object() {
        for property in properties.values() {
            object_schemas(doc, property, found);
        }
    }
    object_schemas_in(doc, &schema["items"], found);
}

fn object_schemas_in<'a>(doc: &'a Value, schema: &'a Value, found: &mut Vec<(String, &'a Value)>) {
    if !schema.is_null() {
        object_schemas(doc, schema, found);
    }
}

#[tokio::test]
async fn the_openapi_document_says_every_request_body_refuses_unknown_fields() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut bodies = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            if !schema.is_null() {
                bodies.push((format!("{method} {path}"), schema));
            }
        }
    }
    assert!(bodies.len() >= 6, "the bodies: {bodies:?}");
    for (operation, schema) in bodies {
        let mut found = Vec::new();
        object_schemas(&doc, schema, &mut found);
        assert!(!found.is_empty(), "{operation}: {schema}");
        for (name, object) in found.iter().filter(|(_, o)| o["properties"].is_object()) {
            assert_eq!(
                object["additionalProperties"],
                Value::Bool(false),
                "{operation}: {name} should refuse unknown fields: {object}"
            );
        }
    }
}

#[tokio::test]
async fn bad_list_parameters_answer_422_naming_them() {
    let app = spawn_app().await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?before=x", "before"),
        ("?unread=maybe", "unread"),
    ] {
        let response = ada
            .get(app.url(&format!("/api/notifications/{query}")))
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, field).await;
    }
}

#[tokio::test]
async fn malformed_or_oversized_bodies_get_json_errors() {
    let app = spawn_app().await;
    let token = app.token().await;
    let response = Client::new()
        .post(app.url("/api/notifications/"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "JSON").await;

    let huge = json!({ "user_id": 1, "title": "x", "message": "m".repeat(200_000) });
    let response = Client::new()
        .post(app.url("/api/notifications/"))
        .bearer_auth(&token)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too large").await;
}

#[tokio::test]
async fn a_cross_site_post_without_the_csrf_proof_answers_403_and_changes_nothing() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    app.notify(&app.token().await, ada_id, "keep me unread")
        .await;

    let forged = ada
        .post(app.url("/api/notifications/mark-all-read/"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_error(forged, StatusCode::FORBIDDEN, "cross-site").await;
    assert_eq!(
        app.store.unread_count(UserId::new(ada_id)).await.unwrap(),
        1
    );

    // The same request from the site's own page goes through.
    let own = ada
        .post(app.url("/api/notifications/mark-all-read/"))
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(
        app.store.unread_count(UserId::new(ada_id)).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_cross_site_sign_out_form_is_refused_too() {
    let app = spawn_app().await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    let forged = ada
        .post(app.url("/api/auth/logout/"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let me = ada.get(app.url("/api/auth/me/")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404_and_liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;
    let response = Client::new()
        .get(app.url("/api/nothing-here/"))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "not found").await;
    for path in ["/healthz", "/readyz"] {
        let health = Client::new().get(app.url(path)).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK, "{path}");
        assert_eq!(
            health.json::<Value>().await.unwrap(),
            serde_json::json!({"status": "ok"}),
            "{path}"
        );
    }
}

async fn post_bulk(app: &common::TestApp, token: &str, body: &Value) -> reqwest::Response {
    Client::new()
        .post(app.url("/api/notifications/bulk/"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_bulk_publish_stores_every_notification_in_order_and_each_user_hears_of_theirs() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let grace = app.user("grace", "jobseeker").await;
    let mut ada_socket = app.socket(&ada, "").await;
    let mut grace_socket = app.socket(&grace, "").await;
    ada_socket.next_of("hello").await;
    grace_socket.next_of("hello").await;
    let token = app.token().await;
    let response = post_bulk(
        &app,
        &token,
        &json!({ "notifications": [
            { "user_id": ada.id, "title": "first for ada" },
            { "username": "GRACE", "title": "for grace", "notification_type": "message" },
            { "user_id": ada.id, "title": "second for ada", "link": "/jobs/1" },
        ]}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let created = created["notifications"].as_array().unwrap();
    let titles: Vec<&str> = created
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["first for ada", "for grace", "second for ada"]);
    assert_eq!(created[1]["user_id"], json!(grace.id));
    assert!(created[0]["id"].as_i64() < created[2]["id"].as_i64());

    assert_eq!(
        ada_socket.next().await["notification"]["title"],
        "first for ada"
    );
    assert_eq!(
        ada_socket.next().await["notification"]["title"],
        "second for ada"
    );
    // One unread count per recipient, after their notifications, with both counted.
    assert_eq!(
        ada_socket.next().await,
        json!({ "type": "unread_count", "count": 2 })
    );
    assert_eq!(
        grace_socket.next().await["notification"]["title"],
        "for grace"
    );
    assert_eq!(
        grace_socket.next().await,
        json!({ "type": "unread_count", "count": 1 })
    );
    ada_socket
        .assert_quiet(std::time::Duration::from_millis(300))
        .await;
    grace_socket
        .assert_quiet(std::time::Duration::from_millis(300))
        .await;
}

#[tokio::test]
async fn a_bulk_publish_with_one_bad_entry_names_it_and_stores_nothing() {
    let app = spawn_app().await;
    let (_, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    let ok = json!({ "user_id": ada_id, "title": "ok" });
    let cases = [
        (
            json!({ "notifications": [ok, { "user_id": ada_id, "title": "" }] }),
            "notifications[1].title",
        ),
        (
            json!({ "notifications": [ok, ok, { "user_id": 424242, "title": "x" }] }),
            "notifications[2].user_id",
        ),
        (
            json!({ "notifications": [{ "username": "nobody", "title": "x" }, ok] }),
            "notifications[0].username",
        ),
        (
            json!({ "notifications": [ok, { "title": "x" }] }),
            "notifications[1].user_id",
        ),
        (json!({ "notifications": [] }), "notifications"),
        (
            json!({ "notifications": vec![ok.clone(); 1001] }),
            "notifications",
        ),
    ];
    for (body, field) in cases {
        let response = post_bulk(&app, &token, &body).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, field).await;
    }
    assert_eq!(
        app.store.unread_count(UserId::new(ada_id)).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_bulk_publish_takes_a_thousand_notifications_and_refuses_a_body_over_its_limit() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    // 1,000 notifications of about 300 bytes: over the 64 KiB every other request may send.
    let many: Vec<Value> = (0..1000)
        .map(|i| json!({ "user_id": ada_id, "title": format!("n{i}"), "message": "m".repeat(250) }))
        .collect();
    let response = post_bulk(&app, &token, &json!({ "notifications": many })).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(list(&app, &ada, "?limit=1").await["unread_count"], 1000);

    let huge: Vec<Value> = (0..600)
        .map(|_| json!({ "user_id": ada_id, "title": "x", "message": "m".repeat(2000) }))
        .collect();
    let response = post_bulk(&app, &token, &json!({ "notifications": huge })).await;
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too large").await;
}

#[tokio::test]
async fn a_bulk_publish_needs_a_publisher() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let body = json!({ "notifications": [{ "user_id": ada_id, "title": "x" }] });
    let anonymous = Client::new()
        .post(app.url("/api/notifications/bulk/"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let not_admin = ada
        .post(app.url("/api/notifications/bulk/"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(not_admin.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.unread_count(UserId::new(ada_id)).await.unwrap(),
        0
    );
}
