//! What a marker line means, and recognising one.
//!
//! The vocabulary is in `rules::MARKERS`; this module applies it to one line
//! at a time. `scan` feeds it every line and works out where multi-line
//! markers end; `layout` decides which markers bound the book.
//!
//! Speed: a byte gate built from the rules at compile time rejects almost
//! every line on its first byte; of the rest, a line is only split into words
//! when its first word opens some rule (a mask of letter and length, then
//! the words themselves: `They`, `Then`, `That` pass the mask as `This`
//! does) and, for a plain `The`/`This`, its second word goes on as a rule.

use super::lines::{contains_ignore_case, trim_end};
use super::rules::{MarkerRule, Opening, MARKERS};
use super::words::{Words, W};

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

/// Bytes a marker line can begin with, indentation included.
pub(crate) const GATE: [bool; 256] = gate();

const fn gate() -> [bool; 256] {
    let mut gate = [false; 256];
    gate[b'*' as usize] = true;
    gate[b'<' as usize] = true;
    gate[b' ' as usize] = true;
    gate[b'\t' as usize] = true;
    let plain = first_words(Opening::Plain);
    let mut b = 0;
    while b < 256 {
        gate[b] |= plain[b] != 0;
        b += 1;
    }
    gate
}

/// For lines of each opening (stars, plain, angles), by the first letter of
/// their first word, the lengths that word may have to open some rule: bit
/// `n` for `n` letters (bit 31: 31 or more).
const FIRST_WORDS: [[u32; 256]; 3] =
    [first_words(Opening::Stars), first_words(Opening::Plain), first_words(Opening::Angles)];

const fn first_words(opening: Opening) -> [u32; 256] {
    let mut masks = [0u32; 256];
    let mut i = 0;
    while i < MARKERS.len() {
        if admits(MARKERS[i].opening, opening) {
            let W::One(alternatives) = MARKERS[i].words[0] else {
                // A rule that does not open with a fixed word: any line may.
                return [u32::MAX; 256];
            };
            let mut j = 0;
            while j < alternatives.len() {
                let word = alternatives[j].as_bytes();
                let bits = if word[word.len() - 1] == b'*' { u32::MAX << (word.len() - 1) } else { 1 << word.len() };
                masks[word[0].to_ascii_lowercase() as usize] |= bits;
                masks[word[0].to_ascii_uppercase() as usize] |= bits;
                j += 1;
            }
        }
        i += 1;
    }
    masks
}

/// For lines of each opening (stars, plain, angles), the words that open
/// some rule: the exact test behind [`FIRST_WORDS`]' letter and length.
const OPENERS: [Openers; 3] = [openers(Opening::Stars), openers(Opening::Plain), openers(Opening::Angles)];

/// The first words of the rules for one opening, each [`pack`]ed.
struct Openers {
    packed: [u64; Openers::CAP],
    len: usize,
    /// Some rule does not open with plain words of up to 8 letters (a
    /// prefix `word*`, or a step other than `One`): any word may open it.
    any: bool,
}

impl Openers {
    /// More distinct first words than the rules have (8 today); more fail the build.
    const CAP: usize = 16;

    /// Whether `word` (a run of letters) opens some rule.
    #[inline(always)]
    fn admit(&self, word: &[u8]) -> bool {
        match pack(word) {
            _ if self.any => true,
            Some(key) => self.packed[..self.len].contains(&key),
            None => false,
        }
    }
}

const fn openers(opening: Opening) -> Openers {
    let mut openers = Openers { packed: [0; Openers::CAP], len: 0, any: false };
    let mut i = 0;
    while i < MARKERS.len() {
        if admits(MARKERS[i].opening, opening) {
            let W::One(alternatives) = MARKERS[i].words[0] else {
                openers.any = true;
                return openers;
            };
            let mut j = 0;
            while j < alternatives.len() {
                let Some(key) = pack(alternatives[j].as_bytes()) else {
                    openers.any = true;
                    return openers;
                };
                let mut k = 0;
                while k < openers.len && openers.packed[k] != key {
                    k += 1;
                }
                if k == openers.len {
                    assert!(openers.len < Openers::CAP, "more first words than Openers::CAP");
                    openers.packed[k] = key;
                    openers.len += 1;
                }
                j += 1;
            }
        }
        i += 1;
    }
    openers
}

/// A word of 1 to 8 ASCII letters as one number, its bytes lower-cased and
/// packed; `None` for any other word. Letters are never 0, so two words
/// give the same number only when they are the same word.
const fn pack(word: &[u8]) -> Option<u64> {
    if word.is_empty() || word.len() > 8 {
        return None;
    }
    let mut key = 0u64;
    let mut i = 0;
    while i < word.len() {
        if !word[i].is_ascii_alphabetic() {
            return None;
        }
        key = key << 8 | word[i].to_ascii_lowercase() as u64;
        i += 1;
    }
    Some(key)
}

/// Whether a rule written for `rule` openings applies to a line opening so.
const fn admits(rule: Opening, line: Opening) -> bool {
    match rule {
        Opening::Either => matches!(line, Opening::Stars | Opening::Plain),
        _ => rule as u8 == line as u8,
    }
}

/// The rule a line (with or without its line end) matches, or `None` for
/// ordinary text. Inlined into the scanner's loop: it only decides whether
/// the line is worth the full test.
#[inline(always)]
pub(crate) fn classify(line: &[u8]) -> Option<&'static MarkerRule> {
    if !GATE[usize::from(*line.first()?)] {
        return None;
    }
    let trimmed = trim_indent(line);
    let (opening, at) = match *trimmed.first()? {
        b'*' => (Opening::Stars, 0),
        b'<' if trimmed.starts_with(b"<<") => (Opening::Angles, 2),
        b if FIRST_WORDS[1][usize::from(b)] != 0 => (Opening::Plain, 1),
        _ => return None,
    };
    // The cheap test that spares most `Every …` lines, and the
    // `*       *       *` separators, the split into words; then the exact
    // one for the few words of a rule's letter and length that open none.
    let (first, rest) = split_first_letters(trimmed);
    let letter = usize::from(*first.first()?);
    if FIRST_WORDS[at][letter] & (1 << first.len().min(31)) == 0 || !OPENERS[at].admit(first) {
        return None;
    }
    if opening == Opening::Plain && !plain_second_word_fits(first, rest) {
        return None;
    }
    match_rules(trimmed, opening)
}

/// Prose lines opening with "The" or "This" are common, and pass the test on
/// the first word; the only rules a plain such line can match go on "the END
/// …" and "this IS …" (`plain_rules_opening_the_or_this_go_on_so` keeps it
/// so). A line whose second run of letters is not that word matches none, and
/// is spared the split into words: the cleaner's speed on prose depends on it.
#[inline(always)]
fn plain_second_word_fits(first: &[u8], rest: &[u8]) -> bool {
    let second: &[u8] = match first.len() {
        3 if first.eq_ignore_ascii_case(b"the") => b"end",
        4 if first.eq_ignore_ascii_case(b"this") => b"is",
        _ => return true,
    };
    split_first_letters(rest).0.eq_ignore_ascii_case(second)
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

/// The first run of ASCII letters in a line, and what follows it. When the
/// line's first word (as [`Words`] reads it) is a word of letters, this is
/// that word: whatever comes before it holds no letter, and it ends where its
/// letters do.
fn split_first_letters(line: &[u8]) -> (&[u8], &[u8]) {
    let start = line.iter().position(u8::is_ascii_alphabetic).unwrap_or(line.len());
    let len = line[start..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
    (&line[start..start + len], &line[start + len..])
}

fn trim_indent(line: &[u8]) -> &[u8] {
    match line.first() {
        Some(b' ' | b'\t') => &line[line.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(line.len())..],
        _ => line,
    }
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
    fn first_letters_are_the_first_word_of_letters() {
        let first_letters = |l| split_first_letters(l).0;
        assert_eq!(first_letters(b"***START OF"), b"START");
        assert_eq!(first_letters(b"<<THIS ELECTRONIC"), b"THIS");
        assert_eq!(first_letters(b"*END*THE SMALL"), b"END");
        assert_eq!(first_letters(b"End. of"), b"End");
        assert_eq!(first_letters(b"*   *   *"), b"");
    }

    #[test]
    fn plain_rules_opening_the_or_this_go_on_so() {
        for rule in MARKERS.iter().filter(|r| admits(r.opening, Opening::Plain)) {
            let W::One(firsts) = rule.words[0] else {
                panic!("a plain rule opens with a fixed word: {:?}", rule.words)
            };
            for (first, second) in [("the", "end"), ("this", "is")] {
                if firsts.contains(&first) {
                    assert!(matches!(rule.words.get(1), Some(W::One(s)) if s[..] == [second]), "{:?}", rule.words);
                }
            }
        }
        // Prose is spared; the closing lines are still found.
        assert!(!plain_second_word_fits(b"The", b" endless night"));
        assert!(!plain_second_word_fits(b"This", b" was the end of Project Gutenberg"));
        assert!(plain_second_word_fits(b"THE", b" \"END\" OF"));
        assert!(plain_second_word_fits(b"These", b" eBooks Were Prepared"));
    }

    #[test]
    fn only_words_that_open_a_rule_reach_the_split() {
        let openings = [Opening::Stars, Opening::Plain, Opening::Angles];
        for (openers, opening) in OPENERS.iter().zip(openings) {
            assert!(!openers.any, "every rule opens with plain words: the exact test is on");
            for rule in MARKERS.iter().filter(|r| admits(r.opening, opening)) {
                let W::One(firsts) = rule.words[0] else { unreachable!() };
                for first in firsts {
                    assert!(openers.admit(first.to_uppercase().as_bytes()), "{first} ({opening:?})");
                }
            }
        }
        // Words of a rule's first letter and length that open none.
        for word in ["They", "THEN", "That", "Thus", "Endure", "Fine", "Small"] {
            assert!(!OPENERS[1].admit(word.as_bytes()), "{word}");
        }
        assert_eq!(kind("They were the end of Project Gutenberg"), None);
    }

    #[test]
    fn closing_stars_of_a_start_line() {
        assert!(start_is_closed(b"*** START OF THE PROJECT GUTENBERG EBOOK X ***"));
        assert!(!start_is_closed(b"***START OF THE PROJECT GUTENBERG EBOOK THE MIRROR,"));
        assert!(has_closing_stars(b"HOLMES ***") && !has_closing_stars(b"HOLMES"));
    }
}
