//! The store's hot paths, on SQLite and (when `HERALD_TEST_POSTGRES_URL` is set) PostgreSQL:
//! storing a notification, storing a batch, replaying what a reconnecting client missed, and
//! the unread count every publish sends.
//!
//! Each backend starts from 10,000 users with 10 notifications each (100,000 rows), so the
//! queries run against indexes of a realistic size rather than an empty table.

#[path = "../tests/common/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokio::runtime::Runtime;

use app::model::{MessageText, NotificationType, Role, Title, UserId};
use app::ssr::store::{self, DynStore, NewNotification};

const USERS: i64 = 10_000;
const PER_USER: usize = 10;

fn new_notification(user_id: UserId) -> NewNotification {
    NewNotification {
        user_id,
        title: Title::parse("title", "Your application was read").unwrap(),
        message: MessageText::parse("message", "Acme looked at it").unwrap(),
        notification_type: NotificationType::Application,
        link: None,
        group_key: None,
    }
}

/// Fills a store with users and notifications; answers the users' ids.
async fn fill(store: &DynStore) -> Vec<UserId> {
    let mut ids = Vec::with_capacity(USERS as usize);
    for n in 0..USERS {
        let user = store
            .create_user(&format!("bench{n}"), "not a real hash", Role::Jobseeker)
            .await
            .expect("a user");
        ids.push(user.id);
    }
    for chunk in ids.chunks(100) {
        let batch: Vec<_> = chunk
            .iter()
            .flat_map(|id| std::iter::repeat_n(*id, PER_USER))
            .map(new_notification)
            .collect();
        store.create_notifications(&batch).await.expect("stored");
    }
    ids
}

fn bench_backend(c: &mut Criterion, runtime: &Runtime, name: &str, store: DynStore) {
    let users = runtime.block_on(fill(&store));
    let user = users[0];
    let mut group = c.benchmark_group(format!("store_{name}"));
    group.bench_function("create_notification", |b| {
        b.to_async(runtime).iter(|| async {
            store
                .create_notification(&new_notification(user))
                .await
                .unwrap()
        })
    });
    let batch: Vec<_> = users[..100].iter().copied().map(new_notification).collect();
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("create_notifications_100", |b| {
        b.to_async(runtime)
            .iter(|| async { store.create_notifications(&batch).await.unwrap() })
    });
    group.throughput(Throughput::Elements(1));
    // A reconnect: the 10 notifications one user missed.
    let (away, counted) = (users[USERS as usize / 2], users[USERS as usize - 1]);
    group.bench_function("notifications_after_10", |b| {
        b.to_async(runtime)
            .iter(|| async { store.notifications_after(away, None, 10).await.unwrap() })
    });
    group.bench_function("unread_count", |b| {
        b.to_async(runtime)
            .iter(|| async { store.unread_count(counted).await.unwrap() })
    });
    group.finish();
}

fn backends(c: &mut Criterion) {
    let runtime = Runtime::new().expect("a runtime");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let sqlite_url = format!("sqlite://{}", folder.path().join("bench.db").display());
    let sqlite = runtime
        .block_on(store::connect(&sqlite_url))
        .expect("SQLite opens");
    bench_backend(c, &runtime, "sqlite", sqlite);

    let schema = runtime.block_on(postgres::fresh_schema("store benchmarks"));
    if let Some(schema) = &schema {
        let pg = runtime
            .block_on(store::connect(&schema.url))
            .expect("PostgreSQL opens");
        bench_backend(c, &runtime, "postgres", pg);
    }
    // Dropping the schema drops its rows.
    drop(schema);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = backends
}
criterion_main!(benches);
