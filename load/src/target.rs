//! The server under load, as its public HTTP API shows it: publishing, and the metrics that
//! tell what the load cost it.

use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::{json, Value};

#[derive(Clone)]
pub struct Target {
    pub base: String,
    /// Where sockets are opened, in turn: `base`, or the instances of a cluster, so that what
    /// is published through one instance must cross the broker to reach most sockets.
    socket_bases: Vec<String>,
    http: reqwest::Client,
    token: String,
    metrics_token: Option<String>,
}

/// What `/metrics` says about the server at one moment. Fields the server does not report
/// (process figures off Linux) are `None`.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub sockets: Option<i64>,
    pub resident_bytes: Option<i64>,
    pub open_fds: Option<i64>,
    pub tasks: Option<i64>,
}

impl Snapshot {
    pub fn to_json(&self) -> Value {
        json!({
            "sockets": self.sockets,
            "rss_bytes": self.resident_bytes,
            "open_fds": self.open_fds,
            "tasks": self.tasks,
        })
    }
}

impl Target {
    pub fn new(
        base: &str,
        socket_bases: &[String],
        token: &str,
        metrics_token: Option<String>,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(256)
            .build()?;
        let base = base.trim_end_matches('/').to_owned();
        let socket_bases = if socket_bases.is_empty() {
            vec![base.clone()]
        } else {
            socket_bases
                .iter()
                .map(|other| other.trim_end_matches('/').to_owned())
                .collect()
        };
        Ok(Self {
            base,
            socket_bases,
            http,
            token: token.to_owned(),
            metrics_token,
        })
    }

    /// The socket addresses to open sockets on, `ws://host:port/ws/notifications/` each.
    pub fn socket_urls(&self) -> Vec<String> {
        self.socket_bases
            .iter()
            .map(|base| {
                let rest = base
                    .strip_prefix("https://")
                    .map(|rest| format!("wss://{rest}"))
                    .unwrap_or_else(|| base.replacen("http://", "ws://", 1));
                format!("{rest}/ws/notifications/")
            })
            .collect()
    }

    /// Stores and pushes one notification for `user_id`; its message carries `stamp`.
    pub async fn notify(&self, user_id: i64, stamp: u64) -> anyhow::Result<()> {
        let body =
            json!({ "user_id": user_id, "title": "Load test", "message": stamp_text(stamp) });
        self.post("/api/notifications/", &body).await.map(drop)
    }

    /// Stores and pushes one notification for each of `user_ids` in one bulk request; each
    /// message carries `stamp`.
    pub async fn notify_all(&self, user_ids: &[i64], stamp: u64) -> anyhow::Result<()> {
        let notifications: Vec<Value> = user_ids
            .iter()
            .map(|user_id| {
                json!({ "user_id": user_id, "title": "Load test", "message": stamp_text(stamp) })
            })
            .collect();
        let body = json!({ "notifications": notifications });
        self.post("/api/notifications/bulk/", &body).await.map(drop)
    }

    /// Announces a global notification carrying `stamp`; answers its id. It shows as a banner
    /// to everyone signed in until [`Target::deactivate`] takes it down.
    pub async fn announce(&self, stamp: u64) -> anyhow::Result<i64> {
        let body = json!({ "title": "Load test", "message": stamp_text(stamp) });
        let created = self.post("/api/global-notifications/", &body).await?;
        created["id"].as_i64().context("an announcement has an id")
    }

    /// Takes an announcement down, so a load test leaves no banners behind.
    pub async fn deactivate(&self, id: i64) -> anyhow::Result<()> {
        let response = self
            .http
            .patch(format!("{}/api/global-notifications/{id}/", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "is_active": false }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("deactivating {id}: {}", response.status());
        }
        Ok(())
    }

    /// Signs a new user up through the API; answers the session token of their cookie.
    pub async fn sign_up(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let response = self
            .http
            .post(format!("{}/api/auth/register/", self.base))
            .json(&json!({ "username": username, "password": password, "role": "jobseeker" }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "signing up {username}: {} {}",
                response.status(),
                response.text().await?
            );
        }
        // Among the cookies a sign-up sets (the session's, the device's), the session's.
        let token = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|cookie| cookie.split(';').next())
            .find_map(|pair| pair.strip_prefix("herald_session="))
            .context("a sign-up sets the session cookie")?;
        Ok(token.to_owned())
    }

    pub async fn snapshot(&self) -> anyhow::Result<Snapshot> {
        let mut request = self.http.get(format!("{}/metrics", self.base));
        if let Some(token) = &self.metrics_token {
            request = request.bearer_auth(token);
        }
        let text = request.send().await?.error_for_status()?.text().await?;
        let value = |name: &str| {
            text.lines()
                .filter(|line| !line.starts_with('#'))
                .find_map(|line| {
                    line.strip_prefix(name)?
                        .strip_prefix(' ')?
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
                .map(|v| v as i64)
        };
        Ok(Snapshot {
            sockets: value("herald_websocket_connections"),
            resident_bytes: value("process_resident_memory_bytes"),
            open_fds: value("process_open_fds"),
            tasks: value("herald_runtime_alive_tasks"),
        })
    }

    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            bail!(
                "POST {path}: {status} {}",
                response.text().await.unwrap_or_default()
            );
        }
        Ok(response.json().await?)
    }
}

const STAMP_PREFIX: &str = "sent_at_us=";

fn stamp_text(stamp: u64) -> String {
    format!("{STAMP_PREFIX}{stamp}")
}

/// The publish time a load-test message carries, if it is one.
pub fn stamp_of(message: &str) -> Option<u64> {
    message.strip_prefix(STAMP_PREFIX)?.parse().ok()
}
