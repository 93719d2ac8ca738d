//! Herald's shared crate: typed models and the Leptos app (components and pages), rendered on the
//! server (`ssr`) and hydrated in the browser (`hydrate`).

pub mod auth;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::shell::{provide_viewer, Shell};
use crate::pages::{HomePage, LoginPage, NotFound, NotificationsPage, RegisterPage};

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
    provide_viewer();

    // Every page waits for its data on the server (`SsrMode::Async`), so what the user first sees,
    // the unread badge included, is complete HTML even before any script runs.
    view! {
        <Stylesheet id="leptos" href="/pkg/herald.css"/>
        <Title text="Herald"/>
        <Router>
            <Shell>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                    <Route
                        path=path!("/notifications/")
                        view=NotificationsPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </Shell>
        </Router>
    }
}
