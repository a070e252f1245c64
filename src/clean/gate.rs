//! Ruling a line out as a marker before it is split into words, with tests
//! built from `rules::MARKERS` at compile time, cheapest first:
//! - a byte gate rejects almost every line on its first byte;
//! - the first word's letter and length must be those of a word that opens
//!   some rule, and then the word itself (`They`, `Then`, `That` pass the
//!   mask as `This` does);
//! - a plain `The` or `This` must go on as a rule does (`The end`, `This is`).
//!
//! What passes goes to `markers`' full test. The cleaner's speed on prose
//! depends on these: a book's lines often open with an indentation, a
//! gated letter (T, E, F) or "The", and almost none is a marker.

use super::rules::{Opening, MARKERS};
use super::words::W;

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
    /// More distinct first words than the rules have (7 at most today); more fail the build.
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
pub(crate) const fn admits(rule: Opening, line: Opening) -> bool {
    match rule {
        Opening::Either => matches!(line, Opening::Stars | Opening::Plain),
        _ => rule as u8 == line as u8,
    }
}

/// The line without its indentation, and how it opens, when it may be a
/// marker line (its first words open some rule); `None` for almost every
/// line of a book, cheaply.
#[inline(always)]
pub(crate) fn may_open_a_rule(line: &[u8]) -> Option<(&[u8], Opening)> {
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
    Some((trimmed, opening))
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
    // Whether the second run of letters is `second`, without reading past it.
    let word = &rest[rest.iter().position(u8::is_ascii_alphabetic).unwrap_or(rest.len())..];
    word.get(..second.len()).is_some_and(|w| w.eq_ignore_ascii_case(second))
        && !word.get(second.len()).is_some_and(u8::is_ascii_alphabetic)
}

/// The first run of ASCII letters in a line, and what follows it. When the
/// line's first word (as [`Words`](super::words::Words) reads it) is a word
/// of letters, this is that word: whatever comes before it holds no letter,
/// and it ends where its letters do.
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!plain_second_word_fits(b"This", b" island") && !plain_second_word_fits(b"The", b" en"));
        assert!(plain_second_word_fits(b"This", b" is") && plain_second_word_fits(b"the", b"--End."));
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
        assert_eq!(may_open_a_rule(b"They were the end of Project Gutenberg"), None);
    }
}
