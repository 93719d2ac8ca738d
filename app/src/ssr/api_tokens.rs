//! API tokens, as requests that publish present them.
//!
//! A service that publishes sends its token with every request, and looking it up in the
//! database each time is a query per notification for an answer that does not change: tokens are
//! made by `herald create-token` and never edited. So a token found is remembered for a minute,
//! and one deleted from the database stops working within a minute. A token not found is not
//! remembered: made-up tokens cannot fill memory, and each costs a query, as before.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::store::{ApiTokenRecord, DynStore, StoreResult};

/// How long a token found is trusted without asking the database again.
pub const REMEMBERED_FOR: Duration = Duration::from_secs(60);
/// The most tokens remembered at once (a deployment has a handful).
const MAX_REMEMBERED: usize = 1_024;

pub struct ApiTokens {
    store: DynStore,
    /// By the token's hash: the token, and when it was found.
    remembered: Mutex<HashMap<String, (ApiTokenRecord, Instant)>>,
}

impl ApiTokens {
    pub fn new(store: DynStore) -> Self {
        Self {
            store,
            remembered: Mutex::default(),
        }
    }

    /// The token whose secret hashes to `token_hash`, if there is one.
    pub async fn find(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>> {
        if let Some(token) = self.recall(token_hash) {
            return Ok(Some(token));
        }
        let found = self.store.api_token(token_hash).await?;
        if let Some(token) = &found {
            self.remember(token_hash, token.clone());
        }
        Ok(found)
    }

    fn recall(&self, token_hash: &str) -> Option<ApiTokenRecord> {
        let remembered = self.lock();
        let (token, found_at) = remembered.get(token_hash)?;
        (found_at.elapsed() < REMEMBERED_FOR).then(|| token.clone())
    }

    fn remember(&self, token_hash: &str, token: ApiTokenRecord) {
        let mut remembered = self.lock();
        if remembered.len() >= MAX_REMEMBERED {
            remembered.retain(|_, (_, found_at)| found_at.elapsed() < REMEMBERED_FOR);
            if remembered.len() >= MAX_REMEMBERED {
                remembered.clear();
            }
        }
        remembered.insert(token_hash.to_owned(), (token, Instant::now()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (ApiTokenRecord, Instant)>> {
        self.remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::store;

    #[tokio::test]
    async fn a_token_found_is_remembered_and_a_made_up_one_is_not() {
        let store = store::connect("sqlite::memory:").await.unwrap();
        let made = store.create_api_token("ci", "hash-of-ci").await.unwrap();
        let tokens = ApiTokens::new(store);

        let found = tokens.find("hash-of-ci").await.unwrap();
        assert_eq!(found.map(|token| token.id), Some(made.id));
        assert_eq!(
            tokens.recall("hash-of-ci").map(|token| token.id),
            Some(made.id)
        );

        assert!(tokens.find("hash-of-nothing").await.unwrap().is_none());
        assert!(tokens.recall("hash-of-nothing").is_none());
        assert_eq!(tokens.lock().len(), 1);
    }
}
