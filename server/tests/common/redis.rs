//! Redis for the tests that run on it: the server named by `HERALD_TEST_REDIS_URL`.
//!
//! Unset, those tests skip, saying so loudly; set, the server must answer (a broker connecting
//! to it fails the test otherwise), so a CI that sets the variable cannot pass without Redis.

use std::env::VarError;
use std::io::Write;

pub const URL_VARIABLE: &str = "HERALD_TEST_REDIS_URL";

/// The test Redis's URL, e.g. `redis://127.0.0.1:6379`, or `None` when `HERALD_TEST_REDIS_URL`
/// is not set (after a `SKIPPED` line naming `test`).
pub fn redis_url(test: &str) -> Option<String> {
    match std::env::var(URL_VARIABLE) {
        Ok(url) => {
            assert!(
                !url.trim().is_empty(),
                "{URL_VARIABLE} is set but empty: unset it to skip the Redis tests"
            );
            Some(url)
        }
        Err(VarError::NotPresent) => {
            // Straight to stderr: the harness swallows what passing tests print with eprintln!.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {URL_VARIABLE} is not set; {test} did not run on Redis"
            );
            None
        }
        Err(VarError::NotUnicode(_)) => panic!("{URL_VARIABLE} is not valid UTF-8"),
    }
}

/// A broker channel no other test uses.
pub fn channel_name() -> String {
    format!(
        "herald_test_{}_{:x}",
        std::process::id(),
        rand::random::<u64>()
    )
}
