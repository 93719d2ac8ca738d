//! The hub's fan-out: one frame offered to every socket's queue, as a global notification is.
//! Measures the hub alone (finding the sockets, queueing a shared frame for each), not the
//! sockets' writes: those run on each socket's own task.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use app::model::{Role, SessionId, UserId};
use app::protocol::ServerFrame;
use server::realtime::hub::{Hub, Outbound};

fn fan_out(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let _entered = runtime.enter();
    let mut group = c.benchmark_group("hub_broadcast");
    for sockets in [1_000u64, 10_000] {
        let hub = Hub::new(256, Arc::default());
        // One user per socket, as in the load tool's broadcast scenario.
        let mut queues: Vec<_> = (0..sockets as i64)
            .map(|n| {
                hub.register(UserId::new(n), Role::Jobseeker, SessionId::new(n))
                    .1
            })
            .collect();
        let frame = Outbound::new(&ServerFrame::Pong, None);
        group.throughput(Throughput::Elements(sockets));
        group.bench_with_input(BenchmarkId::from_parameter(sockets), &sockets, |b, _| {
            b.iter(|| {
                hub.broadcast(frame.clone());
                // Empty the queues, as the sockets would, so none fills up and closes.
                for queue in &mut queues {
                    let _ = queue.try_recv();
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, fan_out);
criterion_main!(benches);
