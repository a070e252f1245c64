//! The words of a candidate marker line, and the word patterns every rule in
//! `rules` is written in.
//!
//! A line is split into words on whitespace and asterisks (so `*END*THE`
//! reads as `END THE`), and each word loses the ASCII punctuation around it
//! (`PRINT!` reads as `PRINT`); that is what lets one rule match every
//! spacing and asterisk style a marker comes in. Only lines that pass the
//! scanner's byte gate are ever split.

use super::lines::{is_space, starts_with_ignore_case};

/// One step of a word pattern, matched against the next word(s) of a line.
///
/// Words are compared ignoring ASCII case; an alternative ending in `*`
/// matches any word starting with what comes before the `*`
/// (`gutenberg*` matches `Gutenberg's` and `Gutenberg-tm`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum W {
    /// One of these words.
    One(&'static [&'static str]),
    /// One of these words, or nothing.
    Opt(&'static [&'static str]),
    /// Any single word.
    Any,
    /// Up to this many words of any kind.
    Skip(u8),
}

/// The pattern `front` then `back`, for rules that share a run of steps
/// (`N` is their total length; a wrong `N` fails the build).
pub(crate) const fn join<const N: usize>(front: &[W], back: &[W]) -> [W; N] {
    assert!(front.len() + back.len() == N, "join: N is not the patterns' total length");
    let mut out = [W::Any; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < front.len() { front[i] } else { back[i - front.len()] };
        i += 1;
    }
    out
}

/// Up to [`Words::CAP`] leading words of a line.
pub(crate) struct Words<'a> {
    buf: [&'a [u8]; Words::CAP],
    len: usize,
}

impl<'a> Words<'a> {
    /// Rules are recognised from a line's first words; more are never needed.
    pub const CAP: usize = 12;

    pub fn of(line: &'a [u8]) -> Self {
        let mut words = Words { buf: [&[]; Self::CAP], len: 0 };
        let mut word_start = None;
        let mut i = 0;
        while i < line.len() && words.len < Self::CAP {
            let sep = separator_len(line, i);
            if sep == 0 {
                word_start.get_or_insert(i);
                i += 1;
                continue;
            }
            if let Some(s) = word_start.take() {
                words.push(&line[s..i]);
            }
            i += sep;
        }
        if let Some(s) = word_start {
            words.push(&line[s..]);
        }
        words
    }

    fn push(&mut self, word: &'a [u8]) {
        let word = trim_punctuation(word);
        if !word.is_empty() && self.len < Self::CAP {
            self.buf[self.len] = word;
            self.len += 1;
        }
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        (i < self.len).then(|| self.buf[i])
    }

    /// Whether the line's words, from the first, match `pattern` (words
    /// after the pattern's end are allowed).
    pub fn matches(&self, pattern: &[W]) -> bool {
        self.matches_at(pattern, 0)
    }

    fn matches_at(&self, pattern: &[W], i: usize) -> bool {
        let Some((step, rest)) = pattern.split_first() else {
            return true;
        };
        let word_is = |alts| self.get(i).is_some_and(|w| word_is(w, alts));
        match *step {
            W::One(alts) => word_is(alts) && self.matches_at(rest, i + 1),
            W::Opt(alts) => (word_is(alts) && self.matches_at(rest, i + 1)) || self.matches_at(rest, i),
            W::Any => self.get(i).is_some() && self.matches_at(rest, i + 1),
            W::Skip(n) => (0..=usize::from(n)).any(|k| self.matches_at(rest, i + k)),
        }
    }
}

/// Whether `word` is one of `alts` (see [`W`] for the `*` suffix).
pub(crate) fn word_is(word: &[u8], alts: &[&str]) -> bool {
    alts.iter().any(|alt| match alt.strip_suffix('*') {
        Some(prefix) => starts_with_ignore_case(word, prefix.as_bytes()),
        None => word.eq_ignore_ascii_case(alt.as_bytes()),
    })
}

/// Whether a line matches any of `patterns`.
pub(crate) fn matches_any(line: &[u8], patterns: &[&[W]]) -> bool {
    let words = Words::of(line);
    patterns.iter().any(|p| words.matches(p))
}

/// Length of the word separator at `line[i]`: an asterisk, ASCII whitespace
/// or a Unicode space (no-break, ideographic…) as UTF-8; 0 inside a word.
fn separator_len(line: &[u8], i: usize) -> usize {
    let at = |k: usize| line.get(i + k).copied();
    match line[i] {
        b'*' => 1,
        b if is_space(b) => 1,
        0xC2 if matches!(at(1), Some(0x85 | 0xA0)) => 2,
        0xE1 if (at(1), at(2)) == (Some(0x9A), Some(0x80)) => 3,
        0xE2 if matches!(
            (at(1), at(2)),
            (Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) | (Some(0x81), Some(0x9F))
        ) =>
        {
            3
        }
        0xE3 if (at(1), at(2)) == (Some(0x80), Some(0x80)) => 3,
        _ => 0,
    }
}

fn trim_punctuation(mut word: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = word {
        if !first.is_ascii_punctuation() {
            break;
        }
        word = rest;
    }
    while let [rest @ .., last] = word {
        if !last.is_ascii_punctuation() {
            break;
        }
        word = rest;
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_ignore_asterisks_punctuation_and_unicode_spaces() {
        let w = Words::of(b"*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*");
        assert_eq!((w.get(0), w.get(1), w.get(3)), (Some(&b"END"[..]), Some(&b"THE"[..]), Some(&b"PRINT"[..])));
        let w = Words::of("PROJECT\u{a0}GUTENBERG's".as_bytes());
        assert_eq!((w.get(0), w.get(1)), (Some(&b"PROJECT"[..]), Some(&b"GUTENBERG's"[..])));
        assert_eq!(Words::of(b"       *       *       *").get(0), None);
    }

    #[test]
    fn patterns_with_options_prefixes_and_skips() {
        let start: &[W] = &[W::One(&["start"]), W::One(&["of"]), W::Opt(&["the", "this"]), W::One(&["gutenberg*"])];
        assert!(Words::of(b"*** START OF THIS GUTENBERG-tm EBOOK").matches(start));
        assert!(Words::of(b"***START OF GUTENBERG").matches(start));
        assert!(!Words::of(b"*** START: FULL LICENSE ***").matches(start));
        let skip: &[W] = &[W::One(&["ende"]), W::Skip(2), W::One(&["projekt"])];
        assert!(Words::of(b"Ende dieses Projekt").matches(skip) && Words::of(b"Ende Projekt").matches(skip));
        assert!(!Words::of(b"Ende a b c Projekt").matches(skip));
        assert!(Words::of(b"These X Were").matches(&[W::One(&["these"]), W::Any, W::One(&["were"])]));
    }
}
