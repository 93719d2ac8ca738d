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
//! Keys are parsed user names (at most 32 characters) and IP addresses, and each count keeps a
//! bounded number of keys, so memory stays bounded whatever is sent.
//!
//! The counts live in this process: with several instances, each counts on its own.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::rate_limit::SlidingWindow;
use crate::model::Username;

/// How many keys each count remembers at most.
const MAX_TRACKED: usize = 50_000;

pub struct LoginGuard {
    per_account_and_client: SlidingWindow<(String, Option<IpAddr>)>,
    per_client: SlidingWindow<IpAddr>,
    per_account: SlidingWindow<String>,
}

impl LoginGuard {
    pub fn new(max_failures: usize, window: Duration) -> Self {
        let max_failures = max_failures.max(1);
        Self {
            per_account_and_client: SlidingWindow::new(max_failures, window, MAX_TRACKED),
            per_client: SlidingWindow::new(max_failures * 5, window, MAX_TRACKED),
            per_account: SlidingWindow::new(max_failures * 10, window, MAX_TRACKED),
        }
    }

    /// `Err(wait)` while sign-ins to `account` from `client` are refused.
    pub fn check(
        &self,
        account: &Username,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), Duration> {
        let account = key(account);
        let waits = [
            self.per_account_and_client
                .check(&(account.clone(), client), now),
            client.map_or(Ok(()), |client| self.per_client.check(&client, now)),
            self.per_account.check(&account, now),
        ];
        match waits.into_iter().filter_map(Result::err).max() {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn failed(&self, account: &Username, client: Option<IpAddr>, now: Instant) {
        let account = key(account);
        self.per_account_and_client
            .record(&(account.clone(), client), now);
        if let Some(client) = client {
            self.per_client.record(&client, now);
        }
        self.per_account.record(&account, now);
    }

    /// The owner got in from `client`: their own mistakes there are forgotten. The other counts
    /// stay, so a success does not reset what a guesser elsewhere has used up.
    pub fn succeeded(&self, account: &Username, client: Option<IpAddr>) {
        self.per_account_and_client.forget(&(key(account), client));
    }
}

fn key(account: &Username) -> String {
    account.as_str().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(raw: &str) -> Username {
        Username::parse("username", raw).unwrap()
    }

    fn address(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn an_account_locks_for_the_guessing_address_and_opens_when_the_window_passes() {
        let guard = LoginGuard::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(guard.check(&name("Ada"), address(1), start).is_ok());
            guard.failed(&name("ada"), address(1), start);
        }
        let wait = guard
            .check(&name("ADA"), address(1), start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(guard.check(&name("grace"), address(1), start).is_ok());
        assert!(guard
            .check(&name("ada"), address(1), start + Duration::from_secs(61))
            .is_ok());
    }

    #[test]
    fn a_guesser_cannot_lock_the_owner_out_from_another_address() {
        let guard = LoginGuard::new(3, Duration::from_secs(60));
        let now = Instant::now();
        for _ in 0..10 {
            guard.failed(&name("ada"), address(66), now);
        }
        assert!(guard.check(&name("ada"), address(66), now).is_err());
        assert!(guard.check(&name("ada"), address(1), now).is_ok());
    }

    #[test]
    fn one_address_trying_many_accounts_is_stopped() {
        let guard = LoginGuard::new(3, Duration::from_secs(60));
        let now = Instant::now();
        for n in 0..15 {
            guard.failed(&name(&format!("user{n}")), address(66), now);
        }
        assert!(guard.check(&name("someone"), address(66), now).is_err());
        assert!(guard.check(&name("someone"), address(1), now).is_ok());
    }

    #[test]
    fn many_addresses_guessing_one_account_slow_it_down_for_everyone() {
        let guard = LoginGuard::new(3, Duration::from_secs(60));
        let now = Instant::now();
        for n in 0..30 {
            guard.failed(&name("ada"), address(n), now);
        }
        assert!(guard.check(&name("ada"), address(200), now).is_err());
    }

    #[test]
    fn a_success_forgets_the_owners_own_failures() {
        let guard = LoginGuard::new(2, Duration::from_secs(60));
        let now = Instant::now();
        guard.failed(&name("ada"), address(1), now);
        guard.succeeded(&name("ada"), address(1));
        guard.failed(&name("ada"), address(1), now);
        assert!(guard.check(&name("ada"), address(1), now).is_ok());
    }
}
