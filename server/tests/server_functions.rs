//! The pages' server functions, called as the browser calls them: a refusal answers a 4xx with a
//! message a person can read, and is not logged as an error; a form posted without JavaScript is
//! sent back to its page with the error.

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION, REFERER};
use reqwest::StatusCode;
use tracing::field::Field;
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

use app::error::AppError;
use app::model::{Channels, JobDraft, JobId, NotificationType, Role, User};
use app::ssr::board;
use common::{spawn_app, TestApp, TestUser, PASSWORD};

/// Every event logged on this test's thread (the server runs on it too: `tokio::test` runs one
/// thread), as its level and its fields.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<(Level, String)>>>);

impl<S: Subscriber> Layer<S> for Logs {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut text = String::new();
        event.record(&mut |field: &Field, value: &dyn std::fmt::Debug| {
            let _ = write!(text, "{}={value:?} ", field.name());
        });
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), text));
    }
}

impl Logs {
    /// Captures what is logged until the guard is dropped.
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::registry().with(logs.clone());
        (logs, tracing::subscriber::set_default(subscriber))
    }

    fn errors(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(level, _)| *level == Level::ERROR)
            .map(|(_, text)| text.clone())
            .collect()
    }
}

/// The path of the server function `name` (its path is the name and a hash).
fn server_fn(name: &str) -> &'static str {
    let found: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .filter(|path| {
            let last = path.rsplit('/').next().unwrap_or_default();
            last.strip_prefix(name)
                .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_digit()))
        })
        .collect();
    assert_eq!(found.len(), 1, "one server function {name}: {found:?}");
    found[0]
}

/// Calls a server function as the hydrated page does: a url-encoded form, a JSON answer.
async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &str,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(form.to_owned())
        .send()
        .await
        .unwrap()
}

async fn open_job(app: &TestApp) -> (TestUser, JobId) {
    let acme = app.user("acme", "employer").await;
    let employer = User {
        id: acme.id,
        username: "acme".into(),
        role: Role::Employer,
    };
    let draft = JobDraft::parse("Rust engineer", "Acme", "Remote", "Write Rust").unwrap();
    let job = board::post_job(&app.services, &employer, &draft)
        .await
        .unwrap();
    (acme, job.id)
}

#[tokio::test]
async fn a_second_application_to_a_job_answers_409_with_the_reason_and_logs_no_error() {
    let app = spawn_app().await;
    let (_, job_id) = open_job(&app).await;
    let ada = app.user("ada", "jobseeker").await;
    let form = format!("job_id={job_id}&cover_letter=Hire+me");
    let first = call(&app, &ada.client, server_fn("apply_to_job"), &form).await;
    assert_eq!(first.status(), StatusCode::OK);

    let (logs, _guard) = Logs::capture();
    let second = call(&app, &ada.client, server_fn("apply_to_job"), &form).await;

    assert_eq!(
        logs.errors(),
        Vec::<String>::new(),
        "nothing logged as an error"
    );
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let body = second.text().await.unwrap();
    assert!(
        body.contains("you have already applied to this job"),
        "the reason in {body}"
    );
}

#[tokio::test]
async fn a_wrong_password_answers_401_with_a_readable_message_and_logs_no_error() {
    let app = spawn_app().await;
    app.user("grace", "jobseeker").await;

    let (logs, _guard) = Logs::capture();
    let response = call(
        &app,
        &app.browser(),
        server_fn("login"),
        "username=grace&password=not+her+password",
    )
    .await;

    assert_eq!(
        logs.errors(),
        Vec::<String>::new(),
        "nothing logged as an error"
    );
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("wrong username or password"),
        "the reason in {body}"
    );
}

#[tokio::test]
async fn a_bad_field_answers_422_naming_the_field() {
    let app = spawn_app().await;
    let (acme, _) = open_job(&app).await;

    let response = call(
        &app,
        &acme.client,
        server_fn("post_job"),
        "title=&company=Acme&location=Remote&description=Write+Rust",
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("title"), "the field in {body}");
}

#[tokio::test]
async fn without_javascript_a_refused_form_is_sent_back_to_its_page_with_the_error() {
    let app = spawn_app().await;
    app.user("grace", "jobseeker").await;
    let page = app.url("/login");
    let browser = app.browser();

    let response = browser
        .post(app.url(server_fn("login")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header(REFERER, &page)
        .body("username=grace&password=not+her+password")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with(&page), "back to {page}: {location}");
    assert!(
        location.contains("__err="),
        "the error goes with it: {location}"
    );
    // The page it is sent back to shows the message (to the browser that posted the form).
    let html = browser
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("wrong username or password"), "{html}");
}

/// What an attacker links to: the real sign-in page with an "error" of their own writing, in the
/// shape Leptos gives a form's error (`__path`, and `__err`: the error's JSON in URL-safe base64).
fn forged_error_link(app: &TestApp) -> String {
    let forged = r#"{"Unauthorized":"Your account is locked. Call +1 555 0100 to unlock it"}"#;
    let encoded = URL_SAFE.encode(forged);
    app.url(&format!(
        "/login?next=%2Fjobs%2F&__path={}&__err={encoded}",
        server_fn("login")
    ))
}

#[tokio::test]
async fn a_link_carrying_its_own_error_text_never_shows_it_on_the_sign_in_page() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap();
    let response = client.get(forged_error_link(&app)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let url = response.url().clone();
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("555 0100"),
        "the forged text is on the page: {html}"
    );
    // Sent to the page without the forged error (so the hydrated page cannot read it either),
    // the rest of its address kept.
    assert_eq!(url.path(), "/login");
    assert_eq!(url.query(), Some("next=%2Fjobs%2F"));
}

/// A browser: it keeps its cookies and follows redirects.
fn browser_following_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap()
}

/// Some errors repeat what was sent: an attacker can make the server write one with their text,
/// by posting a form themselves, and send the address it leads to.
#[tokio::test]
async fn an_error_from_someone_elses_failed_form_is_not_shown_to_another_browser() {
    let app = spawn_app().await;
    let attacker = app.browser();
    let response = attacker
        .post(app.url(server_fn("register")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "text/html")
        .header(REFERER, app.url("/register"))
        .body("username=mallory&password=a+long+password&role=Call+555-0100+to+unlock")
        .send()
        .await
        .unwrap();
    let link = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(link.contains("__seal="), "{link}");
    // The attacker's own browser is shown it (they posted the form)...
    let own = attacker.get(&link).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    // ...the victim's is not.
    let victim = browser_following_redirects()
        .get(&link)
        .send()
        .await
        .unwrap();
    let url = victim.url().clone();
    let html = victim.text().await.unwrap();
    assert!(!html.contains("555-0100"), "{html}");
    assert_eq!(url.path(), "/register");
    assert_eq!(url.query(), None);
}

/// A `next` carrying a form's error, followed after a real sign-in, leads to its page without it.
#[tokio::test]
async fn signing_in_with_a_next_that_carries_a_form_error_leads_to_the_page_without_it() {
    let app = spawn_app().await;
    app.user("ada", "jobseeker").await;
    let forged = URL_SAFE.encode(r#"{"Forbidden":"Call 555-0100 to unlock"}"#);
    let next = format!(
        "/settings/notifications?__path={}&__err={forged}",
        server_fn("save_preferences")
    );
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("username", "ada");
    query.append_pair("password", PASSWORD);
    query.append_pair("next", &next);
    let victim = browser_following_redirects();
    let response = victim
        .post(app.url(server_fn("login")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "text/html")
        .header(REFERER, app.url("/login"))
        .body(query.finish())
        .send()
        .await
        .unwrap();
    let url = response.url().clone();
    let html = response.text().await.unwrap();
    assert!(!html.contains("555-0100"), "{html}");
    assert_eq!(url.path(), "/settings/notifications");
}

#[tokio::test]
async fn a_genuine_form_error_still_reaches_its_page_after_the_redirect() {
    let app = spawn_app().await;
    let client = browser_following_redirects();
    let response = client
        .post(app.url(server_fn("login")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header(REFERER, app.url("/login?next=%2Fjobs%2F"))
        .body("username=nobody&password=not+a+password")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.url().path(), "/login");
    let html = response.text().await.unwrap();
    assert!(html.contains("wrong username or password"), "{html}");
}

/// Ada's alerts for messages, as saved.
async fn message_channels(app: &TestApp, ada: &TestUser) -> Channels {
    app::ssr::preferences::of(&app.services, ada.id)
        .await
        .unwrap()
        .of(NotificationType::Message)
}

#[tokio::test]
async fn saving_preferences_without_choices_answers_422_naming_choices_and_changes_nothing() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let before = message_channels(&app, &ada).await;
    assert!(before.toast, "a toast by default");

    for body in ["", "titel=x", "choice%5Bmessage_toast%5D=on"] {
        let response = call(&app, &ada.client, server_fn("save_preferences"), body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body:?}"
        );
        let answer = response.text().await.unwrap();
        assert!(
            answer.contains("choices"),
            "{body:?} names choices: {answer}"
        );
        assert_eq!(message_channels(&app, &ada).await, before, "{body:?}");
    }
}

#[tokio::test]
async fn the_settings_form_with_every_switch_off_turns_every_alert_off_without_javascript() {
    let app = spawn_app().await;
    let ada = app.user("ada", "jobseeker").await;
    let page = app.url("/settings/notifications");
    let html = ada
        .client
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // What the form posts when no switch is on: its hidden fields alone.
    let form = &html[html.find("preferences-form").expect("the form")..];
    let form = &form[..form.find("</form>").unwrap()];
    let hidden: Vec<String> = form
        .split("<input")
        .skip(1)
        .filter(|input| input.contains("type=\"hidden\""))
        .map(|input| {
            let attribute = |name: &str| {
                let start = input.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                input[start..][..input[start..].find('"').unwrap()].to_owned()
            };
            format!("{}={}", attribute("name"), attribute("value"))
        })
        .collect();
    assert!(!hidden.is_empty(), "the form marks itself: {html}");

    let response = ada
        .client
        .post(app.url(server_fn("save_preferences")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header(REFERER, &page)
        .body(hidden.join("&"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION].to_str().unwrap();
    assert!(!location.contains("__err="), "no error: {location}");
    assert_eq!(
        message_channels(&app, &ada).await,
        Channels {
            toast: false,
            desktop: false,
            sound: false
        }
    );
}

#[tokio::test]
async fn signing_in_from_a_login_link_whose_next_resolves_to_another_host_leads_to_this_site() {
    let app = spawn_app().await;
    app.user("grace", "jobseeker").await;
    for next in [
        "/.//evil.example",
        "/./\\evil.example",
        "/..//evil.example/x",
    ] {
        let page = app.url(&format!("/login?next={}", next.replace('\\', "%5C")));
        let html = app
            .browser()
            .get(&page)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // The form carries `next` as it came; the server decides where it leads.
        let carried = format!("name=\"next\" value=\"{next}\"");
        assert!(html.contains(&carried), "{carried} in the page: {html}");
        let form = format!(
            "username=grace&password={}&next={}",
            common::PASSWORD.replace(' ', "+"),
            next.replace('\\', "%5C")
        );
        // Without JavaScript (the browser follows a 302) and with it (the router follows the
        // Location the server function answers with).
        for accept in ["text/html,application/xhtml+xml", "application/json"] {
            let response = app
                .browser()
                .post(app.url(server_fn("login")))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(ACCEPT, accept)
                .header(REFERER, &page)
                .body(form.clone())
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success() || response.status().is_redirection(),
                "{next} with {accept}: {}",
                response.status()
            );
            let location = response.headers()[LOCATION].to_str().unwrap();
            assert_eq!(location, "/", "{next} with {accept}");
        }
    }
}

/// A call's answer: its status, and its body read as the server functions' error.
async fn refusal(response: reqwest::Response) -> (StatusCode, AppError) {
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.bytes().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{status}: JSON, not {content_type:?}: {body:?}"
    );
    let err = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{status}: the error's shape ({e}): {body:?}"));
    (status, err)
}

#[tokio::test]
async fn a_body_that_is_not_utf8_answers_400_in_json_and_logs_no_error() {
    let app = spawn_app().await;
    let (logs, _guard) = Logs::capture();

    let response = app
        .browser()
        .post(app.url(server_fn("login")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(b"username=gr\xffce&password=\xfe\xfe".to_vec())
        .send()
        .await
        .unwrap();

    let (status, err) = refusal(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("utf-8"),
        "says why: {err}"
    );
    assert_eq!(
        logs.errors(),
        Vec::<String>::new(),
        "nothing logged as an error"
    );
}

#[tokio::test]
async fn an_unknown_content_type_answers_415_in_json_and_logs_no_error() {
    let app = spawn_app().await;
    let (logs, _guard) = Logs::capture();

    for content_type in [
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
    ] {
        let response = app
            .browser()
            .post(app.url(server_fn("login")))
            .header(CONTENT_TYPE, content_type)
            .header(ACCEPT, "application/json")
            .body("username=grace&password=x")
            .send()
            .await
            .unwrap();

        let (status, err) = refusal(response).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}: {err:?}"
        );
        assert!(
            err.to_string()
                .contains("application/x-www-form-urlencoded"),
            "{content_type}: says what it takes: {err}"
        );
    }
    assert_eq!(
        logs.errors(),
        Vec::<String>::new(),
        "nothing logged as an error"
    );
}

#[tokio::test]
async fn a_server_function_called_with_another_method_answers_405_in_json() {
    let app = spawn_app().await;
    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = app
            .browser()
            .request(method.clone(), app.url(server_fn("login")))
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        let allow = response.headers().get(reqwest::header::ALLOW).cloned();
        let (status, err) = refusal(response).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method}: {err:?}");
        assert!(
            err.to_string().contains("POST"),
            "{method}: says which: {err}"
        );
        assert_eq!(
            allow.as_ref().map(|v| v.to_str().unwrap()),
            Some("POST"),
            "{method}"
        );
    }
}
