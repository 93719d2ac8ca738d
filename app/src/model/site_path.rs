//! Paths on this site as a browser reads them: `/a/./b` is `/a/b`, and `/.//evil.example` is
//! `//evil.example`, another host. Used wherever a path from outside is followed: `next` after
//! signing in, a notification's link.

/// `path` (an absolute path, with its query and fragment if any) resolved as a browser resolves
/// it, if it is a path on this site in every reading; `None` if it names another host.
///
/// A browser treats `\` as `/` and removes the dot segments (`.`, `..`, and their spellings with
/// `%2e`), so `/.//evil.example` and `/..//evil.example` are `//evil.example`: another host. A
/// client-side router may also decode `%2f` and `%5c` into the slashes they encode; the path
/// must stay on this site that way too. The query and fragment are kept as they are.
pub fn resolve_site_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let (path, query) = path.split_at(path.find(['?', '#']).unwrap_or(path.len()));
    let resolved = resolve_dot_segments(path);
    let decoded = resolve_dot_segments(&decode_separators(&resolved));
    if resolved.starts_with("//") || decoded.starts_with("//") {
        return None;
    }
    Some(resolved + query)
}

/// An absolute path with its dot segments removed, as the URL standard does it for http(s):
/// `\` separates segments as `/` does, `%2e` is a dot, `..` never climbs above the root, and a
/// path ending in a dot segment keeps its trailing slash.
fn resolve_dot_segments(path: &str) -> String {
    let is_dot = |s: &str| s == "." || s.eq_ignore_ascii_case("%2e");
    let is_dot_dot = |s: &str| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            ".." | ".%2e" | "%2e." | "%2e%2e"
        )
    };
    let segments: Vec<&str> = path.split(['/', '\\']).skip(1).collect();
    let mut kept: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, &segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if is_dot_dot(segment) {
            kept.pop();
        } else if !is_dot(segment) {
            kept.push(segment);
            continue;
        }
        if last {
            kept.push("");
        }
    }
    format!("/{}", kept.join("/"))
}

/// `path` with the percent-encoded slash, backslash and dot decoded (and nothing else).
fn decode_separators(path: &str) -> String {
    let mut decoded = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('%') {
        decoded.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or("%");
        let plain = match escape.to_ascii_lowercase().as_str() {
            "%2f" => "/",
            "%5c" => "\\",
            "%2e" => ".",
            _ => "%",
        };
        decoded.push_str(plain);
        rest = &rest[at + if plain == "%" { 1 } else { 3 }..];
    }
    decoded.push_str(rest);
    decoded
}

/// Whether a query's `name=value` pair is one of Leptos's own (`__path`, `__err`) or Herald's
/// seal of them (`__seal`): any name starting with `__`, however spelt (`%5F%5Ferr`). A page
/// opened with them shows a form's error, so a path from outside must not bring them.
pub fn is_form_error_parameter(pair: &str) -> bool {
    let name = pair.split('=').next().unwrap_or_default();
    name.to_ascii_lowercase()
        .replace("%5f", "_")
        .starts_with("__")
}

#[cfg(test)]
mod tests {
    use super::resolve_site_path;

    #[test]
    fn dot_segments_are_removed_as_a_browser_removes_them() {
        assert_eq!(resolve_site_path("/a/./b/../c/").as_deref(), Some("/a/c/"));
        assert_eq!(resolve_site_path("/a/%2E/b/.%2e").as_deref(), Some("/a/"));
        assert_eq!(resolve_site_path("/../..").as_deref(), Some("/"));
        assert_eq!(resolve_site_path("/a\\b").as_deref(), Some("/a/b"));
        assert_eq!(
            resolve_site_path("/a?x=/./..//y#/..//z").as_deref(),
            Some("/a?x=/./..//y#/..//z")
        );
    }

    #[test]
    fn a_path_that_resolves_to_another_host_is_none() {
        for path in [
            "/.//h",
            "/..//h",
            "/%2e%2e//h",
            "/%2f/h",
            "/%5c%5ch",
            "//h",
            "h",
            "",
        ] {
            assert_eq!(resolve_site_path(path), None, "{path:?}");
        }
    }
}
