use std::fmt;

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use super::{parse_name, FieldError, UserId};

/// What a person may do. Admins can do everything an employer or jobseeker can, plus the panel.
/// Its names (`jobseeker`, `employer`, `admin`) are the same in JSON and in the database.
#[derive(
    Clone,
    Copy,
    Debug,
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Jobseeker,
    Employer,
    Admin,
}

impl Role {
    /// Where this role starts: the page a sign-in or sign-up without a `next` leads to, and where
    /// a page meant for another role sends it.
    pub fn home(self) -> &'static str {
        match self {
            Role::Jobseeker => "/",
            Role::Employer => "/employer/applications/",
            Role::Admin => "/admin-panel/notifications/",
        }
    }

    /// The roles anyone may choose when signing up; admins are made from the command line.
    pub fn parse_self_service(field: &str, raw: &str) -> Result<Self, FieldError> {
        parse_name::<SignUpRole>(field, raw).map(Role::from)
    }
}

/// The roles anyone may give themselves, signing up or with `herald create-user --role`; admins
/// are made with `herald create-admin` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Display, EnumString, IntoStaticStr, VariantArray)]
#[cfg_attr(
    feature = "ssr",
    derive(clap::ValueEnum),
    value(rename_all = "snake_case")
)]
#[strum(serialize_all = "snake_case")]
pub enum SignUpRole {
    Jobseeker,
    Employer,
}

impl From<SignUpRole> for Role {
    fn from(role: SignUpRole) -> Self {
        match role {
            SignUpRole::Jobseeker => Role::Jobseeker,
            SignUpRole::Employer => Role::Employer,
        }
    }
}

/// A signed-up person, as others may see them (no password material).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub id: UserId,
    pub username: String,
    pub role: Role,
}

/// A user name: 3–32 characters of ASCII letters, digits, `_`, `.` and `-`, so it is safe in a
/// URL path (`/profile/<username>`) without escaping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        let len = name.chars().count();
        if !(3..=32).contains(&len) {
            return Err(FieldError::new(field, "must be 3 to 32 characters"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Err(FieldError::new(
                field,
                "may contain only letters, digits, '_', '.' and '-'",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 8 characters. The upper bound keeps hashing cheap for the server.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let len = raw.chars().count();
        if len < 8 {
            return Err(FieldError::new(field, "must be at least 8 characters"));
        }
        if len > 256 {
            return Err(FieldError::new(field, "must be at most 256 characters"));
        }
        if is_easy_to_guess(raw) {
            return Err(FieldError::new(
                field,
                "is too easy to guess: use a few words, or mix letters and digits",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The passwords every guesser tries first: only digits, one character repeated, a run along the
/// keyboard or the alphabet, or one of the most common passwords.
fn is_easy_to_guess(password: &str) -> bool {
    const COMMON: &[&str] = &[
        "password",
        "password1",
        "password123",
        "passw0rd",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "letmein1",
        "trustno1",
        "qwertyuiop",
        "qwerty123",
        "asdfghjkl",
        "zxcvbnm1",
        "abcdefgh",
        "abc12345",
        "changeme",
        "superman",
        "starwars",
    ];
    const RUNS: &[&str] = &[
        "0123456789",
        "abcdefghijklmnopqrstuvwxyz",
        "qwertyuiopasdfghjklzxcvbnm",
    ];
    let lower = password.to_lowercase();
    let first = lower.chars().next();
    lower.chars().all(|c| c.is_ascii_digit())
        || lower.chars().all(|c| Some(c) == first)
        || COMMON.contains(&lower.as_str())
        || RUNS.iter().any(|run| run.contains(&lower))
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_a_guesser_tries_first_are_refused() {
        for weak in [
            "12345678",
            "00000000",
            "aaaaaaaaaa",
            "Password1",
            "qwertyuiop",
            "abcdefghij",
        ] {
            assert!(
                Password::parse("password", weak).is_err(),
                "{weak} was accepted"
            );
        }
        for fine in [
            "a long enough password",
            "correct horse battery",
            "herald-demo",
            "tr0ub4dor&3",
        ] {
            assert!(
                Password::parse("password", fine).is_ok(),
                "{fine} was refused"
            );
        }
    }

    #[test]
    fn usernames_must_be_url_safe_and_of_sensible_length() {
        assert!(Username::parse("username", "ada_l.0-x").is_ok());
        assert!(Username::parse("username", "ab").is_err());
        assert!(Username::parse("username", "a/b/c").is_err());
        assert!(Username::parse("username", &"a".repeat(33)).is_err());
    }

    #[test]
    fn a_password_shorter_than_8_characters_is_refused() {
        assert_eq!(
            Password::parse("password", "1234567").unwrap_err().field,
            "password"
        );
        assert!(Password::parse("password", "8 chars!").is_ok());
    }

    #[test]
    fn roles_have_the_same_names_in_json_the_database_and_text() {
        let names: Vec<&str> = Role::VARIANTS.iter().map(|&r| r.into()).collect();
        // The names the migrations' CHECK (role IN (...)) allows.
        assert_eq!(names, ["jobseeker", "employer", "admin"]);
        for &role in Role::VARIANTS {
            let name: &str = role.into();
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{name}\""));
            assert_eq!(role.to_string(), name);
            assert_eq!(name.parse::<Role>(), Ok(role));
        }
        for &role in SignUpRole::VARIANTS {
            assert_eq!(<&str>::from(role), <&str>::from(Role::from(role)));
        }
    }

    #[test]
    fn nobody_can_sign_up_as_admin() {
        assert!(Role::parse_self_service("role", "admin").is_err());
        assert_eq!(
            Role::parse_self_service("role", "employer"),
            Ok(Role::Employer)
        );
    }
}
