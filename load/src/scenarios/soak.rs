//! `soak`: cycles of connect, publish and disconnect for SECONDS; then, once the server has had
//! a moment to settle, whether its sockets, tasks and file descriptors are back where they
//! started and how its memory compares.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fleet::Fleet;
use crate::latency::now_micros;
use crate::target::{Snapshot, Target};
use crate::users::{self, LoadUser};

/// How long the server gets after the last cycle before it is measured again.
const SETTLE: Duration = Duration::from_secs(5);
/// Tasks and file descriptors the server may hold beyond its starting point afterwards (its
/// connection pool and timers come and go).
const SLACK: i64 = 8;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How long to churn.
    #[arg(long, default_value_t = 600)]
    seconds: u64,
    /// Sockets per cycle.
    #[arg(long, default_value_t = 200)]
    sockets: usize,
    /// Personal notifications per cycle, spread over the sockets' users.
    #[arg(long, default_value_t = 50)]
    notifications: usize,
}

pub async fn run(target: &Target, file: Option<&Path>, args: Args) -> anyhow::Result<Value> {
    let people = users::load(target, file, args.sockets).await?;
    // One cycle first, so the baseline already counts what the server keeps once it has served
    // anyone (its database connections, their files): the question is what load leaves behind.
    cycle(target, &people, args.notifications).await?;
    tokio::time::sleep(SETTLE).await;
    let baseline = target.snapshot().await?;
    let started = Instant::now();
    let (mut cycles, mut expected, mut delivered, mut failures) = (0u64, 0u64, 0u64, Vec::new());
    let mut peak = baseline.clone();
    while started.elapsed() < Duration::from_secs(args.seconds) {
        let outcome = cycle(target, &people, args.notifications).await?;
        failures.extend(outcome.failures);
        expected += outcome.expected;
        delivered += outcome.delivered;
        peak = max(peak, outcome.with_sockets);
        cycles += 1;
    }
    tokio::time::sleep(SETTLE).await;
    let after = target.snapshot().await?;
    let back = |name: &str, before: Option<i64>, now: Option<i64>, slack: i64| match (before, now) {
        (Some(before), Some(now)) => {
            json!({ "name": name, "before": before, "after": now, "back": now <= before + slack })
        }
        _ => json!({ "name": name, "before": before, "after": now, "back": null }),
    };
    let checks = [
        back("sockets", baseline.sockets, after.sockets, 0),
        back("tasks", baseline.tasks, after.tasks, SLACK),
        back("open_fds", baseline.open_fds, after.open_fds, SLACK),
    ];
    let all_back = checks.iter().all(|c| c["back"] != Value::Bool(false));
    Ok(json!({
        "scenario": "soak",
        "ok": all_back && failures.is_empty() && delivered == expected,
        "seconds": started.elapsed().as_secs(),
        "cycles": cycles,
        "sockets_per_cycle": args.sockets,
        "connect_failures": failures.len(),
        "connect_failure_examples": super::some(&failures),
        "expected": expected,
        "delivered": delivered,
        "baseline": baseline.to_json(),
        "peak": peak.to_json(),
        "after": after.to_json(),
        "back_to_baseline": checks,
        "rss_after_vs_baseline": match (baseline.resident_bytes, after.resident_bytes) {
            (Some(a), Some(b)) if a > 0 => Some((b as f64 / a as f64 * 100.0).round() / 100.0),
            _ => None,
        },
    }))
}

/// What one cycle did.
struct Cycle {
    expected: u64,
    delivered: u64,
    failures: Vec<String>,
    with_sockets: Snapshot,
}

/// Opens a socket per user, sends them `notifications` personal notifications and one global,
/// waits for them to arrive, takes the global down and closes every socket.
async fn cycle(
    target: &Target,
    people: &[LoadUser],
    notifications: usize,
) -> anyhow::Result<Cycle> {
    let fleet = Fleet::open(target, people).await;
    let ids = fleet.user_ids();
    let mut sent = 0;
    for i in 0..notifications.min(ids.len() * 10) {
        if target
            .notify(ids[i % ids.len()], now_micros())
            .await
            .is_ok()
        {
            sent += 1;
        }
    }
    let global = target.announce(now_micros()).await?;
    let globals = ids.len() as u64;
    let delivered = super::wait_for(&fleet.receipts.notifications, sent, Duration::from_secs(10))
        .await
        + super::wait_for(&fleet.receipts.globals, globals, Duration::from_secs(10)).await;
    target.deactivate(global).await?;
    let with_sockets = target.snapshot().await?;
    let failures = fleet.failures.clone();
    fleet.close().await;
    Ok(Cycle {
        expected: sent + globals,
        delivered,
        failures,
        with_sockets,
    })
}

fn max(a: Snapshot, b: Snapshot) -> Snapshot {
    let m = |x: Option<i64>, y: Option<i64>| x.max(y);
    Snapshot {
        sockets: m(a.sockets, b.sockets),
        resident_bytes: m(a.resident_bytes, b.resident_bytes),
        open_fds: m(a.open_fds, b.open_fds),
        tasks: m(a.tasks, b.tasks),
    }
}
