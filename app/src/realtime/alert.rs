//! What a new notification sets off, as the user's preferences for its type say: a toast on the
//! page, a desktop notification, a sound. Muting never touches the inbox: the notification is
//! listed all the same.

use leptos::prelude::*;

use super::{desktop, next_key, sound, Realtime, Toast};
use crate::model::Notification;

/// Raises the alerts `notification`'s type is set to. Called once per notification per page
/// (a replay of one already shown raises nothing).
pub fn raise(realtime: Realtime, notification: &Notification) {
    let channels = realtime
        .preferences
        .with_untracked(|p| p.of(notification.notification_type));
    if channels.desktop {
        // One desktop notification per group: each new one replaces the last (same tag).
        let tag = match &notification.group_key {
            Some(key) => format!("herald-group-{key}"),
            None => format!("herald-{}", notification.id),
        };
        desktop::show(
            &tag,
            &notification.title,
            &notification.message,
            notification.link.clone(),
        );
    }
    if channels.sound {
        sound::play();
    }
    if channels.toast {
        realtime.toast(Toast {
            key: next_key(),
            title: notification.title.clone(),
            body: notification.message.clone(),
            tone: format!("type-{}", notification.notification_type),
            link: notification.link.clone(),
            notification_id: Some(notification.id),
            group_key: notification.group_key.clone(),
            count: 1,
        });
    }
}
