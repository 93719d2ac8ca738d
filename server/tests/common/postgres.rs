//! PostgreSQL for the tests that run on it: the server named by `HERALD_TEST_POSTGRES_URL`, and a
//! fresh schema on it per test.
//!
//! Unset, the PostgreSQL tests skip, saying so loudly. Set, the server must answer: a test meant
//! for PostgreSQL fails rather than passing without it, so a CI that sets the variable cannot go
//! green on a server that never started.

use std::env::VarError;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Executor, PgConnection};

pub const URL_VARIABLE: &str = "HERALD_TEST_POSTGRES_URL";

/// The test server's URL, e.g. `postgres://postgres@127.0.0.1:5432/test`, or `None` when
/// `HERALD_TEST_POSTGRES_URL` is not set (after a `SKIPPED` line naming `test`). Panics if it is
/// set but empty, or the server cannot be reached.
pub async fn postgres_url(test: &str) -> Option<String> {
    let url = match std::env::var(URL_VARIABLE) {
        Ok(url) => url,
        Err(VarError::NotPresent) => {
            // Straight to stderr, not eprintln!: the test harness swallows what a passing test
            // prints with the macros, and a skip nobody sees is a pass nobody earned.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {URL_VARIABLE} is not set; {test} did not run on PostgreSQL"
            );
            return None;
        }
        Err(VarError::NotUnicode(_)) => panic!("{URL_VARIABLE} is not valid UTF-8"),
    };
    assert!(
        !url.trim().is_empty(),
        "{URL_VARIABLE} is set but empty: unset it to skip the PostgreSQL tests"
    );
    // The URL is not printed: it may hold a password.
    let conn = PgConnection::connect(&url).await.unwrap_or_else(|err| {
        panic!("{URL_VARIABLE} is set, but its PostgreSQL server cannot be reached: {err}")
    });
    let _ = conn.close().await;
    Some(url)
}

/// A fresh schema on the test server for `test`, or `None` if PostgreSQL tests are skipped.
pub async fn fresh_schema(test: &str) -> Option<Schema> {
    let url = postgres_url(test).await?;
    Some(Schema::create(&url).await)
}

/// An empty schema of its own, dropped with everything in it when this is dropped (even when
/// the test panics). `url` opens connections whose search path is this schema alone, so a store
/// given it creates and finds its tables there, and tests never see each other's rows.
pub struct Schema {
    pub name: String,
    pub url: String,
    server_url: String,
}

impl Schema {
    pub async fn create(server_url: &str) -> Schema {
        // The process id and a counter keep names apart within this machine, the time across
        // machines sharing the server. Lower-case letters, digits and `_` need no quoting.
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_nanos();
        let name = format!(
            "herald_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect(server_url)
            .await
            .expect("a connection to the PostgreSQL test server");
        conn.execute(format!("CREATE SCHEMA {name}").as_str())
            .await
            .expect("a new schema");
        let _ = conn.close().await;
        let url = with_search_path(server_url, &name);
        let schema = Schema {
            name,
            url,
            server_url: server_url.to_owned(),
        };
        // sqlx passes `options` to the server as libpq does; check the schema does come first
        // rather than let a store fill `public` unnoticed.
        let mut conn = PgConnection::connect(&schema.url)
            .await
            .expect("a connection with the schema's search path");
        let current: Option<String> = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&mut conn)
            .await
            .expect("the current schema");
        assert_eq!(current.as_deref(), Some(schema.name.as_str()));
        let _ = conn.close().await;
        schema
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be unwinding: a thread with a runtime of
        // its own drops the schema, and a failure is reported, not raised (a panic while
        // unwinding would abort every test of the binary).
        let server_url = self.server_url.clone();
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|err| err.to_string())?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&server_url)
                    .await
                    .map_err(|err| err.to_string())?;
                conn.execute(sql.as_str())
                    .await
                    .map_err(|err| err.to_string())?;
                let _ = conn.close().await;
                Ok::<(), String>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(err)) => eprintln!("could not drop test schema {}: {err}", self.name),
            Err(_) => eprintln!(
                "could not drop test schema {}: the thread panicked",
                self.name
            ),
        }
    }
}

/// `url` with `schema` as the whole search path of its connections, kept beside any parameters
/// it has (sqlx appends a second `options` to the first).
pub fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}
