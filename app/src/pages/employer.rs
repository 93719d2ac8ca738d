//! The employer's pages: their jobs (post, edit, close) and the applications to them.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::components::form_error::{error_text, FormError};
use crate::components::textarea::textarea_text;
use crate::components::time::format_utc;
use crate::model::{Application, Job, NotificationType};
use crate::realtime::Realtime;

#[server]
pub async fn my_jobs() -> Result<Vec<Job>, ServerFnError> {
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    services()?
        .store
        .employer_jobs(employer.id)
        .await
        .map_err(board::store_failure)
}

#[server]
pub async fn post_job(
    title: String,
    company: String,
    location: String,
    description: String,
) -> Result<i64, ServerFnError> {
    use crate::model::JobDraft;
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    let draft = JobDraft::parse(&title, &company, &location, &description)
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let job = board::post_job(&services()?, &employer, &draft)
        .await
        .map_err(board::BoardError::into_server_error)?;
    leptos_axum::redirect(&format!("/jobs/{}", job.id));
    Ok(job.id)
}

/// The job for its edit form: only its owner gets it.
#[server]
pub async fn job_to_edit(id: i64) -> Result<Job, ServerFnError> {
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    board::job_for_editing(&services()?, &employer, id)
        .await
        .map_err(board::BoardError::into_server_error)
}

#[server]
pub async fn edit_job(
    id: i64,
    title: String,
    company: String,
    location: String,
    description: String,
) -> Result<(), ServerFnError> {
    use crate::model::JobDraft;
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    let draft = JobDraft::parse(&title, &company, &location, &description)
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    board::edit_job(&services()?, &employer, id, &draft)
        .await
        .map_err(board::BoardError::into_server_error)?;
    Ok(())
}

#[server]
pub async fn set_job_open(id: i64, open: bool) -> Result<(), ServerFnError> {
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    board::set_job_open(&services()?, &employer, id, open)
        .await
        .map_err(board::BoardError::into_server_error)?;
    Ok(())
}

#[server]
pub async fn my_applications() -> Result<Vec<Application>, ServerFnError> {
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    services()?
        .store
        .applications_for_employer(employer.id)
        .await
        .map_err(board::store_failure)
}

#[server]
pub async fn get_application(id: i64) -> Result<Application, ServerFnError> {
    use crate::ssr::{board, services, session};

    let viewer = session::require_user()?;
    board::application_for(&services()?, &viewer, id)
        .await
        .map_err(board::BoardError::into_server_error)
}

#[component]
fn JobFields(job: Option<Job>) -> impl IntoView {
    let job = job.as_ref();
    view! {
        <label>"Title" <input name="title" required maxlength="120" value=job.map(|j| j.title.clone())/></label>
        <label>"Company" <input name="company" required maxlength="120" value=job.map(|j| j.company.clone())/></label>
        <label>"Location" <input name="location" required maxlength="120" value=job.map(|j| j.location.clone())/></label>
        <label>
            "Description"
            <textarea name="description" rows="6" required maxlength="5000">
                {job.map(|j| textarea_text(j.description.clone()))}
            </textarea>
        </label>
    }
}

#[component]
pub fn EmployerJobsPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Employer));
    let post = ServerAction::<PostJob>::new();
    let toggle = ServerAction::<SetJobOpen>::new();
    let jobs = Resource::new(
        move || (post.version().get(), toggle.version().get()),
        |_| my_jobs(),
    );
    view! {
        <div class="admin-grid">
            <section class="card">
                <h1>"Post a job"</h1>
                <ActionForm action=post attr:class="stack" attr:data-testid="post-job-form">
                    <JobFields job=None/>
                    <FormError result=Signal::derive(move || post.value().get())/>
                    <button type="submit" class="button primary">"Post the job"</button>
                </ActionForm>
            </section>
            <section class="card">
                <h2>"Your jobs"</h2>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match jobs.await {
                            Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                            Ok(jobs) if jobs.is_empty() => view! { <p class="muted">"No jobs yet."</p> }.into_any(),
                            Ok(jobs) => view! {
                                <ul class="job-list">
                                    {jobs.into_iter().map(|job| view! {
                                        <li class="job-card" data-testid="my-job">
                                            <a href=format!("/jobs/{}", job.id)><strong>{job.title.clone()}</strong></a>
                                            <span class="muted">{if job.is_open { "open" } else { "closed" }}</span>
                                            <a href=format!("/employer/jobs/{}/", job.id)>"Edit"</a>
                                            <ActionForm action=toggle attr:class="inline">
                                                <input type="hidden" name="id" value=job.id/>
                                                <input type="hidden" name="open" value=(!job.is_open).to_string()/>
                                                <button type="submit" class="button small">
                                                    {if job.is_open { "Close" } else { "Reopen" }}
                                                </button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
pub fn EditJobPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Employer));
    let id = super::route_id("id");
    let edit = ServerAction::<EditJob>::new();
    let job = Resource::new(
        move || (id(), edit.version().get()),
        |(id, _)| job_to_edit(id),
    );
    view! {
        <section class="card wide">
            <h1>"Edit the job"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match job.await {
                        Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                        Ok(job) => {
                            let job_id = job.id;
                            view! {
                                <ActionForm action=edit attr:class="stack" attr:data-testid="edit-job-form">
                                    <input type="hidden" name="id" value=job_id/>
                                    <JobFields job=Some(job)/>
                                    <FormError result=Signal::derive(move || edit.value().get())/>
                                    {move || matches!(edit.value().get(), Some(Ok(()))).then(|| view! {
                                        <p class="form-ok" role="status">"Saved."</p>
                                    })}
                                    <button type="submit" class="button primary">"Save"</button>
                                </ActionForm>
                                <p><a href=format!("/jobs/{job_id}")>"See the job"</a></p>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn EmployerApplicationsPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Employer));
    let realtime = expect_context::<Realtime>();
    // Refreshes whenever an application notification arrives live.
    let arrivals = Memo::new(move |_| {
        realtime.received.with(|r| {
            r.iter()
                .filter(|n| n.notification_type == NotificationType::Application)
                .count()
        })
    });
    let applications = Resource::new(move || arrivals.get(), |_| my_applications());
    view! {
        <section class="card wide">
            <h1>"Applications"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match applications.await {
                        Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No applications yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="job-list">
                                {list.into_iter().map(|a| view! {
                                    <li class="job-card" data-testid="application-row">
                                        <a href=format!("/employer/applications/{}/", a.id)>
                                            <strong>{a.seeker_name.clone()}</strong>
                                        </a>
                                        <span>{format!("applied to {}", a.job_title)}</span>
                                        <span class="muted">{format_utc(a.created_at)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Employer));
    let id = super::route_id("id");
    let application = Resource::new(id, get_application);
    view! {
        <section class="card wide">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match application.await {
                        Err(err) => view! { <h1>"Application not found"</h1><p>{error_text(&err)}</p> }.into_any(),
                        Ok(a) => view! {
                            <h1 data-testid="application">{format!("{} applied to {}", a.seeker_name, a.job_title)}</h1>
                            <p class="muted">{format_utc(a.created_at)}</p>
                            <p class="description">{if a.cover_letter.is_empty() { "No cover letter.".to_owned() } else { a.cover_letter.clone() }}</p>
                            <p class="actions left">
                                <a class="button" href=format!("/profile/{}", a.seeker_name)>"See the profile"</a>
                                <a class="button primary" href=format!("/messages/{}", a.seeker_name)>"Send a message"</a>
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
