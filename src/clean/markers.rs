//! Recognising Project Gutenberg marker lines and where each marker ends.
//!
//! Owns the vocabulary of markers across the eras (Small Print, `***START OF`,
//! `*** START OF THIS/THE`, the English/German/French footers, the closing
//! `*****The Project Gutenberg Etext of …*****` line; the in-body licence
//! blurbs are recognised here too, with their extent found by `blurbs`).
//! It only *finds* markers; `layout` decides which ones bound the book.
//!
//! Matching is by words (see [`Words`]), so case, spacing and asterisk style
//! do not matter. Only lines whose first character could open a marker are
//! looked at, which keeps the scan near memory speed.

use super::blurbs;
use super::lines::{lines_from, starts_with_ignore_case, Line, Words};

/// Which kind of marker ended the Gutenberg header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderKind {
    /// `*** START OF THE/THIS PROJECT GUTENBERG EBOOK … ***`, possibly wrapped.
    StartLine,
    /// `*END*THE SMALL PRINT! …*END*` of 1990s files, which have no START line.
    SmallPrintEnd,
    /// `*These eBooks Were Prepared By Thousands of Volunteers!*`, the last
    /// header line of some 1990s files; used only when nothing better exists.
    VolunteersLine,
}

/// Which kind of marker started the Gutenberg footer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FooterKind {
    /// `*** END OF THE/THIS PROJECT GUTENBERG EBOOK …`.
    EndMarker,
    /// `End of (the) Project Gutenberg('s) …`, `End of this Etext of …`.
    EndOfBookLine,
    /// `Ende dieses Projekt Gutenberg …`.
    German,
    /// `Fin de … Project Gutenberg …`.
    French,
    /// A closing `*****The Project Gutenberg Etext of …*****` line.
    ClosingEtextLine,
}

/// What a marker line means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Header(HeaderKind),
    Footer(FooterKind),
    /// `<<THIS ELECTRONIC VERSION OF …>>`, removed wherever it appears.
    Blurb,
}

/// A marker found in the text: `start` is its first line's offset, `end` the
/// offset of the first line after it (past any wrapped continuation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// A wrapped START title closes within a few lines or not at all.
const MAX_START_CONTINUATION: usize = 4;

/// Every marker in `text`, in order.
pub(crate) fn scan(text: &str) -> Vec<Marker> {
    let mut found = Vec::new();
    for line in lines_from(text, 0) {
        let Some(kind) = classify(line.text) else {
            continue;
        };
        let end = match kind {
            Kind::Header(HeaderKind::StartLine) => start_marker_end(text, line),
            Kind::Blurb => match blurbs::blurb_end(text, line) {
                Some(end) => end,
                None => continue,
            },
            _ => line.next,
        };
        found.push(Marker { kind, start: line.start, end });
    }
    found
}

/// Classifies one line, or `None` for ordinary text. The first byte gates the
/// word split, so almost every line costs a byte comparison or two.
pub(crate) fn classify(line: &str) -> Option<Kind> {
    if !may_open_marker(*line.as_bytes().first()?) {
        return None;
    }
    let trimmed = line.trim_start_matches([' ', '\t']);
    match trimmed.as_bytes().first()? {
        b'*' => classify_starred(trimmed),
        b'E' | b'e' if starts_with_ignore_case(trimmed, "end") => classify_end_words(&Words::of(trimmed), false),
        b'F' | b'f' if starts_with_ignore_case(trimmed, "fin d") => {
            is_french_footer(&Words::of(trimmed)).then_some(Kind::Footer(FooterKind::French))
        }
        b'T' | b't' if starts_with_ignore_case(trimmed, "these ") => {
            is_volunteers_line(&Words::of(trimmed)).then_some(Kind::Header(HeaderKind::VolunteersLine))
        }
        b'<' if trimmed.starts_with("<<") => blurbs::is_blurb_start(&Words::of(trimmed)).then_some(Kind::Blurb),
        _ => None,
    }
}

/// The bytes a marker line can begin with, indentation included.
fn may_open_marker(first: u8) -> bool {
    matches!(first, b'*' | b'E' | b'e' | b'F' | b'f' | b'T' | b't' | b'<' | b' ' | b'\t')
}

/// Lines opening with asterisks: START, Small Print end, END, closing Etext line.
fn classify_starred(trimmed: &str) -> Option<Kind> {
    let w = Words::of(trimmed);
    if is_start(&w) {
        return Some(Kind::Header(HeaderKind::StartLine));
    }
    if is_volunteers_line(&w) {
        return Some(Kind::Header(HeaderKind::VolunteersLine));
    }
    if let Some(kind) = classify_end_words(&w, true) {
        return Some(kind);
    }
    let closing = trimmed.trim_end().ends_with('*') && is_etext_title(&w, 0);
    closing.then_some(Kind::Footer(FooterKind::ClosingEtextLine))
}

/// Word-level tests for lines whose first word may be END/ENDE.
fn classify_end_words(w: &Words, starred: bool) -> Option<Kind> {
    if is_small_print_end(w) {
        Some(Kind::Header(HeaderKind::SmallPrintEnd))
    } else if is_end_of_book(w) {
        Some(Kind::Footer(if starred { FooterKind::EndMarker } else { FooterKind::EndOfBookLine }))
    } else if is_german_footer(w) {
        Some(Kind::Footer(FooterKind::German))
    } else {
        None
    }
}

/// `START OF [THE|THIS] PROJECT GUTENBERG`. `START: FULL LICENSE` has no `OF`
/// and so can never match, wherever it sits.
fn is_start(w: &Words) -> bool {
    w.is(0, "start") && w.is(1, "of") && is_project_gutenberg_at(w, skip_article(w, 2))
}

/// `END [THE] SMALL PRINT`, however the asterisks fall.
fn is_small_print_end(w: &Words) -> bool {
    let i = if w.is(1, "the") { 2 } else { 1 };
    w.is(0, "end") && w.is(i, "small") && w.is(i + 1, "print")
}

/// `END OF [THE|THIS] PROJECT GUTENBERG …` and `END OF THIS ETEXT …`.
/// `END OF VOL. I.` and `END: FULL LICENSE` do not qualify.
fn is_end_of_book(w: &Words) -> bool {
    if !(w.is(0, "end") && w.is(1, "of")) {
        return false;
    }
    let i = skip_article(w, 2);
    is_project_gutenberg_at(w, i) || (w.is(2, "this") && w.is_any(3, &["etext", "e-text", "ebook", "e-book"]))
}

/// `ENDE [dieses|des] Projekt Gutenberg …`.
fn is_german_footer(w: &Words) -> bool {
    w.is(0, "ende") && (1..5).any(|i| w.is_any(i, &["projekt", "project"]) && w.starts(i + 1, "gutenberg"))
}

/// `Fin de/du … Project/Projet Gutenberg …` within the first few words.
fn is_french_footer(w: &Words) -> bool {
    let opener = w.is_any(1, &["de", "du", "des"]) || w.starts(1, "d'");
    w.is(0, "fin") && opener && (2..9).any(|i| w.is_any(i, &["project", "projet"]) && w.starts(i + 1, "gutenberg"))
}

/// `These eBooks/Etexts Were Prepared By Thousands of Volunteers`.
fn is_volunteers_line(w: &Words) -> bool {
    w.is(0, "these") && w.is(2, "were") && w.is(3, "prepared") && w.is(4, "by") && w.is(5, "thousands")
}

/// `THE PROJECT GUTENBERG ETEXT OF` starting at word `i`.
fn is_etext_title(w: &Words, i: usize) -> bool {
    w.is(i, "the")
        && is_project_gutenberg_at(w, i + 1)
        && w.is_any(i + 3, &["etext", "e-text", "ebook", "e-book"])
        && w.is(i + 4, "of")
}

fn is_project_gutenberg_at(w: &Words, i: usize) -> bool {
    w.is(i, "project") && w.starts(i + 1, "gutenberg")
}

fn skip_article(w: &Words, i: usize) -> usize {
    if w.is_any(i, &["the", "this"]) {
        i + 1
    } else {
        i
    }
}

/// Where the body begins after a START line. The title may wrap onto the next
/// lines; the marker runs to the line holding the closing asterisks, so no
/// `HOLMES ***` remnant is left behind. An unclosed START (some early-2000s
/// files) ends at its own line, and so does one whose closing does not come
/// before a blank line or another marker.
fn start_marker_end(text: &str, line: Line) -> usize {
    if is_closed(after_gutenberg(line.text)) {
        return line.next;
    }
    lines_from(text, line.next)
        .take(MAX_START_CONTINUATION)
        .take_while(|l| !l.text.trim().is_empty() && classify(l.text).is_none())
        .find(|l| is_closed(l.text))
        .map_or(line.next, |l| l.next)
}

/// The part of a START line after the word GUTENBERG (where the closing
/// asterisks would be); the line itself begins with asterisks too.
fn after_gutenberg(line: &str) -> &str {
    let lower_hit = line.as_bytes().windows(9).position(|w| w.eq_ignore_ascii_case(b"gutenberg"));
    lower_hit.map_or("", |i| &line[i + 9..])
}

fn is_closed(s: &str) -> bool {
    s.contains("**") || s.trim_end().ends_with('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<Kind> {
        classify(line)
    }

    #[test]
    fn start_lines_in_every_spelling() {
        for l in [
            "*** START OF THIS PROJECT GUTENBERG EBOOK X ***",
            "***START OF THE PROJECT GUTENBERG EBOOK X***",
            "  *** start of the project gutenberg ebook x ***",
            "*** START OF PROJECT GUTENBERG EBOOK X ***",
        ] {
            assert_eq!(kind(l), Some(Kind::Header(HeaderKind::StartLine)), "{l}");
        }
    }

    #[test]
    fn full_license_start_is_not_a_header() {
        assert_eq!(kind("*** START: FULL LICENSE ***"), None);
        assert_eq!(kind("START: FULL LICENSE"), None);
        assert_eq!(kind("***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***"), None);
    }

    #[test]
    fn small_print_ends() {
        for l in [
            "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*",
            "*END THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*",
            "**END*SMALL PRINT",
        ] {
            assert_eq!(kind(l), Some(Kind::Header(HeaderKind::SmallPrintEnd)), "{l}");
        }
    }

    #[test]
    fn footers_in_every_language() {
        let f = |k| Some(Kind::Footer(k));
        assert_eq!(kind("*** END OF THIS PROJECT GUTENBERG EBOOK X ***"), f(FooterKind::EndMarker));
        assert_eq!(kind("***END OF THE PROJECT GUTENBERG EBOOK X"), f(FooterKind::EndMarker));
        assert_eq!(kind("End of Project Gutenberg's X, by Y"), f(FooterKind::EndOfBookLine));
        assert_eq!(kind("End of the Project Gutenberg EBook of X"), f(FooterKind::EndOfBookLine));
        assert_eq!(kind("End of The Project Gutenberg Etext of X"), f(FooterKind::EndOfBookLine));
        assert_eq!(kind("End of this Etext of The Complete Works"), f(FooterKind::EndOfBookLine));
        assert_eq!(kind("Ende dieses Projekt Gutenberg Etextes X"), f(FooterKind::German));
        assert_eq!(kind("Fin de Project Gutenberg's X"), f(FooterKind::French));
        assert_eq!(kind("Fin du Projet Gutenberg X"), f(FooterKind::French));
        assert_eq!(kind("*****The Project Gutenberg Etext of X*****"), f(FooterKind::ClosingEtextLine));
    }

    #[test]
    fn ordinary_lines_are_not_markers() {
        for l in [
            "END OF VOL. I.",
            "End of the chapter.",
            "*** END: FULL LICENSE ***",
            "Ende gut, alles gut.",
            "Fin de siècle.",
            "These were prepared by hand.",
            " \u{a7} 16.--=Henriette Maria I.***.= Coquetterie.",
            "<<Quoted>>",
            "       *       *       *       *       *",
        ] {
            assert_eq!(kind(l), None, "{l}");
        }
    }

    #[test]
    fn wrapped_start_runs_to_closing_asterisks() {
        let t = "***START OF THE PROJECT GUTENBERG EBOOK THE MIRROR,\nAMUSEMENT, 1827***\n\nBody\n";
        let m = scan(t);
        assert_eq!(m.len(), 1);
        assert_eq!(&t[m[0].end..], "\nBody\n");
    }

    #[test]
    fn unclosed_start_ends_at_its_line() {
        let t = "***START OF THE PROJECT GUTENBERG EBOOK X\n\nBody *** here\n";
        assert_eq!(&t[scan(t)[0].end..], "\nBody *** here\n");
        let t = "***START OF THE PROJECT GUTENBERG EBOOK X\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n";
        assert_eq!(&t[scan(t)[0].end..], "*** END OF THE PROJECT GUTENBERG EBOOK X ***\n");
    }
}
