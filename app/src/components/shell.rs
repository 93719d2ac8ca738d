//! The page shell: the top bar with the bell, the unread badge and the account menu.

use leptos::form::ActionForm;
use leptos::prelude::*;

use leptos_router::hooks::use_location;

use crate::auth::{get_viewer, Logout, Viewer};

/// The signed-in person as every page sees them. It is loaded again on every navigation, so
/// signing in or out (each ends with a redirect) shows at once in the top bar.
#[derive(Clone, Copy)]
pub struct ViewerContext {
    pub viewer: Resource<Result<Option<Viewer>, ServerFnError>>,
    pub logout: ServerAction<Logout>,
}

impl ViewerContext {
    /// Loads the viewer again (after an action changed their unread count).
    pub fn refresh(&self) {
        self.viewer.refetch();
    }
}

pub fn provide_viewer() {
    let logout = ServerAction::<Logout>::new();
    let pathname = use_location().pathname;
    let viewer = Resource::new(
        move || (pathname.get(), logout.version().get()),
        |_| get_viewer(),
    );
    provide_context(ViewerContext { viewer, logout });
}

pub fn use_viewer() -> ViewerContext {
    expect_context::<ViewerContext>()
}

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let ctx = use_viewer();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Herald"
            </a>
            <nav class="topnav">
                // A transition keeps the menu on screen while the viewer reloads.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ctx.viewer.await {
                            Ok(Some(viewer)) => view! { <SignedInMenu viewer/> }.into_any(),
                            _ => view! { <SignedOutMenu/> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
        <main class="page">{children()}</main>
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
    let count = viewer.unread_count;
    let label = format!("Notifications, {count} unread");
    view! {
        <a class="bell" href="/notifications/" aria-label=label title="Notifications">
            <BellIcon/>
            <span class="badge" data-testid="notification-badge" hidden=count == 0>
                {count}
            </span>
        </a>
        <span class="whoami" data-testid="whoami">
            {viewer.user.username.clone()}
            <span class="role">{viewer.user.role.as_str()}</span>
        </span>
        <ActionForm action=ctx.logout attr:class="inline">
            <button type="submit" class="button ghost" data-testid="sign-out">
                "Sign out"
            </button>
        </ActionForm>
    }
}

#[component]
fn BellIcon() -> impl IntoView {
    view! {
        <svg class="bell-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path
                fill="currentColor"
                d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
            ></path>
        </svg>
    }
}
