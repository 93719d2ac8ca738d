//! Failed sign-ins cost a bounded amount of memory however many arrive at once. This file holds
//! one test, so its measurement of the process's peak memory sees no other test's work.

mod common;

use serde_json::json;

use common::spawn_app;

/// The process's peak resident memory so far, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmHWM line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_wrong_passwords_is_answered_within_bounded_memory() {
    let app = spawn_app().await;
    app.user("ada", "jobseeker").await;
    let before = peak_rss_kib();

    // Each argon2 check holds ~19 MiB: 120 at once, unbounded, would take over 2 GiB.
    let client = reqwest::Client::new();
    let attempts = (0..120).map(|n| {
        let client = client.clone();
        let url = app.url("/api/auth/login/");
        async move {
            let response = client
                .post(url)
                .json(&json!({ "username": format!("someone{n}"), "password": "wrong" }))
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        }
    });
    let statuses = futures::future::join_all(attempts).await;

    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "every attempt gets a clear refusal: {statuses:?}"
    );
    let grown_mib = (peak_rss_kib() - before) / 1024;
    assert!(
        grown_mib < 600,
        "the burst raised peak memory by {grown_mib} MiB"
    );
}
