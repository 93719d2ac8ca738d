//! The employer's pages: their jobs (post, edit, close) and the applications to them.

use leptos::form::ActionForm;
use leptos::prelude::*;
use strum::VariantArray;

use crate::components::form_error::{error_text, FormError};
use crate::components::textarea::textarea_text;
use crate::components::time::Time;
use crate::error::AppError;
use crate::model::{Application, ApplicationId, ApplicationStatus, Job, JobId, NotificationType};
use crate::realtime::Realtime;

#[server]
pub async fn my_jobs() -> Result<Vec<Job>, AppError> {
    use crate::ssr::{services, session};

    let employer = session::require_user()?;
    services()?
        .store
        .employer_jobs(employer.id)
        .await
        .map_err(AppError::from)
}

#[server]
pub async fn post_job(
    title: String,
    company: String,
    location: String,
    description: String,
) -> Result<JobId, AppError> {
    use crate::model::JobDraft;
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    let draft = JobDraft::parse(&title, &company, &location, &description)?;
    let job = board::post_job(&services()?, &employer, &draft).await?;
    leptos_axum::redirect(&format!("/jobs/{}", job.id));
    Ok(job.id)
}

/// The job for its edit form: only its owner gets it.
#[server]
pub async fn job_to_edit(id: JobId) -> Result<Job, AppError> {
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    board::job_for_editing(&services()?, &employer, id)
        .await
        .map_err(AppError::from)
}

#[server]
pub async fn edit_job(
    id: JobId,
    title: String,
    company: String,
    location: String,
    description: String,
) -> Result<(), AppError> {
    use crate::model::JobDraft;
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    let draft = JobDraft::parse(&title, &company, &location, &description)?;
    board::edit_job(&services()?, &employer, id, &draft).await?;
    Ok(())
}

#[server]
pub async fn set_job_open(id: JobId, open: bool) -> Result<(), AppError> {
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    board::set_job_open(&services()?, &employer, id, open).await?;
    Ok(())
}

#[server]
pub async fn my_applications() -> Result<Vec<Application>, AppError> {
    use crate::ssr::{services, session};

    let employer = session::require_user()?;
    services()?
        .store
        .applications_for_employer(employer.id)
        .await
        .map_err(AppError::from)
}

#[server]
pub async fn set_application_status(id: ApplicationId, status: String) -> Result<(), AppError> {
    use crate::model::ApplicationStatus;
    use crate::ssr::{board, services, session};

    let employer = session::require_user()?;
    let status = ApplicationStatus::parse("status", &status)?;
    board::set_application_status(&services()?, &employer, id, status).await?;
    Ok(())
}

#[server]
pub async fn get_application(id: ApplicationId) -> Result<Application, AppError> {
    use crate::ssr::{board, services, session};

    let viewer = session::require_user()?;
    board::application_for(&services()?, &viewer, id)
        .await
        .map_err(AppError::from)
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
        |_| async move {
            let jobs = my_jobs().await?;
            let counts = applications_per_job(&my_applications().await?);
            Ok::<_, AppError>((jobs, counts))
        },
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
                            Ok((jobs, _)) if jobs.is_empty() => view! { <p class="muted">"No jobs yet: post your first one here."</p> }.into_any(),
                            Ok((jobs, counts)) => view! {
                                <ul class="job-list">
                                    {jobs.into_iter().map(|job| view! {
                                        <li class="job-card" data-testid="my-job">
                                            <a href=format!("/jobs/{}", job.id)><strong>{job.title.clone()}</strong></a>
                                            <span class="muted">{if job.is_open { "open" } else { "closed" }}</span>
                                            {
                                                let (total, new) = counts
                                                    .iter()
                                                    .find(|c| c.job_id == job.id)
                                                    .map_or((0, 0), |c| (c.total, c.new));
                                                view! {
                                                    <a href=format!("/employer/applications/?job={}", job.id) data-testid="job-applications">
                                                        {format!("{total} application(s), {new} new")}
                                                    </a>
                                                }
                                            }
                                            <a href=format!("/employer/jobs/{}/", job.id)>"Edit"</a>
                                            <ActionForm action=toggle attr:class="inline">
                                                <input type="hidden" name="id" value=job.id.to_string()/>
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
    let toggle = ServerAction::<SetJobOpen>::new();
    let job = Resource::new(
        move || (id(), edit.version().get(), toggle.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => job_to_edit(id).await,
                None => Err(AppError::not_found("not found")),
            }
        },
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
                            let is_open = job.is_open;
                            view! {
                                <ActionForm action=edit attr:class="stack" attr:data-testid="edit-job-form">
                                    <input type="hidden" name="id" value=job_id.to_string()/>
                                    <JobFields job=Some(job)/>
                                    <FormError result=Signal::derive(move || edit.value().get())/>
                                    {move || matches!(edit.value().get(), Some(Ok(()))).then(|| view! {
                                        <p class="form-ok" role="status">"Saved."</p>
                                    })}
                                    <button type="submit" class="button primary">"Save"</button>
                                </ActionForm>
                                <div class="actions left">
                                    <ActionForm action=toggle attr:class="inline">
                                        <input type="hidden" name="id" value=job_id.to_string()/>
                                        <input type="hidden" name="open" value=(!is_open).to_string()/>
                                        <button type="submit" class="button" data-testid="toggle-open">
                                            {if is_open { "Close this job" } else { "Reopen this job" }}
                                        </button>
                                    </ActionForm>
                                    <span class="muted" data-testid="job-state">
                                        {if is_open { "Open to applications" } else { "Closed: no new applications" }}
                                    </span>
                                    <a href=format!("/jobs/{job_id}")>"See the job"</a>
                                </div>
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
    let set_status = ServerAction::<SetApplicationStatus>::new();
    let applications = Resource::new(
        move || (arrivals.get(), set_status.version().get()),
        |_| my_applications(),
    );
    let query = leptos_router::hooks::use_query_map();
    let only_job = move || {
        query
            .read()
            .get("job")
            .and_then(|j| j.parse::<JobId>().ok())
    };
    view! {
        <section class="card wide">
            <h1>"Applications"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match applications.await {
                        Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty">
                                <p>"No applications yet."</p>
                                <p><a class="button" href="/employer/jobs/">"See your jobs"</a></p>
                            </div>
                        }.into_any(),
                        Ok(list) => {
                            let per_job = applications_per_job(&list);
                            let shown: Vec<Application> = list
                                .into_iter()
                                .filter(|a| only_job().is_none_or(|job| a.job_id == job))
                                .collect();
                            view! {
                                <nav class="filters" aria-label="Filter by job" data-testid="job-filter">
                                    <a href="/employer/applications/" class:active=move || only_job().is_none()>
                                        {format!("All ({})", per_job.iter().map(|j| j.total).sum::<usize>())}
                                    </a>
                                    {per_job.into_iter().map(|job| {
                                        let id = job.job_id;
                                        view! {
                                            <a
                                                href=format!("/employer/applications/?job={id}")
                                                class:active=move || only_job() == Some(id)
                                            >
                                                {format!("{} ({}, {} new)", job.title, job.total, job.new)}
                                            </a>
                                        }
                                    }).collect_view()}
                                </nav>
                                <ul class="job-list">
                                    {shown.into_iter().map(|a| view! { <ApplicationRow a set_status/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// How many applications each job has, and how many of them are new.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct JobCount {
    job_id: JobId,
    title: String,
    total: usize,
    new: usize,
}

fn applications_per_job(list: &[Application]) -> Vec<JobCount> {
    let mut counts: Vec<JobCount> = Vec::new();
    for a in list {
        let is_new = usize::from(a.status == ApplicationStatus::New);
        match counts.iter_mut().find(|c| c.job_id == a.job_id) {
            Some(count) => {
                count.total += 1;
                count.new += is_new;
            }
            None => counts.push(JobCount {
                job_id: a.job_id,
                title: a.job_title.clone(),
                total: 1,
                new: is_new,
            }),
        }
    }
    counts
}

#[component]
fn ApplicationRow(a: Application, set_status: ServerAction<SetApplicationStatus>) -> impl IntoView {
    let status = a.status;
    let status_name: &'static str = status.into();
    view! {
        <li class="job-card" data-testid="application-row" data-status=status_name>
            <a href=format!("/employer/applications/{}/", a.id)>
                <strong>{a.seeker_name.clone()}</strong>
            </a>
            <span>{format!("applied to {}", a.job_title)}</span>
            <span class="muted"><Time at=a.created_at/></span>
            <ActionForm action=set_status attr:class="inline status-form">
                <input type="hidden" name="id" value=a.id.to_string()/>
                <label class="visually-hidden" for=format!("status-{}", a.id)>"Status"</label>
                <select name="status" id=format!("status-{}", a.id) data-testid="status-select">
                    {ApplicationStatus::VARIANTS.iter().map(|&option| {
                        let name: &'static str = option.into();
                        view! { <option value=name selected=option == status>{name}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="button small" data-testid="set-status">"Update"</button>
            </ActionForm>
        </li>
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    super::require(super::Audience::Only(crate::model::Role::Employer));
    let id = super::route_id("id");
    let application = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_application(id).await,
            None => Err(AppError::not_found("not found")),
        }
    });
    view! {
        <section class="card wide">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match application.await {
                        Err(err) => view! { <h1>"Application not found"</h1><p>{error_text(&err)}</p> }.into_any(),
                        Ok(a) => view! {
                            <h1 data-testid="application">{format!("{} applied to {}", a.seeker_name, a.job_title)}</h1>
                            <p class="muted"><Time at=a.created_at/></p>
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
