//! `/admin-panel/notifications/`: announce, list and deactivate global notifications; send a
//! system alert to one user or to everyone of a role; see how many sockets are open.

use leptos::form::ActionForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form_error::{error_text, FormError};
use crate::components::time::format_utc;
use crate::model::GlobalNotification;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub globals: Vec<GlobalNotification>,
    pub open_sockets: usize,
}

#[server]
pub async fn admin_overview() -> Result<Overview, ServerFnError> {
    use crate::ssr::{services, session};

    session::require_admin()?;
    let services = services()?;
    let globals = services
        .store
        .list_globals()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(Overview {
        globals,
        open_sockets: services.presence.open_sockets(),
    })
}

/// Times from the form are `datetime-local` values, read as UTC.
#[cfg(feature = "ssr")]
fn parse_form_time(
    field: &str,
    raw: &str,
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
        .map(|t| Some(t.assume_utc()))
        .map_err(|_| crate::model::FieldError::new(field, "must be a date and time"))
}

#[server]
#[allow(clippy::too_many_arguments)]
pub async fn announce(
    title: String,
    message: String,
    level: String,
    show_on_site: Option<String>,
    is_active: Option<String>,
    starts_at: String,
    expires_at: String,
) -> Result<(), ServerFnError> {
    use crate::model::{FieldError, Level, MessageText, Title};
    use crate::ssr::store::NewGlobalNotification;
    use crate::ssr::{announcements, services, session};

    let admin = session::require_admin()?;
    let invalid = |e: FieldError| ServerFnError::new(e.to_string());
    let starts_at = parse_form_time("starts_at", &starts_at).map_err(invalid)?;
    let expires_at = parse_form_time("expires_at", &expires_at).map_err(invalid)?;
    if let (Some(start), Some(end)) = (starts_at, expires_at) {
        if end <= start {
            return Err(invalid(FieldError::new(
                "expires_at",
                "must be after starts_at",
            )));
        }
    }
    let new = NewGlobalNotification {
        title: Title::parse("title", &title).map_err(invalid)?,
        message: MessageText::parse("message", &message).map_err(invalid)?,
        level: Level::parse("level", &level).map_err(invalid)?,
        show_on_site: show_on_site.is_some(),
        is_active: is_active.is_some(),
        starts_at,
        expires_at,
        created_by: Some(admin.id),
    };
    announcements::create(&services()?, &new)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(())
}

#[server]
pub async fn deactivate_announcement(id: i64) -> Result<(), ServerFnError> {
    use crate::ssr::store::GlobalNotificationPatch;
    use crate::ssr::{announcements, services, session};

    session::require_admin()?;
    let patch = GlobalNotificationPatch {
        is_active: Some(false),
        ..Default::default()
    };
    match announcements::update(&services()?, id, &patch).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(ServerFnError::new("no such announcement")),
        Err(e) => Err(ServerFnError::new(e.to_string())),
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
) -> Result<usize, ServerFnError> {
    use crate::model::{FieldError, Link, MessageText, Role, Title};
    use crate::ssr::board::{self, Audience};
    use crate::ssr::{services, session};

    session::require_admin()?;
    let invalid = |e: FieldError| ServerFnError::new(e.to_string());
    let title = Title::parse("title", &title).map_err(invalid)?;
    let message = MessageText::parse("message", &message).map_err(invalid)?;
    let link = match link.trim() {
        "" => None,
        raw => Some(Link::parse("link", raw).map_err(invalid)?),
    };
    let audience = match audience.as_str() {
        "user" => Audience::User(username),
        "jobseekers" => Audience::Everyone(Role::Jobseeker),
        "employers" => Audience::Everyone(Role::Employer),
        _ => {
            return Err(invalid(FieldError::new(
                "audience",
                "must be user, jobseekers or employers",
            )))
        }
    };
    board::send_alert(&services()?, &audience, &title, &message, link.as_ref())
        .await
        .map_err(board::BoardError::into_server_error)
}

#[component]
pub fn AdminPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Admin));
    let announce = ServerAction::<Announce>::new();
    let deactivate = ServerAction::<DeactivateAnnouncement>::new();
    let alert = ServerAction::<SendAlert>::new();
    let overview = Resource::new(
        move || (announce.version().get(), deactivate.version().get()),
        |_| admin_overview(),
    );
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if crate::ssr::session::require_admin().is_err() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
    }

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(err) => view! {
                        <section class="card narrow">
                            <h1>"Admin"</h1>
                            <p class="form-error" role="alert">{error_text(&err)}</p>
                        </section>
                    }.into_any(),
                    Ok(overview) => view! {
                        <div class="admin-grid">
                            <section class="card">
                                <h1>"Announce to everyone"</h1>
                                <p class="muted" data-testid="open-sockets">
                                    {format!("{} live connection(s) on this server", overview.open_sockets)}
                                </p>
                                <ActionForm action=announce attr:class="stack" attr:data-testid="announce-form">
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
                                    <label class="check"><input type="checkbox" name="show_on_site" value="on" checked/>" Show on site"</label>
                                    <label class="check"><input type="checkbox" name="is_active" value="on" checked/>" Active"</label>
                                    <label>"Starts (UTC, optional)" <input type="datetime-local" name="starts_at"/></label>
                                    <label>"Expires (UTC, optional)" <input type="datetime-local" name="expires_at"/></label>
                                    <FormError result=Signal::derive(move || announce.value().get())/>
                                    <button type="submit" class="button primary">"Announce"</button>
                                </ActionForm>
                            </section>
                            <section class="card">
                                <h2>"Send a system alert"</h2>
                                <ActionForm action=alert attr:class="stack" attr:data-testid="alert-form">
                                    <label>
                                        "To"
                                        <select name="audience">
                                            <option value="user">"One user"</option>
                                            <option value="jobseekers">"Every jobseeker"</option>
                                            <option value="employers">"Every employer"</option>
                                        </select>
                                    </label>
                                    <label>"Username (for one user)" <input name="username"/></label>
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
                            </section>
                            <section class="card wide-span">
                                <h2>"Global notifications"</h2>
                                <GlobalsTable globals=overview.globals deactivate/>
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GlobalsTable(
    globals: Vec<GlobalNotification>,
    deactivate: ServerAction<DeactivateAnnouncement>,
) -> impl IntoView {
    if globals.is_empty() {
        return view! { <p class="muted">"None yet."</p> }.into_any();
    }
    view! {
        <table class="globals" data-testid="globals-table">
            <thead>
                <tr>
                    <th>"Title"</th>
                    <th>"Level"</th>
                    <th>"State"</th>
                    <th>"Window (UTC)"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {globals
                    .into_iter()
                    .map(|g| {
                        let window = format!(
                            "{} → {}",
                            g.starts_at.map(format_utc).unwrap_or_else(|| "now".into()),
                            g.expires_at.map(format_utc).unwrap_or_else(|| "no expiry".into()),
                        );
                        let state = match (g.is_active, g.show_on_site) {
                            (false, _) => "inactive",
                            (true, false) => "hidden",
                            (true, true) => "active",
                        };
                        view! {
                            <tr data-testid="global-row" data-id=g.id>
                                <td>{g.title.clone()}</td>
                                <td><span class=format!("pill level-{}", g.level)>{g.level.as_str()}</span></td>
                                <td>{state}</td>
                                <td>{window}</td>
                                <td>
                                    {g.is_active.then(|| view! {
                                        <ActionForm action=deactivate attr:class="inline">
                                            <input type="hidden" name="id" value=g.id/>
                                            <button type="submit" class="button small" data-testid="deactivate">
                                                "Deactivate"
                                            </button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
