//! One module per page.

mod admin;
mod home;
mod login;
mod not_found;
mod notifications;
mod realtime_test;
mod register;

pub use admin::AdminPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use notifications::NotificationsPage;
pub use realtime_test::RealtimeTestPage;
pub use register::RegisterPage;
