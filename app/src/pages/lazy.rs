//! The pages whose code the browser fetches only when one is opened.
//!
//! A visitor's first page (the job list, sign-in, sign-up) needs about 300 KB of WASM; the whole
//! app is 528 KB (brotli). Each route below is a split point: built with cargo-leptos's
//! `--split`, its page's code (and what only it uses) goes into a chunk of its own, fetched when
//! the route is first opened. The server renders these pages like any other, and hydration waits
//! for the chunk (`hydrate_lazy`), so what the user sees does not change.
//!
//! Every build of the WASM must then run with `--split`: the split points are imports that only
//! the splitter resolves.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::*;

/// Declares a route type that renders `$page` from a chunk of its own.
macro_rules! lazy_page {
    ($route:ident renders $page:ident) => {
        #[doc = concat!("[`", stringify!($page), "`], split from the first download.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(NotificationsRoute renders NotificationsPage);
lazy_page!(RealtimeTestRoute renders RealtimeTestPage);
lazy_page!(JobRoute renders JobPage);
lazy_page!(MyApplicationsRoute renders MyApplicationsPage);
lazy_page!(SessionsRoute renders SessionsPage);
lazy_page!(NotificationSettingsRoute renders NotificationSettingsPage);
lazy_page!(EmployerJobsRoute renders EmployerJobsPage);
lazy_page!(EditJobRoute renders EditJobPage);
lazy_page!(EmployerApplicationsRoute renders EmployerApplicationsPage);
lazy_page!(ApplicationRoute renders ApplicationPage);
lazy_page!(ProfileRoute renders ProfilePage);
lazy_page!(MessagesRoute renders MessagesPage);
lazy_page!(ConversationRoute renders ConversationPage);
lazy_page!(AdminRoute renders AdminPage);
