//! One module per scenario. Each answers one JSON object, `ok` false when anything was lost.

pub mod broadcast;
pub mod connect;
pub mod soak;
pub mod unicast;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Waits until `counter` reaches `expected` or `patience` passes; answers what it reached.
async fn wait_for(counter: &AtomicU64, expected: u64, patience: Duration) -> u64 {
    let deadline = Instant::now() + patience;
    loop {
        let now = counter.load(Ordering::Relaxed);
        if now >= expected || Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The first few failures, which are usually all alike.
fn some(failures: &[String]) -> Vec<&String> {
    failures.iter().take(3).collect()
}
