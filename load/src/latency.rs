//! Latencies gathered during a scenario, summarised as percentiles.

use serde_json::{json, Value};

/// Microseconds since the Unix epoch: what a publisher writes into a notification and a
/// receiver subtracts from its own clock (both run on one machine).
pub fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// `{"p50_ms", "p95_ms", "p99_ms", "max_ms"}` of latencies in microseconds; nulls when empty.
pub fn summary(mut micros: Vec<u64>) -> Value {
    if micros.is_empty() {
        return json!({ "p50_ms": null, "p95_ms": null, "p99_ms": null, "max_ms": null });
    }
    micros.sort_unstable();
    let at = |q: f64| {
        let index = ((micros.len() as f64 * q).ceil() as usize).clamp(1, micros.len()) - 1;
        millis(micros[index])
    };
    json!({
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": millis(*micros.last().expect("not empty")),
    })
}

fn millis(micros: u64) -> f64 {
    (micros as f64 / 100.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_read_off_the_sorted_latencies() {
        let summary = summary((1..=100).map(|ms| ms * 1000).collect());
        assert_eq!(summary["p50_ms"], 50.0);
        assert_eq!(summary["p99_ms"], 99.0);
        assert_eq!(summary["max_ms"], 100.0);
    }
}
