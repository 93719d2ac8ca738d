//! One module per page.

mod admin;
mod applications;
mod employer;
mod jobs;
mod lazy;
mod login;
mod messages;
mod not_found;
mod notifications;
mod profile;
mod realtime_test;
mod register;
mod sessions;
pub(crate) mod settings;

pub use admin::AdminPage;
pub use applications::MyApplicationsPage;
pub use employer::{ApplicationPage, EditJobPage, EmployerApplicationsPage, EmployerJobsPage};
pub use jobs::{HomePage, JobPage};
pub use lazy::*;
pub use login::LoginPage;
pub use messages::{ConversationPage, MessagesPage};
pub use not_found::NotFound;
pub use notifications::NotificationsPage;
pub use profile::ProfilePage;
pub use realtime_test::RealtimeTestPage;
pub use register::RegisterPage;
pub use sessions::SessionsPage;
pub use settings::NotificationSettingsPage;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What may stand unencoded in one component of a URL (a path segment, a query value): RFC 3986's
/// unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `raw`, percent-encoded to stand in one component of a URL.
fn encode_component(raw: &str) -> String {
    utf8_percent_encode(raw, COMPONENT).to_string()
}

/// The id in the route parameter `name` of the current page; `None` when it is missing or not a
/// number, and the page shows "not found" without asking the server.
fn route_id<Id: std::str::FromStr>(
    name: &'static str,
) -> impl Fn() -> Option<Id> + Copy + Send + Sync + 'static {
    use leptos::prelude::*;
    let params = leptos_router::hooks::use_params_map();
    move || params.read().get(name).and_then(|id| id.parse().ok())
}

/// Who may open a page. Checked while the server renders it: a signed-out visitor is sent to
/// sign in (and brought back here after), someone of another role to their own home. The page's
/// server functions refuse them too, so a page reached by client-side navigation is no way in.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "ssr"), allow(dead_code))] // only the server checks it
pub(crate) enum Audience {
    SignedIn,
    Only(crate::model::Role),
}

pub(crate) fn require(audience: Audience) {
    #[cfg(feature = "ssr")]
    {
        use crate::model::Role;
        use leptos::prelude::use_context;

        let here = use_context::<http::request::Parts>()
            .map(|parts| parts.uri.path().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        match (crate::ssr::session::signed_in(), audience) {
            (None, _) => {
                // Slashes stay readable; anything else that could end the query is encoded.
                const PATH_IN_QUERY: &AsciiSet = &COMPONENT.remove(b'/');
                let next = utf8_percent_encode(&here, PATH_IN_QUERY);
                leptos_axum::redirect(&format!("/login?next={next}"))
            }
            (Some(signed_in), Audience::Only(role))
                if signed_in.user.role != role && signed_in.user.role != Role::Admin =>
            {
                leptos_axum::redirect(signed_in.user.role.home())
            }
            _ => {}
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = audience;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_component_keeps_only_unreserved_characters_as_they_are() {
        assert_eq!(encode_component("Rust-dev_1.0~"), "Rust-dev_1.0~");
        assert_eq!(
            encode_component("a b/c&d=e?f#g%ü"),
            "a%20b%2Fc%26d%3De%3Ff%23g%25%C3%BC"
        );
    }
}
