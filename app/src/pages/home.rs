use leptos::prelude::*;

use crate::components::shell::use_viewer;

#[component]
pub fn HomePage() -> impl IntoView {
    let ctx = use_viewer();
    view! {
        <section class="hero">
            <h1>"Jobs, and the news about them the moment it happens."</h1>
            <p class="lead">
                "Herald tells employers about applications and jobseekers about views and messages, live, "
                "in every open tab."
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match ctx.viewer.await {
                        Ok(Some(viewer)) => view! {
                            <p data-testid="welcome">
                                "Welcome back, " {viewer.user.username} ". "
                                <a href="/notifications/">"See your notifications"</a>
                            </p>
                        }.into_any(),
                        _ => view! {
                            <p class="actions">
                                <a class="button primary" href="/register">"Create an account"</a>
                                <a class="button" href="/login">"Sign in"</a>
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
