//! The job board's SQL on PostgreSQL.

use async_trait::async_trait;
use time::OffsetDateTime;
use tracing::instrument;

use super::{bigint, convert_all, is_unique_violation, PostgresStore, UserRow};
use crate::model::{
    Application, ApplicationId, ApplicationStatus, Conversation, DirectMessage, Job, JobDraft,
    JobId, MessageId, Profile, ProfileDraft, User, UserId,
};
use crate::ssr::store::{BoardStore, JobSearch, StoreError, StoreResult, Unique};

const JOB_SELECT: &str = "SELECT j.id, j.employer_id, u.username AS employer_name, j.title, \
     j.company, j.location, j.description, j.is_open, j.created_at \
     FROM jobs j JOIN users u ON u.id = j.employer_id";

const APPLICATION_SELECT: &str = "SELECT a.id, a.job_id, j.title AS job_title, j.company, \
     a.status, a.seeker_id, u.username AS seeker_name, a.cover_letter, a.created_at \
     FROM applications a JOIN jobs j ON j.id = a.job_id JOIN users u ON u.id = a.seeker_id";

const MESSAGE_SELECT: &str = "SELECT m.id, m.sender_id, s.username AS sender_name, \
     m.recipient_id, r.username AS recipient_name, m.body, m.created_at \
     FROM messages m JOIN users s ON s.id = m.sender_id JOIN users r ON r.id = m.recipient_id";

/// A job search's test of one column against one LIKE pattern. SQLite's LIKE folds the case of
/// ASCII letters only; ILIKE under the "C" collation does the same, whatever the database's
/// locale (under most others it would also fold "É" to "é", and results would differ).
fn like(column: &str, param: usize) -> String {
    format!("{column} COLLATE \"C\" ILIKE ${param} ESCAPE '\\'")
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: JobId,
    employer_id: UserId,
    employer_name: String,
    title: String,
    company: String,
    location: String,
    description: String,
    is_open: bool,
    created_at: OffsetDateTime,
}

impl From<JobRow> for Job {
    fn from(row: JobRow) -> Self {
        Job {
            id: row.id,
            employer_id: row.employer_id,
            employer_name: row.employer_name,
            title: row.title,
            company: row.company,
            location: row.location,
            description: row.description,
            is_open: row.is_open,
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: ApplicationId,
    job_id: JobId,
    job_title: String,
    company: String,
    status: String,
    seeker_id: UserId,
    seeker_name: String,
    cover_letter: String,
    created_at: OffsetDateTime,
}

impl TryFrom<ApplicationRow> for Application {
    type Error = sqlx::Error;

    fn try_from(row: ApplicationRow) -> Result<Self, Self::Error> {
        let status = ApplicationStatus::parse("status", &row.status).map_err(|err| {
            sqlx::Error::ColumnDecode {
                index: "status".into(),
                source: err.to_string().into(),
            }
        })?;
        Ok(Application {
            id: row.id,
            job_id: row.job_id,
            job_title: row.job_title,
            company: row.company,
            status,
            seeker_id: row.seeker_id,
            seeker_name: row.seeker_name,
            cover_letter: row.cover_letter,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: MessageId,
    sender_id: UserId,
    sender_name: String,
    recipient_id: UserId,
    recipient_name: String,
    body: String,
    created_at: OffsetDateTime,
}

/// A conversation's last message and its peer, as one row.
#[derive(sqlx::FromRow)]
struct ConversationRow {
    peer_id: UserId,
    peer_username: String,
    peer_role: String,
    #[sqlx(flatten)]
    last: MessageRow,
}

impl From<MessageRow> for DirectMessage {
    fn from(row: MessageRow) -> Self {
        DirectMessage {
            id: row.id,
            sender_id: row.sender_id,
            sender_name: row.sender_name,
            recipient_id: row.recipient_id,
            recipient_name: row.recipient_name,
            body: row.body,
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    #[sqlx(flatten)]
    user: UserRow,
    headline: String,
    skills: String,
    bio: String,
}

#[async_trait]
impl BoardStore for PostgresStore {
    #[instrument(level = "debug", skip(self, draft))]
    async fn create_job(&self, employer_id: UserId, draft: &JobDraft) -> StoreResult<Job> {
        let id: JobId = sqlx::query_scalar(
            "INSERT INTO jobs (employer_id, title, company, location, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(employer_id)
        .bind(&draft.title)
        .bind(&draft.company)
        .bind(&draft.location)
        .bind(&draft.description)
        .bind(OffsetDateTime::now_utc())
        .fetch_one(&self.pool)
        .await?;
        Ok(self.job(id).await?.expect("a job just created exists"))
    }

    #[instrument(level = "debug", skip(self, draft))]
    async fn update_job(
        &self,
        employer_id: UserId,
        job_id: JobId,
        draft: &JobDraft,
    ) -> StoreResult<Option<Job>> {
        let done = sqlx::query(
            "UPDATE jobs SET title = $1, company = $2, location = $3, description = $4 \
             WHERE id = $5 AND employer_id = $6",
        )
        .bind(&draft.title)
        .bind(&draft.company)
        .bind(&draft.location)
        .bind(&draft.description)
        .bind(job_id)
        .bind(employer_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.job(job_id).await
    }

    #[instrument(level = "debug", skip(self))]
    async fn set_job_open(
        &self,
        employer_id: UserId,
        job_id: JobId,
        open: bool,
    ) -> StoreResult<Option<Job>> {
        let done = sqlx::query("UPDATE jobs SET is_open = $1 WHERE id = $2 AND employer_id = $3")
            .bind(open)
            .bind(job_id)
            .bind(employer_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.job(job_id).await
    }

    #[instrument(level = "debug", skip(self))]
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>> {
        let row: Option<JobRow> = sqlx::query_as(&format!("{JOB_SELECT} WHERE j.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Job::from))
    }

    #[instrument(level = "debug", skip_all)]
    async fn search_jobs(&self, search: &JobSearch<'_>) -> StoreResult<(Vec<Job>, i64)> {
        let words = search.word_patterns();
        let location = search.location_pattern();
        // Each word is bound once and tested against four columns; PostgreSQL's numbered
        // parameters may repeat, so the count and the page share one filter and its binds.
        let mut filter = String::from("j.is_open");
        let mut param = 0;
        for _ in &words {
            param += 1;
            filter.push_str(&format!(
                " AND ({} OR {} OR {} OR {})",
                like("j.title", param),
                like("j.company", param),
                like("j.description", param),
                like("j.location", param),
            ));
        }
        if location.is_some() {
            param += 1;
            filter.push_str(&format!(" AND {}", like("j.location", param)));
        }
        let select = format!(
            "{JOB_SELECT} WHERE {filter} ORDER BY j.id DESC LIMIT ${} OFFSET ${}",
            param + 1,
            param + 2
        );
        let count = format!("SELECT COUNT(*) FROM jobs j WHERE {filter}");
        let mut rows = sqlx::query_as::<_, JobRow>(&select);
        let mut total = sqlx::query_scalar::<_, i64>(&count);
        for pattern in words.iter().chain(&location) {
            rows = rows.bind(pattern);
            total = total.bind(pattern);
        }
        let rows = rows
            .bind(bigint(search.limit))
            .bind(bigint(search.offset))
            .fetch_all(&self.pool)
            .await?;
        let total = total.fetch_one(&self.pool).await?;
        Ok((rows.into_iter().map(Job::from).collect(), total))
    }

    #[instrument(level = "debug", skip(self))]
    async fn employer_jobs(&self, employer_id: UserId) -> StoreResult<Vec<Job>> {
        let rows: Vec<JobRow> = sqlx::query_as(&format!(
            "{JOB_SELECT} WHERE j.employer_id = $1 ORDER BY j.id DESC"
        ))
        .bind(employer_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Job::from).collect())
    }

    #[instrument(level = "debug", skip(self, cover_letter))]
    async fn create_application(
        &self,
        job_id: JobId,
        seeker_id: UserId,
        cover_letter: &str,
    ) -> StoreResult<Application> {
        let id: ApplicationId = sqlx::query_scalar(
            "INSERT INTO applications (job_id, seeker_id, cover_letter, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(job_id)
        .bind(seeker_id)
        .bind(cover_letter)
        .bind(OffsetDateTime::now_utc())
        .fetch_one(&self.pool)
        .await
        .map_err(|err| match is_unique_violation(&err) {
            true => StoreError::Conflict(Unique::Application),
            false => err.into(),
        })?;
        Ok(self
            .application(id)
            .await?
            .expect("an application just created exists"))
    }

    #[instrument(level = "debug", skip(self))]
    async fn application(&self, id: ApplicationId) -> StoreResult<Option<Application>> {
        let row: Option<ApplicationRow> =
            sqlx::query_as(&format!("{APPLICATION_SELECT} WHERE a.id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(Application::try_from).transpose()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn set_application_status(
        &self,
        employer_id: UserId,
        application_id: ApplicationId,
        status: ApplicationStatus,
    ) -> StoreResult<Option<Application>> {
        let done = sqlx::query(
            "UPDATE applications SET status = $1 WHERE id = $2 \
             AND job_id IN (SELECT id FROM jobs WHERE employer_id = $3)",
        )
        .bind(<&str>::from(status))
        .bind(application_id)
        .bind(employer_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.application(application_id).await
    }

    #[instrument(level = "debug", skip(self))]
    async fn applications_for_employer(
        &self,
        employer_id: UserId,
    ) -> StoreResult<Vec<Application>> {
        let rows: Vec<ApplicationRow> = sqlx::query_as(&format!(
            "{APPLICATION_SELECT} WHERE j.employer_id = $1 ORDER BY a.id DESC"
        ))
        .bind(employer_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(convert_all(rows)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn applications_of_seeker(&self, seeker_id: UserId) -> StoreResult<Vec<Application>> {
        let rows: Vec<ApplicationRow> = sqlx::query_as(&format!(
            "{APPLICATION_SELECT} WHERE a.seeker_id = $1 ORDER BY a.id DESC"
        ))
        .bind(seeker_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(convert_all(rows)?)
    }

    #[instrument(level = "debug", skip(self, job_ids), fields(jobs = job_ids.len()))]
    async fn applied_to(&self, seeker_id: UserId, job_ids: &[JobId]) -> StoreResult<Vec<JobId>> {
        if job_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_scalar(
            "SELECT job_id FROM applications WHERE seeker_id = $1 AND job_id = ANY($2)",
        )
        .bind(seeker_id)
        .bind(job_ids)
        .fetch_all(&self.pool)
        .await?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn profile(&self, username: &str) -> StoreResult<Option<Profile>> {
        let row: Option<ProfileRow> = sqlx::query_as(
            "SELECT u.id, u.username, u.role, COALESCE(p.headline, '') AS headline, \
             COALESCE(p.skills, '') AS skills, COALESCE(p.bio, '') AS bio \
             FROM users u LEFT JOIN profiles p ON p.user_id = u.id \
             WHERE lower(u.username) = lower($1)",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Profile {
            user: row.user.try_into()?,
            headline: row.headline,
            skills: row
                .skills
                .split('\n')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            bio: row.bio,
        }))
    }

    #[instrument(level = "debug", skip(self, draft))]
    async fn save_profile(&self, user_id: UserId, draft: &ProfileDraft) -> StoreResult<()> {
        // Skills are stored one per line: a skill may contain a comma-free anything else.
        sqlx::query(
            "INSERT INTO profiles (user_id, headline, skills, bio) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET headline = excluded.headline, \
             skills = excluded.skills, bio = excluded.bio",
        )
        .bind(user_id)
        .bind(&draft.headline)
        .bind(draft.skills.join("\n"))
        .bind(&draft.bio)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[instrument(level = "debug", skip(self))]
    async fn record_profile_view(
        &self,
        viewer_id: UserId,
        profile_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        // One statement: of two views at once, the second waits for the first's row and then
        // finds it fresh, so only one of them counts.
        let done = sqlx::query(
            "INSERT INTO profile_views (viewer_id, profile_id, viewed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (viewer_id, profile_id) DO UPDATE SET viewed_at = excluded.viewed_at \
             WHERE profile_views.viewed_at <= excluded.viewed_at - 86400",
        )
        .bind(viewer_id)
        .bind(profile_id)
        .bind(now.unix_timestamp())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[instrument(level = "debug", skip(self, body))]
    async fn create_message(
        &self,
        sender_id: UserId,
        recipient_id: UserId,
        body: &str,
    ) -> StoreResult<DirectMessage> {
        let id: MessageId = sqlx::query_scalar(
            "INSERT INTO messages (sender_id, recipient_id, body, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(sender_id)
        .bind(recipient_id)
        .bind(body)
        .bind(OffsetDateTime::now_utc())
        .fetch_one(&self.pool)
        .await?;
        let row: MessageRow = sqlx::query_as(&format!("{MESSAGE_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.into())
    }

    #[instrument(level = "debug", skip(self))]
    async fn conversation(
        &self,
        a: UserId,
        b: UserId,
        limit: u32,
    ) -> StoreResult<Vec<DirectMessage>> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE (m.sender_id = $1 AND m.recipient_id = $2) \
             OR (m.sender_id = $2 AND m.recipient_id = $1) ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(a)
        .bind(b)
        .bind(bigint(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut messages: Vec<DirectMessage> = rows.into_iter().map(DirectMessage::from).collect();
        messages.reverse();
        Ok(messages)
    }

    #[instrument(level = "debug", skip(self))]
    async fn conversations(&self, user_id: UserId) -> StoreResult<Vec<Conversation>> {
        // One statement: each conversation's last message, with its peer joined in.
        let rows: Vec<ConversationRow> = sqlx::query_as(&format!(
            "SELECT peer.id AS peer_id, peer.username AS peer_username, peer.role AS peer_role, \
               lm.* FROM ({MESSAGE_SELECT} WHERE m.id IN (\
                 SELECT MAX(id) FROM messages WHERE sender_id = $1 OR recipient_id = $1 \
                 GROUP BY CASE WHEN sender_id = $1 THEN recipient_id ELSE sender_id END)) lm \
             JOIN users peer ON peer.id = CASE WHEN lm.sender_id = $1 \
               THEN lm.recipient_id ELSE lm.sender_id END \
             ORDER BY lm.id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conversations = Vec::with_capacity(rows.len());
        for row in rows {
            let peer = User {
                id: row.peer_id,
                username: row.peer_username,
                role: super::parse_column("peer_role", row.peer_role)?,
            };
            conversations.push(Conversation {
                peer,
                last: row.last.into(),
            });
        }
        Ok(conversations)
    }
}
