//! `/settings/notifications`: which alerts each type of notification raises (a toast, a desktop
//! notification, a sound). Saved on the server and applied at once on every device of the user's;
//! the inbox lists every notification whatever is chosen here.
//!
//! The form works without JavaScript (a Save button); once the page is live, every switch saves
//! as it is flipped.

use std::collections::HashMap;

use leptos::form::ActionForm;
use leptos::prelude::*;
use strum::VariantArray;

use crate::components::form_error::{error_text, FormError};
use crate::error::AppError;
use crate::model::{Channel, Channels, FieldError, NotificationType, Preferences};
use crate::realtime::Realtime;

/// The signed-in user's preferences.
#[server]
pub async fn get_preferences() -> Result<Preferences, AppError> {
    use crate::ssr::{preferences, services, session};

    let user = session::require_user()?;
    Ok(preferences::of(&services()?, user.id).await?)
}

/// Saves the signed-in user's preferences from the form: `choices` holds a field
/// `<type>_<channel>` (`message_desktop`) for each switch that is on; every other one is off.
///
/// A form with every switch off sends no `choices` at all, so the form also sends
/// `every_switch=shown` (a hidden field): "the switches missing from `choices` are off". A body with
/// neither (empty, or only fields this function does not know) is refused, 422 naming `choices`,
/// rather than read as "every alert off".
#[server]
pub async fn save_preferences(
    choices: Option<HashMap<String, String>>,
    every_switch: Option<String>,
) -> Result<Preferences, AppError> {
    use crate::ssr::{preferences, services, session};

    let user = session::require_user()?;
    let choices = match (choices, every_switch.as_deref()) {
        (Some(choices), _) => choices,
        (None, Some(EVERY_SWITCH_SHOWN)) => HashMap::new(),
        (None, _) => {
            return Err(FieldError::new(
                "choices",
                "is required: the switches that are on (none, with every_switch=shown)",
            )
            .into())
        }
    };
    let preferences = parse_choices(&choices)?;
    preferences::save(&services()?, user.id, preferences.clone()).await?;
    Ok(preferences)
}

/// The value of the settings form's hidden `every_switch` field.
const EVERY_SWITCH_SHOWN: &str = "shown";

/// The form field of one switch.
fn field_name(notification_type: NotificationType, channel: Channel) -> String {
    let channel: &str = channel.into();
    format!("{notification_type}_{channel}")
}

/// The preferences the switches that are on (`choices`' names) make; a name that is no switch's
/// is refused.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))] // only the server parses
fn parse_choices(choices: &HashMap<String, String>) -> Result<Preferences, FieldError> {
    let mut preferences = Preferences::default();
    for &notification_type in NotificationType::VARIANTS {
        let mut channels = Channels {
            toast: false,
            desktop: false,
            sound: false,
        };
        for &channel in Channel::VARIANTS {
            channels.set(
                channel,
                choices.contains_key(&field_name(notification_type, channel)),
            );
        }
        preferences.set(notification_type, channels);
    }
    let known = |name: &String| {
        NotificationType::VARIANTS
            .iter()
            .any(|&t| Channel::VARIANTS.iter().any(|&c| field_name(t, c) == *name))
    };
    if let Some(unknown) = choices.keys().find(|name| !known(name)) {
        let shown: String = unknown.chars().take(40).collect();
        return Err(FieldError::new(
            "choices",
            format!("{shown:?} is not a notification setting"),
        ));
    }
    Ok(preferences)
}

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    super::require(super::Audience::SignedIn);
    let save = ServerAction::<SavePreferences>::new();
    let saved = Resource::new(|| (), |_| get_preferences());
    let realtime = expect_context::<Realtime>();
    // What this tab saved applies here at once; the other tabs hear it from the server.
    Effect::new(move |_| {
        if let Some(Ok(preferences)) = save.value().get() {
            realtime.preferences.set(preferences);
        }
    });
    view! {
        <section class="card wide" data-testid="preferences">
            <h1>"Notification settings"</h1>
            <p class="muted">
                "Choose how each kind of notification gets your attention. Every notification "
                "stays in your inbox whatever you choose here."
            </p>
            <FormError result=Signal::derive(move || save.value().get())/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match saved.await {
                        Ok(preferences) => view! { <PreferencesForm preferences save/> }.into_any(),
                        Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The table of switches. It follows the preferences live, so a change made on another tab shows
/// here too.
#[component]
fn PreferencesForm(preferences: Preferences, save: ServerAction<SavePreferences>) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    realtime.preferences.set(preferences.clone());
    let form = NodeRef::<leptos::html::Form>::new();
    // Once live, each switch saves as it is flipped.
    let submit = move |_| {
        if let Some(form) = form.get_untracked() {
            let _ = form.request_submit();
        }
    };
    view! {
        <ActionForm action=save node_ref=form attr:class="preferences-form">
            // Every switch is in this form: one it does not send is off.
            <input type="hidden" name="every_switch" value=EVERY_SWITCH_SHOWN/>
            <table class="preferences">
                <thead>
                    <tr>
                        <th scope="col">"Notification"</th>
                        {Channel::VARIANTS
                            .iter()
                            .map(|&c| view! { <th scope="col">{c.label()}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {NotificationType::VARIANTS
                        .iter()
                        .map(|&t| {
                            let kind: &'static str = t.into();
                            view! {
                                <tr data-type=kind>
                                    <th scope="row">{t.label()}</th>
                                    {Channel::VARIANTS
                                        .iter()
                                        .map(|&c| {
                                            let name = format!("choices[{}]", field_name(t, c));
                                            let channel: &'static str = c.into();
                                            let label = format!("{} for {}", c.label(), t.label().to_lowercase());
                                            view! {
                                                <td>
                                                    <input
                                                        type="checkbox"
                                                        name=name
                                                        value="on"
                                                        aria-label=label
                                                        data-channel=channel
                                                        // In the server's HTML (the form must post
                                                        // what is saved, without JavaScript too),
                                                        // then kept live.
                                                        checked=preferences.of(t).get(c)
                                                        prop:checked=move || {
                                                            realtime.preferences.with(|p| p.of(t).get(c))
                                                        }
                                                        on:change=submit
                                                    />
                                                </td>
                                            }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="muted">
                "Sounds play once you have clicked or typed on a Herald page (browsers allow no "
                "sound before that). Desktop alerts also need the browser's permission: use the "
                "Desktop alerts button in the menu."
            </p>
            <button type="submit" class="button primary" data-testid="save-preferences">"Save"</button>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_left_off_turn_their_channel_off() {
        let choices = HashMap::from([("message_toast".to_owned(), "on".to_owned())]);
        let preferences = parse_choices(&choices).unwrap();
        let message = preferences.of(NotificationType::Message);
        assert!(message.toast && !message.desktop && !message.sound);
        assert_eq!(
            preferences.of(NotificationType::System),
            Channels {
                toast: false,
                desktop: false,
                sound: false
            }
        );
    }

    #[test]
    fn a_field_that_is_no_switch_is_refused() {
        let choices = HashMap::from([("message_fax".to_owned(), "on".to_owned())]);
        assert_eq!(parse_choices(&choices).unwrap_err().field, "choices");
    }
}
