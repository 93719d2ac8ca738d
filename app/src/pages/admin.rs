//! `/admin-panel/notifications/`: announce to everyone or to one role, list global notifications
//! (live, scheduled, and the rest apart) with how many people saw and dismissed each, deactivate
//! them; send a system alert to one user or to everyone of a role; see how many sockets are open.

// A server function's arguments are its form's fields: the announce form has nine. An allow on
// the function does not reach the code the `server` macro generates from it.
#![allow(clippy::too_many_arguments)]

use leptos::form::ActionForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use strum::VariantArray;

use crate::components::form_error::{error_text, FormError};
use crate::components::time::Time;
use crate::error::AppError;
use crate::model::{GlobalAudience, GlobalNotificationId, GlobalState, ReachedGlobal};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// Every announcement, whoever it is for, with its reach and where it stands now (by the
    /// server's clock), newest first.
    pub globals: Vec<(ReachedGlobal, GlobalState)>,
    pub open_sockets: usize,
}

#[server]
pub async fn admin_overview() -> Result<Overview, AppError> {
    use crate::ssr::{announcements, services, session};

    session::require_admin()?;
    let services = services()?;
    let now = time::OffsetDateTime::now_utc();
    let globals = services.store.list_globals().await?;
    let globals = announcements::with_reach(&services, globals)
        .await?
        .into_iter()
        .map(|g| {
            let state = g.global.state_at(now);
            (g, state)
        })
        .collect();
    Ok(Overview {
        globals,
        open_sockets: services.presence.open_sockets(),
    })
}

/// Times from the form are `datetime-local` values in the admin's local time; the page sends the
/// browser's offset from UTC (`Date.getTimezoneOffset()`, minutes, positive west of UTC) beside
/// them. Without JavaScript there is none, and the times are read as UTC, as the form says then.
#[cfg(feature = "ssr")]
fn parse_form_time(
    field: &str,
    raw: &str,
    utc_offset_minutes: i64,
) -> Result<Option<time::OffsetDateTime>, crate::model::FieldError> {
    use time::macros::format_description;
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let with_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let without = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    time::PrimitiveDateTime::parse(raw, without)
        .or_else(|_| time::PrimitiveDateTime::parse(raw, with_seconds))
        .map(|t| Some(t.assume_utc() + time::Duration::minutes(utc_offset_minutes)))
        .map_err(|_| crate::model::FieldError::new(field, "must be a date and time"))
}

#[server]
pub async fn announce(
    title: String,
    message: String,
    level: String,
    audience: Option<String>,
    show_on_site: Option<String>,
    is_active: Option<String>,
    starts_at: String,
    expires_at: String,
    utc_offset_minutes: Option<String>,
) -> Result<(), AppError> {
    use crate::model::{FieldError, Level, MessageText, Title};
    use crate::ssr::store::NewGlobalNotification;
    use crate::ssr::{announcements, services, session};

    let admin = session::require_admin()?;
    // Real offsets are within ±14 hours; anything else is ignored.
    let offset = utc_offset_minutes
        .and_then(|raw| raw.trim().parse::<i64>().ok())
        .filter(|minutes| minutes.abs() <= 14 * 60)
        .unwrap_or(0);
    let starts_at = parse_form_time("starts_at", &starts_at, offset)?;
    let expires_at = parse_form_time("expires_at", &expires_at, offset)?;
    if let (Some(start), Some(end)) = (starts_at, expires_at) {
        if end <= start {
            return Err(FieldError::new("expires_at", "must be after starts_at").into());
        }
    }
    let new = NewGlobalNotification {
        title: Title::parse("title", &title)?,
        message: MessageText::parse("message", &message)?,
        level: Level::parse("level", &level)?,
        audience: audience
            .map(|raw| GlobalAudience::parse("audience", &raw))
            .transpose()?
            .unwrap_or_default(),
        show_on_site: show_on_site.is_some(),
        is_active: is_active.is_some(),
        starts_at,
        expires_at,
        created_by: Some(admin.id),
    };
    announcements::create(&services()?, &new).await?;
    Ok(())
}

/// Turns an announcement off (`active` = false) or on again.
#[server]
pub async fn set_announcement_active(
    id: GlobalNotificationId,
    active: bool,
) -> Result<(), AppError> {
    use crate::ssr::store::GlobalNotificationPatch;
    use crate::ssr::{announcements, services, session};

    session::require_admin()?;
    let patch = GlobalNotificationPatch {
        is_active: Some(active),
        ..Default::default()
    };
    match announcements::update(&services()?, id, &patch).await? {
        Some(_) => Ok(()),
        None => Err(AppError::not_found("no such announcement")),
    }
}

/// Sends a `system` notification to one user (`audience` = `user`) or to every jobseeker or
/// employer (`audience` = `jobseekers` or `employers`); answers how many received it.
#[server]
pub async fn send_alert(
    audience: String,
    username: String,
    title: String,
    message: String,
    link: String,
) -> Result<usize, AppError> {
    use crate::model::{FieldError, Link, MessageText, Role, Title};
    use crate::ssr::board::{self, Audience};
    use crate::ssr::{services, session};

    session::require_admin()?;
    let title = Title::parse("title", &title)?;
    let message = MessageText::parse("message", &message)?;
    let link = match link.trim() {
        "" => None,
        raw => Some(Link::parse("link", raw)?),
    };
    let audience = match audience.as_str() {
        "user" => Audience::User(username),
        "jobseekers" => Audience::Everyone(Role::Jobseeker),
        "employers" => Audience::Everyone(Role::Employer),
        _ => {
            return Err(FieldError::new("audience", "must be user, jobseekers or employers").into())
        }
    };
    board::send_alert(&services()?, &audience, &title, &message, link.as_ref())
        .await
        .map_err(AppError::from)
}

#[component]
pub fn AdminPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Admin));
    let announce = ServerAction::<Announce>::new();
    let set_active = ServerAction::<SetAnnouncementActive>::new();
    let alert = ServerAction::<SendAlert>::new();
    // The overview (the announcements and the open sockets) refreshes every few seconds.
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(
        move || tick.update(|t| *t = t.wrapping_add(1)),
        std::time::Duration::from_secs(5),
    ) {
        on_cleanup(move || handle.clear());
    }
    let overview = Resource::new(
        move || {
            (
                announce.version().get(),
                set_active.version().get(),
                tick.get(),
            )
        },
        |_| admin_overview(),
    );
    view! {
        <div class="admin-grid">
            <section class="card">
                <h1>"Announce"</h1>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        overview.await.ok().map(|o| view! {
                            <p class="muted" data-testid="open-sockets">
                                {format!("{} live connection(s) on this server", o.open_sockets)}
                            </p>
                        })
                    })}
                </Transition>
                <AnnounceForm announce/>
            </section>
            <section class="card">
                <h2>"Send a system alert"</h2>
                <AlertForm alert/>
            </section>
            <section class="card wide-span">
                <h2>"Global notifications"</h2>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Err(err) => view! {
                                <p class="form-error" role="alert">{error_text(&err)}</p>
                            }.into_any(),
                            Ok(overview) => view! {
                                <GlobalsByState globals=overview.globals set_active/>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// The announce form. It confirms what was announced and empties itself, so one click cannot
/// post the same thing twice by accident.
#[component]
fn AnnounceForm(announce: ServerAction<Announce>) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = announce.value().get() {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    // The browser's offset from UTC, so the times are read as the admin's local time.
    let offset = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        offset.set((js_sys::Date::new_0().get_timezone_offset() as i64).to_string());
    });
    let zone = move || {
        if offset.get().is_empty() {
            "UTC"
        } else {
            "your local time"
        }
    };
    view! {
        <ActionForm action=announce node_ref=form attr:class="stack" attr:data-testid="announce-form">
            <label>"Title" <input name="title" required maxlength="200"/></label>
            <label>"Message" <textarea name="message" rows="2" maxlength="2000"></textarea></label>
            <label>
                "Level"
                <select name="level">
                    <option value="info">"Info"</option>
                    <option value="warning">"Warning"</option>
                    <option value="critical">"Critical"</option>
                </select>
            </label>
            <label>
                "Audience"
                <select name="audience">
                    {GlobalAudience::VARIANTS
                        .iter()
                        .map(|&audience| {
                            let name: &'static str = audience.into();
                            view! { <option value=name>{audience.label()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="check"><input type="checkbox" name="show_on_site" value="on" checked/>" Show on site"</label>
            <label class="check"><input type="checkbox" name="is_active" value="on" checked/>" Active"</label>
            <input type="hidden" name="utc_offset_minutes" prop:value=move || offset.get()/>
            <label>"Starts (optional, " {zone} ")" <input type="datetime-local" name="starts_at"/></label>
            <label>"Expires (optional, " {zone} ")" <input type="datetime-local" name="expires_at"/></label>
            <FormError result=Signal::derive(move || announce.value().get())/>
            {move || matches!(announce.value().get(), Some(Ok(()))).then(|| view! {
                <p class="form-ok" role="status" data-testid="announced">"Announced."</p>
            })}
            <button type="submit" class="button primary">"Announce"</button>
        </ActionForm>
    }
}

#[component]
fn AlertForm(alert: ServerAction<SendAlert>) -> impl IntoView {
    // The username matters only for one user; once the page is live the field shows only then.
    let audience = RwSignal::new("user".to_owned());
    view! {
        <ActionForm action=alert attr:class="stack" attr:data-testid="alert-form">
            <label>
                "To"
                <select name="audience" on:change=move |ev| audience.set(event_target_value(&ev))>
                    <option value="user">"One user"</option>
                    <option value="jobseekers">"Every jobseeker"</option>
                    <option value="employers">"Every employer"</option>
                </select>
            </label>
            <label hidden=move || audience.get() != "user">
                "Username" <input name="username" data-testid="alert-username"/>
            </label>
            <label>"Title" <input name="title" required maxlength="200"/></label>
            <label>"Message" <textarea name="message" rows="2" maxlength="2000"></textarea></label>
            <label>"Link (optional)" <input name="link" placeholder="/notifications/"/></label>
            <FormError result=Signal::derive(move || alert.value().get())/>
            {move || match alert.value().get() {
                Some(Ok(sent)) => Some(view! {
                    <p class="form-ok" role="status" data-testid="alert-sent">
                        {format!("Sent to {sent} user(s).")}
                    </p>
                }),
                _ => None,
            }}
            <button type="submit" class="button primary">"Send alert"</button>
        </ActionForm>
    }
}

/// The announcements in three groups: live now, scheduled (their start is still to come), and
/// the rest (expired, hidden or turned off), each with its reach.
#[component]
fn GlobalsByState(
    globals: Vec<(ReachedGlobal, GlobalState)>,
    set_active: ServerAction<SetAnnouncementActive>,
) -> impl IntoView {
    if globals.is_empty() {
        return view! { <p class="muted">"None yet."</p> }.into_any();
    }
    let (live, rest): (Vec<_>, Vec<_>) = globals
        .into_iter()
        .partition(|(_, state)| *state == GlobalState::Live);
    let (scheduled, ended): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .partition(|(_, state)| *state == GlobalState::Scheduled);
    view! {
        <GlobalsGroup heading="Live" group="live" globals=live set_active/>
        <GlobalsGroup heading="Scheduled" group="scheduled" globals=scheduled set_active/>
        <GlobalsGroup heading="Expired, hidden or off" group="ended" globals=ended set_active/>
    }
    .into_any()
}

#[component]
fn GlobalsGroup(
    heading: &'static str,
    group: &'static str,
    globals: Vec<(ReachedGlobal, GlobalState)>,
    set_active: ServerAction<SetAnnouncementActive>,
) -> impl IntoView {
    let count = globals.len();
    let table = (!globals.is_empty()).then(|| {
        view! {
            <table class="globals" data-testid="globals-table">
                <thead>
                    <tr>
                        <th>"Title"</th>
                        <th>"Level"</th>
                        <th>"For"</th>
                        <th>"State"</th>
                        <th>"From"</th>
                        <th>"Until"</th>
                        <th title="People it was shown to, on a page or live">"Seen"</th>
                        <th title="People who closed it">"Dismissed"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {globals
                        .into_iter()
                        .map(|(reached, state)| view! { <GlobalRow reached state set_active/> })
                        .collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <section class="globals-group" data-testid=format!("globals-{group}")>
            <h3>{heading} " " <span class="muted">{format!("({count})")}</span></h3>
            {table}
        </section>
    }
}

#[component]
fn GlobalRow(
    reached: ReachedGlobal,
    state: GlobalState,
    set_active: ServerAction<SetAnnouncementActive>,
) -> impl IntoView {
    let ReachedGlobal { global: g, reach } = reached;
    let action = if g.is_active {
        "Deactivate"
    } else {
        "Reactivate"
    };
    let state: &'static str = state.into();
    let level: &'static str = g.level.into();
    let audience: &'static str = g.audience.into();
    view! {
        <tr data-testid="global-row" data-id=g.id.to_string() data-state=state>
            <td>{g.title.to_string()}</td>
            <td class="short"><span class=format!("pill level-{level}")>{level}</span></td>
            <td class="short" data-testid="global-audience" data-audience=audience data-label="For">{g.audience.label()}</td>
            <td class="short" data-testid="global-state">{state}</td>
            <td>{match g.starts_at { Some(at) => view! { <Time at/> }.into_any(), None => "now".into_any() }}</td>
            <td>{match g.expires_at { Some(at) => view! { <Time at/> }.into_any(), None => "no expiry".into_any() }}</td>
            <td class="short" data-testid="reach-seen" data-label="Seen">{reach.seen}</td>
            <td class="short" data-testid="reach-dismissed" data-label="Dismissed">{reach.dismissed}</td>
            <td class="short">
                <ActionForm action=set_active attr:class="inline">
                    <input type="hidden" name="id" value=g.id.to_string()/>
                    <input type="hidden" name="active" value=(!g.is_active).to_string()/>
                    <button
                        type="submit"
                        class="button small"
                        data-testid=if g.is_active { "deactivate" } else { "reactivate" }
                    >
                        {action}
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
