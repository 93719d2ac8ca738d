//! The bell and its popover: the newest notifications, grouped, with the unread ones marked;
//! mark one or all read, archive, and "See all" for the notifications page. It is rendered on
//! the server with the page's data (hidden), so it opens without a round trip, and the socket
//! keeps it current while it is open.
//!
//! Keyboard and screen readers: the bell is a button (`aria-expanded`, `aria-controls`) that
//! opens a dialog; focus moves into it and stays there (Tab wraps around) until Escape, the bell
//! or a click outside closes it, and then returns to the bell. Without JavaScript the bell is
//! the link to the notifications page it has always been.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::notification_entry::NotificationEntry;
use crate::model::{group, NotificationId};
use crate::realtime::Realtime;

#[component]
pub fn InboxBell() -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let open = RwSignal::new(false);
    let bell = NodeRef::<html::A>::new();
    let dialog = NodeRef::<html::Div>::new();
    let count = move || realtime.unread.get();
    let label = move || format!("Notifications, {} unread", count());
    let groups = Memo::new(move |_| group(realtime.recent.get()));

    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(bell) = bell.get_untracked() {
                let _ = bell.focus();
            }
        }
    };
    // Moving to another page closes it.
    let pathname = use_location().pathname;
    Effect::new(move |_| {
        pathname.track();
        open.set(false);
    });
    // Opening moves the focus into it.
    Effect::new(move |_| {
        if open.get() {
            focus_first(dialog);
        }
    });
    #[cfg(feature = "hydrate")]
    {
        // A click or tap outside the bell and the dialog closes it.
        let handle = window_event_listener(leptos::ev::pointerdown, move |event| {
            if !open.get_untracked() {
                return;
            }
            use wasm_bindgen::JsCast;
            let target = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            let inside =
                |node: Option<web_sys::Element>| node.is_some_and(|n| n.contains(target.as_ref()));
            let on_bell = inside(bell.get_untracked().map(Into::into));
            let on_dialog = inside(dialog.get_untracked().map(Into::into));
            if !on_bell && !on_dialog {
                close(false);
            }
        });
        // Escape closes it wherever the focus is (an entry marked read is drawn anew, and the
        // focus it held goes back to the page).
        let escape = window_event_listener(leptos::ev::keydown, move |event| {
            if open.get_untracked() && event.key() == "Escape" {
                event.prevent_default();
                close(true);
            }
        });
        on_cleanup(move || {
            handle.remove();
            escape.remove();
        });
    }

    let toggle = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if open.get_untracked() {
            close(true);
        } else {
            open.set(true);
        }
    };
    // A link opens with Enter only; a button also with Space.
    let space_toggles = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == " " {
            ev.prevent_default();
            open.update(|open| *open = !*open);
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Tab" {
            keep_focus_inside(dialog, &ev);
        }
    };
    let mark_all = move |_| {
        leptos::task::spawn_local(async move {
            if crate::inbox::mark_all_notifications_read().await.is_ok() {
                let ids: Vec<NotificationId> = realtime
                    .recent
                    .with_untracked(|r| r.iter().map(|n| n.id).collect());
                realtime.show_read(&ids);
            }
        });
    };
    // An entry that changes is drawn anew: the focus it held comes back into the dialog.
    let on_read = Callback::new(move |ids: Vec<NotificationId>| {
        realtime.show_read(&ids);
        refocus_if_lost(dialog);
    });
    let on_archived = Callback::new(move |(ids, _archived): (Vec<NotificationId>, bool)| {
        realtime
            .recent
            .update(|recent| recent.retain(|n| !ids.contains(&n.id)));
        refocus_if_lost(dialog);
    });

    view! {
        <div class="inbox">
            <a
                class="bell"
                href="/notifications/"
                role="button"
                node_ref=bell
                aria-label=label
                aria-haspopup="dialog"
                aria-controls="inbox-popover"
                aria-expanded=move || open.get().to_string()
                title="Notifications"
                data-testid="bell"
                on:click=toggle
                on:keydown=space_toggles
            >
                <BellIcon/>
                <span class="badge" data-testid="notification-badge" hidden=move || count() == 0>
                    {count}
                </span>
            </a>
            <div
                id="inbox-popover"
                class="inbox-popover"
                role="dialog"
                aria-label="Notifications"
                data-testid="inbox-popover"
                node_ref=dialog
                hidden=move || !open.get()
                on:keydown=on_keydown
            >
                <header class="inbox-header">
                    <h2>"Notifications"</h2>
                    <button
                        type="button"
                        class="button small"
                        data-testid="inbox-mark-all-read"
                        disabled=move || count() == 0
                        on:click=mark_all
                    >
                        "Mark all read"
                    </button>
                </header>
                <Show when=move || groups.with(Vec::is_empty)>
                    <p class="muted inbox-empty" data-testid="inbox-empty">"Nothing here yet."</p>
                </Show>
                <ul class="notification-list inbox-list">
                    <For
                        each=move || groups.get()
                        key=|g| (g.newest().id, g.len(), g.unread())
                        children=move |group| {
                            view! {
                                <NotificationEntry group test_id="inbox-item" on_read on_archived/>
                            }
                        }
                    />
                </ul>
                <footer class="inbox-footer">
                    <a href="/notifications/" data-testid="inbox-see-all">"See all"</a>
                    <a href="/settings/notifications">"Settings"</a>
                </footer>
            </div>
        </div>
    }
}

/// The elements of the dialog that take the focus, in order.
#[cfg(feature = "hydrate")]
fn focusable(dialog: NodeRef<html::Div>) -> Vec<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    // Run from an animation frame: the popover may be gone by then (the page navigated away).
    let Some(dialog) = dialog.try_get_untracked().flatten() else {
        return Vec::new();
    };
    let Ok(list) = dialog.query_selector_all("a[href], button:not([disabled]), input") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|element| element.get_attribute("type").as_deref() != Some("hidden"))
        .collect()
}

fn focus_first(dialog: NodeRef<html::Div>) {
    #[cfg(feature = "hydrate")]
    {
        // After the dialog is shown: a hidden element takes no focus.
        request_animation_frame(move || {
            if let Some(first) = focusable(dialog).first() {
                let _ = first.focus();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dialog;
}

/// Puts the focus back into the dialog when what held it went away.
fn refocus_if_lost(dialog: NodeRef<html::Div>) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        let lost = document()
            .active_element()
            .is_none_or(|active| active.closest("#inbox-popover").ok().flatten().is_none());
        if lost {
            focus_first(dialog);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = dialog;
}

/// Tab from the last element goes to the first, Shift+Tab from the first to the last.
fn keep_focus_inside(dialog: NodeRef<html::Div>, ev: &leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        let elements = focusable(dialog);
        let (Some(first), Some(last)) = (elements.first(), elements.last()) else {
            return;
        };
        let active = document().active_element();
        let is = |element: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == AsRef::<web_sys::Element>::as_ref(element))
        };
        if ev.shift_key() && is(first) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && is(last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dialog, ev);
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
