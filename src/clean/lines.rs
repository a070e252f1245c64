//! Line-level primitives shared by the cleaner's passes: walking the lines of
//! a text with their byte offsets (lines end in `\n`; CRs before it, from
//! CRLF or CR CR LF files, are left out of the line), splitting a candidate
//! marker line into words, and telling blank lines apart.
//!
//! Everything here borrows from the text; nothing allocates, so the passes can
//! afford to look at every line of a multi-megabyte book.

use memchr::memchr;

/// One line of a `\n`-terminated text, located by byte offsets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'a> {
    /// Offset of the line's first byte.
    pub start: usize,
    /// Offset of the first byte of the next line (past the `\n`, or the text length).
    pub next: usize,
    /// The line without its `\n` and the CRs before it.
    pub text: &'a str,
}

/// Iterates the lines of `text` starting at byte offset `from` (a line start).
pub(crate) fn lines_from(text: &str, from: usize) -> Lines<'_> {
    Lines { text, pos: from }
}

/// Iterator behind [`lines_from`]; `memchr` keeps it near memory speed.
pub(crate) struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = &self.text.as_bytes()[self.pos..];
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        let (end, next) = match memchr(b'\n', rest) {
            Some(i) => (start + i, start + i + 1),
            None => (self.text.len(), self.text.len()),
        };
        self.pos = next;
        Some(Line { start, next, text: &self.text[start..end] })
    }
}

/// `end` moved back over the CRs of a CRLF or CR CR LF line end.
fn trim_crs(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    end
}

/// True for a line holding nothing but whitespace; such lines are trimmed
/// from the ends of the body and bound credit paragraphs.
pub(crate) fn is_blank(line: &str) -> bool {
    line.chars().all(char::is_whitespace)
}

/// Offset of the first non-blank line at or after `from`, or `to` if none.
pub(crate) fn skip_blank_lines(text: &str, from: usize, to: usize) -> usize {
    lines_from(&text[..to], from).find(|l| !is_blank(l.text)).map_or(to, |l| l.start)
}

/// Offset where the text of the last non-blank line in `text[from..to]` ends
/// (before its line end, CRs included), or `from` if every line is blank.
pub(crate) fn end_of_content(text: &str, from: usize, to: usize) -> usize {
    let bytes = &text.as_bytes()[from..to];
    let Some(last) = bytes.iter().rposition(|b| !b.is_ascii_whitespace()) else {
        return from;
    };
    let line_end = memchr(b'\n', &bytes[last..]).map_or(bytes.len(), |i| last + i);
    let line_end = trim_crs(bytes, last, line_end);
    let line_start = bytes[..last].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // Non-ASCII whitespace (NBSP, U+3000) is rare enough to recheck line by line.
    if is_blank(&text[from + line_start..from + line_end]) {
        return end_of_content(text, from, from + line_start);
    }
    from + line_end
}

/// Up to [`Words::CAP`] leading words of a line. Words are split on whitespace
/// and asterisks (so `*END*THE` reads as `END THE`) and lose surrounding
/// punctuation (`PRINT!` reads as `PRINT`); that is what lets one rule match
/// every spacing and asterisk style the markers come in.
pub(crate) struct Words<'a> {
    buf: [&'a str; Words::CAP],
    len: usize,
}

impl<'a> Words<'a> {
    /// Markers are recognised from their first words; more is never needed.
    pub const CAP: usize = 12;

    pub fn of(line: &'a str) -> Self {
        let mut buf = [""; Self::CAP];
        let mut len = 0;
        let pieces = line
            .split(|c: char| c.is_whitespace() || c == '*')
            .map(|w| w.trim_matches(|c: char| c.is_ascii_punctuation()))
            .filter(|w| !w.is_empty());
        for w in pieces.take(Self::CAP) {
            buf[len] = w;
            len += 1;
        }
        Words { buf, len }
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        (i < self.len).then(|| self.buf[i])
    }

    /// Word `i` equals `word`, ignoring ASCII case.
    pub fn is(&self, i: usize, word: &str) -> bool {
        self.get(i).is_some_and(|w| w.eq_ignore_ascii_case(word))
    }

    /// Word `i` is one of `words`, ignoring ASCII case.
    pub fn is_any(&self, i: usize, words: &[&str]) -> bool {
        words.iter().any(|w| self.is(i, w))
    }

    /// Word `i` starts with `prefix`, ignoring ASCII case (`Gutenberg's`, `Gutenberg-tm`).
    pub fn starts(&self, i: usize, prefix: &str) -> bool {
        self.get(i).is_some_and(|w| starts_with_ignore_case(w, prefix))
    }
}

/// ASCII-case-insensitive prefix test that never panics on char boundaries.
pub(crate) fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// ASCII-case-insensitive substring test for the few candidate lines that need it.
pub(crate) fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_offsets() {
        let t = "ab\n\ncd";
        let v: Vec<_> = lines_from(t, 0).map(|l| (l.start, l.next, l.text)).collect();
        assert_eq!(v, vec![(0, 3, "ab"), (3, 4, ""), (4, 6, "cd")]);
    }

    #[test]
    fn words_ignore_asterisks_and_punctuation() {
        let w = Words::of("*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*");
        assert!(w.is(0, "end") && w.is(1, "the") && w.is(2, "small") && w.is(3, "print"));
        let w = Words::of("End of Project Gutenberg's The First Men");
        assert!(w.starts(3, "gutenberg"));
    }

    #[test]
    fn last_content_line_skips_unicode_blank_lines() {
        let t = "a\nb  \n\u{a0}\n\n";
        assert_eq!(&t[..end_of_content(t, 0, t.len())], "a\nb  ");
        assert_eq!(end_of_content("\n \n", 0, 3), 0);
        assert_eq!(end_of_content("x", 0, 1), 1);
        assert_eq!(end_of_content("a \r\r\n\r\n", 0, 7), 2);
    }

    #[test]
    fn skip_blank_lines_finds_first_content() {
        let t = "\n  \n  x\n";
        assert_eq!(skip_blank_lines(t, 0, t.len()), 4);
        assert_eq!(skip_blank_lines("\n\n", 0, 2), 2);
    }
}
