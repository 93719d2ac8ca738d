//! `/sessions/`: every browser a person is signed in on, and a way to sign any of the others out
//! (a lost phone, a shared computer). Ending a session closes its live connection at once.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::components::form_error::{error_text, FormError};
use crate::components::time::Time;
use crate::error::AppError;
use crate::model::{MySessions, Session, SessionId};

#[server]
pub async fn list_sessions() -> Result<MySessions, AppError> {
    use crate::ssr::{services, session};

    let me = session::require_signed_in()?;
    Ok(session::list(&*services()?.store, &me).await?)
}

/// Signs out one of the asker's other browsers.
#[server]
pub async fn end_session(id: SessionId) -> Result<(), AppError> {
    use crate::ssr::{services, session};

    let me = session::require_signed_in()?;
    if id == me.session_id {
        return Err(AppError::Conflict(
            "this is the browser you are using: sign out from the menu instead".to_owned(),
        ));
    }
    match session::end_one(&services()?, &me, id).await? {
        true => Ok(()),
        false => Err(AppError::not_found("that session has already ended")),
    }
}

/// Signs out every browser of the asker's but this one.
#[server]
pub async fn end_other_sessions() -> Result<usize, AppError> {
    use crate::ssr::{services, session};

    let me = session::require_signed_in()?;
    Ok(session::end_others(&services()?, &me).await?)
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    super::require(super::Audience::SignedIn);
    let end_one = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(
        move || (end_one.version().get(), end_others.version().get()),
        |_| list_sessions(),
    );
    view! {
        <section class="card wide">
            <h1>"Where you are signed in"</h1>
            <p class="muted">
                "Sign out a browser you no longer use or do not recognise; its open pages stop "
                "receiving notifications at once."
            </p>
            <FormError result=Signal::derive(move || end_one.value().get())/>
            <FormError result=Signal::derive(move || end_others.value().get())/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                        Ok(mine) => {
                            let others = mine.sessions.iter().filter(|s| s.id != mine.current_id).count();
                            view! {
                                <ul class="session-list">
                                    {mine.sessions.into_iter().map(|session| {
                                        let current = session.id == mine.current_id;
                                        view! { <SessionRow session current end_one/> }
                                    }).collect_view()}
                                </ul>
                                {(others > 0).then(|| view! {
                                    <ActionForm action=end_others attr:class="inline">
                                        <button type="submit" class="button" data-testid="end-other-sessions">
                                            "Sign out everywhere else"
                                        </button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SessionRow(session: Session, current: bool, end_one: ServerAction<EndSession>) -> impl IntoView {
    let browser = if session.browser.is_empty() {
        "An unknown browser".to_owned()
    } else {
        session.browser
    };
    view! {
        <li class="session" data-testid="session" data-current=current.to_string()>
            <span class="session-browser">{browser}</span>
            <span class="muted">
                "Signed in " <Time at=session.signed_in_at/> " · until " <Time at=session.expires_at/>
            </span>
            {if current {
                view! { <span class="pill">"This browser"</span> }.into_any()
            } else {
                view! {
                    <ActionForm action=end_one attr:class="inline">
                        <input type="hidden" name="id" value=session.id.to_string()/>
                        <button type="submit" class="button small" data-testid="end-session">"Sign out"</button>
                    </ActionForm>
                }.into_any()
            }}
        </li>
    }
}
