//! `connect`: ramp up to SOCKETS signed-in sockets; what it took and what each one costs the
//! server.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::fleet::Fleet;
use crate::target::Target;
use crate::users;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    crowd: users::Crowd,
    /// How long to hold the sockets open before measuring, in seconds.
    #[arg(long, default_value_t = 2)]
    hold: u64,
}

pub async fn run(target: &Target, file: Option<&Path>, args: Args) -> anyhow::Result<Value> {
    let (distinct, sockets) = users::for_sockets(target, file, &args.crowd).await?;
    let before = target.snapshot().await?;
    let fleet = Fleet::open(target, &sockets).await;
    tokio::time::sleep(Duration::from_secs(args.hold)).await;
    let during = target.snapshot().await?;
    let connected = fleet.len();
    let per_socket = match (before.resident_bytes, during.resident_bytes) {
        (Some(a), Some(b)) if connected > 0 => Some((b - a) / connected as i64),
        _ => None,
    };
    let seconds = fleet.opening.as_secs_f64();
    let failures = fleet.failures.clone();
    fleet.close().await;
    Ok(json!({
        "scenario": "connect",
        "ok": failures.is_empty(),
        "sockets": args.crowd.sockets,
        "users": distinct,
        "connected": connected,
        "failed": failures.len(),
        "failures": super::some(&failures),
        "ramp_seconds": (seconds * 100.0).round() / 100.0,
        "connects_per_second": (connected as f64 / seconds.max(1e-9)).round(),
        "server_before": before.to_json(),
        "server_with_sockets": during.to_json(),
        "bytes_per_socket": per_socket,
    }))
}
