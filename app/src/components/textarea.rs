//! What goes inside a `<textarea>`.

/// The text to put between `<textarea>` and `</textarea>`.
///
/// Leptos 0.8 writes a textarea's children into the server's HTML as raw text, unescaped (as it
/// does for `<script>` and `<style>`; leptos#4819), so user text such as
/// `</textarea><img onerror=…>` would close the element and run. On the server this escapes the
/// text; the browser parses the entities back, so the field holds exactly what the user wrote and
/// hydration finds the text it expects. In the browser Leptos makes a text node, which needs no
/// escaping, so the text passes through as it is.
pub fn textarea_text(text: impl Into<String>) -> String {
    let text = text.into();
    #[cfg(feature = "ssr")]
    {
        html_escape::encode_text(&text).into_owned()
    }
    #[cfg(not(feature = "ssr"))]
    {
        text
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::textarea_text;

    #[test]
    fn text_that_closes_the_textarea_is_escaped_on_the_server() {
        let payload = r#"x</textarea><img src=x onerror="alert(1)">&amp;"#;
        let escaped = textarea_text(payload);
        assert!(!escaped.contains('<'), "{escaped}");
        assert_eq!(
            html_escape::decode_html_entities(&escaped),
            payload,
            "the browser reads back exactly what was written"
        );
    }
}
