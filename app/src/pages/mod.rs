//! One module per page.

mod admin;
mod employer;
mod jobs;
mod login;
mod messages;
mod not_found;
mod notifications;
mod profile;
mod realtime_test;
mod register;

pub use admin::AdminPage;
pub use employer::{ApplicationPage, EditJobPage, EmployerApplicationsPage, EmployerJobsPage};
pub use jobs::{HomePage, JobPage};
pub use login::LoginPage;
pub use messages::{ConversationPage, MessagesPage};
pub use not_found::NotFound;
pub use notifications::NotificationsPage;
pub use profile::ProfilePage;
pub use realtime_test::RealtimeTestPage;
pub use register::RegisterPage;

/// The numeric route parameter `name` of the current page (0 when missing or not a number,
/// which no row has, so the page shows "not found").
fn route_id(name: &'static str) -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    use leptos::prelude::*;
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get(name)
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    }
}
