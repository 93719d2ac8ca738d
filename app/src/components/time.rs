use time::macros::format_description;
use time::OffsetDateTime;

/// A timestamp as people read it, in UTC. The same text on the server and in the browser, so
/// hydration never sees a mismatch.
pub fn format_utc(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.format(format).unwrap_or_default()
}
