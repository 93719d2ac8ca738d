//! Which of a browser's tabs holds the socket: the Web Locks API elects it.
//!
//! Every tab asks for the same lock (`navigator.locks.request(name, callback)`). The browser
//! grants it to one tab at a time, in the order asked; the callback's promise stays pending for
//! as long as the tab holds the socket, and the browser releases the lock by itself when the tab
//! closes, crashes or navigates away, granting it at once to the next tab that asked.
//!
//! The same locks tell the leader when another tab is gone (`super::tabs::Tabs::watch`).
//!
//! web-sys's `LockManager` is behind `web_sys_unstable_apis`, so the API is called through
//! `js_sys::Reflect`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::browser::window;

/// A tab's request for a lock. Dropping it withdraws the request, or releases the lock if the
/// tab holds it (the next tab in line then gets it: for the socket's lock, it is elected).
pub struct Candidacy {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    withdrawn: Cell<bool>,
    /// Resolves the promise that keeps the lock: set while this tab holds it.
    release: RefCell<Option<Function>>,
}

fn lock_manager() -> Option<JsValue> {
    let locks = Reflect::get(&window().navigator(), &JsValue::from_str("locks")).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then_some(locks)
}

/// Whether this browser can elect a tab (Web Locks; only in secure contexts: HTTPS or
/// localhost).
pub fn supported() -> bool {
    lock_manager().is_some()
}

/// Asks for the lock `name`; `on_elected` runs once this tab holds it, and the tab holds it
/// until the [`Candidacy`] is dropped or the page goes. `None` where the browser has no Web
/// Locks.
pub fn stand(name: &str, on_elected: impl FnOnce() + 'static) -> Option<Candidacy> {
    let locks = lock_manager()?;
    let request = Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let inner = Rc::<Inner>::default();
    let granted = {
        let inner = inner.clone();
        Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            if inner.withdrawn.get() {
                // Withdrawn while waiting: returning at once hands the lock to the next tab.
                return JsValue::UNDEFINED;
            }
            let held = Promise::new(&mut |resolve, _reject| {
                *inner.release.borrow_mut() = Some(resolve);
            });
            on_elected();
            held.into()
        })
    };
    let asked = request
        .call2(&locks, &JsValue::from_str(name), &granted)
        .ok()?;
    // The request's own promise settles when the lock is released; a rejection (none is
    // expected) must not surface as an unhandled one.
    if let Ok(catch) = Reflect::get(&asked, &JsValue::from_str("catch")) {
        if let Ok(catch) = catch.dyn_into::<Function>() {
            let _ = catch.call1(&asked, &Closure::once_into_js(|_: JsValue| {}));
        }
    }
    Some(Candidacy { inner })
}

impl Candidacy {
    /// Whether this tab holds the lock now.
    pub fn holds(&self) -> bool {
        self.inner.release.borrow().is_some()
    }
}

impl Drop for Candidacy {
    fn drop(&mut self) {
        self.inner.withdrawn.set(true);
        if let Some(release) = self.inner.release.borrow_mut().take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
    }
}
