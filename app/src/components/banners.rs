//! Global notifications as banners across the top of every page.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::auth::DismissBanner;
use crate::realtime::Realtime;

#[component]
pub fn Banners() -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let dismiss = ServerAction::<DismissBanner>::new();
    // Take the banner down as soon as the dismissal is sent; the server remembers it for reloads.
    Effect::new(move |_| {
        if let Some(DismissBanner { id }) = dismiss.input().get() {
            realtime.remove_banner(id);
        }
    });
    view! {
        <div class="banners" role="region" aria-label="Announcements">
            <For
                each=move || realtime.banners.get()
                key=|banner| banner.id
                children=move |banner| {
                    view! {
                        <div
                            class=format!("global-banner level-{}", banner.level)
                            data-testid="global-banner"
                            data-id=banner.id
                            role="status"
                        >
                            <span class="banner-text">
                                <strong>{banner.title.clone()}</strong>
                                {banner.message.clone()}
                            </span>
                            <ActionForm action=dismiss attr:class="inline">
                                <input type="hidden" name="id" value=banner.id/>
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
