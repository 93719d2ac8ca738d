//! Slows down password guessing without handing anyone a way to lock a victim out.
//!
//! A stranger (any client but a trusted device, below) is held to three counts of failed
//! sign-ins, each within the same window:
//! - per account *and* client address (`max_failures`, 10 by default): the guesser at one address
//!   is stopped; the account's owner, elsewhere, still signs in;
//! - per client address, over all accounts (5 × `max_failures`): one address cannot try a few
//!   passwords on many accounts;
//! - per account, over all addresses (10 × `max_failures`): a guesser spread over many addresses
//!   is slowed down too, whatever addresses they have.
//!
//! The last count alone would let strangers lock the owner out: a hundred wrong passwords from
//! ten addresses would close the account to everyone. So a **trusted device**, a browser that
//! signed in to this account with its password within the last 90 days (it holds the device
//! cookie of [`device`](super::device)), is not held to those three: it has a budget of its own
//! (`max_failures` per account and device), which only its own mistakes use up. The trade-off:
//! while an account is under a spread-out attack, its owner gets in from the browsers they used
//! before, and not from a new one until the window passes.
//!
//! The counts are [`RateLimit`]s in the database, so they hold across every instance that shares
//! it: failures on different instances add up to one lockout. Keys are lower-cased parsed user
//! names (at most 32 ASCII characters), IP addresses and a prefix of a device's hash. A database
//! that cannot answer refuses the sign-in (503) rather than let an attempt through uncounted.

use std::net::IpAddr;
use std::time::Duration;

use time::OffsetDateTime;

use super::rate_limit::RateLimit;
use super::store::{DynStore, StoreResult};
use crate::model::Username;

/// Who is signing in, as far as the guard can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Client {
    /// A browser that signed in to this account before: the hash of its device cookie.
    TrustedDevice(String),
    /// Anyone else, known by their address (none when it is not known).
    Stranger(Option<IpAddr>),
}

pub struct LoginGuard {
    per_account_and_device: RateLimit,
    per_account_and_client: RateLimit,
    per_client: RateLimit,
    per_account: RateLimit,
}

impl LoginGuard {
    pub fn new(store: DynStore, max_failures: usize, window: Duration) -> Self {
        let max_failures = max_failures.max(1);
        Self {
            per_account_and_device: RateLimit::new(
                store.clone(),
                "login:account+device",
                max_failures,
                window,
            ),
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
        client: &Client,
        now: OffsetDateTime,
    ) -> StoreResult<Result<(), Duration>> {
        let account = account_key(account);
        let address = match client {
            Client::TrustedDevice(device) => {
                let key = account_and_device_key(&account, device);
                return self.per_account_and_device.check(&key, now).await;
            }
            Client::Stranger(address) => *address,
        };
        let mut waits = vec![
            self.per_account_and_client
                .check(&account_and_client_key(&account, address), now)
                .await?,
            self.per_account.check(&account, now).await?,
        ];
        if let Some(address) = address {
            waits.push(self.per_client.check(&address.to_string(), now).await?);
        }
        Ok(match waits.into_iter().filter_map(Result::err).max() {
            Some(wait) => Err(wait),
            None => Ok(()),
        })
    }

    /// Counts a wrong password for `account` from `client`. A trusted device's own mistakes
    /// count against it alone.
    pub async fn failed(
        &self,
        account: &Username,
        client: &Client,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let account = account_key(account);
        let address = match client {
            Client::TrustedDevice(device) => {
                let key = account_and_device_key(&account, device);
                return self.per_account_and_device.record(&key, now).await;
            }
            Client::Stranger(address) => *address,
        };
        self.per_account_and_client
            .record(&account_and_client_key(&account, address), now)
            .await?;
        if let Some(address) = address {
            self.per_client.record(&address.to_string(), now).await?;
        }
        self.per_account.record(&account, now).await
    }

    /// The owner got in from `client`: their own mistakes there are forgotten. The other counts
    /// stay, so a success does not reset what a guesser elsewhere has used up.
    pub async fn succeeded(&self, account: &Username, client: &Client) -> StoreResult<()> {
        let account = account_key(account);
        match client {
            Client::TrustedDevice(device) => {
                let key = account_and_device_key(&account, device);
                self.per_account_and_device.forget(&key).await
            }
            Client::Stranger(address) => {
                let key = account_and_client_key(&account, *address);
                self.per_account_and_client.forget(&key).await
            }
        }
    }
}

/// User names are unique whatever their case, so their counts are too.
fn account_key(account: &Username) -> String {
    account.as_str().to_lowercase()
}

/// A device by the first 32 digits of its hash: enough to tell devices apart, and the key stays
/// short.
fn account_and_device_key(account: &str, device_hash: &str) -> String {
    let prefix = device_hash.get(..32).unwrap_or(device_hash);
    format!("{account}|{prefix}")
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

    fn address(last: u8) -> Client {
        Client::Stranger(Some(IpAddr::from([10, 0, 0, last])))
    }

    fn device(n: u8) -> Client {
        Client::TrustedDevice(format!("{n:02x}").repeat(32))
    }

    async fn guard(max_failures: usize) -> LoginGuard {
        LoginGuard::new(memory_store().await, max_failures, Duration::from_secs(60))
    }

    async fn is_open(guard: &LoginGuard, account: &str, client: u8, now: OffsetDateTime) -> bool {
        guard
            .check(&name(account), &address(client), now)
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
            guard
                .failed(&name("ada"), &address(1), start)
                .await
                .unwrap();
        }
        let wait = guard
            .check(&name("ADA"), &address(1), start + Duration::from_secs(10))
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
            guard.failed(&name("ada"), &address(66), now).await.unwrap();
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
            guard.failed(&account, &address(66), now).await.unwrap();
        }
        assert!(!is_open(&guard, "someone", 66, now).await);
        assert!(is_open(&guard, "someone", 1, now).await);
    }

    #[tokio::test]
    async fn many_addresses_guessing_one_account_slow_it_down_for_everyone() {
        let guard = guard(3).await;
        let now = start();
        for n in 0..30 {
            guard.failed(&name("ada"), &address(n), now).await.unwrap();
        }
        assert!(!is_open(&guard, "ada", 200, now).await);
    }

    #[tokio::test]
    async fn a_success_forgets_the_owners_own_failures() {
        let guard = guard(2).await;
        let now = start();
        guard.failed(&name("ada"), &address(1), now).await.unwrap();
        guard.succeeded(&name("ada"), &address(1)).await.unwrap();
        guard.failed(&name("ada"), &address(1), now).await.unwrap();
        assert!(is_open(&guard, "ada", 1, now).await);
    }

    #[tokio::test]
    async fn guards_on_one_database_count_each_others_failures() {
        let store = memory_store().await;
        let first = LoginGuard::new(store.clone(), 3, Duration::from_secs(60));
        let second = LoginGuard::new(store, 3, Duration::from_secs(60));
        let now = start();
        first.failed(&name("ada"), &address(1), now).await.unwrap();
        second.failed(&name("ada"), &address(1), now).await.unwrap();
        assert!(is_open(&first, "ada", 1, now).await);
        first.failed(&name("ada"), &address(1), now).await.unwrap();
        assert!(!is_open(&second, "ada", 1, now).await);
    }

    /// What the probe did: ten wrong passwords from each of eleven addresses.
    async fn spread_out_guessing(guard: &LoginGuard, account: &str, now: OffsetDateTime) {
        for n in 0..11 {
            for _ in 0..10 {
                guard
                    .failed(&name(account), &address(n), now)
                    .await
                    .unwrap();
            }
        }
    }

    #[tokio::test]
    async fn strangers_guessing_from_many_addresses_cannot_lock_the_owner_out_of_a_browser_they_used_before(
    ) {
        let guard = guard(10).await;
        let now = start();
        spread_out_guessing(&guard, "admin", now).await;
        let owner = guard.check(&name("admin"), &device(1), now).await.unwrap();
        assert_eq!(owner, Ok(()));
    }

    #[tokio::test]
    async fn strangers_guessing_from_many_addresses_are_still_stopped_at_a_new_address() {
        let guard = guard(10).await;
        let now = start();
        spread_out_guessing(&guard, "admin", now).await;
        assert!(!is_open(&guard, "admin", 200, now).await);
    }

    #[tokio::test]
    async fn a_trusted_device_that_keeps_getting_the_password_wrong_is_stopped_by_its_own_budget() {
        let guard = guard(3).await;
        let now = start();
        for _ in 0..3 {
            guard.failed(&name("ada"), &device(1), now).await.unwrap();
        }
        assert!(guard
            .check(&name("ada"), &device(1), now)
            .await
            .unwrap()
            .is_err());
        // Its mistakes are its own: another device of the owner's, and strangers, are untouched.
        assert!(guard
            .check(&name("ada"), &device(2), now)
            .await
            .unwrap()
            .is_ok());
        assert!(is_open(&guard, "ada", 1, now).await);
    }
}
