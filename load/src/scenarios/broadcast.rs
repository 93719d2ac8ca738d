//! `broadcast`: COUNT global notifications at RATE per second to SOCKETS sockets; how many
//! arrived, and how long from publishing to arrival.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{json, Value};

use crate::fleet::Fleet;
use crate::latency::{now_micros, summary};
use crate::target::Target;
use crate::users;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    crowd: users::Crowd,
    #[arg(long, default_value_t = 10)]
    count: u32,
    /// Announcements per second.
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
}

pub async fn run(target: &Target, file: Option<&Path>, args: Args) -> anyhow::Result<Value> {
    let (distinct, sockets) = users::for_sockets(target, file, &args.crowd).await?;
    let fleet = Fleet::open(target, &sockets).await;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate.max(0.001)));
    let mut announced = Vec::new();
    let mut publish_errors = Vec::new();
    for _ in 0..args.count {
        tick.tick().await;
        match target.announce(now_micros()).await {
            Ok(id) => announced.push(id),
            Err(err) => publish_errors.push(format!("{err:#}")),
        }
    }
    let expected = (announced.len() * fleet.len()) as u64;
    let delivered =
        super::wait_for(&fleet.receipts.globals, expected, Duration::from_secs(30)).await;
    let latencies = fleet.receipts.take_latencies();
    let closed = fleet.receipts.closed_by_server.load(Ordering::Relaxed);
    let connected = fleet.len();
    let failures = fleet.failures.clone();
    fleet.close().await;
    for id in &announced {
        target.deactivate(*id).await?;
    }
    Ok(json!({
        "scenario": "broadcast",
        "ok": failures.is_empty() && publish_errors.is_empty() && delivered == expected,
        "sockets": args.crowd.sockets,
        "users": distinct,
        "connected": connected,
        "connect_failures": super::some(&failures),
        "announced": announced.len(),
        "publish_errors": super::some(&publish_errors),
        "rate_per_second": args.rate,
        "expected": expected,
        "delivered": delivered,
        "closed_by_server": closed,
        "latency": summary(latencies),
    }))
}
