//! `unicast`: RATE personal notifications per second for SECONDS, spread over SOCKETS users with
//! one socket each; the rate reached, how many arrived, and how long from publishing to arrival.
//! With `--batch N`, N notifications (to N users) go in each request, through the bulk endpoint.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::fleet::Fleet;
use crate::latency::{now_micros, summary};
use crate::target::Target;
use crate::users;

/// Requests in flight at most; beyond it the publisher falls behind the asked rate (and says so).
const IN_FLIGHT: usize = 256;
/// Sends are grouped into ticks of this length.
const TICK: Duration = Duration::from_millis(10);

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 1000)]
    sockets: usize,
    /// Notifications per second.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Notifications per request: 1 posts to `/api/notifications/`, more to
    /// `/api/notifications/bulk/` (at most 1,000).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    batch: u64,
}

pub async fn run(target: &Target, file: Option<&Path>, args: Args) -> anyhow::Result<Value> {
    let people = users::load(target, file, args.sockets).await?;
    let fleet = Fleet::open(target, &people).await;
    let user_ids = fleet.user_ids();
    anyhow::ensure!(
        !user_ids.is_empty(),
        "no socket opened: {:?}",
        fleet.failures.first()
    );

    let target = Arc::new(target.clone());
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let http_latency = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let mut requests = JoinSet::new();
    let total = u64::from(args.rate) * args.seconds;
    let started = Instant::now();
    let mut tick = tokio::time::interval(TICK);
    let mut sent = 0u64;
    while sent < total {
        tick.tick().await;
        // Catch up with the schedule: as many as should have gone by now.
        let due = ((started.elapsed().as_secs_f64() * f64::from(args.rate)) as u64).min(total);
        while sent < due {
            let count = args.batch.min(total - sent);
            let recipients: Vec<i64> = (sent..sent + count)
                .map(|n| user_ids[(n % user_ids.len() as u64) as usize])
                .collect();
            let permit = slots.clone().acquire_owned().await?;
            let (target, http_latency, errors) =
                (target.clone(), http_latency.clone(), errors.clone());
            requests.spawn(async move {
                let at = now_micros();
                let published = match recipients.as_slice() {
                    [one] => target.notify(*one, at).await,
                    many => target.notify_all(many, at).await,
                };
                match published {
                    Ok(()) => lock(&http_latency).push(now_micros() - at),
                    // A refused request stored none of its notifications.
                    Err(err) => lock(&errors).push((recipients.len() as u64, format!("{err:#}"))),
                }
                drop(permit);
            });
            sent += count;
        }
        while requests.try_join_next().is_some() {}
    }
    while requests.join_next().await.is_some() {}
    let publishing = started.elapsed();

    let errors = std::mem::take(&mut *lock(&errors));
    let lost_to_errors: u64 = errors.iter().map(|(count, _)| count).sum();
    let errors: Vec<String> = errors.into_iter().map(|(_, error)| error).collect();
    let stored = sent - lost_to_errors;
    let delivered = super::wait_for(
        &fleet.receipts.notifications,
        stored,
        Duration::from_secs(30),
    )
    .await;
    let latencies = fleet.receipts.take_latencies();
    let closed = fleet.receipts.closed_by_server.load(Ordering::Relaxed);
    let connected = fleet.len();
    let failures = fleet.failures.clone();
    fleet.close().await;
    let http = std::mem::take(&mut *lock(&http_latency));
    Ok(json!({
        "scenario": "unicast",
        "ok": failures.is_empty() && errors.is_empty() && delivered == stored,
        "sockets": args.sockets,
        "connected": connected,
        "connect_failures": super::some(&failures),
        "asked_rate_per_second": args.rate,
        "batch": args.batch,
        "achieved_rate_per_second": (stored as f64 / publishing.as_secs_f64()).round(),
        "sent": sent,
        "publish_errors": errors.len(),
        "publish_error_examples": super::some(&errors),
        "expected": stored,
        "delivered": delivered,
        "closed_by_server": closed,
        "http_latency": summary(http),
        "latency": summary(latencies),
    }))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
