//! Several `herald` processes on one PostgreSQL database, with Redis or PostgreSQL carrying
//! events between them, as a deployment behind a load balancer runs them. Needs the services
//! named by `HERALD_TEST_POSTGRES_URL` and `HERALD_TEST_REDIS_URL`; skipped loudly without them.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use common::cut_proxy::{address_of, CutProxy};
use common::postgres::{fresh_schema, Schema};
use common::redis::{channel_name, redis_url};
use common::ws::{Ended, Socket};
use common::PASSWORD;

/// One `herald serve` process.
struct Instance {
    addr: SocketAddr,
    _process: Child,
}

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// A deployment: its database (a fresh schema), its broker, and its instances.
struct Cluster {
    /// First, so the processes stop before their schema is dropped.
    instances: Vec<Instance>,
    database_url: String,
    broker: String,
    channel: String,
    token: String,
    /// Environment variables every instance starts with, beside the defaults.
    settings: Vec<(&'static str, &'static str)>,
    _schema: Schema,
}

fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

fn herald(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .env("HERALD_DATABASE_URL", database_url)
        .env(
            "HERALD_LOG",
            std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .kill_on_drop(true);
    command
}

impl Cluster {
    /// `size` instances on a fresh database with `broker` (`postgres` or a Redis URL), started at
    /// once (so their migrations race, as in a rolling deployment), each answering its
    /// readiness check.
    async fn start(size: usize, broker: &str) -> Option<Cluster> {
        Self::start_with(size, broker, &[]).await
    }

    /// Like [`Cluster::start`], with every instance given the environment `settings` too (a
    /// low limit, say).
    async fn start_with(
        size: usize,
        broker: &str,
        settings: &[(&'static str, &'static str)],
    ) -> Option<Cluster> {
        let schema = fresh_schema("a cluster test").await?;
        let database_url = schema.url.clone();
        Some(Self::start_on(size, schema, &database_url, broker, settings).await)
    }

    /// Like [`Cluster::start`], with the instances reaching `schema` at `database_url` (through
    /// a proxy, say).
    async fn start_on(
        size: usize,
        schema: Schema,
        database_url: &str,
        broker: &str,
        settings: &[(&'static str, &'static str)],
    ) -> Cluster {
        let mut cluster = Cluster {
            instances: Vec::new(),
            database_url: database_url.to_owned(),
            broker: broker.to_owned(),
            channel: channel_name(),
            token: String::new(),
            settings: settings.to_vec(),
            _schema: schema,
        };
        for _ in 0..size {
            cluster.instances.push(cluster.spawn());
        }
        for instance in &cluster.instances {
            wait_until_ready(instance).await;
        }
        cluster.token = cluster.create_token().await;
        cluster
    }

    fn spawn(&self) -> Instance {
        let addr = free_port();
        let process = herald(&self.database_url)
            .arg("serve")
            .env("HERALD_BIND", addr.to_string())
            .env("HERALD_BROKER", &self.broker)
            .env("HERALD_BROKER_CHANNEL", &self.channel)
            .env("HERALD_MAX_SIGN_UPS_PER_HOUR", "1000")
            .envs(self.settings.iter().copied())
            .stdout(if std::env::var_os("TEST_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("herald starts");
        Instance {
            addr,
            _process: process,
        }
    }

    async fn create_token(&self) -> String {
        let output = herald(&self.database_url)
            .args(["create-token", "--name", "cluster-tests"])
            .output()
            .await
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    fn instance(&self, n: usize) -> &Instance {
        &self.instances[n]
    }

    /// `count` people, each signed up on a different instance, and a socket for each of them on
    /// every instance, tagged with the index of its person.
    async fn everyone_on_every_instance(
        &self,
        count: usize,
    ) -> (Vec<Person>, Vec<(usize, Socket)>) {
        let mut people = Vec::new();
        for n in 0..count {
            let instance = &self.instances[n % self.instances.len()];
            people.push(sign_up(instance, &format!("person{n}")).await);
        }
        let mut sockets = Vec::new();
        for instance in &self.instances {
            for (p, person) in people.iter().enumerate() {
                sockets.push((p, socket(instance, person).await));
            }
        }
        (people, sockets)
    }

    /// Publishes a notification through instance `n`'s API; answers its id.
    async fn notify(&self, n: usize, user_id: i64, title: &str) -> i64 {
        let response = Client::new()
            .post(self.instance(n).url("/api/notifications/"))
            .bearer_auth(&self.token)
            .json(&json!({ "user_id": user_id, "title": title }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    /// Announces a global notification through instance `n`'s API; answers its id.
    async fn announce(&self, n: usize, title: &str) -> i64 {
        self.announce_to(n, title, "everyone").await
    }

    /// Announces a global notification for `audience` through instance `n`'s API; answers its id.
    async fn announce_to(&self, n: usize, title: &str, audience: &str) -> i64 {
        let response = Client::new()
            .post(self.instance(n).url("/api/global-notifications/"))
            .bearer_auth(&self.token)
            .json(&json!({ "title": title, "level": "info", "audience": audience }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }
}

async fn wait_until_ready(instance: &Instance) {
    let client = Client::new();
    for _ in 0..300 {
        if let Ok(response) = client.get(instance.url("/readyz")).send().await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("instance {} never became ready", instance.addr);
}

/// A person signed in on one instance (any instance accepts the cookie).
struct Person {
    id: i64,
    cookie: String,
}

async fn sign_up(instance: &Instance, username: &str) -> Person {
    sign_up_as(instance, username, "jobseeker").await
}

async fn sign_up_as(instance: &Instance, username: &str, role: &str) -> Person {
    let response = try_sign_up_as(instance, username, role).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let user: Value = response.json().await.unwrap();
    Person {
        id: user["id"].as_i64().unwrap(),
        cookie,
    }
}

async fn try_sign_up(instance: &Instance, username: &str) -> reqwest::Response {
    try_sign_up_as(instance, username, "jobseeker").await
}

async fn try_sign_up_as(instance: &Instance, username: &str, role: &str) -> reqwest::Response {
    Client::new()
        .post(instance.url("/api/auth/register/"))
        .json(&json!({ "username": username, "password": PASSWORD, "role": role }))
        .send()
        .await
        .unwrap()
}

async fn sign_in(instance: &Instance, username: &str, password: &str) -> reqwest::Response {
    Client::new()
        .post(instance.url("/api/auth/login/"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

/// Sends a message through instance `instance`, as the conversation page's form does: the
/// server function's path (which carries a hash of the build) is read from that form.
async fn send_message(
    instance: &Instance,
    sender: &Person,
    recipient: &str,
    body: &str,
) -> reqwest::Response {
    let client = Client::new();
    let page = client
        .get(instance.url(&format!("/messages/{recipient}")))
        .header("cookie", &sender.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = page
        .split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.contains("send_message"))
        .unwrap_or_else(|| panic!("the conversation page has a message form: {page}"))
        .to_owned();
    client
        .post(instance.url(&action))
        .header("cookie", &sender.cookie)
        .form(&[("recipient", recipient), ("body", body)])
        .send()
        .await
        .unwrap()
}

async fn socket(instance: &Instance, person: &Person) -> Socket {
    let origin = format!("http://{}", instance.addr);
    let mut socket = Socket::connect_to(instance.addr, Some(&person.cookie), Some(&origin), "")
        .await
        .expect("the socket opens");
    assert_eq!(socket.next().await["type"], "hello");
    socket
}

/// Reads `socket` until it has seen `notifications` and `globals` (ids); asserts they came in id
/// order, that nothing else of either kind came, and that nothing came twice.
async fn assert_receives_exactly(socket: &mut Socket, notifications: &[i64], globals: &[i64]) {
    let mut seen_notifications = Vec::new();
    let mut seen_globals = Vec::new();
    while seen_notifications.len() < notifications.len() || seen_globals.len() < globals.len() {
        let frame = socket.next().await;
        match frame["type"].as_str() {
            Some("notification") => {
                seen_notifications.push(frame["notification"]["id"].as_i64().unwrap())
            }
            Some("global_notification") => {
                seen_globals.push(frame["notification"]["id"].as_i64().unwrap())
            }
            _ => {}
        }
        assert!(
            seen_notifications.len() <= notifications.len() && seen_globals.len() <= globals.len(),
            "more than expected: notifications {seen_notifications:?}, globals {seen_globals:?}"
        );
    }
    assert_eq!(
        seen_notifications, notifications,
        "notifications in id order"
    );
    assert_eq!(seen_globals, globals, "globals in id order");
    quiet_but_for_counts(socket).await;
}

/// Asserts that no notification or global arrives for a moment (unread counts may).
async fn quiet_but_for_counts(socket: &mut Socket) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(700);
    while let Ok(frame) = tokio::time::timeout_at(deadline, socket.next()).await {
        assert_eq!(
            frame["type"], "unread_count",
            "nothing arrives twice: {frame}"
        );
    }
}

async fn every_socket_on_every_instance_gets_exactly_its_own_and_every_global(broker: &str) {
    let Some(cluster) = Cluster::start(3, broker).await else {
        return;
    };
    let (people, mut sockets) = cluster.everyone_on_every_instance(3).await;

    let mut expected: HashMap<usize, Vec<i64>> = HashMap::new();
    let mut globals = Vec::new();
    for round in 0..6 {
        for n in 0..3 {
            let p = (round + n) % 3;
            let id = cluster
                .notify(n, people[p].id, &format!("round {round} via {n}"))
                .await;
            expected.entry(p).or_default().push(id);
        }
        if round % 3 == 1 {
            globals.push(
                cluster
                    .announce(round % 3 + 1, &format!("global {round}"))
                    .await,
            );
        }
    }
    for (p, socket) in &mut sockets {
        assert_receives_exactly(socket, &expected[p], &globals).await;
    }
}

#[tokio::test]
async fn with_redis_every_socket_on_three_instances_gets_exactly_its_own_notifications_and_every_global(
) {
    let Some(redis) = redis_url("the Redis cluster test") else {
        return;
    };
    every_socket_on_every_instance_gets_exactly_its_own_and_every_global(&redis).await;
}

#[tokio::test]
async fn with_postgres_every_socket_on_three_instances_gets_exactly_its_own_notifications_and_every_global(
) {
    every_socket_on_every_instance_gets_exactly_its_own_and_every_global("postgres").await;
}

#[tokio::test]
async fn an_announcement_for_employers_made_on_one_instance_reaches_only_employers_sockets_on_another(
) {
    let Some(redis) = redis_url("the Redis audience test") else {
        return;
    };
    let Some(cluster) = Cluster::start(2, &redis).await else {
        return;
    };
    let seeker = sign_up_as(cluster.instance(1), "ada", "jobseeker").await;
    let employer = sign_up_as(cluster.instance(1), "acme", "employer").await;
    let mut seeker_socket = socket(cluster.instance(1), &seeker).await;
    let mut employer_socket = socket(cluster.instance(1), &employer).await;

    let for_employers = cluster.announce_to(0, "hiring fair", "employers").await;
    let for_all = cluster.announce(0, "maintenance").await;
    assert_receives_exactly(&mut employer_socket, &[], &[for_employers, for_all]).await;
    assert_receives_exactly(&mut seeker_socket, &[], &[for_all]).await;

    // The employer's socket on instance 1 counted them as having seen it, for every instance.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let shown: Value = Client::new()
            .get(
                cluster
                    .instance(0)
                    .url(&format!("/api/global-notifications/{for_employers}/")),
            )
            .bearer_auth(&cluster.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if shown["reach"] == json!({ "seen": 1, "dismissed": 0 }) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "reach never came to one: {shown}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn what_is_published_while_redis_is_unreachable_reaches_every_socket_once_and_no_socket_closes(
) {
    let Some(redis) = redis_url("the Redis outage test") else {
        return;
    };
    let proxy = CutProxy::start(address_of(&redis)).await;
    let Some(cluster) = Cluster::start(3, &proxy.url_through(&redis)).await else {
        return;
    };
    let (people, mut sockets) = cluster.everyone_on_every_instance(3).await;
    let mut expected: HashMap<usize, Vec<i64>> = HashMap::new();
    let create = |round: usize| {
        let cluster = &cluster;
        let people = &people;
        async move {
            let mut made = Vec::new();
            for n in 0..3 {
                let p = (round + n) % 3;
                let title = format!("round {round} via {n}");
                made.push((p, cluster.notify(n, people[p].id, &title).await));
            }
            made
        }
    };
    for (p, id) in create(0).await {
        expected.entry(p).or_default().push(id);
    }

    proxy.cut();
    for round in 1..3 {
        for (p, id) in create(round).await {
            expected.entry(p).or_default().push(id);
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.restore();

    for (p, id) in create(3).await {
        expected.entry(p).or_default().push(id);
    }
    for (p, socket) in &mut sockets {
        // Live and caught-up frames interleave: compare as sets, and check none came twice.
        let mut seen = Vec::new();
        while seen.len() < expected[p].len() {
            let frame = socket.next().await;
            if frame["type"] == "notification" {
                seen.push(frame["notification"]["id"].as_i64().unwrap());
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, expected[p], "every notification arrived, none twice");
        quiet_but_for_counts(socket).await;
        socket.send_json(json!({ "action": "ping" })).await;
        // A catch-up's last count can still be on its way (it follows the notifications).
        assert_eq!(
            socket.next_of_skipping("pong", &["unread_count"]).await["type"],
            "pong",
            "the socket stayed open"
        );
    }
}

#[tokio::test]
async fn signing_out_on_one_instance_closes_that_sessions_socket_on_another() {
    let Some(redis) = redis_url("the sign-out test") else {
        return;
    };
    let Some(cluster) = Cluster::start(3, &redis).await else {
        return;
    };
    let person = sign_up(cluster.instance(0), "ada").await;
    let mut on_third = socket(cluster.instance(2), &person).await;

    let response = Client::new()
        .post(cluster.instance(0).url("/api/auth/logout/"))
        .header("cookie", &person.cookie)
        .header("origin", format!("http://{}", cluster.instance(0).addr))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(on_third.ended().await, Ended::Closed(4000));
}

#[tokio::test]
async fn while_postgres_is_unreachable_the_api_and_readiness_answer_503_quickly_liveness_200_and_both_recover(
) {
    let Some(redis) = redis_url("the PostgreSQL outage test") else {
        return;
    };
    let Some(schema) = fresh_schema("the PostgreSQL outage test").await else {
        return;
    };
    let proxy = CutProxy::start(address_of(&schema.url)).await;
    let database_url = proxy.url_through(&schema.url);
    let cluster = Cluster::start_on(1, schema, &database_url, &redis, &[]).await;
    let instance = cluster.instance(0);
    let person = sign_up(instance, "ada").await;
    let mut live = socket(instance, &person).await;
    let inbox = || {
        Client::new()
            .get(instance.url("/api/notifications/"))
            .header("cookie", &person.cookie)
            .send()
    };
    assert_eq!(inbox().await.unwrap().status(), StatusCode::OK);

    proxy.cut();
    let started = std::time::Instant::now();
    let response = inbox().await.unwrap();
    let took = started.elapsed();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.expect("JSON");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(took < Duration::from_secs(2), "answered in {took:?}");
    // Not ready (a load balancer sends its traffic elsewhere), but alive (nothing restarts it).
    let probe = |path: &'static str| Client::new().get(instance.url(path)).send();
    let started = std::time::Instant::now();
    let ready = probe("/readyz").await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "readiness answered in {:?}",
        started.elapsed()
    );
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = ready.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({"status": "unavailable", "database": "unreachable"})
    );
    let alive = probe("/healthz").await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
    assert_eq!(
        alive.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );

    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if inbox().await.unwrap().status() == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the API works again without a restart");
    assert_eq!(probe("/readyz").await.unwrap().status(), StatusCode::OK);
    let id = cluster.notify(0, person.id, "after the outage").await;
    assert_eq!(live.next_of("notification").await["notification"]["id"], id);
}

#[tokio::test]
async fn failed_sign_ins_on_different_instances_add_up_to_one_lockout() {
    let settings = [("HERALD_MAX_FAILED_LOGINS", "3")];
    let Some(cluster) = Cluster::start_with(3, "postgres", &settings).await else {
        return;
    };
    sign_up(cluster.instance(0), "ada").await;
    // One wrong password per instance: no instance alone has seen three.
    for n in 0..3 {
        let wrong = sign_in(cluster.instance(n), "ada", "not her password").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "instance {n}");
    }
    for n in 0..3 {
        let locked = sign_in(cluster.instance(n), "ada", PASSWORD).await;
        assert_eq!(
            locked.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "instance {n}"
        );
        assert!(locked.headers().contains_key("retry-after"), "instance {n}");
    }
}

#[tokio::test]
async fn sign_ups_from_one_address_on_different_instances_add_up_to_one_limit() {
    let settings = [("HERALD_MAX_SIGN_UPS_PER_HOUR", "2")];
    let Some(cluster) = Cluster::start_with(3, "postgres", &settings).await else {
        return;
    };
    sign_up(cluster.instance(0), "ada").await;
    sign_up(cluster.instance(1), "grace").await;
    let refused = try_sign_up(cluster.instance(2), "linus").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn messages_sent_through_different_instances_add_up_to_one_limit() {
    let settings = [("HERALD_MAX_MESSAGES_PER_MINUTE", "2")];
    let Some(cluster) = Cluster::start_with(3, "postgres", &settings).await else {
        return;
    };
    let sender = sign_up(cluster.instance(0), "acme").await;
    sign_up(cluster.instance(0), "ada").await;
    for n in 0..2 {
        let sent = send_message(cluster.instance(n), &sender, "ada", "Hello").await;
        assert!(
            sent.status().is_success(),
            "instance {n}: {}",
            sent.status()
        );
    }
    let refused = send_message(cluster.instance(2), &sender, "ada", "One more").await;
    assert!(!refused.status().is_success());
    let body = refused.text().await.unwrap();
    assert!(body.contains("too fast"), "{body}");
}

#[tokio::test]
async fn a_message_to_someone_looking_at_the_conversation_on_another_instance_does_not_notify_them()
{
    let Some(cluster) = Cluster::start(3, "postgres").await else {
        return;
    };
    let sender = sign_up(cluster.instance(0), "acme").await;
    let recipient = sign_up(cluster.instance(2), "ada").await;
    let mut screen = socket(cluster.instance(2), &recipient).await;
    let focus_on = |peer: Option<i64>| json!({ "action": "focus", "conversation_with": peer });
    // A socket handles its frames in order: once the pong is back, the focus is stored.
    let ping = json!({ "action": "ping" });

    screen.send_json(focus_on(Some(sender.id))).await;
    screen.send_json(ping.clone()).await;
    screen.next_of("pong").await;
    let sent = send_message(cluster.instance(0), &sender, "ada", "Are you free?").await;
    assert!(sent.status().is_success(), "{}", sent.status());
    assert_eq!(
        screen.next_of("message").await["message"]["body"],
        "Are you free?"
    );
    screen.assert_quiet(Duration::from_secs(1)).await;

    screen.send_json(focus_on(None)).await;
    screen.send_json(ping).await;
    screen.next_of("pong").await;
    let sent = send_message(cluster.instance(0), &sender, "ada", "Still there?").await;
    assert!(sent.status().is_success(), "{}", sent.status());
    assert_eq!(
        screen.next_of("message").await["message"]["body"],
        "Still there?"
    );
    let notification = screen.next_of("notification").await;
    assert_eq!(notification["notification"]["notification_type"], "message");
    assert_eq!(notification["notification"]["link"], "/messages/acme");
}
