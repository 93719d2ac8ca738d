//! The server-rendered pages, read as a browser without JavaScript would.

mod common;

use common::spawn_app;
use reqwest::StatusCode;

fn badge_text(html: &str) -> Option<String> {
    let at = html.find("data-testid=\"notification-badge\"")?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')? + start;
    Some(rest[start..end].trim().to_owned())
}

#[tokio::test]
async fn the_unread_badge_count_is_in_the_server_rendered_html() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let token = app.token().await;
    for i in 0..3 {
        app.notify(&token, ada_id, &format!("n{i}")).await;
    }
    let html = ada
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(badge_text(&html).as_deref(), Some("3"), "{html}");
}

#[tokio::test]
async fn the_badge_is_hidden_at_zero_and_absent_when_signed_out() {
    let app = spawn_app().await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    let html = ada
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html
        .find("data-testid=\"notification-badge\"")
        .expect("a badge");
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..at + html[at..].find('>').unwrap()];
    assert!(tag.contains("hidden"), "{tag}");

    let anonymous = app
        .browser()
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!anonymous.contains("notification-badge"));
    assert!(anonymous.contains("Sign in"));
}

#[tokio::test]
async fn the_notifications_page_lists_the_users_own_notifications_as_text() {
    let app = spawn_app().await;
    let (ada, ada_id) = app.signed_in("ada", "jobseeker").await;
    let (_, grace_id) = app.signed_in("grace", "jobseeker").await;
    let token = app.token().await;
    app.notify(&token, ada_id, "<img src=x onerror=alert(1)>")
        .await;
    app.notify(&token, grace_id, "for grace only").await;
    let html = ada
        .get(app.url("/notifications/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-testid=\"notification-item\"").count(), 1);
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("for grace only"));
}

#[tokio::test]
async fn the_notifications_page_sends_a_signed_out_visitor_to_sign_in() {
    let app = spawn_app().await;
    let response = app
        .browser()
        .get(app.url("/notifications/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap();
    assert_eq!(location, "/login?next=/notifications/");
}

#[tokio::test]
async fn an_unknown_page_answers_404_with_a_page() {
    let app = spawn_app().await;
    let response = app
        .browser()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

async fn location_of(client: &reqwest::Client, url: String) -> Option<String> {
    let response = client.get(url).send().await.unwrap();
    response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_page_for_another_role_sends_the_visitor_to_their_own_home() {
    let app = spawn_app().await;
    let (ada, _) = app.signed_in("ada", "jobseeker").await;
    let (acme, _) = app.signed_in("acme", "employer").await;
    assert_eq!(
        location_of(&ada, app.url("/employer/jobs/"))
            .await
            .as_deref(),
        Some("/")
    );
    assert_eq!(
        location_of(&ada, app.url("/employer/applications/"))
            .await
            .as_deref(),
        Some("/")
    );
    assert_eq!(
        location_of(&acme, app.url("/admin-panel/notifications/"))
            .await
            .as_deref(),
        Some("/employer/applications/")
    );
    assert_eq!(location_of(&acme, app.url("/employer/jobs/")).await, None);
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_and_back() {
    let app = spawn_app().await;
    let visitor = app.browser();
    assert_eq!(
        location_of(&visitor, app.url("/employer/jobs/"))
            .await
            .as_deref(),
        Some("/login?next=/employer/jobs/")
    );
    assert_eq!(
        location_of(&visitor, app.url("/messages/ada"))
            .await
            .as_deref(),
        Some("/login?next=/messages/ada")
    );
}
