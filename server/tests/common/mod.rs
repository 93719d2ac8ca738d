//! Spawns a real Herald server on a free port with a fresh SQLite database, for black-box tests.
#![allow(dead_code)]

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;

use app::model::Role;
use app::ssr::store::DynStore;
use app::ssr::{accounts, secret};
use server::config::ServeConfig;
use server::startup::Application;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub store: DynStore,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: TempDir,
}

pub async fn spawn_app() -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init(server::config::LogFormat::Text);
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("herald.db").display());
    let app = Application::build(&ServeConfig::for_tests(&url))
        .await
        .expect("the server starts");
    let base = format!("http://{}", app.local_addr());
    let store = app.store();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        store,
        shutdown: Some(tx),
        _dir: dir,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies, like a browser tab.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Registers `username` through the API and answers a client signed in as them and their id.
    pub async fn signed_in(&self, username: &str, role: &str) -> (Client, i64) {
        let client = self.browser();
        let response = client
            .post(self.url("/api/auth/register/"))
            .json(&json!({ "username": username, "password": PASSWORD, "role": role }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let user: Value = response.json().await.unwrap();
        (client, user["id"].as_i64().unwrap())
    }

    /// A client signed in as a new admin.
    pub async fn admin(&self) -> Client {
        accounts::register(&*self.store, "root", PASSWORD, Role::Admin)
            .await
            .unwrap();
        let client = self.browser();
        let response = client
            .post(self.url("/api/auth/login/"))
            .json(&json!({ "username": "root", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        client
    }

    /// A fresh bearer API token.
    pub async fn token(&self) -> String {
        let (token, hash) = secret::generate("hrld_");
        self.store.create_api_token("tests", &hash).await.unwrap();
        token
    }

    /// Publishes a notification to `user_id` with a service token; answers it.
    pub async fn notify(&self, token: &str, user_id: i64, title: &str) -> Value {
        let response = Client::new()
            .post(self.url("/api/notifications/"))
            .bearer_auth(token)
            .json(&json!({ "user_id": user_id, "title": title }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }
}

/// Asserts an API error: its status, its JSON shape, and that the message names `needle`.
pub async fn assert_error(response: reqwest::Response, status: StatusCode, needle: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("errors are JSON");
    let message = body["error"]["message"].as_str().expect("an error message");
    assert!(body["error"]["code"].is_string(), "an error code in {body}");
    assert!(
        message.contains(needle),
        "expected the message to mention {needle:?}, got {message:?}"
    );
}
