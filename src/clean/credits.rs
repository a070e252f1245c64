//! Credit paragraphs ("Produced by …", "E-text prepared by …") that open the
//! body right after the Gutenberg header.
//!
//! A separate pass with its own boundary: it is only ever given the text after
//! the header end, so however a credit phrase is matched it can never delete
//! anything before that point. Older strippers treated "Produced by" as a
//! header marker and lost real text that preceded one. Within a credit, a
//! line is only taken with it when it visibly continues the credit (see
//! `rules::CREDIT_CONNECTORS`), so a title set right under a credit line
//! stays: credits removal never removes a line that is not a credit.

use super::lines::{contains_ignore_case, is_blank, lines_from, starts_with_ignore_case, trim_end, trim_start, Line};
use super::rules::{
    CREDIT_CONNECTORS, CREDIT_CONNECTOR_MARKS, CREDIT_OPENINGS, CREDIT_SENTENCES, CREDIT_VOCABULARY, MAX_CREDIT_LINES,
};
use super::words::{matches_any, word_is};

/// Offset in `text` where the book starts once the credit paragraphs at its
/// top are skipped; 0 when there are none.
pub(crate) fn credits_end(text: &[u8]) -> usize {
    let mut pos = 0;
    loop {
        let Some(first) = lines_from(text, pos).find(|l| !is_blank(l.text)) else {
            return pos;
        };
        if !is_credit_opening(first.text) {
            return pos;
        }
        match credit_end(text, first) {
            Some(end) => pos = end,
            None => return pos,
        }
    }
}

/// Offset past the credit that opens with `first`, or `None` if it runs on
/// too long to be one.
fn credit_end(text: &[u8], first: Line) -> Option<usize> {
    let mut last = first;
    let mut open = bracket_depth(0, first.text);
    for (n, line) in lines_from(text, first.next).enumerate() {
        if is_blank(line.text) || !continues(last.text, line.text, open) {
            return Some(line.start);
        }
        if n + 2 > MAX_CREDIT_LINES {
            return None;
        }
        open = bracket_depth(open, line.text);
        last = line;
    }
    Some(last.next)
}

/// Whether `next` carries on the credit whose last line so far is `last`.
fn continues(last: &[u8], next: &[u8], open_brackets: usize) -> bool {
    if open_brackets > 0 || ends_with_connector(last) {
        return true;
    }
    let next = trim_start(next);
    next.first().is_some_and(u8::is_ascii_lowercase) || CREDIT_VOCABULARY.iter().any(|v| contains_ignore_case(next, v))
}

/// Whether a line visibly goes on to the next (see `rules::CREDIT_CONNECTORS`).
pub(crate) fn ends_with_connector(line: &[u8]) -> bool {
    let line = trim_end(line);
    let Some(&last) = line.last() else { return false };
    if CREDIT_CONNECTOR_MARKS.contains(&last) {
        return true;
    }
    let word = line.rsplit(|&b| b == b' ' || b == b'\t').next().unwrap_or(line);
    word_is(word, CREDIT_CONNECTORS)
}

/// Parentheses and brackets left open after `line`.
fn bracket_depth(depth: usize, line: &[u8]) -> usize {
    line.iter().fold(depth, |d, &b| match b {
        b'(' | b'[' => d + 1,
        b')' | b']' => d.saturating_sub(1),
        _ => d,
    })
}

/// Whether a line opens a credit paragraph.
pub(crate) fn is_credit_opening(line: &[u8]) -> bool {
    let line = trim_start(line);
    CREDIT_OPENINGS.iter().any(|o| starts_with_ignore_case(line, o)) || matches_any(line, CREDIT_SENTENCES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after_credits(t: &str) -> &str {
        &t[credits_end(t.as_bytes())..]
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
            "Credits: Arthur DiBianca and David Widger",
        ] {
            assert!(is_credit_opening(l.as_bytes()), "{l}");
        }
        for l in ["Productions by the guild", "This text was loved by all", "THE END", "Credits"] {
            assert!(!is_credit_opening(l.as_bytes()), "{l}");
        }
    }

    #[test]
    fn skips_consecutive_credit_paragraphs() {
        let t = "\n\nProduced by A\nand B\n\n\nSpecial thanks to C\n\n\nCHAPTER I\n";
        assert_eq!(after_credits(t), "\n\nCHAPTER I\n");
    }

    #[test]
    fn continuation_lines_of_real_credits() {
        for credit in [
            "Produced by Julia Miller and the Online Distributed\nProofreading Team at http://www.pgdp.net (This file was\n\
             produced from images generously made available by The\nInternet Archive/American Libraries.)\n",
            "Credit for e-text: The Library of Congress, Joshua Hutchinson, David King,\n\
             and the Project Gutenberg Online Distributed Proofreading Team\n",
            "Produced by Chris Curnow, Tom Cosmas, Joseph Cooper and\nthe Online Distributed Proofreading Team at\nhttp://www.pgdp.net\n",
            "E-text prepared by Ted Garvin, Brett Koonce, and Project Gutenberg\nDistributed Proofreaders\n",
        ] {
            let t = format!("{credit}THE BOOK\n");
            assert_eq!(after_credits(&t), "THE BOOK\n", "{credit}");
        }
    }

    #[test]
    fn a_title_under_a_credit_line_is_the_books() {
        let t = "Produced by David Widger\nTHE ADVENTURES OF TOM\nBy Mark Twain\n\nCHAPTER I\n";
        assert_eq!(after_credits(t), "THE ADVENTURES OF TOM\nBy Mark Twain\n\nCHAPTER I\n");
        assert_eq!(after_credits("E-text prepared by A\nCHAPTER I\nText.\n"), "CHAPTER I\nText.\n");
    }

    #[test]
    fn keeps_text_without_credits() {
        let t = "\nCHAPTER I\nProduced by the author.\n";
        assert_eq!(after_credits(t), t);
    }

    #[test]
    fn overlong_paragraph_is_not_a_credit() {
        let t = format!("Produced by the guild and\n{}\nEND\n", "a line\n".repeat(20));
        assert_eq!(after_credits(&t), t);
    }
}
