//! Global notifications as banners across the top of every page.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::auth::DismissBanner;
use crate::realtime::Realtime;

/// The action that remembers a dismissal. It is made once per page, by the layout, outside the
/// transition that re-renders the banners after each navigation: while a transition runs, the
/// banners on screen are still the previous render's, and their forms must not hold an action
/// that render owned and has disposed (that panicked the first page after signing in).
pub fn dismiss_action() -> ServerAction<DismissBanner> {
    let realtime = expect_context::<Realtime>();
    let dismiss = ServerAction::<DismissBanner>::new();
    // Take the banner down as soon as the dismissal is sent; the server remembers it for reloads.
    Effect::new(move |_| {
        if let Some(DismissBanner { id }) = dismiss.input().get() {
            realtime.remove_banner(id);
        }
    });
    dismiss
}

#[component]
pub fn Banners(dismiss: ServerAction<DismissBanner>) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    view! {
        <div class="banners" role="region" aria-label="Announcements">
            <For
                each=move || {
                    // The loudest first; among equals, the newest.
                    let mut banners = realtime.banners.get();
                    banners.sort_by(|a, b| b.level.cmp(&a.level).then(b.id.cmp(&a.id)));
                    banners
                }
                key=|banner| banner.id
                children=move |banner| {
                    view! {
                        <div
                            class=format!("global-banner level-{}", banner.level)
                            data-testid="global-banner"
                            data-id=banner.id.to_string()
                            role="status"
                        >
                            <span class="banner-text">
                                <strong>{banner.title.to_string()}</strong>
                                {banner.message.to_string()}
                            </span>
                            <ActionForm action=dismiss attr:class="inline">
                                <input type="hidden" name="id" value=banner.id.to_string()/>
                                <button
                                    type="submit"
                                    class="banner-dismiss"
                                    data-testid="banner-dismiss"
                                    aria-label="Dismiss this announcement"
                                >
                                    "×"
                                </button>
                            </ActionForm>
                        </div>
                    }
                }
            />
        </div>
    }
}
