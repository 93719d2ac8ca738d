use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use super::{parse_name, FieldError, Role};

/// Who a global notification is for. Its names (`everyone`, `jobseekers`, `employers`) are the
/// same in JSON, in the database (the migrations' `CHECK`), in the admin panel's form and on the
/// command line (`herald announce --audience`).
///
/// The rule is by role, the same on every path a global takes to a person (a rendered page, a
/// socket's live frame, a reconnecting socket's replay, the REST list): an announcement for
/// jobseekers reaches jobseekers only, one for employers employers only, one for everyone every
/// signed-in user. Admins are people with pages too, and follow the same rule there: they see
/// announcements for everyone on their pages, and every announcement in the admin panel.
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
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema, clap::ValueEnum),
    value(rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum GlobalAudience {
    /// Every signed-in user (what every announcement was before audiences existed).
    #[default]
    Everyone,
    Jobseekers,
    Employers,
}

impl GlobalAudience {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        parse_name(field, raw)
    }

    /// Whether someone with `role` is in this audience.
    pub fn includes(self, role: Role) -> bool {
        match self {
            GlobalAudience::Everyone => true,
            GlobalAudience::Jobseekers => role == Role::Jobseeker,
            GlobalAudience::Employers => role == Role::Employer,
        }
    }

    /// How the admin panel names it.
    pub fn label(self) -> &'static str {
        match self {
            GlobalAudience::Everyone => "Everyone",
            GlobalAudience::Jobseekers => "Jobseekers",
            GlobalAudience::Employers => "Employers",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_targeted_audience_includes_its_role_only_and_everyone_includes_all() {
        for &role in Role::VARIANTS {
            assert!(GlobalAudience::Everyone.includes(role));
            assert_eq!(
                GlobalAudience::Jobseekers.includes(role),
                role == Role::Jobseeker
            );
            assert_eq!(
                GlobalAudience::Employers.includes(role),
                role == Role::Employer
            );
        }
    }

    #[test]
    fn audiences_have_the_same_names_in_json_the_database_and_text() {
        let names: Vec<&str> = GlobalAudience::VARIANTS.iter().map(|&a| a.into()).collect();
        // The names the migrations' CHECK (audience IN (...)) allows.
        assert_eq!(names, ["everyone", "jobseekers", "employers"]);
        for &audience in GlobalAudience::VARIANTS {
            let name: &str = audience.into();
            assert_eq!(
                serde_json::to_string(&audience).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(GlobalAudience::parse("audience", name), Ok(audience));
        }
    }

    #[test]
    fn an_unknown_audience_is_refused_with_the_field_named() {
        let err = GlobalAudience::parse("audience", "admins").unwrap_err();
        assert_eq!(err.field, "audience");
        assert!(err.message.contains("everyone"), "{}", err.message);
    }
}
