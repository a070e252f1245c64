//! Untrusted text (manifest fields, server replies, listing names) made safe
//! to print: control characters could move the cursor or rewrite the screen.

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) with `?`, keeping the rest.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if c.is_control() { '?' } else { c }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(terminal_safe("Luther\x1b[2J\r\n\u{9b}x"), "Luther?[2J???x");
        assert!(matches!(terminal_safe("Good Works — Ä"), Cow::Borrowed(_)));
    }
}
