//! What each user wants to be told, and how, per type of notification. Preferences shape the
//! alerts (a toast, a desktop notification, a sound), never the inbox: a muted notification is
//! stored and listed all the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use strum::VariantArray;

use super::NotificationType;

/// The ways a new notification can call for attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    /// A toast on the page.
    Toast,
    /// The operating system's notification, once per browser.
    Desktop,
    /// A short sound, once per browser, after the page has been clicked or typed in.
    Sound,
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Toast => "Toast",
            Self::Desktop => "Desktop",
            Self::Sound => "Sound",
        }
    }
}

/// Which channels one type of notification uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Channels {
    pub toast: bool,
    pub desktop: bool,
    pub sound: bool,
}

/// Toasts and desktop notifications on, sound off: what a user has before choosing.
impl Default for Channels {
    fn default() -> Self {
        Self {
            toast: true,
            desktop: true,
            sound: false,
        }
    }
}

impl Channels {
    pub fn get(self, channel: Channel) -> bool {
        match channel {
            Channel::Toast => self.toast,
            Channel::Desktop => self.desktop,
            Channel::Sound => self.sound,
        }
    }

    pub fn set(&mut self, channel: Channel, on: bool) {
        match channel {
            Channel::Toast => self.toast = on,
            Channel::Desktop => self.desktop = on,
            Channel::Sound => self.sound = on,
        }
    }
}

/// One user's choices, by type; a type never chosen has the [`Channels::default`]. In JSON, an
/// object keyed by type name, `{"message": {"toast": true, "desktop": false, "sound": false}}`:
/// written with every type, read with any of them (the rest take the defaults).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Preferences(BTreeMap<NotificationType, Channels>);

impl Serialize for Preferences {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.all())
    }
}

/// Equal when every type has the same channels: a type left at the defaults equals one saved
/// with them.
impl PartialEq for Preferences {
    fn eq(&self, other: &Self) -> bool {
        self.all().eq(other.all())
    }
}

impl Eq for Preferences {}

impl Preferences {
    pub fn of(&self, notification_type: NotificationType) -> Channels {
        self.0.get(&notification_type).copied().unwrap_or_default()
    }

    pub fn set(&mut self, notification_type: NotificationType, channels: Channels) {
        self.0.insert(notification_type, channels);
    }

    /// Every type with its channels, in the order of [`NotificationType::VARIANTS`].
    pub fn all(&self) -> impl Iterator<Item = (NotificationType, Channels)> + '_ {
        NotificationType::VARIANTS.iter().map(|&t| (t, self.of(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_never_chosen_toasts_and_alerts_the_desktop_without_sound() {
        let preferences = Preferences::default();
        let channels = preferences.of(NotificationType::Message);
        assert!(channels.toast && channels.desktop && !channels.sound);
    }

    #[test]
    fn preferences_read_back_from_their_documented_json() {
        let json = r#"{"message":{"toast":true,"desktop":false,"sound":true}}"#;
        let preferences: Preferences = serde_json::from_str(json).unwrap();
        let message = preferences.of(NotificationType::Message);
        assert!(message.toast && !message.desktop && message.sound);
        // Written back with every type.
        assert_eq!(
            serde_json::to_string(&preferences).unwrap(),
            r#"{"message":{"toast":true,"desktop":false,"sound":true},"#.to_owned()
                + r#""application":{"toast":true,"desktop":true,"sound":false},"#
                + r#""profile_view":{"toast":true,"desktop":true,"sound":false},"#
                + r#""system":{"toast":true,"desktop":true,"sound":false}}"#
        );
        assert!(serde_json::from_str::<Preferences>(
            r#"{"spam":{"toast":true,"desktop":true,"sound":true}}"#
        )
        .is_err());
        assert!(serde_json::from_str::<Preferences>(r#"{"message":{"toast":true}}"#).is_err());
    }
}
