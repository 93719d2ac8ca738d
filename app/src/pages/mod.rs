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
