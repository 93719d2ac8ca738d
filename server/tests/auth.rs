mod common;

use common::{assert_error, spawn_app, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_new_user_registers_and_is_signed_in_at_once() {
    let app = spawn_app().await;
    let (client, id) = app.signed_in("ada", "jobseeker").await;
    let me: Value = client
        .get(app.url("/api/auth/me/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        me,
        json!({ "id": id, "username": "ada", "role": "jobseeker" })
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let response = app
        .browser()
        .post(app.url("/api/auth/register/"))
        .json(&json!({ "username": "ada", "password": PASSWORD, "role": "employer" }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("herald_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_taken_username_answers_409() {
    let app = spawn_app().await;
    app.signed_in("ada", "jobseeker").await;
    let response = app
        .browser()
        .post(app.url("/api/auth/register/"))
        .json(&json!({ "username": "ADA", "password": PASSWORD, "role": "employer" }))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::CONFLICT, "username").await;
}

#[tokio::test]
async fn a_short_password_or_an_admin_role_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let register = |body: Value| {
        app.browser()
            .post(app.url("/api/auth/register/"))
            .json(&body)
            .send()
    };
    let short = register(json!({ "username": "ada", "password": "1234567", "role": "jobseeker" }));
    assert_error(
        short.await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "password",
    )
    .await;
    let admin = register(json!({ "username": "ada", "password": PASSWORD, "role": "admin" }));
    assert_error(
        admin.await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "role",
    )
    .await;
    let missing = register(json!({ "username": "ada", "role": "jobseeker" }));
    assert_error(
        missing.await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "password: is required",
    )
    .await;
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_answers_401() {
    let app = spawn_app().await;
    app.signed_in("ada", "jobseeker").await;
    for (username, password) in [("ada", "wrong password"), ("nobody", PASSWORD)] {
        let response = app
            .browser()
            .post(app.url("/api/auth/login/"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap();
        assert_error(
            response,
            StatusCode::UNAUTHORIZED,
            "wrong username or password",
        )
        .await;
    }
}

#[tokio::test]
async fn signing_in_again_gives_a_working_session() {
    let app = spawn_app().await;
    app.signed_in("ada", "jobseeker").await;
    let client = app.browser();
    let response = client
        .post(app.url("/api/auth/login/"))
        .json(&json!({ "username": "ada", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let me = client.get(app.url("/api/auth/me/")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn signing_out_ends_the_session_for_good() {
    let app = spawn_app().await;
    let (client, _) = app.signed_in("ada", "jobseeker").await;
    let response = client
        .post(app.url("/api/auth/logout/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let me = client.get(app.url("/api/auth/me/")).send().await.unwrap();
    assert_error(me, StatusCode::UNAUTHORIZED, "sign in").await;
}

#[tokio::test]
async fn a_stolen_cookie_stops_working_after_sign_out() {
    let app = spawn_app().await;
    let response = app
        .browser()
        .post(app.url("/api/auth/register/"))
        .json(&json!({ "username": "ada", "password": PASSWORD, "role": "jobseeker" }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    let plain = reqwest::Client::new();
    let me = |c: &reqwest::Client| {
        c.get(app.url("/api/auth/me/"))
            .header("cookie", &pair)
            .send()
    };
    assert_eq!(me(&plain).await.unwrap().status(), StatusCode::OK);
    plain
        .post(app.url("/api/auth/logout/"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(me(&plain).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn too_many_wrong_passwords_lock_the_account_for_a_while_with_429() {
    let app = spawn_app().await;
    app.signed_in("ada", "jobseeker").await;
    let attempt = |password: &'static str| {
        app.browser()
            .post(app.url("/api/auth/login/"))
            .json(&json!({ "username": "ada", "password": password }))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(
            attempt("wrong password").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits now: the guesser learns nothing.
    let locked = attempt(PASSWORD).await.unwrap();
    assert_error(
        locked,
        StatusCode::TOO_MANY_REQUESTS,
        "too many failed sign-ins",
    )
    .await;
}
