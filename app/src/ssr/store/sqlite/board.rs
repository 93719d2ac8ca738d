//! The job board's SQL on SQLite.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::OffsetDateTime;
use tracing::instrument;

use super::{is_unique_violation, user_from_row, SqliteStore};
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

fn job_from_row(row: &SqliteRow) -> Result<Job, sqlx::Error> {
    Ok(Job {
        id: row.try_get("id")?,
        employer_id: row.try_get("employer_id")?,
        employer_name: row.try_get("employer_name")?,
        title: row.try_get("title")?,
        company: row.try_get("company")?,
        location: row.try_get("location")?,
        description: row.try_get("description")?,
        is_open: row.try_get("is_open")?,
        created_at: row.try_get("created_at")?,
    })
}

fn application_from_row(row: &SqliteRow) -> Result<Application, sqlx::Error> {
    Ok(Application {
        id: row.try_get("id")?,
        job_id: row.try_get("job_id")?,
        job_title: row.try_get("job_title")?,
        company: row.try_get("company")?,
        status: {
            let raw: String = row.try_get("status")?;
            ApplicationStatus::parse("status", &raw).map_err(|err| sqlx::Error::ColumnDecode {
                index: "status".into(),
                source: err.to_string().into(),
            })?
        },
        seeker_id: row.try_get("seeker_id")?,
        seeker_name: row.try_get("seeker_name")?,
        cover_letter: row.try_get("cover_letter")?,
        created_at: row.try_get("created_at")?,
    })
}

fn message_from_row(row: &SqliteRow) -> Result<DirectMessage, sqlx::Error> {
    Ok(DirectMessage {
        id: row.try_get("id")?,
        sender_id: row.try_get("sender_id")?,
        sender_name: row.try_get("sender_name")?,
        recipient_id: row.try_get("recipient_id")?,
        recipient_name: row.try_get("recipient_name")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait]
impl BoardStore for SqliteStore {
    #[instrument(level = "debug", skip(self, draft))]
    async fn create_job(&self, employer_id: UserId, draft: &JobDraft) -> StoreResult<Job> {
        let id: JobId = sqlx::query_scalar(
            "INSERT INTO jobs (employer_id, title, company, location, description, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
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
            "UPDATE jobs SET title = ?, company = ?, location = ?, description = ? \
             WHERE id = ? AND employer_id = ?",
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
        let done = sqlx::query("UPDATE jobs SET is_open = ? WHERE id = ? AND employer_id = ?")
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
        let row = sqlx::query(&format!("{JOB_SELECT} WHERE j.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(job_from_row).transpose()?)
    }

    #[instrument(level = "debug", skip_all)]
    async fn search_jobs(&self, search: &JobSearch<'_>) -> StoreResult<(Vec<Job>, i64)> {
        // Every word must appear somewhere in the job, in any order (see `word_patterns`).
        let words = search.word_patterns();
        let location = search.location_pattern();
        let mut filter = String::from("j.is_open = 1");
        for _ in &words {
            filter.push_str(
                " AND (j.title LIKE ? ESCAPE '\\' OR j.company LIKE ? ESCAPE '\\' \
                 OR j.description LIKE ? ESCAPE '\\' OR j.location LIKE ? ESCAPE '\\')",
            );
        }
        if location.is_some() {
            filter.push_str(" AND j.location LIKE ? ESCAPE '\\'");
        }
        let select = format!("{JOB_SELECT} WHERE {filter} ORDER BY j.id DESC LIMIT ? OFFSET ?");
        let count = format!("SELECT COUNT(*) FROM jobs j WHERE {filter}");
        let mut rows = sqlx::query(&select);
        let mut total = sqlx::query_scalar::<_, i64>(&count);
        for word in &words {
            for _ in 0..4 {
                rows = rows.bind(word);
                total = total.bind(word);
            }
        }
        if let Some(location) = &location {
            rows = rows.bind(location);
            total = total.bind(location);
        }
        let rows = rows
            .bind(search.limit)
            .bind(search.offset)
            .fetch_all(&self.pool)
            .await?;
        let total = total.fetch_one(&self.pool).await?;
        let jobs = rows.iter().map(job_from_row).collect::<Result<_, _>>()?;
        Ok((jobs, total))
    }

    #[instrument(level = "debug", skip(self))]
    async fn employer_jobs(&self, employer_id: UserId) -> StoreResult<Vec<Job>> {
        let rows = sqlx::query(&format!(
            "{JOB_SELECT} WHERE j.employer_id = ? ORDER BY j.id DESC"
        ))
        .bind(employer_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(job_from_row).collect::<Result<_, _>>()?)
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
             VALUES (?, ?, ?, ?) RETURNING id",
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
        let row = sqlx::query(&format!("{APPLICATION_SELECT} WHERE a.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(application_from_row).transpose()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn set_application_status(
        &self,
        employer_id: UserId,
        application_id: ApplicationId,
        status: ApplicationStatus,
    ) -> StoreResult<Option<Application>> {
        let done = sqlx::query(
            "UPDATE applications SET status = ? WHERE id = ? \
             AND job_id IN (SELECT id FROM jobs WHERE employer_id = ?)",
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
        let rows = sqlx::query(&format!(
            "{APPLICATION_SELECT} WHERE j.employer_id = ? ORDER BY a.id DESC"
        ))
        .bind(employer_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(application_from_row)
            .collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn applications_of_seeker(&self, seeker_id: UserId) -> StoreResult<Vec<Application>> {
        let rows = sqlx::query(&format!(
            "{APPLICATION_SELECT} WHERE a.seeker_id = ? ORDER BY a.id DESC"
        ))
        .bind(seeker_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(application_from_row)
            .collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip(self, job_ids), fields(jobs = job_ids.len()))]
    async fn applied_to(&self, seeker_id: UserId, job_ids: &[JobId]) -> StoreResult<Vec<JobId>> {
        if job_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The ids go in as one JSON array: one statement whatever their number.
        let ids = format!(
            "[{}]",
            job_ids
                .iter()
                .map(JobId::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        Ok(sqlx::query_scalar(
            "SELECT job_id FROM applications \
             WHERE seeker_id = ? AND job_id IN (SELECT value FROM json_each(?))",
        )
        .bind(seeker_id)
        .bind(ids)
        .fetch_all(&self.pool)
        .await?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn profile(&self, username: &str) -> StoreResult<Option<Profile>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, COALESCE(p.headline, '') AS headline, \
             COALESCE(p.skills, '') AS skills, COALESCE(p.bio, '') AS bio \
             FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.username = ?",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let skills: String = row.try_get("skills")?;
        Ok(Some(Profile {
            user: user_from_row(&row)?,
            headline: row.try_get("headline")?,
            skills: skills
                .split('\n')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            bio: row.try_get("bio")?,
        }))
    }

    #[instrument(level = "debug", skip(self, draft))]
    async fn save_profile(&self, user_id: UserId, draft: &ProfileDraft) -> StoreResult<()> {
        // Skills are stored one per line: a skill may contain a comma-free anything else.
        sqlx::query(
            "INSERT INTO profiles (user_id, headline, skills, bio) VALUES (?, ?, ?, ?) \
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
        let done = sqlx::query(
            "INSERT INTO profile_views (viewer_id, profile_id, viewed_at) VALUES (?, ?, ?) \
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
            "INSERT INTO messages (sender_id, recipient_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(sender_id)
        .bind(recipient_id)
        .bind(body)
        .bind(OffsetDateTime::now_utc())
        .fetch_one(&self.pool)
        .await?;
        let row = sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.id = ?"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(message_from_row(&row)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn conversation(
        &self,
        a: UserId,
        b: UserId,
        limit: u32,
    ) -> StoreResult<Vec<DirectMessage>> {
        let rows = sqlx::query(&format!(
            "{MESSAGE_SELECT} WHERE (m.sender_id = ?1 AND m.recipient_id = ?2) \
             OR (m.sender_id = ?2 AND m.recipient_id = ?1) ORDER BY m.id DESC LIMIT ?3"
        ))
        .bind(a)
        .bind(b)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut messages: Vec<DirectMessage> = rows
            .iter()
            .map(message_from_row)
            .collect::<Result<_, _>>()?;
        messages.reverse();
        Ok(messages)
    }

    #[instrument(level = "debug", skip(self))]
    async fn conversations(&self, user_id: UserId) -> StoreResult<Vec<Conversation>> {
        // One statement: each conversation's last message, with its peer joined in.
        let rows = sqlx::query(&format!(
            "SELECT peer.id AS peer_id, peer.username AS peer_username, peer.role AS peer_role, \
               lm.* FROM ({MESSAGE_SELECT} WHERE m.id IN (\
                 SELECT MAX(id) FROM messages WHERE sender_id = ?1 OR recipient_id = ?1 \
                 GROUP BY CASE WHEN sender_id = ?1 THEN recipient_id ELSE sender_id END)) lm \
             JOIN users peer ON peer.id = CASE WHEN lm.sender_id = ?1 \
               THEN lm.recipient_id ELSE lm.sender_id END \
             ORDER BY lm.id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conversations = Vec::with_capacity(rows.len());
        for row in &rows {
            let peer = User {
                id: row.try_get("peer_id")?,
                username: row.try_get("peer_username")?,
                role: super::parse_column(row, "peer_role")?,
            };
            conversations.push(Conversation {
                peer,
                last: message_from_row(row)?,
            });
        }
        Ok(conversations)
    }
}
