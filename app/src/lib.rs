//! Herald's shared crate: typed models and the Leptos app (components and pages), rendered on the
//! server (`ssr`) and hydrated in the browser (`hydrate`).

// Leptos's views are deeply nested types; the release build of the WASM computes their layout
// past the default limit of 128 (the notifications page's list overflowed it).
#![recursion_limit = "256"]

pub mod auth;
pub mod components;
pub mod error;
pub mod hydration;
pub mod inbox;
pub mod model;
pub mod pages;
pub mod protocol;
pub mod realtime;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use crate::components::layout::{provide_viewer, Layout};
use crate::pages::{
    AdminRoute, ApplicationRoute, ConversationRoute, EditJobRoute, EmployerApplicationsRoute,
    EmployerJobsRoute, HomePage, JobRoute, LoginPage, MessagesRoute, MyApplicationsRoute, NotFound,
    NotificationSettingsRoute, NotificationsRoute, ProfileRoute, RealtimeTestRoute, RegisterPage,
    SessionsRoute,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // Not leptos_meta's <Stylesheet>, which breaks hydration in 0.8 (leptos#3945): a
                // plain link, to the content-hashed name when the release build made one.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <title>"Herald"</title>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Pages/>
        </Router>
    }
}

/// Everything inside the router. The viewer's actions are made here, not above the router, so
/// that a form posted without JavaScript finds its error in the URL the router reads.
///
/// Every page waits for its data on the server (`SsrMode::Async`), so what the user first sees,
/// the unread badge included, is complete HTML even before any script runs.
#[component]
fn Pages() -> impl IntoView {
    provide_viewer();
    view! {
        <Layout>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                <Route path=path!("/notifications/") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/realtime-test/") view={Lazy::<RealtimeTestRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/jobs/:id") view={Lazy::<JobRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/applications/") view={Lazy::<MyApplicationsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/sessions/") view={Lazy::<SessionsRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=path!("/settings/notifications")
                    view={Lazy::<NotificationSettingsRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=path!("/employer/jobs/") view={Lazy::<EmployerJobsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/employer/jobs/:id/") view={Lazy::<EditJobRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=path!("/employer/applications/")
                    view={Lazy::<EmployerApplicationsRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/employer/applications/:id/")
                    view={Lazy::<ApplicationRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=path!("/profile/:username") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/messages/") view={Lazy::<MessagesRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/messages/:username") view={Lazy::<ConversationRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=path!("/admin-panel/notifications/")
                    view={Lazy::<AdminRoute>::new()}
                    ssr=SsrMode::Async
                />
            </Routes>
        </Layout>
    }
}
