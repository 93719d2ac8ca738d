//! Server-only domain code: storage, accounts and sessions. Compiled with the `ssr` feature
//! only, so none of it (nor sqlx) reaches the WASM build.

pub mod accounts;
pub mod announcements;
pub mod api_tokens;
pub mod board;
pub mod device;
pub mod events;
pub mod group_commit;
pub mod inbox;
pub mod limits;
pub mod log_throttle;
pub mod login_guard;
pub mod preferences;
pub mod rate_limit;
pub mod reach;
pub mod secret;
pub mod services;
pub mod session;
pub mod store;
pub mod supervisor;

pub use services::{services, Services};
