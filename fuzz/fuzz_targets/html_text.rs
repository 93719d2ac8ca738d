//! Any text a user writes, placed inside a `<textarea>` in the server's HTML: it can never close
//! the element or open another (the stored XSS of issue 8), and the browser reads back exactly
//! what was written.
#![no_main]

use app::components::textarea::textarea_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let html = textarea_text(text);
    assert!(!html.contains('<'), "{html:?}");
    assert_eq!(html_escape::decode_html_entities(&html), text);
});
