//! Storage of the job board: jobs, applications, profiles, profile views and messages.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::model::{
    Application, ApplicationId, ApplicationStatus, Conversation, DirectMessage, Job, JobDraft,
    JobId, Profile, ProfileDraft, UserId,
};

use super::StoreResult;

/// One page of a job search.
#[derive(Clone, Debug)]
pub struct JobSearch<'a> {
    /// Matched against title, company and description, case-insensitively.
    pub keyword: Option<&'a str>,
    pub location: Option<&'a str>,
    pub offset: u32,
    pub limit: u32,
}

/// Keywords beyond this many are ignored: each adds four LIKE scans.
const MAX_SEARCH_WORDS: usize = 8;

impl JobSearch<'_> {
    /// One LIKE pattern per word of the keywords (at most [`MAX_SEARCH_WORDS`]), each matching
    /// the word literally anywhere. Every backend requires each word to appear somewhere in the
    /// job (its title, company, description or location), in any order: "rust remote" finds a
    /// remote Rust job.
    pub(super) fn word_patterns(&self) -> Vec<String> {
        self.keyword
            .unwrap_or_default()
            .split_whitespace()
            .take(MAX_SEARCH_WORDS)
            .map(contains)
            .collect()
    }

    /// The LIKE pattern of the location, if one was given.
    pub(super) fn location_pattern(&self) -> Option<String> {
        self.location
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(contains)
    }
}

/// A LIKE pattern, with `\` as its escape character, that matches `needle` literally anywhere.
fn contains(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[async_trait]
pub trait BoardStore: Send + Sync {
    async fn create_job(&self, employer_id: UserId, draft: &JobDraft) -> StoreResult<Job>;
    /// Changes one of the employer's own jobs; `None` if it is not theirs.
    async fn update_job(
        &self,
        employer_id: UserId,
        job_id: JobId,
        draft: &JobDraft,
    ) -> StoreResult<Option<Job>>;
    /// Opens or closes one of the employer's own jobs; `None` if it is not theirs.
    async fn set_job_open(
        &self,
        employer_id: UserId,
        job_id: JobId,
        open: bool,
    ) -> StoreResult<Option<Job>>;
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>>;
    /// Open jobs matching the search, newest first, and how many match in all.
    async fn search_jobs(&self, search: &JobSearch<'_>) -> StoreResult<(Vec<Job>, i64)>;
    async fn employer_jobs(&self, employer_id: UserId) -> StoreResult<Vec<Job>>;

    /// Stores an application; `StoreError::Conflict(Unique::Application)` if this jobseeker
    /// already applied to this job.
    async fn create_application(
        &self,
        job_id: JobId,
        seeker_id: UserId,
        cover_letter: &str,
    ) -> StoreResult<Application>;
    async fn application(&self, id: ApplicationId) -> StoreResult<Option<Application>>;
    async fn applications_for_employer(&self, employer_id: UserId)
        -> StoreResult<Vec<Application>>;
    /// Sets the status of an application to one of `employer_id`'s jobs; `None` if there is no
    /// such application among their jobs.
    async fn set_application_status(
        &self,
        employer_id: UserId,
        application_id: ApplicationId,
        status: ApplicationStatus,
    ) -> StoreResult<Option<Application>>;
    async fn applications_of_seeker(&self, seeker_id: UserId) -> StoreResult<Vec<Application>>;
    /// Which of `job_ids` the jobseeker `seeker_id` has applied to, in no particular order.
    async fn applied_to(&self, seeker_id: UserId, job_ids: &[JobId]) -> StoreResult<Vec<JobId>>;

    /// A user's profile (empty fields if never edited); `None` if no such user.
    async fn profile(&self, username: &str) -> StoreResult<Option<Profile>>;
    async fn save_profile(&self, user_id: UserId, draft: &ProfileDraft) -> StoreResult<()>;
    /// Records that `viewer_id` looked at `profile_id`'s profile at `now`; answers true if the
    /// view counts, i.e. this viewer's last counted view is 24 hours old or more.
    async fn record_profile_view(
        &self,
        viewer_id: UserId,
        profile_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;

    async fn create_message(
        &self,
        sender_id: UserId,
        recipient_id: UserId,
        body: &str,
    ) -> StoreResult<DirectMessage>;
    /// The latest messages between two users, oldest first.
    async fn conversation(
        &self,
        a: UserId,
        b: UserId,
        limit: u32,
    ) -> StoreResult<Vec<DirectMessage>>;
    /// A user's conversations, the most recent first.
    async fn conversations(&self, user_id: UserId) -> StoreResult<Vec<Conversation>>;
}
