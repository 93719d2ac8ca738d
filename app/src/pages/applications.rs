//! `/applications/`: a jobseeker's own applications and where each stands, updated live when an
//! employer moves one along.

use leptos::prelude::*;

use crate::components::form_error::error_text;
use crate::components::time::Time;
use crate::error::AppError;
use crate::model::{Application, NotificationType};
use crate::realtime::Realtime;

#[server]
pub async fn my_applications() -> Result<Vec<Application>, AppError> {
    use crate::ssr::{services, session};

    let seeker = session::require_user()?;
    services()?
        .store
        .applications_of_seeker(seeker.id)
        .await
        .map_err(AppError::from)
}

#[component]
pub fn MyApplicationsPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Jobseeker));
    let realtime = expect_context::<Realtime>();
    // An application notification (a status changed) reloads the list.
    let changes = Memo::new(move |_| {
        realtime.received.with(|received| {
            received
                .iter()
                .filter(|n| n.notification_type == NotificationType::Application)
                .count()
        })
    });
    let applications = Resource::new(move || changes.get(), |_| my_applications());
    view! {
        <section class="card wide">
            <h1>"My applications"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match applications.await {
                        Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty" data-testid="empty-applications">
                                <p>"You have not applied to any job yet."</p>
                                <p><a class="button primary" href="/">"Find a job"</a></p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="job-list">
                                {list.into_iter().map(|a| {
                                    let status: &'static str = a.status.into();
                                    view! {
                                        <li class="job-card" data-testid="my-application" data-status=status>
                                            <a href=format!("/jobs/{}", a.job_id)><strong>{a.job_title.clone()}</strong></a>
                                            <span class="muted">{a.company.clone()}" · applied "<Time at=a.created_at/></span>
                                            <span class=format!("pill status-{status}") data-testid="application-status">{status}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
