//! Untrusted text (manifest fields, server replies, listing names) made safe
//! to print: control characters could move the cursor or rewrite the screen,
//! and a field of megabytes would bury the message that quotes it.

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) with `?`, keeping the rest.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if c.is_control() { '?' } else { c }).collect())
}

/// How many characters of an untrusted field a message quotes.
pub const QUOTED_CHARS: usize = 100;

/// `text` quoted for a message (`"…"`, escaped as Rust's `{:?}` does, so
/// control characters are shown, never sent): the first [`QUOTED_CHARS`]
/// characters, and for a longer field how long it was.
pub fn quote_short(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
    }
}

/// `text` made [`terminal_safe`] and cut to [`QUOTED_CHARS`] characters
/// (then `…`), for a field shown unquoted, like a title in the summary.
pub fn shortened(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(QUOTED_CHARS) {
        None => terminal_safe(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", terminal_safe(&text[..cut]))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(terminal_safe("Luther\x1b[2J\r\n\u{9b}x"), "Luther?[2J???x");
        assert!(matches!(terminal_safe("Good Works — Ä"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_fields_are_quoted_short() {
        assert_eq!(quote_short("41\n8"), "\"41\\n8\"");
        let long = "é".repeat(10_000);
        let quoted = quote_short(&long);
        assert_eq!(quoted, format!("{:?}… (20000 bytes)", "é".repeat(QUOTED_CHARS)));
        assert_eq!(quote_short(&long[..2 * QUOTED_CHARS]), format!("{:?}", &long[..2 * QUOTED_CHARS]));
        assert_eq!(shortened(&format!("\x1b{long}")), format!("?{}…", "é".repeat(QUOTED_CHARS - 1)));
    }
}
