//! Times as people read them: "2 min ago", with the local date and time on hover.

use leptos::prelude::*;
use time::macros::format_description;
use time::OffsetDateTime;

/// A timestamp in UTC: what the server renders, and what the browser shows until it knows the
/// local clock (so hydration never sees a mismatch).
pub fn format_utc(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.format(format).unwrap_or_default()
}

/// How long ago something happened, in words; `None` past a week, where a date says more.
pub fn ago(seconds: i64) -> Option<String> {
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = hours / 24;
    Some(match seconds {
        s if s < 45 => "just now".to_owned(),
        s if s < 90 => "1 min ago".to_owned(),
        _ if minutes < 60 => format!("{minutes} min ago"),
        _ if hours < 24 => format!("{hours} h ago"),
        _ if days == 1 => "yesterday".to_owned(),
        _ if days < 7 => format!("{days} days ago"),
        _ => return None,
    })
}

/// `<time>`: rendered in UTC on the server; in the browser, relative ("5 min ago", kept fresh
/// each minute), the local date past a week, or the local date and time for a time to come, with
/// the local date and time as its tooltip.
#[component]
pub fn Time(at: OffsetDateTime) -> impl IntoView {
    let text = RwSignal::new(format_utc(at));
    let tooltip = RwSignal::new(format_utc(at));
    let datetime = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    #[cfg(feature = "hydrate")]
    {
        let millis = (at.unix_timestamp_nanos() / 1_000_000) as f64;
        let refresh = move || {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis));
            let seconds = ((js_sys::Date::now() - millis) / 1000.0) as i64;
            let local =
                String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED));
            let day = String::from(
                date.to_locale_date_string("default", &wasm_bindgen::JsValue::UNDEFINED),
            );
            // A time to come (a scheduled announcement) reads as the local date and time.
            let words = if seconds < -30 {
                None
            } else {
                ago(seconds.max(0))
            };
            text.set(words.unwrap_or(if seconds < 0 { local.clone() } else { day }));
            tooltip.set(local);
        };
        Effect::new(move |_| refresh());
        if let Ok(handle) = set_interval_with_handle(refresh, std::time::Duration::from_secs(60)) {
            on_cleanup(move || handle.clear());
        }
    }
    view! {
        <time datetime=datetime title=move || tooltip.get()>
            {move || text.get()}
        </time>
    }
}

#[cfg(test)]
mod tests {
    use super::ago;

    #[test]
    fn recent_times_read_as_how_long_ago() {
        assert_eq!(ago(5).as_deref(), Some("just now"));
        assert_eq!(ago(60).as_deref(), Some("1 min ago"));
        assert_eq!(ago(30 * 60).as_deref(), Some("30 min ago"));
        assert_eq!(ago(5 * 3600).as_deref(), Some("5 h ago"));
        assert_eq!(ago(30 * 3600).as_deref(), Some("yesterday"));
        assert_eq!(ago(3 * 86_400).as_deref(), Some("3 days ago"));
        assert_eq!(ago(10 * 86_400), None);
    }
}
