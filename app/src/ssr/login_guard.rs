//! Slows down password guessing without handing anyone a way to lock a victim out.
//!
//! Three counts of failed sign-ins, each within the same window:
//! - per account *and* client address (`max_failures`, 10 by default): the guesser at one address
//!   is stopped; the account's owner, elsewhere, still signs in;
//! - per client address, over all accounts (5 × `max_failures`): one address cannot try a few
//!   passwords on many accounts;
//! - per account, over all addresses (10 × `max_failures`): a guesser spread over many addresses
//!   is slowed down too. Only this count can lock out the owner, and reaching it takes many
//!   addresses.
//!
//! The counts are [`RateLimit`]s in the database, so they hold across every instance that shares
//! it: failures on different instances add up to one lockout. Keys are lower-cased parsed user
//! names (at most 32 ASCII characters) and IP addresses. A database that cannot answer refuses
//! the sign-in (503) rather than let an attempt through uncounted.

use std::net::IpAddr;
use std::time::Duration;

use time::OffsetDateTime;

use super::rate_limit::RateLimit;
use super::store::{DynStore, StoreResult};
use crate::model::Username;

pub struct LoginGuard {
    per_account_and_client: RateLimit,
    per_client: RateLimit,
    per_account: RateLimit,
}

impl LoginGuard {
    pub fn new(store: DynStore, max_failures: usize, window: Duration) -> Self {
        let max_failures = max_failures.max(1);
        Self {
            per_account_and_client: RateLimit::new(
                store.clone(),
                "login:account+client",
                max_failures,
                window,
            ),
            per_client: RateLimit::new(store.clone(), "login:client", max_failures * 5, window),
            per_account: RateLimit::new(store, "login:account", max_failures * 10, window),
        }
    }

    /// `Ok(Err(wait))` while sign-ins to `account` from `client` are refused.
    pub async fn check(
        &self,
        account: &Username,
        client: Option<IpAddr>,
        now: OffsetDateTime,
    ) -> StoreResult<Result<(), Duration>> {
        let account = account_key(account);
        let mut waits = vec![
            self.per_account_and_client
                .check(&account_and_client_key(&account, client), now)
                .await?,
            self.per_account.check(&account, now).await?,
        ];
        if let Some(client) = client {
            waits.push(self.per_client.check(&client.to_string(), now).await?);
        }
        Ok(match waits.into_iter().filter_map(Result::err).max() {
            Some(wait) => Err(wait),
            None => Ok(()),
        })
    }

    pub async fn failed(
        &self,
        account: &Username,
        client: Option<IpAddr>,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let account = account_key(account);
        self.per_account_and_client
            .record(&account_and_client_key(&account, client), now)
            .await?;
        if let Some(client) = client {
            self.per_client.record(&client.to_string(), now).await?;
        }
        self.per_account.record(&account, now).await
    }

    /// The owner got in from `client`: their own mistakes there are forgotten. The other counts
    /// stay, so a success does not reset what a guesser elsewhere has used up.
    pub async fn succeeded(&self, account: &Username, client: Option<IpAddr>) -> StoreResult<()> {
        let key = account_and_client_key(&account_key(account), client);
        self.per_account_and_client.forget(&key).await
    }
}

/// User names are unique whatever their case, so their counts are too.
fn account_key(account: &Username) -> String {
    account.as_str().to_lowercase()
}

/// A client whose address is unknown is counted as one client, "unknown".
fn account_and_client_key(account: &str, client: Option<IpAddr>) -> String {
    match client {
        Some(client) => format!("{account}|{client}"),
        None => format!("{account}|unknown"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::rate_limit::tests::{memory_store, start};

    fn name(raw: &str) -> Username {
        Username::parse("username", raw).unwrap()
    }

    fn address(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    async fn guard(max_failures: usize) -> LoginGuard {
        LoginGuard::new(memory_store().await, max_failures, Duration::from_secs(60))
    }

    async fn is_open(guard: &LoginGuard, account: &str, client: u8, now: OffsetDateTime) -> bool {
        guard
            .check(&name(account), address(client), now)
            .await
            .unwrap()
            .is_ok()
    }

    #[tokio::test]
    async fn an_account_locks_for_the_guessing_address_and_opens_when_the_window_passes() {
        let guard = guard(3).await;
        let start = start();
        for _ in 0..3 {
            assert!(is_open(&guard, "Ada", 1, start).await);
            guard.failed(&name("ada"), address(1), start).await.unwrap();
        }
        let wait = guard
            .check(&name("ADA"), address(1), start + Duration::from_secs(10))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(is_open(&guard, "grace", 1, start).await);
        assert!(is_open(&guard, "ada", 1, start + Duration::from_secs(61)).await);
    }

    #[tokio::test]
    async fn a_guesser_cannot_lock_the_owner_out_from_another_address() {
        let guard = guard(3).await;
        let now = start();
        for _ in 0..10 {
            guard.failed(&name("ada"), address(66), now).await.unwrap();
        }
        assert!(!is_open(&guard, "ada", 66, now).await);
        assert!(is_open(&guard, "ada", 1, now).await);
    }

    #[tokio::test]
    async fn one_address_trying_many_accounts_is_stopped() {
        let guard = guard(3).await;
        let now = start();
        for n in 0..15 {
            let account = name(&format!("user{n}"));
            guard.failed(&account, address(66), now).await.unwrap();
        }
        assert!(!is_open(&guard, "someone", 66, now).await);
        assert!(is_open(&guard, "someone", 1, now).await);
    }

    #[tokio::test]
    async fn many_addresses_guessing_one_account_slow_it_down_for_everyone() {
        let guard = guard(3).await;
        let now = start();
        for n in 0..30 {
            guard.failed(&name("ada"), address(n), now).await.unwrap();
        }
        assert!(!is_open(&guard, "ada", 200, now).await);
    }

    #[tokio::test]
    async fn a_success_forgets_the_owners_own_failures() {
        let guard = guard(2).await;
        let now = start();
        guard.failed(&name("ada"), address(1), now).await.unwrap();
        guard.succeeded(&name("ada"), address(1)).await.unwrap();
        guard.failed(&name("ada"), address(1), now).await.unwrap();
        assert!(is_open(&guard, "ada", 1, now).await);
    }

    #[tokio::test]
    async fn guards_on_one_database_count_each_others_failures() {
        let store = memory_store().await;
        let first = LoginGuard::new(store.clone(), 3, Duration::from_secs(60));
        let second = LoginGuard::new(store, 3, Duration::from_secs(60));
        let now = start();
        first.failed(&name("ada"), address(1), now).await.unwrap();
        second.failed(&name("ada"), address(1), now).await.unwrap();
        assert!(is_open(&first, "ada", 1, now).await);
        first.failed(&name("ada"), address(1), now).await.unwrap();
        assert!(!is_open(&second, "ada", 1, now).await);
    }
}
