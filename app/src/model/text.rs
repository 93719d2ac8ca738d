use serde::{Deserialize, Serialize};

use super::FieldError;

/// Refuses characters that have no business in text people read, because they hide or reorder
/// what it says:
/// - control characters (NUL and the like; line breaks and tabs only where `multiline`), and the
///   line and paragraph separators U+2028 and U+2029 (a line break is `\n`);
/// - every format character (Unicode's category Cf): the bidirectional overrides, isolates and
///   marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), the invisible zero-width
///   space, word joiner, byte-order mark and soft hyphen (U+200B, U+2060, U+FEFF, U+00AD), the
///   interlinear annotations (U+FFF9–U+FFFB), the Mongolian vowel separator (U+180E), the
///   invisible operators (U+2061–U+2064) and the tag characters (U+E0001, U+E0020–U+E007F);
/// - the Hangul fillers U+3164 and U+FFA0, letters that show as nothing.
///
/// Two kinds of format character stay, because writing needs them: the zero-width joiner and
/// non-joiner (U+200D, U+200C; emoji sequences, Persian, the Indic scripts), and tag characters
/// in an emoji tag sequence (a black flag, 1 to 7 tag letters or digits, the cancel tag: the
/// flags of England, Scotland and Wales), which can carry no hidden sentence.
pub fn check_characters(field: &str, text: &str, multiline: bool) -> Result<(), FieldError> {
    match first_refused(text, multiline) {
        Some(c) => Err(FieldError::new(
            field,
            format!("must not contain the character U+{:04X}", u32::from(c)),
        )),
        None => Ok(()),
    }
}

const BLACK_FLAG: char = '\u{1F3F4}';
const CANCEL_TAG: char = '\u{E007F}';

/// The first character of `text` that [`check_characters`] refuses.
fn first_refused(text: &str, multiline: bool) -> Option<char> {
    // After a black flag: how many tag characters followed it, and the first of them.
    let mut tag_run: Option<(usize, Option<char>)> = None;
    for c in text.chars() {
        if let Some((count, first)) = tag_run {
            let tag_letter_or_digit =
                matches!(c, '\u{E0030}'..='\u{E0039}' | '\u{E0061}'..='\u{E007A}');
            match c {
                _ if tag_letter_or_digit && count < 7 => {
                    tag_run = Some((count + 1, first.or(Some(c))));
                    continue;
                }
                CANCEL_TAG if count > 0 => {
                    tag_run = None;
                    continue;
                }
                // Tags that do not end as a flag's: refused from the first.
                _ if count > 0 => return first,
                // A flag with no tags.
                _ => tag_run = None,
            }
        }
        if c == BLACK_FLAG {
            tag_run = Some((0, None));
        } else if is_refused(c, multiline) {
            return Some(c);
        }
    }
    tag_run.and_then(|(_, first)| first)
}

fn is_refused(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\r' | '\t' => !multiline,
        '\u{200C}' | '\u{200D}' => false,
        '\u{2028}' | '\u{2029}' | '\u{3164}' | '\u{FFA0}' => true,
        c => c.is_control() || is_format(c),
    }
}

/// Whether `c` is in Unicode's general category Cf (format), as of Unicode 15.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
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

/// Whether `link`'s query has a parameter whose name starts with `__`, however spelt.
fn carries_form_error(link: &str) -> bool {
    let Some((_, query)) = link.split_once('?') else {
        return false;
    };
    let query = query.split('#').next().unwrap_or_default();
    query.split('&').any(super::is_form_error_parameter)
}

/// Where a notification leads: a path on this site (`/messages/7`) or an absolute http(s) URL.
/// Every other scheme (`javascript:`, `data:`, ...) and protocol-relative `//host` is refused
/// (also when spelt `/.//host`, `/%2e%2e//host`, ...: see [`super::resolve_site_path`]), so a
/// link taken from a notification is always safe to follow.
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
        // A page the router opens reads a form's error from these (Leptos's `__path`, `__err`),
        // without asking the server: a link must not bring an error of its own.
        if carries_form_error(link) {
            return refuse("must not carry parameters named __path, __err or the like");
        }
        if link.starts_with('/') {
            // `//host`, and `/.//host` and its like, which a browser resolves to `//host`.
            if super::resolve_site_path(link).is_none() {
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

/// On the server, deserializing parses, as the named type's `parse` does, so a value read from
/// JSON (a request's body, an event from another instance) is as checked as one read from a
/// form; serializing writes the text.
///
/// In the browser it does not check again: every value a page deserializes comes from Herald's
/// own server (a frame, a server function's answer, a fetch, another tab of the same site), which
/// checked it when it was written and checks it again when it reads it from storage
/// (`ssr::store::stored`). The same server sends the page's code, so a check there would guard
/// against nobody, and only add the checks' code (about 10 KB) to the first page's download.
macro_rules! parsed_from_string {
    ($($name:ident($field:literal)),*) => {$(
        impl TryFrom<String> for $name {
            type Error = FieldError;

            #[cfg(feature = "ssr")]
            fn try_from(raw: String) -> Result<Self, FieldError> {
                Self::parse($field, &raw)
            }

            #[cfg(not(feature = "ssr"))]
            fn try_from(raw: String) -> Result<Self, FieldError> {
                Ok(Self(raw))
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
    fn a_link_that_brings_a_form_error_of_its_own_is_refused() {
        for link in [
            "/settings/notifications?__path=%2Fapi%2Fx&__err=eyJ9",
            "/login?tab=1&%5F%5Ferr=eyJ9",
            "https://herald.example/settings/?__seal=x",
        ] {
            assert!(Link::parse("link", link).is_err(), "{link}");
        }
        assert!(Link::parse("link", "/jobs/?q=rust_dev&page=2").is_ok());
    }

    #[test]
    fn bidirectional_marks_soft_hyphens_separators_and_annotations_are_refused() {
        for c in [
            '\u{061C}',
            '\u{200E}',
            '\u{200F}',
            '\u{00AD}',
            '\u{2028}',
            '\u{2029}',
            '\u{FFF9}',
            '\u{FFFA}',
            '\u{FFFB}',
            '\u{180E}',
            '\u{2061}',
            '\u{2064}',
            '\u{206A}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{E0001}',
            '\u{E0041}',
        ] {
            let text = format!("a{c}b");
            let expected = format!("must not contain the character U+{:04X}", u32::from(c));
            let err = Title::parse("title", &text).unwrap_err();
            assert_eq!(err.message, expected, "{text:?} as a title");
            let err = MessageText::parse("message", &text).unwrap_err();
            assert_eq!(err.message, expected, "{text:?} as a message");
        }
    }

    #[test]
    fn every_format_character_but_the_joiners_is_refused() {
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_format(c))
        {
            let refused = Title::parse("title", &format!("a{c}b")).is_err();
            assert_eq!(
                refused,
                !matches!(c, '\u{200C}' | '\u{200D}'),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn joiners_and_the_flags_of_england_scotland_and_wales_are_accepted() {
        let england = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
        for ok in [
            england,
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} Scotland",
            "می\u{200C}خواهم",
            "क्\u{200D}ष",
            "🏴 a black flag alone",
        ] {
            assert!(Title::parse("title", ok).is_ok(), "{ok:?} was refused");
        }
    }

    #[test]
    fn tag_characters_that_could_hide_a_sentence_are_refused() {
        let tags = |text: &str| -> String {
            text.chars()
                .map(|c| char::from_u32(0xE0000 + u32::from(c)).unwrap())
                .collect()
        };
        for bad in [
            // Hidden text after a flag, too long to be a region's code.
            format!("\u{1F3F4}{}\u{E007F}", tags("ignoreall")),
            // A flag's tags without the cancel tag that ends them.
            format!("\u{1F3F4}{} and more", tags("gbeng")),
            format!("\u{1F3F4}{}", tags("gbeng")),
            // Tags with no flag before them, or upper-case ones.
            format!("hello{}\u{E007F}", tags("gbeng")),
            format!("\u{1F3F4}{}\u{E007F}", tags("GBENG")),
        ] {
            assert!(Title::parse("title", &bad).is_err(), "{bad:?} was accepted");
        }
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
    fn a_link_that_names_another_host_once_its_dot_segments_are_resolved_is_refused() {
        for bad in [
            "/.//evil.example",
            "/..//evil.example/x",
            "/a/../..//evil.example",
            "/%2e//evil.example",
            "/%2E%2E//evil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
        ] {
            let err = Link::parse("link", bad).unwrap_err();
            assert_eq!(err.field, "link", "{bad} should be refused");
        }
        for ok in ["/jobs/./1", "/a/../b", "/100%25", "/caf\u{e9}/menu"] {
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
