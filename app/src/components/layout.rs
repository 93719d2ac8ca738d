//! The page layout around every page: global banners, the top bar with the bell, the live unread
//! badge, the connection status and the account menu, and the toasts. (The HTML document around
//! it all is `crate::shell`.)

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::banners::{dismiss_action, Banners};
use super::inbox_popover::InboxBell;
use super::live::{ConnectionStatus, DesktopToggle};
use super::toasts::Toasts;
use crate::auth::{get_viewer, Logout, Viewer};
use crate::model::Role;
use crate::realtime::{provide_realtime, Realtime};

/// The signed-in person as every page sees them. It is loaded again on every navigation, so
/// signing in or out (each ends with a redirect) shows at once in the top bar.
#[derive(Clone, Copy)]
pub struct ViewerContext {
    pub viewer: Resource<Result<Option<Viewer>, crate::error::AppError>>,
    pub logout: ServerAction<Logout>,
}

pub fn provide_viewer() {
    let logout = ServerAction::<Logout>::new();
    let pathname = use_location().pathname;
    let viewer = Resource::new(
        move || (pathname.get(), logout.version().get()),
        |(path, _)| get_viewer(path),
    );
    provide_context(ViewerContext { viewer, logout });
    let realtime = provide_realtime();
    show_unread_in_title(realtime);

    // The connection lives in the browser only: effects do not run on the server. It waits for
    // the whole page to hydrate (see `crate::hydration`).
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if !crate::hydration::finished() {
            return;
        }
        #[cfg(feature = "hydrate")]
        match viewer.get() {
            Some(Ok(Some(viewer))) => {
                crate::realtime::sound::listen_for_gesture();
                crate::realtime::socket::start(
                    realtime,
                    viewer.user.id,
                    viewer.latest_notification_id,
                    viewer.latest_global_id,
                )
            }
            // Signed out: the browser's other tabs share the cookie, so they go to sign in too.
            Some(Ok(None)) => crate::realtime::socket::signed_out(),
            _ => {}
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (viewer, realtime);
    });
    // The connection belongs to the app that started it: it closes when the app goes away.
    on_cleanup(|| {
        #[cfg(feature = "hydrate")]
        crate::realtime::socket::stop();
    });
}

/// Keeps the unread count in the tab's title, "(3) Herald", so a tab in the background says
/// there is something new.
fn show_unread_in_title(realtime: Realtime) {
    Effect::new(move |_| {
        let count = realtime.unread.get();
        #[cfg(feature = "hydrate")]
        document().set_title(&if count > 0 {
            format!("({count}) Herald")
        } else {
            "Herald".to_owned()
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = count;
    });
}

pub fn use_viewer() -> ViewerContext {
    expect_context::<ViewerContext>()
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let ctx = use_viewer();
    let realtime = expect_context::<Realtime>();
    let dismiss = dismiss_action();
    // Transitions keep what is on screen while the viewer reloads after a navigation. What the
    // server rendered is where the live state starts.
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                if let Ok(Some(viewer)) = ctx.viewer.await {
                    realtime.banners.set(viewer.banners);
                    realtime.recent.set(viewer.recent);
                    realtime.preferences.set(viewer.preferences);
                }
                view! { <Banners dismiss/> }
            })}
        </Transition>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Herald"
            </a>
            <nav class="topnav">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ctx.viewer.await {
                            Ok(Some(viewer)) => {
                                realtime.unread.set(viewer.unread_count);
                                view! { <SignedInMenu viewer/> }.into_any()
                            }
                            _ => view! { <SignedOutMenu/> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
        <main class="page">{children()}</main>
        <Toasts/>
    }
}

#[component]
fn SignedOutMenu() -> impl IntoView {
    view! {
        <a href="/login">"Sign in"</a>
        <a class="button primary" href="/register">"Sign up"</a>
    }
}

#[component]
fn SignedInMenu(viewer: Viewer) -> impl IntoView {
    let ctx = use_viewer();
    let role = viewer.user.role;
    let role_name: &'static str = role.into();
    let profile = format!("/profile/{}", viewer.user.username);
    // Each role has its own bar: the same one, with the links that role needs (`data-shell`).
    let links = match role {
        Role::Jobseeker => vec![
            ("/", "Jobs"),
            ("/applications/", "My applications"),
            ("/messages/", "Messages"),
        ],
        Role::Employer => vec![
            ("/employer/jobs/", "My jobs"),
            ("/employer/applications/", "Applications"),
            ("/messages/", "Messages"),
        ],
        Role::Admin => vec![
            ("/admin-panel/notifications/", "Admin"),
            ("/", "Jobs"),
            ("/messages/", "Messages"),
        ],
    };
    // On a narrow screen the links and the account fold into a menu behind one button; the
    // connection state and the bell stay in the bar. It folds only once the page is live
    // (`html[data-hydrated]` in the stylesheet), so without JavaScript everything stays visible.
    let menu_open = RwSignal::new(false);
    let pathname = use_location().pathname;
    Effect::new(move |_| {
        pathname.track();
        menu_open.set(false);
    });
    view! {
        <ConnectionStatus/>
        <InboxBell/>
        <button
            type="button"
            class="button small ghost menu-toggle"
            data-testid="menu-toggle"
            aria-controls="account-menu"
            aria-expanded=move || menu_open.get().to_string()
            on:click=move |_| menu_open.update(|open| *open = !*open)
        >
            "Menu"
        </button>
        <div id="account-menu" class="account-menu" class:open=move || menu_open.get()>
            <span class="role-links" data-testid="shell" data-shell=role_name>
                {links
                    .into_iter()
                    .map(|(href, text)| view! { <a href=href>{text}</a> })
                    .collect_view()}
                <a href=profile>"Profile"</a>
                <a href="/settings/notifications">"Settings"</a>
                {(role == Role::Admin).then(|| view! { <a href="/realtime-test/">"Live test"</a> })}
            </span>
            <DesktopToggle/>
            <span class="whoami" data-testid="whoami">
                {viewer.user.username.clone()}
                <span class="role">{role_name}</span>
            </span>
            <ActionForm action=ctx.logout attr:class="inline">
                <button type="submit" class="button ghost" data-testid="sign-out">
                    "Sign out"
                </button>
            </ActionForm>
        </div>
    }
}
