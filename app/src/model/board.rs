//! The job board's models.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};
use time::OffsetDateTime;

use super::{parse_name, ApplicationId, FieldError, JobId, MessageId, User, UserId};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub employer_id: UserId,
    pub employer_name: String,
    pub title: String,
    pub company: String,
    pub location: String,
    pub description: String,
    pub is_open: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What an employer writes when posting or editing a job, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobDraft {
    pub title: String,
    pub company: String,
    pub location: String,
    pub description: String,
}

impl JobDraft {
    pub fn parse(
        title: &str,
        company: &str,
        location: &str,
        description: &str,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            title: text("title", title, 1, 120)?,
            company: text("company", company, 1, 120)?,
            location: text("location", location, 1, 120)?,
            description: text("description", description, 1, 5000)?,
        })
    }
}

/// Where an application stands, as its employer sets it; the jobseeker sees it change live. Its
/// names (`new`, `reviewed`, `rejected`, `hired`) are the same in JSON, forms and the database.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ApplicationStatus {
    #[default]
    New,
    Reviewed,
    Rejected,
    Hired,
}

impl ApplicationStatus {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        parse_name(field, raw)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: ApplicationId,
    pub job_id: JobId,
    pub job_title: String,
    pub company: String,
    pub status: ApplicationStatus,
    pub seeker_id: UserId,
    pub seeker_name: String,
    pub cover_letter: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user: User,
    pub headline: String,
    pub skills: Vec<String>,
    pub bio: String,
}

/// A profile edit, parsed: skills are comma-separated, trimmed, without empties or repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileDraft {
    pub headline: String,
    pub skills: Vec<String>,
    pub bio: String,
}

impl ProfileDraft {
    pub fn parse(headline: &str, skills: &str, bio: &str) -> Result<Self, FieldError> {
        let mut list: Vec<String> = Vec::new();
        for skill in skills.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if skill.chars().count() > 40 {
                return Err(FieldError::new(
                    "skills",
                    "each skill must be at most 40 characters, on one line",
                ));
            }
            // As every other text field: no control, invisible or direction-changing characters.
            super::text::check_characters("skills", skill, false)?;
            if !list.iter().any(|s| s.eq_ignore_ascii_case(skill)) {
                list.push(skill.to_owned());
            }
        }
        if list.len() > 30 {
            return Err(FieldError::new("skills", "at most 30 skills"));
        }
        Ok(Self {
            headline: text("headline", headline, 0, 120)?,
            skills: list,
            bio: text("bio", bio, 0, 2000)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectMessage {
    pub id: MessageId,
    pub sender_id: UserId,
    pub sender_name: String,
    pub recipient_id: UserId,
    pub recipient_name: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl DirectMessage {
    /// Whether this message belongs to the conversation between `a` and `b`.
    pub fn between(&self, a: UserId, b: UserId) -> bool {
        (self.sender_id == a && self.recipient_id == b)
            || (self.sender_id == b && self.recipient_id == a)
    }
}

/// One row of `/messages/`: the other person and the latest message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub peer: User,
    pub last: DirectMessage,
}

/// Trimmed text of `min..=max` characters.
pub fn text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars < min || chars > max {
        let message = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("must be {min} to {max} characters")
        };
        return Err(FieldError::new(field, message));
    }
    super::text::check_characters(field, trimmed, true)?;
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_needs_every_field() {
        assert!(JobDraft::parse("Rust dev", "Acme", "Remote", "Build things").is_ok());
        assert_eq!(
            JobDraft::parse(" ", "Acme", "Remote", "x")
                .unwrap_err()
                .field,
            "title"
        );
        assert_eq!(
            JobDraft::parse("t", "Acme", "", "x").unwrap_err().field,
            "location"
        );
    }

    #[test]
    fn a_status_has_the_same_name_in_json_forms_and_the_database() {
        let names: Vec<&str> = ApplicationStatus::VARIANTS
            .iter()
            .map(|&s| s.into())
            .collect();
        assert_eq!(names, ["new", "reviewed", "rejected", "hired"]);
        for &status in ApplicationStatus::VARIANTS {
            let name: &str = status.into();
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(ApplicationStatus::parse("status", name), Ok(status));
        }
        assert_eq!(
            ApplicationStatus::parse("status", "fired")
                .unwrap_err()
                .field,
            "status"
        );
    }

    #[test]
    fn a_skill_with_an_invisible_or_direction_changing_character_is_refused() {
        for c in [
            '\u{202E}', '\u{061C}', '\u{200E}', '\u{00AD}', '\u{2028}', '\u{FFF9}', '\n',
        ] {
            let skills = format!("Rust, admin{c}gnp.exe");
            let err = ProfileDraft::parse("", &skills, "").unwrap_err();
            assert!(err.to_string().starts_with("skills"), "{c:?}: {err}");
        }
    }

    #[test]
    fn skills_are_split_trimmed_and_deduplicated() {
        let draft = ProfileDraft::parse("Engineer", " Rust, SQL,,rust , Leptos ", "").unwrap();
        assert_eq!(draft.skills, ["Rust", "SQL", "Leptos"]);
    }

    #[test]
    fn a_message_belongs_to_its_two_people_either_way() {
        let [a, b, c] = [1, 2, 3].map(UserId::new);
        let m = DirectMessage {
            id: MessageId::new(1),
            sender_id: a,
            sender_name: "a".into(),
            recipient_id: b,
            recipient_name: "b".into(),
            body: "hi".into(),
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert!(m.between(a, b) && m.between(b, a));
        assert!(!m.between(a, c));
    }
}
