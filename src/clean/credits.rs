//! Credit paragraphs ("Produced by …", "E-text prepared by …") that open the
//! body right after the Gutenberg header.
//!
//! A separate pass with its own boundary: it is only ever given the text after
//! the header end, so however a credit phrase is matched it can never delete
//! anything before that point. Older strippers treated "Produced by" as a
//! header marker and lost real text that preceded one.

use super::lines::{is_blank, lines_from, skip_blank_lines, starts_with_ignore_case};

/// A credit paragraph is a few lines; a longer one is probably book text that
/// happens to start with "Produced by", and is kept.
const MAX_CREDIT_LINES: usize = 12;

/// Openings of credit paragraphs, compared case-insensitively after leading
/// whitespace.
const CREDIT_OPENINGS: &[&str] = &[
    "produced by",
    "e-text prepared by",
    "etext prepared by",
    "ebook prepared by",
    "e-book prepared by",
    "transcribed from",
    "transcribed by",
    "special thanks",
    "credit for e-text",
    "credits:",
    "this file was produced from",
    // Project Gutenberg's pointer to its own HTML edition: about the file, not the book.
    "note: project gutenberg also has an html version",
];

/// `This [Project Gutenberg] Etext was prepared by …` and its siblings.
const CREDIT_SUBJECTS: &[&str] = &["etext", "e-text", "ebook", "e-book", "text", "file"];
const CREDIT_VERBS: &[&str] = &["prepared by", "produced by", "produced from", "transcribed"];

/// Offset where the book starts once the credit paragraphs directly after
/// `from` are skipped; `from` itself when there are none. Never looks at or
/// past `to`.
pub(crate) fn skip_credits(text: &str, from: usize, to: usize) -> usize {
    let mut pos = from;
    loop {
        let para = skip_blank_lines(text, pos, to);
        let Some(first) = lines_from(&text[..to], para).next() else {
            return pos;
        };
        if !is_credit_opening(first.text) {
            return pos;
        }
        match paragraph_end(text, para, to) {
            Some(end) => pos = end,
            None => return pos,
        }
    }
}

/// Offset past the paragraph starting at `start` (up to the next blank line),
/// or `None` if it is too long to be a credit.
fn paragraph_end(text: &str, start: usize, to: usize) -> Option<usize> {
    let mut end = start;
    for (n, line) in lines_from(&text[..to], start).enumerate() {
        if is_blank(line.text) {
            return Some(line.start);
        }
        if n == MAX_CREDIT_LINES {
            return None;
        }
        end = line.next;
    }
    Some(end)
}

/// Whether a line opens a credit paragraph.
pub(crate) fn is_credit_opening(line: &str) -> bool {
    let line = line.trim_start();
    if CREDIT_OPENINGS.iter().any(|o| starts_with_ignore_case(line, o)) {
        return true;
    }
    let Some(rest) = strip_word(line, "this") else {
        return false;
    };
    let rest = strip_word(rest, "project").and_then(|r| strip_word(r, "gutenberg")).unwrap_or(rest);
    let Some(rest) = CREDIT_SUBJECTS.iter().find_map(|s| strip_word(rest, s)) else {
        return false;
    };
    let Some(rest) = strip_word(rest, "was").or_else(|| strip_word(rest, "has been")) else {
        return false;
    };
    CREDIT_VERBS.iter().any(|v| starts_with_ignore_case(rest, v))
}

/// `s` without a leading `word` and the whitespace after it.
fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let rest = s.get(word.len()..)?;
    let whole_word = rest.starts_with(char::is_whitespace);
    (starts_with_ignore_case(s, word) && whole_word).then(|| rest.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_after_credits(t: &str) -> &str {
        &t[skip_credits(t, 0, t.len())..]
    }

    #[test]
    fn recognises_credit_openings() {
        for l in [
            "Produced by Julia Miller and the Online Distributed",
            "E-text prepared by Jonathan Ingram",
            "This Project Gutenberg Etext was prepared by Barry Haworth.",
            "This etext was produced from the 1891 edition",
            "Transcribed from the 1891 Macmillan edition by David Price",
            "Special thanks to the Internet Archive",
            "Credit for e-text: The Library of Congress",
        ] {
            assert!(is_credit_opening(l), "{l}");
        }
        for l in ["Productions by the guild", "This text was loved by all", "THE END"] {
            assert!(!is_credit_opening(l), "{l}");
        }
    }

    #[test]
    fn skips_consecutive_credit_paragraphs() {
        let t = "\n\nProduced by A\nand B\n\n\nSpecial thanks to C\n\n\nCHAPTER I\n";
        assert_eq!(body_after_credits(t), "\n\nCHAPTER I\n");
    }

    #[test]
    fn keeps_text_without_credits() {
        let t = "\nCHAPTER I\nProduced by the author.\n";
        assert_eq!(body_after_credits(t), t);
    }

    #[test]
    fn overlong_paragraph_is_not_a_credit() {
        let t = format!("Produced by the guild\n{}\nEND\n", "line\n".repeat(20));
        assert_eq!(body_after_credits(&t), t);
    }

    #[test]
    fn stops_at_limit() {
        let t = "Produced by A\n\nBook";
        assert_eq!(skip_credits(t, 0, 13), 13);
        assert_eq!(&t[skip_credits(t, 0, t.len())..], "\nBook");
    }
}
