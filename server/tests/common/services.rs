//! The real Redis and PostgreSQL some suites run against, named by `HERALD_TEST_REDIS_URL` and
//! `HERALD_TEST_POSTGRES_URL`. Unset, those suites skip loudly; set, they must reach the service
//! or fail: CI sets both.

/// The test Redis's URL, or `None` (after saying so on stderr) if none is configured.
pub fn redis_url() -> Option<String> {
    configured("HERALD_TEST_REDIS_URL")
}

/// The test PostgreSQL's URL, or `None` (after saying so on stderr) if none is configured.
pub fn postgres_url() -> Option<String> {
    configured("HERALD_TEST_POSTGRES_URL")
}

fn configured(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("SKIPPED: {variable} is not set; this test needs that service");
            None
        }
    }
}

/// A name no other test run uses, for a broker channel or a schema.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{:x}",
        std::process::id(),
        rand::random::<u32>()
    )
}
