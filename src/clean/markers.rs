//! What a marker line means, and recognising one.
//!
//! The vocabulary is in `rules::MARKERS`; this module applies it to one line
//! at a time. `scan` feeds it every line and works out where multi-line
//! markers end; `layout` decides which markers bound the book.
//!
//! Speed: `gate` rules out almost every line before it is split into words.

use super::gate::{admits, may_open_a_rule};
use super::lines::{contains_ignore_case, trim_end};
use super::rules::{MarkerRule, Opening, MARKERS};
use super::words::Words;

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
    /// No marker: the metadata block (`Title:`, `Release Date:`, …) that
    /// opens a text whose START line was cut away, and whose footer is there.
    MetadataBlock,
}

/// Which kind of marker started the Gutenberg footer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FooterKind {
    /// `*** END OF THE/THIS PROJECT GUTENBERG EBOOK …`.
    EndMarker,
    /// `End of (the) Project Gutenberg('s) …`, `End of this Etext of …`.
    EndOfBookLine,
    /// `Ende dieses Projekt Gutenberg …`, `Ende dieses Etextes`.
    German,
    /// `Fin de … Project Gutenberg …`.
    French,
    /// A closing `*****The Project Gutenberg Etext of …*****` line.
    ClosingEtextLine,
    /// `**This is a COPYRIGHTED Project Gutenberg Etext, Details Above**`.
    CopyrightedNotice,
}

/// What a marker line means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Header(HeaderKind),
    Footer(FooterKind),
    /// `<<THIS ELECTRONIC VERSION OF …>>`, removed wherever it appears.
    Blurb,
}

impl Kind {
    /// A footer that ends the book wherever it is found. The closing Etext
    /// line is weaker: it ends the book only when nothing but licence follows.
    pub fn is_strong_footer(self) -> bool {
        matches!(self, Kind::Footer(k) if k != FooterKind::ClosingEtextLine)
    }

    /// A header end that is not merely the Volunteers line.
    pub fn is_primary_header(self) -> bool {
        matches!(self, Kind::Header(HeaderKind::StartLine | HeaderKind::SmallPrintEnd))
    }
}

/// A marker found in the text: `start` is its first line's offset, `end` the
/// offset of the first line after it (past any wrapped continuation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub kind: Kind,
    pub start: u64,
    pub end: u64,
    /// For a closing Etext line: nothing but licence follows it.
    pub closes: bool,
}

/// The rule a line (with or without its line end) matches, or `None` for
/// ordinary text. Inlined into the scanner's loop: `gate` decides whether
/// the line is worth the full test.
#[inline(always)]
pub(crate) fn classify(line: &[u8]) -> Option<&'static MarkerRule> {
    let (trimmed, opening) = may_open_a_rule(line)?;
    match_rules(trimmed, opening)
}

/// The full test, for the few lines whose first word opens some rule.
#[inline(never)]
fn match_rules(trimmed: &[u8], opening: Opening) -> Option<&'static MarkerRule> {
    let words = Words::of(trimmed);
    let ends_with_star = || trim_end(trimmed).ends_with(b"*");
    MARKERS
        .iter()
        .filter(|rule| admits(rule.opening, opening))
        .find(|rule| (!rule.ends_with_star || ends_with_star()) && words.matches(rule.words))
}
/// Whether a START line is closed on itself: after the word GUTENBERG comes
/// `**` or a final `*`. An unclosed one may continue on the next lines.
pub(crate) fn start_is_closed(line: &[u8]) -> bool {
    let at = line.windows(9).position(|w| w.eq_ignore_ascii_case(b"gutenberg"));
    at.is_some_and(|i| has_closing_stars(&line[i + 9..]))
}

/// Whether a line holds the closing asterisks of a wrapped START title.
pub(crate) fn has_closing_stars(s: &[u8]) -> bool {
    s.windows(2).any(|w| w == b"**") || trim_end(s).ends_with(b"*")
}

/// Whether a line after a closing Etext line is of the kind that may follow
/// one that really ends the book (see `rules::CLOSING_TAIL`).
pub(crate) fn is_closing_tail(line: &[u8]) -> bool {
    !line.iter().any(u8::is_ascii_alphanumeric)
        || super::rules::CLOSING_TAIL.iter().any(|t| contains_ignore_case(line, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<Kind> {
        classify(line.as_bytes()).map(|r| r.kind)
    }

    #[test]
    fn start_lines_in_every_spelling() {
        for l in [
            "*** START OF THIS PROJECT GUTENBERG EBOOK X ***",
            "***START OF THE PROJECT GUTENBERG EBOOK X***",
            "  *** start of the project gutenberg ebook x ***",
            "*** START OF PROJECT GUTENBERG EBOOK X ***",
            "*** START OF THE COPYRIGHTED PROJECT GUTENBERG EBOOK FOO ***",
        ] {
            assert_eq!(kind(l), Some(Kind::Header(HeaderKind::StartLine)), "{l}");
        }
    }

    #[test]
    fn full_license_start_is_not_a_header() {
        assert_eq!(kind("*** START: FULL LICENSE ***"), None);
        assert_eq!(kind("START: FULL LICENSE"), None);
        assert_eq!(kind("***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***"), None);
        assert_eq!(kind("***START** SMALL PRINT! for COPYRIGHT PROTECTED ETEXTS ***"), None);
        assert_eq!(kind("*SMALL PRINT! and the end"), None);
    }

    #[test]
    fn header_ends_of_the_1990s() {
        for l in [
            "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*",
            "*END THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*",
            "**END*SMALL PRINT",
            "*END*THE SMALL PRINT! FOR COPYRIGHT PROTECTED ETEXTS*END*",
            "*SMALL PRINT! Ver.04.29.93 FOR COPYRIGHT PROTECTED ETEXTS*END*",
        ] {
            assert_eq!(kind(l), Some(Kind::Header(HeaderKind::SmallPrintEnd)), "{l}");
        }
        for l in [
            "*****These eBooks Were Prepared By Thousands of Volunteers!*****",
            "*These Etexts Prepared By Hundreds of Volunteers and Donations*",
        ] {
            assert_eq!(kind(l), Some(Kind::Header(HeaderKind::VolunteersLine)), "{l}");
        }
    }

    #[test]
    fn footers_in_every_language() {
        let f = |k| Some(Kind::Footer(k));
        assert_eq!(kind("*** END OF THIS PROJECT GUTENBERG EBOOK X ***"), f(FooterKind::EndMarker));
        assert_eq!(kind("***END OF THE PROJECT GUTENBERG EBOOK X"), f(FooterKind::EndMarker));
        assert_eq!(kind("*** END OF THE COPYRIGHTED PROJECT GUTENBERG EBOOK FOO ***"), f(FooterKind::EndMarker));
        assert_eq!(kind("End of Project Gutenberg's X, by Y"), f(FooterKind::EndOfBookLine));
        assert_eq!(kind("End of the Project Gutenberg EBook of X"), f(FooterKind::EndOfBookLine));
        assert_eq!(kind("End of The Project Gutenberg Etext of X"), f(FooterKind::EndOfBookLine));
        assert_eq!(kind("End of this Etext of The Complete Works"), f(FooterKind::EndOfBookLine));
        // E1 closing lines that do not open with "End of", in every spelling.
        for l in [
            "The end of Project Gutenberg etext of \"Les Miserables\"",
            "The End of Project Gutenberg Etext of Hamlet by Shakespeare",
            "The end of the Project Gutenberg EBook of X",
            "THE END OF THIS PROJECT GUTENBERG E-TEXT",
            "This is the end of the Project Gutenberg Edition of DE BELLO GALLICO",
            "This is the end of Project Gutenberg's eBook X",
            "*** The End of the Project Gutenberg Etext of X ***",
            "**This is the End of this eBook**",
            "The end of this etext of X",
            "End of this Project Gutenberg E-text of",
            "End of this is COPYRIGHTED Project Gutenberg Etext, Details Below",
            "End of the Copyrighted Project Gutenberg Etext of X",
        ] {
            assert_eq!(kind(l), f(FooterKind::EndOfBookLine), "{l}");
        }
        assert_eq!(kind("Ende dieses Projekt Gutenberg Etextes X"), f(FooterKind::German));
        assert_eq!(kind("Ende dieses Etextes."), f(FooterKind::German));
        assert_eq!(kind("Fin de Project Gutenberg's X"), f(FooterKind::French));
        assert_eq!(kind("Fin du Projet Gutenberg X"), f(FooterKind::French));
        assert_eq!(kind("*****The Project Gutenberg Etext of X*****"), f(FooterKind::ClosingEtextLine));
        assert_eq!(
            kind("**This is a COPYRIGHTED Project Gutenberg Etext, Details Above**"),
            f(FooterKind::CopyrightedNotice)
        );
    }

    #[test]
    fn ordinary_lines_are_not_markers() {
        for l in [
            "END OF VOL. I.",
            "End of the chapter.",
            "The end of the chapter. Project Gutenberg",
            "The end of the story was near.",
            "This is the end of all our hopes.",
            "The ebook of the end",
            "*** END: FULL LICENSE ***",
            "Ende gut, alles gut.",
            "Fin de siècle.",
            "These were prepared by hand.",
            "The Project Gutenberg EBook of X",
            "**This is a COPYRIGHTED Project Gutenberg Etext, Details Below**",
            " \u{a7} 16.--=Henriette Maria I.***.= Coquetterie.",
            "<<Quoted>>",
            "       *       *       *       *       *",
        ] {
            assert_eq!(kind(l), None, "{l}");
        }
    }

    #[test]
    fn closing_stars_of_a_start_line() {
        assert!(start_is_closed(b"*** START OF THE PROJECT GUTENBERG EBOOK X ***"));
        assert!(!start_is_closed(b"***START OF THE PROJECT GUTENBERG EBOOK THE MIRROR,"));
        assert!(has_closing_stars(b"HOLMES ***") && !has_closing_stars(b"HOLMES"));
    }
}
