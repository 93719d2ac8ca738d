//! `/` (open jobs, with search and pages) and `/jobs/<id>` (one job; jobseekers apply there).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::encode_component;
use crate::components::form_error::{error_text, FormError};
use crate::components::layout::use_viewer;
use crate::components::time::Time;
use crate::error::AppError;
use crate::model::{Job, JobId, Role};

pub const PAGE_SIZE: u32 = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPage {
    pub jobs: Vec<Job>,
    pub total: i64,
    /// The jobs on this page the viewer has applied to.
    pub applied: Vec<JobId>,
}

#[server]
pub async fn search_jobs(q: String, location: String, page: u32) -> Result<JobPage, AppError> {
    use crate::ssr::services;
    use crate::ssr::store::JobSearch;

    let q: String = q.chars().take(100).collect();
    let location: String = location.chars().take(100).collect();
    let search = JobSearch {
        keyword: Some(q.as_str()),
        location: Some(location.as_str()),
        offset: page.saturating_sub(1).saturating_mul(PAGE_SIZE),
        limit: PAGE_SIZE,
    };
    let services = services()?;
    let (jobs, total) = services.store.search_jobs(&search).await?;
    let applied = match crate::ssr::session::signed_in() {
        Some(signed_in) => {
            let ids: Vec<JobId> = jobs.iter().map(|job| job.id).collect();
            services.store.applied_to(signed_in.user.id, &ids).await?
        }
        None => Vec::new(),
    };
    Ok(JobPage {
        jobs,
        total,
        applied,
    })
}

/// A job, and whether the viewer already applied to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub job: Job,
    pub applied: bool,
}

#[server]
pub async fn get_job(id: JobId) -> Result<JobView, AppError> {
    use crate::ssr::{services, session};

    let services = services()?;
    let job = services
        .store
        .job(id)
        .await?
        .ok_or_else(|| AppError::not_found("no such job"))?;
    let applied = match session::signed_in() {
        Some(signed_in) => !services
            .store
            .applied_to(signed_in.user.id, &[id])
            .await?
            .is_empty(),
        None => false,
    };
    Ok(JobView { job, applied })
}

#[server]
pub async fn apply_to_job(job_id: JobId, cover_letter: String) -> Result<(), AppError> {
    use crate::ssr::{board, services, session};

    let seeker = session::require_user()?;
    board::apply(&services()?, &seeker, job_id, &cover_letter).await?;
    Ok(())
}

#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let location = move || query.read().get("location").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    };
    let results = Resource::new(
        move || (q(), location(), page()),
        |(q, l, p)| search_jobs(q, l, p),
    );
    let ctx = use_viewer();

    view! {
        <section class="hero compact">
            <h1>"Find your next job"</h1>
            <form method="get" action="/" class="search" role="search">
                <input name="q" placeholder="Keyword: Rust, design, Acme…" value=q aria-label="Keyword"/>
                <input name="location" placeholder="Location" value=location aria-label="Location"/>
                <button type="submit" class="button primary">"Search"</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match ctx.viewer.await {
                        Ok(Some(viewer)) if viewer.user.role == Role::Employer => view! {
                            <p><a class="button" href="/employer/jobs/">"Post a job"</a></p>
                        }.into_any(),
                        Ok(Some(_)) => ().into_any(),
                        _ => view! {
                            <p class="actions">
                                <a class="button primary" href="/register">"Create an account"</a>
                                <a class="button" href="/login">"Sign in"</a>
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                    Ok(found) => {
                        let pages = ((found.total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE)).max(1);
                        let current = i64::from(page());
                        let link = move |p: i64| {
                            format!(
                                "/?q={}&location={}&page={p}",
                                encode_component(&q()),
                                encode_component(&location()),
                            )
                        };
                        view! {
                            <p class="muted result-count" data-testid="job-count">
                                {format!("{} open job(s)", found.total)}
                            </p>
                            <ul class="job-list">
                                {found.jobs.into_iter().map(|job| {
                                    let applied = found.applied.contains(&job.id);
                                    view! { <JobCard job applied/> }
                                }).collect_view()}
                            </ul>
                            <nav class="pager" aria-label="Pages">
                                {(current > 1).then(|| view! { <a class="button" href=link(current - 1)>"Newer"</a> })}
                                <span class="muted">{format!("Page {current} of {pages}")}</span>
                                {(current < pages).then(|| view! { <a class="button" href=link(current + 1) data-testid="next-page">"Older"</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn JobCard(job: Job, applied: bool) -> impl IntoView {
    view! {
        <li class="job-card" data-testid="job-card">
            <a href=format!("/jobs/{}", job.id)><strong>{job.title.clone()}</strong></a>
            <span class="muted">{format!("{} · {}", job.company, job.location)}</span>
            {applied.then(|| view! { <span class="pill status-applied" data-testid="applied-pill">"Applied"</span> })}
        </li>
    }
}

#[component]
pub fn JobPage() -> impl IntoView {
    let id = super::route_id("id");
    let apply = ServerAction::<ApplyToJob>::new();
    let job = Resource::new(
        move || (id(), apply.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_job(id).await,
                None => Err(AppError::not_found("no such job")),
            }
        },
    );
    let ctx = use_viewer();
    // What the jobseeker writes, kept on the page: if the job closes while they write, the
    // refused application's letter stays in front of them rather than vanishing with the form.
    let letter = RwSignal::new(String::new());

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let viewer = ctx.viewer.await.ok().flatten();
                match job.await {
                    Err(err) => view! {
                        <section class="card narrow"><h1>"Job not found"</h1><p>{error_text(&err)}</p></section>
                    }.into_any(),
                    Ok(JobView { job, applied }) => {
                        let role = viewer.as_ref().map(|v| v.user.role);
                        let is_owner = viewer.as_ref().is_some_and(|v| v.user.id == job.employer_id);
                        let job_id = job.id;
                        view! {
                            <article class="card wide job" data-testid="job">
                                <h1>{job.title.clone()}</h1>
                                <p class="muted">
                                    {format!("{} · {} · posted ", job.company, job.location)}
                                    <Time at=job.created_at/>
                                    {(!job.is_open).then(|| view! { <span class="pill">" closed"</span> })}
                                </p>
                                <p class="description">{job.description.clone()}</p>
                                {match (role, applied, job.is_open) {
                                    (Some(Role::Jobseeker), true, _) => view! {
                                        <p class="form-ok" data-testid="applied">"You applied to this job."</p>
                                    }.into_any(),
                                    (Some(Role::Jobseeker), false, true) => view! {
                                        <ActionForm action=apply attr:class="stack" attr:data-testid="apply-form">
                                            <input type="hidden" name="job_id" value=job_id.to_string()/>
                                            <label>
                                                "Cover letter (optional)"
                                                <textarea
                                                    name="cover_letter"
                                                    rows="4"
                                                    maxlength="5000"
                                                    prop:value=move || letter.get()
                                                    on:input=move |ev| letter.set(event_target_value(&ev))
                                                ></textarea>
                                            </label>
                                            <FormError result=Signal::derive(move || apply.value().get())/>
                                            <button type="submit" class="button primary">"Apply"</button>
                                        </ActionForm>
                                    }.into_any(),
                                    (Some(Role::Jobseeker), false, false) => view! {
                                        <p class="muted" data-testid="job-closed">"This job is closed to new applications."</p>
                                        {move || (!letter.get().is_empty()).then(|| view! {
                                            <label class="stack">
                                                "The cover letter you wrote, to keep"
                                                <textarea readonly rows="4" data-testid="unsent-letter" prop:value=move || letter.get()></textarea>
                                            </label>
                                        })}
                                    }.into_any(),
                                    (None, _, true) => view! {
                                        <p><a class="button primary" href=format!("/login?next=/jobs/{job_id}")>"Sign in to apply"</a></p>
                                    }.into_any(),
                                    _ => ().into_any(),
                                }}
                                {is_owner.then(|| view! {
                                    <p><a class="button" href=format!("/employer/jobs/{job_id}/")>"Edit or close this job"</a></p>
                                })}
                                <FormError result=Signal::derive(move || apply.value().get().filter(|_| applied))/>
                            </article>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
