//! Sign-up, sign-in and sign-out as Leptos server functions, used by the forms. They work with and
//! without JavaScript; the JSON API in `/api/auth/` offers the same to other programs.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::{
    GlobalNotification, GlobalNotificationId, Notification, NotificationId, Preferences, User,
};

/// Who is looking at the page, and what the page shows them at render time. The socket resumes
/// from the latest ids (from the first, when there were none yet), so nothing created between
/// the render and the connection is missed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user: User,
    pub unread_count: i64,
    pub latest_notification_id: Option<NotificationId>,
    pub latest_global_id: Option<GlobalNotificationId>,
    /// The live global notifications this user has not dismissed.
    pub banners: Vec<GlobalNotification>,
    /// The newest notifications of the inbox, newest first: what the bell's popover lists, so
    /// it opens without a round trip.
    pub recent: Vec<Notification>,
    /// Which alerts each type raises, applied to what arrives while the page is open.
    pub preferences: Preferences,
}

/// How many notifications the bell's popover lists when the page is rendered.
pub const POPOVER_SIZE: u32 = 8;

/// The viewer of the page at `path`. Opening a page is seeing it: the viewer's notifications
/// that link to `path` are marked read first, so the badge rendered with the page is already
/// right.
#[server]
pub async fn get_viewer(path: String) -> Result<Option<Viewer>, AppError> {
    use crate::ssr::store::NotificationQuery;
    use crate::ssr::{announcements, inbox, preferences, services, session};

    let Some(signed_in) = session::signed_in() else {
        return Ok(None);
    };
    let services = services()?;
    let store = &services.store;
    let user_id = signed_in.user.id;
    // Ids first: anything newer than them is replayed by the socket, so nothing falls between.
    let latest_notification_id = store.latest_notification_id(user_id).await?;
    let latest_global_id = store.latest_global_id().await?;
    let mut unread_count = store.unread_count(user_id).await?;
    // Only someone with unread notifications can have one for this page: everyone else's page
    // views write nothing.
    if unread_count > 0 && path.len() <= crate::model::Link::MAX_CHARS {
        if let Some(count) = inbox::seen_page(&services, user_id, &path).await? {
            unread_count = count;
        }
    }
    let banners = announcements::banners_for(&services, user_id, signed_in.user.role).await?;
    // Rendered in this page (or handed to it, on a client-side navigation): seen. The recorder
    // writes only what this instance has not recorded yet, in the background.
    services.reach.seen(user_id, banners.iter().map(|g| g.id));
    // After the marking above, so what the page just marked read shows read.
    let recent = store
        .list_notifications(NotificationQuery {
            user_id,
            unread_only: false,
            archived: false,
            before: None,
            limit: POPOVER_SIZE,
        })
        .await?;
    let preferences = preferences::of(&services, user_id).await?;
    Ok(Some(Viewer {
        user: signed_in.user,
        unread_count,
        latest_notification_id,
        latest_global_id,
        banners,
        recent,
        preferences,
    }))
}

#[server]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{accounts, services, session};

    let services = services()?;
    let user = accounts::sign_in(
        &*services.store,
        &services.login_guard,
        session::client_address(),
        request_device().as_ref(),
        &username,
        &password,
    )
    .await?;
    start_session(&services, user.id).await?;
    let next = next.filter(|next| !next.is_empty());
    leptos_axum::redirect(&match next {
        Some(next) => safe_next(Some(&next)),
        None => user.role.home().to_owned(),
    });
    Ok(())
}

#[server]
pub async fn register(username: String, password: String, role: String) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::ssr::{accounts, services, session};

    let services = services()?;
    let role = Role::parse_self_service("role", &role)?;
    let user = accounts::sign_up(
        &*services.store,
        &services.limits,
        session::client_address(),
        &username,
        &password,
        role,
    )
    .await?;
    start_session(&services, user.id).await?;
    leptos_axum::redirect(user.role.home());
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{services, session};

    let services = services()?;
    let token = use_context::<http::request::Parts>()
        .and_then(|parts| session::token_from_headers(&parts.headers));
    let cookie = session::end(&services, token.as_deref()).await?;
    session::set_cookie(cookie);
    leptos_axum::redirect("/login");
    Ok(())
}

/// Remembers that the signed-in user closed a banner.
#[server]
pub async fn dismiss_banner(id: GlobalNotificationId) -> Result<(), AppError> {
    use crate::ssr::{announcements, services, session};

    let user = session::require_user()?;
    match announcements::dismiss(&services()?, user.id, user.role, id).await? {
        true => Ok(()),
        false => Err(AppError::not_found("no such announcement")),
    }
}

/// Where to go after signing in: only a path on this site, so a crafted `next` cannot send the
/// user elsewhere. Browsers drop tabs and newlines from URLs (`/\t/evil.example` is
/// `//evil.example`, another host) and a control character cannot go in a `Location` header at
/// all, so a `next` with anything but visible ASCII leads home. Otherwise the path is resolved as a
/// browser resolves it (`\` is `/`, and `.`, `..`, `%2e` and `%2e%2e` segments are removed:
/// `/.//evil.example` is `//evil.example`), and leads home if it then names another host,
/// also when `%2f` and `%5c` are read as the slashes they encode (a client-side router may
/// decode them). What is returned is the resolved path, so the router is never handed a dot
/// segment either. Its query keeps its own parameters but none of Leptos's (`__path`, `__err`,
/// `__seal`: a form's error), so a crafted `next` cannot bring an error of its own to the page
/// it leads to.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_path)
        .map(|path| without_form_error(&path))
        .unwrap_or_else(|| "/".to_owned())
}

/// `path` without the query parameters whose names start with `__`, however spelt.
fn without_form_error(path: &str) -> String {
    let Some((path, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query, None),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !crate::model::is_form_error_parameter(pair))
        .collect();
    let mut out = path.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// `next` resolved, if it is visible ASCII and a path on this site in every reading; `None`
/// otherwise.
fn local_path(next: &str) -> Option<String> {
    if !next.chars().all(|c| c.is_ascii_graphic()) {
        return None;
    }
    crate::model::resolve_site_path(next)
}

/// Signs `user_id` in on the browser of the current request: a new session, and its cookie on
/// the response; the browser is a device the account trusts from now on.
#[cfg(feature = "ssr")]
async fn start_session(
    services: &crate::ssr::Services,
    user_id: crate::model::UserId,
) -> Result<(), AppError> {
    use crate::ssr::{device, session};

    let store = &*services.store;
    let user_agent = session::request_user_agent();
    let cookie = session::start(store, &services.sessions, user_id, &user_agent).await?;
    session::set_cookie(cookie);
    let secure = services.sessions.cookie_secure;
    let device = device::remember(store, user_id, request_device(), secure).await?;
    session::set_cookie(device);
    Ok(())
}

/// The device cookie of the current request, if it carries one.
#[cfg(feature = "ssr")]
fn request_device() -> Option<crate::ssr::device::Device> {
    use_context::<http::request::Parts>()
        .and_then(|parts| crate::ssr::device::Device::from_headers(&parts.headers))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn signing_in_only_ever_leads_to_a_path_on_this_site() {
        assert_eq!(safe_next(Some("/notifications/")), "/notifications/");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn a_next_that_a_browser_would_read_as_another_host_leads_home() {
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/ /evil.example")), "/");
    }

    #[test]
    fn a_next_that_names_another_host_once_its_dot_segments_are_resolved_leads_home() {
        for next in [
            "/.//evil.example",
            "/./\\host",
            "/..//host/x",
            "/a/../..//host",
            "/.\\/host",
        ] {
            assert_eq!(safe_next(Some(next)), "/", "{next:?}");
        }
    }

    #[test]
    fn a_next_that_names_another_host_through_percent_encoded_dots_or_slashes_leads_home() {
        for next in [
            "/%2e//evil.example",
            "/%2E//evil.example",
            "/%2e%2e//evil.example",
            "/.%2e//evil.example",
            "/%2e./\\evil.example",
            "/%2f/evil.example",
            "/%2F%2Fevil.example",
            "/%5cevil.example",
            "/%5C/evil.example",
            "/%2e%2f/evil.example",
            "/.%2f%2fevil.example",
        ] {
            assert_eq!(safe_next(Some(next)), "/", "{next:?}");
        }
    }

    #[test]
    fn every_short_next_of_slashes_dots_and_escapes_leads_to_a_resolved_path_on_this_site() {
        const PIECES: [&str; 9] = ["/", "\\", ".", "%2e", "%2F", "%5c", "h", "?", "%"];
        let mut nexts = vec!["/".to_owned()];
        for _ in 0..5 {
            let longer: Vec<String> = nexts
                .iter()
                .flat_map(|next| PIECES.iter().map(move |piece| format!("{next}{piece}")))
                .collect();
            for next in &longer {
                let went = safe_next(Some(next));
                assert!(
                    !went.starts_with("//") && !went.starts_with("/\\"),
                    "{next:?} led to {went:?}"
                );
                assert_eq!(
                    crate::model::resolve_site_path(&went).as_deref(),
                    Some(went.as_str()),
                    "{next:?} led to {went:?}, which is not resolved"
                );
            }
            nexts = longer;
        }
    }

    #[test]
    fn a_local_next_with_dot_segments_is_resolved_before_it_is_followed() {
        assert_eq!(safe_next(Some("/jobs/./1")), "/jobs/1");
        assert_eq!(safe_next(Some("/a/b/../c?x=/../..//y")), "/a/c?x=/../..//y");
        assert_eq!(safe_next(Some("/../notifications/")), "/notifications/");
        assert_eq!(safe_next(Some("/jobs/%2e")), "/jobs/");
        assert_eq!(safe_next(Some("/jobs/..")), "/");
        assert_eq!(safe_next(Some("/100%25/x")), "/100%25/x");
        assert_eq!(safe_next(Some("/%")), "/%");
    }

    #[test]
    fn a_next_keeps_its_own_query_but_never_carries_a_forms_error() {
        assert_eq!(
            safe_next(Some(
                "/settings/notifications?__path=%2Fapi%2Fx&__err=eyJ9&tab=1"
            )),
            "/settings/notifications?tab=1"
        );
        assert_eq!(
            safe_next(Some("/login?%5F%5Ferr=eyJ9&%5f_path=x&__seal=y")),
            "/login"
        );
        assert_eq!(safe_next(Some("/jobs/?q=rust#top")), "/jobs/?q=rust#top");
    }

    #[test]
    fn a_next_that_cannot_be_a_header_leads_home() {
        assert_eq!(safe_next(Some("/\r\nSet-Cookie:x=1")), "/");
        assert_eq!(safe_next(Some("/caf\u{e9}")), "/");
        assert_eq!(
            safe_next(Some("/jobs/1?q=rust%20remote")),
            "/jobs/1?q=rust%20remote"
        );
    }
}
