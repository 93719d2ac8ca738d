//! The short sound a notification may play (the user turns it on per type). Browsers refuse to
//! play audio before the user has interacted with the page, so it plays only once they have
//! clicked, tapped or typed in it: before that, nothing is tried (and nothing fails loudly). Like
//! desktop alerts, it plays once per browser: in the tab that holds the socket (see
//! [`super::tabs::alerts_here`]), so only after a gesture in that tab.

use std::cell::Cell;

use gloo_events::EventListener;

use super::browser::document;

/// The bundled sound, served from `public/`.
pub const SOUND_URL: &str = "/sounds/notification.wav";

thread_local! {
    static ALLOWED: Cell<bool> = const { Cell::new(false) };
    /// The listeners that wait for the first gesture; dropped (removed) once it came.
    static WAITING: std::cell::RefCell<Vec<EventListener>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Starts listening for the first click, tap or key press that lets the page play audio. Safe
/// to call more than once.
pub fn listen_for_gesture() {
    if ALLOWED.with(Cell::get) || WAITING.with(|w| !w.borrow().is_empty()) {
        return;
    }
    let listeners = ["pointerdown", "keydown"].map(|event| {
        EventListener::new(&document(), event, |_| {
            ALLOWED.with(|allowed| allowed.set(true));
            // Not from inside the listener being dropped: after this event is handled.
            wasm_bindgen_futures::spawn_local(async {
                WAITING.with(|w| w.borrow_mut().clear());
            });
        })
    });
    WAITING.with(|w| w.borrow_mut().extend(listeners));
}

/// Plays the sound if this tab plays the browser's alerts and a gesture has allowed audio; a
/// refusal is ignored.
pub fn play() {
    if !ALLOWED.with(Cell::get) || !super::tabs::alerts_here() {
        return;
    }
    if let Ok(audio) = web_sys::HtmlAudioElement::new_with_src(SOUND_URL) {
        // A promise the browser may reject (muted tab, no output): nothing to do about it.
        let _ = audio.play();
    }
}
