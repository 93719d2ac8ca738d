//! Sign-up and sign-in. Passwords are hashed with argon2id off the async runtime.

use crate::model::{FieldError, Password, Role, User, Username};

use super::login_guard::LoginGuard;
use super::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("that username is already taken")]
    UsernameTaken,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {0} minute(s)")]
    TooManyAttempts(u64),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(_) => AccountError::UsernameTaken,
            other => AccountError::Store(other),
        }
    }
}

/// Creates an account after checking the name and password.
pub async fn register(
    store: &dyn Store,
    username: &str,
    password: &str,
    role: Role,
) -> Result<User, AccountError> {
    let username = Username::parse("username", username)?;
    let password = Password::parse("password", password)?;
    let hash = hash_password(password).await;
    Ok(store.create_user(username.as_str(), &hash, role).await?)
}

/// Checks a user name and password. Unknown names cost as much time as wrong passwords, so the
/// answer's timing does not tell which names exist.
pub async fn authenticate(
    store: &dyn Store,
    username: &str,
    password: &str,
) -> Result<User, AccountError> {
    let credentials = store.credentials(username.trim()).await?;
    let password = password.to_owned();
    let (user, hash) = match credentials {
        Some(found) => (Some(found.user), found.password_hash),
        None => (None, dummy_hash().to_owned()),
    };
    let verified = tokio::task::spawn_blocking(move || {
        password_auth::verify_password(password, &hash).is_ok()
    })
    .await
    .unwrap_or(false);
    match user {
        Some(user) if verified => Ok(user),
        _ => Err(AccountError::BadCredentials),
    }
}

/// Signs in through the [`LoginGuard`]: an account with too many recent failures is refused
/// before its password is even checked.
pub async fn sign_in(
    store: &dyn Store,
    guard: &LoginGuard,
    username: &str,
    password: &str,
) -> Result<User, AccountError> {
    let now = std::time::Instant::now();
    if let Err(wait) = guard.check(username, now) {
        return Err(AccountError::TooManyAttempts(
            wait.as_secs().div_ceil(60).max(1),
        ));
    }
    match authenticate(store, username, password).await {
        Ok(user) => {
            guard.succeeded(username);
            Ok(user)
        }
        Err(AccountError::BadCredentials) => {
            guard.failed(username, now);
            Err(AccountError::BadCredentials)
        }
        Err(other) => Err(other),
    }
}

async fn hash_password(password: Password) -> String {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password.as_str()))
        .await
        .expect("hashing a password does not panic")
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password_auth::generate_hash("not anyone's password"))
}
