use serde::{Deserialize, Serialize};

use super::FieldError;

/// Refuses characters that have no business in text people read: control characters (NUL and
/// the like; line breaks and tabs only where `multiline`), the bidirectional overrides and
/// isolates that make text read differently from what it is (U+202A–U+202E, U+2066–U+2069), and
/// the invisible zero-width space, word joiner and byte-order mark (U+200B, U+2060, U+FEFF).
/// Zero-width joiners stay: emoji and several scripts need them.
pub fn check_characters(field: &str, text: &str, multiline: bool) -> Result<(), FieldError> {
    let refused = text.chars().find(|&c| match c {
        '\n' | '\r' | '\t' => !multiline,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' => true,
        c => c.is_control(),
    });
    match refused {
        Some(c) => Err(FieldError::new(
            field,
            format!("must not contain the character U+{:04X}", u32::from(c)),
        )),
        None => Ok(()),
    }
}

/// A notification title: 1–200 characters once surrounding whitespace is trimmed, on one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

impl Title {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                format!("must be 1 to {} characters, got {chars}", Self::MAX_CHARS),
            ));
        }
        check_characters(field, trimmed, false)?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A notification body: 0–2000 characters, rendered as text and never as HTML.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageText(String);

impl MessageText {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                format!(
                    "must be at most {} characters, got {chars}",
                    Self::MAX_CHARS
                ),
            ));
        }
        check_characters(field, raw, true)?;
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a notification leads: a path on this site (`/messages/7`) or an absolute http(s) URL.
/// Every other scheme (`javascript:`, `data:`, ...) and protocol-relative `//host` is refused,
/// so a link taken from a notification is always safe to follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Link(String);

impl Link {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let link = raw.trim();
        let refuse = |why: &str| Err(FieldError::new(field, why.to_owned()));
        if link.is_empty() || link.chars().count() > Self::MAX_CHARS {
            return refuse("must be 1 to 2000 characters");
        }
        if link
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return refuse("must not contain spaces, control characters or backslashes");
        }
        if link.starts_with('/') {
            if link.starts_with("//") {
                return refuse("must be a path on this site or an http(s) URL");
            }
            return Ok(Self(link.to_owned()));
        }
        let lower = link.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        match rest {
            Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(Self(link.to_owned())),
            _ => refuse("must be a path on this site or an http(s) URL"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether following the link stays on this site.
    pub fn is_internal(&self) -> bool {
        self.0.starts_with('/')
    }
}

/// What makes notifications one group: notifications of one user with the same key, close in
/// time, show as one entry (see [`super::group`]). Services choose their own keys, such as
/// `job:7:applications`: 1–100 characters, ASCII letters, digits and `:_.-/`, compared exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GroupKey(String);

impl GroupKey {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let len = raw.len();
        if len == 0 || len > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                format!("must be 1 to {} characters, got {len}", Self::MAX_CHARS),
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || ":_.-/".contains(c);
        if let Some(c) = raw.chars().find(|&c| !allowed(c)) {
            return Err(FieldError::new(
                field,
                format!("may hold only ASCII letters, digits and :_.-/; got {c:?}"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Deserializing parses, as the named type's `parse` does, so a value read from JSON (a frame, a
/// server function's answer, an event from another instance) is as checked as one read from a
/// form; serializing writes the text.
macro_rules! parsed_from_string {
    ($($name:ident($field:literal)),*) => {$(
        impl TryFrom<String> for $name {
            type Error = FieldError;

            fn try_from(raw: String) -> Result<Self, FieldError> {
                Self::parse($field, &raw)
            }
        }

        impl From<$name> for String {
            fn from(parsed: $name) -> String {
                parsed.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// Reads as the text it holds, as `as_str` does.
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

parsed_from_string!(
    Title("title"),
    MessageText("message"),
    Link("link"),
    GroupKey("group_key")
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_key_takes_plain_ascii_names_and_refuses_anything_else() {
        assert_eq!(
            GroupKey::parse("group_key", "job:7:applications")
                .unwrap()
                .as_str(),
            "job:7:applications"
        );
        for refused in ["", "has space", "<script>", "é", &"k".repeat(101)] {
            let err = GroupKey::parse("group_key", refused).unwrap_err();
            assert_eq!(err.field, "group_key", "{refused:?}");
        }
    }

    #[test]
    fn invisible_and_direction_changing_characters_are_refused() {
        for bad in [
            "a\0b",
            "evil\u{202E}gpj.exe",
            "zero\u{200B}width",
            "\u{FEFF}bom",
            "bell\u{7}",
        ] {
            assert!(
                Title::parse("title", bad).is_err(),
                "{bad:?} was accepted as a title"
            );
            assert!(
                MessageText::parse("message", bad).is_err(),
                "{bad:?} was accepted as a message"
            );
        }
        assert!(Title::parse("title", "two\nlines").is_err());
        assert!(MessageText::parse("message", "two\nlines\tand a tab").is_ok());
        assert!(Title::parse("title", "family 👨\u{200D}👩\u{200D}👧, café, مرحبا").is_ok());
    }

    #[test]
    fn a_title_is_trimmed_and_kept() {
        assert_eq!(Title::parse("title", "  Hello ").unwrap().as_str(), "Hello");
    }

    #[test]
    fn an_empty_or_blank_title_is_refused() {
        assert!(Title::parse("title", "").is_err());
        assert!(Title::parse("title", "   ").is_err());
    }

    #[test]
    fn a_title_of_200_characters_is_accepted_and_201_refused() {
        assert!(Title::parse("title", &"é".repeat(200)).is_ok());
        let err = Title::parse("title", &"a".repeat(201)).unwrap_err();
        assert_eq!(err.field, "title");
    }

    #[test]
    fn a_message_over_2000_characters_is_refused() {
        assert!(MessageText::parse("message", &"a".repeat(2000)).is_ok());
        assert!(MessageText::parse("message", &"a".repeat(2001)).is_err());
    }

    #[test]
    fn json_is_parsed_as_a_form_is() {
        assert!(serde_json::from_str::<Link>(r#""javascript:alert(1)""#).is_err());
        assert!(serde_json::from_str::<Title>(r#""  ""#).is_err());
        assert!(serde_json::from_str::<MessageText>(r#""bidi\u202e""#).is_err());
        let title: Title = serde_json::from_str(r#"" Hello ""#).unwrap();
        assert_eq!(title.as_str(), "Hello");
        assert_eq!(serde_json::to_string(&title).unwrap(), r#""Hello""#);
    }

    #[test]
    fn site_paths_and_http_urls_are_valid_links() {
        for ok in [
            "/messages/7",
            "/",
            "https://example.com/x?y=1",
            "HTTP://example.com",
        ] {
            assert!(Link::parse("link", ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn other_schemes_and_protocol_relative_links_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "//evil.example/x",
            "/\\evil.example",
            "ftp://example.com",
            "https://",
            "https:///path",
            "messages/7",
            "/a b",
        ] {
            let err = Link::parse("link", bad).unwrap_err();
            assert_eq!(err.field, "link", "{bad} should be refused");
        }
    }
}
