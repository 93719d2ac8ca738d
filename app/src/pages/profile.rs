//! `/profile/<username>`: a public profile; its owner edits it here. An employer's visit tells
//! the jobseeker (at most once per employer per 24 hours).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::form_error::{error_text, FormError};
use crate::components::layout::use_viewer;
use crate::components::textarea::textarea_text;
use crate::error::AppError;
use crate::model::{Profile, Role};

#[server]
pub async fn get_profile(username: String) -> Result<Profile, AppError> {
    use crate::ssr::{board, services, session};

    let viewer = session::signed_in().map(|s| s.user);
    board::view_profile(&services()?, viewer.as_ref(), &username)
        .await
        .map_err(AppError::from)
}

#[server]
pub async fn save_profile(headline: String, skills: String, bio: String) -> Result<(), AppError> {
    use crate::model::ProfileDraft;
    use crate::ssr::{board, services, session};

    let user = session::require_user()?;
    let draft = ProfileDraft::parse(&headline, &skills, &bio)?;
    board::save_profile(&services()?, &user, &draft)
        .await
        .map_err(AppError::from)
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let username = move || params.read().get("username").unwrap_or_default();
    let save = ServerAction::<SaveProfile>::new();
    let profile = Resource::new(
        move || (username(), save.version().get()),
        |(u, _)| get_profile(u),
    );
    let ctx = use_viewer();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let viewer = ctx.viewer.await.ok().flatten();
                match profile.await {
                    Err(err) => view! {
                        <section class="card narrow"><h1>"Profile not found"</h1><p>{error_text(&err)}</p></section>
                    }.into_any(),
                    Ok(profile) => {
                        let own = viewer.as_ref().is_some_and(|v| v.user.id == profile.user.id);
                        let can_message = viewer.as_ref().is_some_and(|v| v.user.id != profile.user.id);
                        let skills_text = profile.skills.join(", ");
                        view! {
                            <article class="card wide profile" data-testid="profile">
                                <h1>{profile.user.username.clone()}</h1>
                                <p class="lead">{if profile.headline.is_empty() { "No headline yet.".to_owned() } else { profile.headline.clone() }}</p>
                                <p class="muted">{match profile.user.role { Role::Employer => "Employer", Role::Admin => "Administrator", Role::Jobseeker => "Jobseeker" }}</p>
                                <ul class="skills" aria-label="Skills">
                                    {profile.skills.iter().map(|s| view! { <li class="pill">{s.clone()}</li> }).collect_view()}
                                </ul>
                                <p class="description">{profile.bio.clone()}</p>
                                {can_message.then(|| view! {
                                    <p><a class="button primary" href=format!("/messages/{}", profile.user.username)>"Send a message"</a></p>
                                })}
                                {own.then(|| view! {
                                    <p><a href="/sessions/" data-testid="sessions-link">"Where you are signed in"</a></p>
                                    <h2>"Edit your profile"</h2>
                                    <ActionForm action=save attr:class="stack" attr:data-testid="profile-form">
                                        <label>"Headline" <input name="headline" maxlength="120" value=profile.headline.clone()/></label>
                                        {if profile.user.role == Role::Jobseeker {
                                            view! { <label>"Skills (comma-separated)" <input name="skills" value=skills_text.clone()/></label> }.into_any()
                                        } else {
                                            // Employers describe their company; skills are a jobseeker's.
                                            view! { <input type="hidden" name="skills" value=skills_text.clone()/> }.into_any()
                                        }}
                                        <label>{if profile.user.role == Role::Jobseeker { "About you" } else { "About your company" }} <textarea name="bio" rows="5" maxlength="2000">{textarea_text(profile.bio.clone())}</textarea></label>
                                        <FormError result=Signal::derive(move || save.value().get())/>
                                        {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! {
                                            <p class="form-ok" role="status" data-testid="profile-saved">"Saved."</p>
                                        })}
                                        <button type="submit" class="button primary">"Save"</button>
                                    </ActionForm>
                                })}
                            </article>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
