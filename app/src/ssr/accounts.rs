//! Sign-up and sign-in. Passwords are hashed with argon2id off the async runtime, a bounded
//! number at a time.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Semaphore;

use crate::model::{FieldError, Password, Role, User, Username};

use super::device::Device;
use super::limits::Limits;
use super::login_guard::{Client, LoginGuard};
use super::store::{Store, StoreError, Unique};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("that username is already taken")]
    UsernameTaken,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {} minute(s)", .0.as_secs().div_ceil(60).max(1))]
    TooManyAttempts(Duration),
    #[error("too many sign-ups from your address; try again later")]
    TooManySignUps(Duration),
    #[error("too many sign-ins are being checked right now; try again in a moment")]
    Busy,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(Unique::Username) => AccountError::UsernameTaken,
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
    let hash = password_work(move || password_auth::generate_hash(password.as_str())).await?;
    Ok(store.create_user(username.as_str(), &hash, role).await?)
}

/// Creates an account for someone signing up themselves: at most so many per client address
/// (see [`Limits::sign_ups`]), counted across every instance.
pub async fn sign_up(
    store: &dyn Store,
    limits: &Limits,
    client: Option<IpAddr>,
    username: &str,
    password: &str,
    role: Role,
) -> Result<User, AccountError> {
    if let Some(client) = client {
        limits
            .sign_ups
            .hit(&client.to_string(), OffsetDateTime::now_utc())
            .await?
            .map_err(AccountError::TooManySignUps)?;
    }
    register(store, username, password, role).await
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
        Some(found) => (Some(found.user), Some(found.password_hash)),
        None => (None, None),
    };
    let verified = password_work(move || {
        let hash = hash.as_deref().unwrap_or_else(|| dummy_hash());
        password_auth::verify_password(password, hash).is_ok()
    })
    .await?;
    match user {
        Some(user) if verified => Ok(user),
        _ => Err(AccountError::BadCredentials),
    }
}

/// Signs in through the [`LoginGuard`]: an account with too many recent failures from this
/// client is refused before its password is even checked. A browser holding a `device` this
/// account trusts (it signed in here before) is judged on its own failures alone; anyone else by
/// their address. A name that no account could have is refused at once, and never counted. If
/// the guard's storage fails, so does the sign-in (`AccountError::Store`): no attempt goes
/// uncounted.
pub async fn sign_in(
    store: &dyn Store,
    guard: &LoginGuard,
    address: Option<IpAddr>,
    device: Option<&Device>,
    username: &str,
    password: &str,
) -> Result<User, AccountError> {
    let Ok(account) = Username::parse("username", username) else {
        return Err(AccountError::BadCredentials);
    };
    let now = OffsetDateTime::now_utc();
    let client = client_of(store, &account, address, device, now).await?;
    if let Err(wait) = guard.check(&account, &client, now).await? {
        return Err(AccountError::TooManyAttempts(wait));
    }
    match authenticate(store, account.as_str(), password).await {
        Ok(user) => {
            guard.succeeded(&account, &client).await?;
            Ok(user)
        }
        Err(AccountError::BadCredentials) => {
            guard.failed(&account, &client, now).await?;
            Err(AccountError::BadCredentials)
        }
        Err(other) => Err(other),
    }
}

/// Who the guard should see: a trusted device when `device` signed in to `account` before, a
/// stranger at `address` otherwise.
async fn client_of(
    store: &dyn Store,
    account: &Username,
    address: Option<IpAddr>,
    device: Option<&Device>,
    now: OffsetDateTime,
) -> Result<Client, AccountError> {
    if let Some(device) = device {
        if let Some(found) = store.credentials(account.as_str()).await? {
            if device.is_trusted_by(store, found.user.id, now).await? {
                return Ok(Client::TrustedDevice(device.hash()));
            }
        }
    }
    Ok(Client::Stranger(address))
}

/// Runs a password hash or check on the blocking pool, at most one per core at a time.
///
/// Each argon2 run holds about 19 MiB and tens of milliseconds of a core: run without a bound,
/// 200 concurrent wrong passwords took the server past 2 GiB. A few more may wait their turn;
/// beyond that the request is refused at once as [`AccountError::Busy`] (503), before any work.
async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AccountError> {
    struct Limits {
        admitted: Semaphore,
        running: Semaphore,
    }
    static LIMITS: OnceLock<Limits> = OnceLock::new();
    let limits = LIMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            admitted: Semaphore::new(cores * 16),
            running: Semaphore::new(cores),
        }
    });
    let _admitted = limits
        .admitted
        .try_acquire()
        .map_err(|_| AccountError::Busy)?;
    let _running = limits
        .running
        .acquire()
        .await
        .map_err(|_| AccountError::Busy)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AccountError::Busy)
}

/// A hash to check unknown names against, so they take as long as known ones. Made on first use,
/// inside [`password_work`], never on the async runtime.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password_auth::generate_hash("not anyone's password"))
}
