//! The job board's rules, and the notifications its events raise. Every notification goes
//! through [`inbox::send`], so it is stored before it is pushed.

use time::OffsetDateTime;

use crate::model::{
    text, Application, ApplicationId, ApplicationStatus, DirectMessage, FieldError, GroupKey, Job,
    JobDraft, JobId, Link, MessageText, NotificationType, Profile, ProfileDraft, Role, Title, User,
    UserId,
};

use super::events::Event;
use super::inbox;
use super::services::Services;
use super::store::{NewNotification, StoreError, Unique};

#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("you have already applied to this job")]
    AlreadyApplied,
    #[error("this job is closed to new applications")]
    JobClosed,
    #[error("you are sending messages too fast; wait {} s", .0.as_secs().max(1))]
    TooFast(std::time::Duration),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for BoardError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(Unique::Application) => BoardError::AlreadyApplied,
            other => BoardError::Store(other),
        }
    }
}

pub type BoardResult<T> = Result<T, BoardError>;

fn require_role(user: &User, role: Role, what: &'static str) -> BoardResult<()> {
    if user.role == role {
        Ok(())
    } else {
        Err(BoardError::Forbidden(what))
    }
}

pub async fn post_job(services: &Services, employer: &User, draft: &JobDraft) -> BoardResult<Job> {
    require_role(employer, Role::Employer, "only employers post jobs")?;
    Ok(services.store.create_job(employer.id, draft).await?)
}

/// A job as its owner edits it. Anyone else, signed in or not, finds nothing: the edit form is the
/// owner's alone.
pub async fn job_for_editing(
    services: &Services,
    employer: &User,
    job_id: JobId,
) -> BoardResult<Job> {
    match services.store.job(job_id).await? {
        Some(job) if job.employer_id == employer.id => Ok(job),
        _ => Err(BoardError::NotFound),
    }
}

pub async fn edit_job(
    services: &Services,
    employer: &User,
    job_id: JobId,
    draft: &JobDraft,
) -> BoardResult<Job> {
    services
        .store
        .update_job(employer.id, job_id, draft)
        .await?
        .ok_or(BoardError::NotFound)
}

pub async fn set_job_open(
    services: &Services,
    employer: &User,
    job_id: JobId,
    open: bool,
) -> BoardResult<Job> {
    services
        .store
        .set_job_open(employer.id, job_id, open)
        .await?
        .ok_or(BoardError::NotFound)
}

/// A jobseeker applies, once per job; the job's employer is notified.
pub async fn apply(
    services: &Services,
    seeker: &User,
    job_id: JobId,
    cover_letter: &str,
) -> BoardResult<Application> {
    require_role(seeker, Role::Jobseeker, "only jobseekers apply to jobs")?;
    let cover_letter = text("cover_letter", cover_letter, 0, 5000)?;
    let job = services
        .store
        .job(job_id)
        .await?
        .ok_or(BoardError::NotFound)?;
    if !job.is_open {
        return Err(BoardError::JobClosed);
    }
    let application = services
        .store
        .create_application(job.id, seeker.id, &cover_letter)
        .await?;
    notify(
        services,
        job.employer_id,
        &format!("New application: {}", job.title),
        &format!(
            "{} applied to {} at {}.",
            seeker.username, job.title, job.company
        ),
        NotificationType::Application,
        &format!("/employer/applications/{}/", application.id),
        &format!("job:{}:applications", job.id),
    )
    .await?;
    Ok(application)
}

/// An application, for its job's employer (or an admin) only.
pub async fn application_for(
    services: &Services,
    viewer: &User,
    id: ApplicationId,
) -> BoardResult<Application> {
    let application = services
        .store
        .application(id)
        .await?
        .ok_or(BoardError::NotFound)?;
    let job = services
        .store
        .job(application.job_id)
        .await?
        .ok_or(BoardError::NotFound)?;
    if job.employer_id != viewer.id && viewer.role != Role::Admin {
        return Err(BoardError::NotFound);
    }
    Ok(application)
}

/// The employer moves an application along (reviewed, rejected, hired); the jobseeker is
/// notified, and their "My applications" page shows it at once.
pub async fn set_application_status(
    services: &Services,
    employer: &User,
    application_id: ApplicationId,
    status: ApplicationStatus,
) -> BoardResult<Application> {
    let before = services
        .store
        .application(application_id)
        .await?
        .ok_or(BoardError::NotFound)?;
    let application = services
        .store
        .set_application_status(employer.id, application_id, status)
        .await?
        .ok_or(BoardError::NotFound)?;
    if before.status != status {
        notify(
            services,
            application.seeker_id,
            &format!("Your application to {}: {}", application.job_title, status),
            &format!(
                "{} marked your application {}.",
                application.company, status
            ),
            NotificationType::Application,
            MY_APPLICATIONS,
            &format!("application:{}:status", application.id),
        )
        .await?;
    }
    Ok(application)
}

/// The jobseeker's own list of applications.
pub const MY_APPLICATIONS: &str = "/applications/";

/// Shows a profile; an employer's view notifies the jobseeker, at most once per viewer per 24 h.
pub async fn view_profile(
    services: &Services,
    viewer: Option<&User>,
    username: &str,
) -> BoardResult<Profile> {
    let profile = services
        .store
        .profile(username)
        .await?
        .ok_or(BoardError::NotFound)?;
    if let Some(viewer) = viewer {
        let counts = viewer.role == Role::Employer
            && profile.user.role == Role::Jobseeker
            && viewer.id != profile.user.id;
        if counts
            && services
                .store
                .record_profile_view(viewer.id, profile.user.id, OffsetDateTime::now_utc())
                .await?
        {
            notify(
                services,
                profile.user.id,
                &format!("{} viewed your profile", viewer.username),
                "An employer looked at your profile.",
                NotificationType::ProfileView,
                &format!("/profile/{}", viewer.username),
                "profile-views",
            )
            .await?;
        }
    }
    Ok(profile)
}

pub async fn save_profile(
    services: &Services,
    user: &User,
    draft: &ProfileDraft,
) -> BoardResult<()> {
    Ok(services.store.save_profile(user.id, draft).await?)
}

/// Sends a message. Both people's open pages show it at once; the recipient is notified unless
/// the conversation is on their screen, on whichever instance their page's socket is.
pub async fn send_message(
    services: &Services,
    sender: &User,
    recipient: &str,
    body: &str,
) -> BoardResult<DirectMessage> {
    let body = text("body", body, 1, 2000)?;
    services
        .limits
        .messages
        .hit(&sender.id.to_string(), OffsetDateTime::now_utc())
        .await?
        .map_err(BoardError::TooFast)?;
    let recipient = services
        .store
        .user_by_username(recipient)
        .await?
        .ok_or_else(|| FieldError::new("recipient", "no such user"))?;
    if recipient.id == sender.id {
        return Err(FieldError::new("recipient", "you cannot message yourself").into());
    }
    let message = services
        .store
        .create_message(sender.id, recipient.id, &body)
        .await?;
    services
        .events
        .publish(Event::Message {
            message: message.clone(),
        })
        .await;
    // Asked of the store, which knows every instance's sockets. If it cannot answer, the
    // recipient is notified: a notification too many beats one missed.
    let on_screen = services
        .store
        .is_viewing_conversation(recipient.id, sender.id, OffsetDateTime::now_utc())
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(%err, "could not tell whether a message is on screen; notifying");
            false
        });
    if !on_screen {
        let preview: String = body.chars().take(140).collect();
        notify(
            services,
            recipient.id,
            &format!("New message from {}", sender.username),
            &preview,
            NotificationType::Message,
            &format!("/messages/{}", sender.username),
            &format!("messages:{}", sender.id),
        )
        .await?;
    }
    Ok(message)
}

/// Who a system alert goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    User(String),
    Everyone(Role),
}

/// An admin's `system` notification to one user or to everyone of a role; answers how many
/// received it.
pub async fn send_alert(
    services: &Services,
    audience: &Audience,
    title: &Title,
    message: &MessageText,
    link: Option<&Link>,
) -> BoardResult<usize> {
    let recipients = match audience {
        Audience::User(username) => {
            let user = services
                .store
                .user_by_username(username.trim())
                .await?
                .ok_or_else(|| FieldError::new("username", "no such user"))?;
            vec![user.id]
        }
        Audience::Everyone(role) => services.store.user_ids_with_role(*role).await?,
    };
    // A thousand to a transaction: everyone of a role may be many people.
    for chunk in recipients.chunks(1000) {
        let new: Vec<NewNotification> = chunk
            .iter()
            .map(|user_id| NewNotification {
                user_id: *user_id,
                title: title.clone(),
                message: message.clone(),
                notification_type: NotificationType::System,
                link: link.cloned(),
                group_key: None,
            })
            .collect();
        inbox::send_all(services, new).await?;
    }
    Ok(recipients.len())
}

/// Notifies `user_id`; notifications with the same `group` (the board's own keys, such as
/// `job:7:applications`) that arrive close together show as one entry.
async fn notify(
    services: &Services,
    user_id: UserId,
    title: &str,
    message: &str,
    notification_type: NotificationType,
    link: &str,
    group: &str,
) -> BoardResult<()> {
    let title: String = title.chars().take(Title::MAX_CHARS).collect();
    let new = NewNotification {
        user_id,
        title: Title::parse("title", &title)?,
        message: MessageText::parse("message", message)?,
        notification_type,
        link: Some(Link::parse("link", link)?),
        group_key: Some(GroupKey::parse("group_key", group)?),
    };
    inbox::send(services, &new).await?;
    Ok(())
}
