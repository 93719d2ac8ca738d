//! One module per page.

mod home;
mod login;
mod not_found;
mod notifications;
mod register;

pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use notifications::NotificationsPage;
pub use register::RegisterPage;
