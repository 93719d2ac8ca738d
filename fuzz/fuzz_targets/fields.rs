//! Any text in any field: the parsers never panic, and what they accept keeps their promises
//! (lengths, one line, no control characters, links that stay on this site or are http(s), and a
//! `next` that never leaves the site).
#![no_main]

use app::auth::safe_next;
use app::model::{JobDraft, Link, MessageText, Password, ProfileDraft, Title, Username};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(title) = Title::parse("title", text) {
        let chars = title.as_str().chars().count();
        assert!((1..=Title::MAX_CHARS).contains(&chars));
        assert!(!title.as_str().chars().any(char::is_control), "{title:?}");
    }
    if let Ok(message) = MessageText::parse("message", text) {
        assert!(message.as_str().chars().count() <= MessageText::MAX_CHARS);
    }
    if let Ok(link) = Link::parse("link", text) {
        let link = link.as_str().to_ascii_lowercase();
        let on_site = link.starts_with('/') && !link.starts_with("//");
        let web = link.starts_with("http://") || link.starts_with("https://");
        assert!(on_site || web, "{link:?}");
        assert!(!link.contains('\\') && !link.chars().any(char::is_whitespace));
    }
    if let Ok(name) = Username::parse("username", text) {
        assert!(name
            .as_str()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
    }
    let _ = Password::parse("password", text);

    // The same text split into the parts of a multi-field form.
    let mut parts = text.splitn(4, '\u{1f}');
    let (a, b, c, d) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let _ = JobDraft::parse(a, b, c, d);
    let _ = ProfileDraft::parse(a, b, c);

    let next = safe_next(Some(text));
    let mut chars = next.chars();
    assert_eq!(chars.next(), Some('/'), "{next:?}");
    assert!(!matches!(chars.next(), Some('/' | '\\')), "{next:?}");
    assert!(next.chars().all(|c| c.is_ascii_graphic()), "{next:?}");
    assert!(http::HeaderValue::from_str(&next).is_ok(), "{next:?}");
    // Already resolved: no dot segment or encoded slash is left to make it another host.
    assert_eq!(
        app::model::resolve_site_path(&next).as_deref(),
        Some(next.as_str()),
        "{next:?}"
    );
});
