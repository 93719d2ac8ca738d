//! Counters of the real-time side, rendered in Prometheus's text format at `/metrics`.
//!
//! Plain atomics owned by each [`super::Node`] rather than a process-global recorder, so the
//! tests, which run many servers in one process, can read each server's own numbers.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    pub sockets_open: AtomicI64,
    pub sockets_opened: AtomicU64,
    pub frames_sent: AtomicU64,
    pub publishes: AtomicU64,
    pub replayed_notifications: AtomicU64,
    pub slow_client_closes: AtomicU64,
    pub flood_closes: AtomicU64,
    pub broker_gaps: AtomicU64,
    pub failed_publishes: AtomicU64,
    pub catch_ups: AtomicU64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, value: i64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        };
        gauge(
            "herald_websocket_connections",
            "WebSocket connections open on this instance.",
            self.sockets_open.load(Ordering::Relaxed),
        );
        let counters = [
            (
                "herald_websocket_connections_total",
                "WebSocket connections accepted.",
                &self.sockets_opened,
            ),
            (
                "herald_frames_sent_total",
                "Frames written to sockets.",
                &self.frames_sent,
            ),
            (
                "herald_publishes_total",
                "Events published by this instance.",
                &self.publishes,
            ),
            (
                "herald_replayed_notifications_total",
                "Notifications replayed from storage to sockets.",
                &self.replayed_notifications,
            ),
            (
                "herald_slow_client_closes_total",
                "Sockets closed because the client could not keep up.",
                &self.slow_client_closes,
            ),
            (
                "herald_flood_closes_total",
                "Sockets closed for sending too many frames.",
                &self.flood_closes,
            ),
            (
                "herald_broker_gaps_total",
                "Times this instance may have missed broker events.",
                &self.broker_gaps,
            ),
            (
                "herald_failed_publishes_total",
                "Events the broker could not take (stored, and caught up from storage).",
                &self.failed_publishes,
            ),
            (
                "herald_catch_ups_total",
                "Times a socket caught up from storage after a possible gap.",
                &self.catch_ups,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out
    }
}
