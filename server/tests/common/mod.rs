//! Spawns a real Herald server on a free port with a fresh SQLite database, for black-box tests.
//! `postgres` gives a test a PostgreSQL schema of its own, when a test server is configured.
#![allow(dead_code)]

pub mod cut_proxy;
pub mod postgres;
pub mod redis;
pub mod ws;

use std::sync::Arc;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;

use app::model::{MessageText, Notification, NotificationType, Role, Title, UserId};
use app::ssr::store::{DynStore, NewNotification};
use app::ssr::{accounts, inbox, secret, Services};
use server::config::ServeConfig;
use server::realtime::Node;
use server::startup::Application;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub store: DynStore,
    pub services: Services,
    pub node: Arc<Node>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    dir: Arc<TempDir>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server with some settings changed, e.g. short socket timings.
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServeConfig)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("a temporary folder"));
    spawn_in(dir, configure).await
}

async fn spawn_in(dir: Arc<TempDir>, configure: impl FnOnce(&mut ServeConfig)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init(server::config::LogFormat::Text);
    }
    let url = format!("sqlite://{}", dir.path().join("herald.db").display());
    let mut config = ServeConfig::for_tests(&url);
    configure(&mut config);
    let app = Application::build(&config)
        .await
        .expect("the server starts");
    let addr = app.local_addr();
    let store = app.store();
    let services = app.services();
    let node = app.node();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        addr,
        store,
        services,
        node,
        shutdown: Some(tx),
        server: Some(server),
        dir,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A signed-in user: an HTTP client with their cookie, their id, and the cookie itself for
/// WebSocket handshakes.
pub struct TestUser {
    pub client: Client,
    pub id: UserId,
    pub cookie: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The SQLite file this server runs on.
    pub fn database_path(&self) -> std::path::PathBuf {
        self.dir.path().join("herald.db")
    }

    /// Stops the server the way a shutdown signal does, and waits until it has stopped.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }

    /// A new server on the same database (after [`TestApp::stop`]).
    pub async fn restart(&self) -> TestApp {
        spawn_in(self.dir.clone(), |_| {}).await
    }

    /// Registers `username`; answers them signed in.
    pub async fn user(&self, username: &str, role: &str) -> TestUser {
        let client = self.browser();
        let response = client
            .post(self.url("/api/auth/register/"))
            .json(&json!({ "username": username, "password": PASSWORD, "role": role }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let cookie = session_cookie(&response);
        let user: Value = response.json().await.unwrap();
        TestUser {
            client,
            id: UserId::new(user["id"].as_i64().unwrap()),
            cookie,
        }
    }

    /// Signs `username` in once more: a second session, as from another device.
    pub async fn sign_in_again(&self, username: &str) -> TestUser {
        let client = self.browser();
        let response = client
            .post(self.url("/api/auth/login/"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = session_cookie(&response);
        let user: Value = response.json().await.unwrap();
        TestUser {
            client,
            id: UserId::new(user["id"].as_i64().unwrap()),
            cookie,
        }
    }

    /// Opens a socket as a browser on this site would, with `query` (e.g. `?after=3`).
    pub async fn socket(&self, user: &TestUser, query: &str) -> ws::Socket {
        ws::Socket::connect(self, Some(&user.cookie), Some(&self.base), query)
            .await
            .expect("the socket opens")
    }

    /// Stores and publishes a notification in-process, as the API does.
    pub async fn send(&self, user_id: UserId, title: &str) -> Notification {
        inbox::send(&self.services, &new_notification(user_id, title, ""))
            .await
            .unwrap()
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

/// A `system` notification for `user_id`, ready to store.
pub fn new_notification(user_id: UserId, title: &str, message: &str) -> NewNotification {
    NewNotification {
        user_id,
        title: Title::parse("title", title).unwrap(),
        message: MessageText::parse("message", message).unwrap(),
        notification_type: NotificationType::System,
        link: None,
        group_key: None,
    }
}

fn session_cookie(response: &reqwest::Response) -> String {
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|value| value.starts_with("herald_session="))
        .expect("a session cookie");
    header.split(';').next().unwrap().to_owned()
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
