//! Byte-level primitives shared by the cleaner's passes: walking the lines of
//! a piece of text with their offsets (lines end in `\n`; the CRs before it,
//! from CRLF or CR CR LF files, are left out of the line), telling blank
//! lines apart, and ASCII-case-insensitive comparisons.
//!
//! Everything works on bytes of UTF-8 text and borrows; nothing allocates, so
//! the passes can afford to look at every line of a multi-megabyte book.

use memchr::memchr;

/// The offsets of every `\n` in a text, in order: 64 bytes are compared at
/// once into a bit mask whose set bits are then taken one by one. Finding
/// each line end with its own `memchr` call costs three times as much on
/// 70-byte lines, and pass 1 looks at every line of every book.
pub(crate) struct LineEnds<'a> {
    text: &'a [u8],
    /// Offset of the block `mask` describes.
    base: usize,
    /// Bit `i` set: `text[base + i]` is a `\n` not yet returned.
    mask: u64,
}

impl<'a> LineEnds<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        LineEnds { text, base: 0, mask: newline_mask(text) }
    }
}

impl Iterator for LineEnds<'_> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 64;
            let rest = self.text.get(self.base..).filter(|r| !r.is_empty())?;
            self.mask = newline_mask(rest);
        }
        let bit = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + bit)
    }
}

/// Bit `i` set where `block[i]` is `\n`, for the first 64 bytes of `block`.
#[inline(always)]
fn newline_mask(block: &[u8]) -> u64 {
    match block.first_chunk::<64>() {
        Some(whole) => newline_mask_64(whole),
        None => newline_bits(block),
    }
}

/// [`newline_mask`] a byte at a time, for the short last block (and for
/// whole blocks where there is no SSE2).
fn newline_bits(bytes: &[u8]) -> u64 {
    bytes.iter().enumerate().fold(0, |mask, (i, &b)| mask | (u64::from(b == b'\n') << i))
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn newline_mask_64(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let mut mask = 0;
    for (k, quarter) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned
        // load reads exactly the 16 bytes of `quarter`.
        let bits = unsafe {
            let v = _mm_loadu_si128(quarter.as_ptr().cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)))
        };
        mask |= u64::from(bits as u16) << (16 * k);
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn newline_mask_64(block: &[u8; 64]) -> u64 {
    newline_bits(block)
}

/// One line of a `\n`-terminated piece of text, located by byte offsets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'a> {
    /// Offset of the line's first byte.
    pub start: usize,
    /// Offset of the first byte of the next line (past the `\n`, or the end).
    pub next: usize,
    /// The line without its `\n` and the CRs before it.
    pub text: &'a [u8],
}

/// Iterates the lines of `text` starting at byte offset `from` (a line start).
pub(crate) fn lines_from(text: &[u8], from: usize) -> Lines<'_> {
    Lines { text, pos: from }
}

/// Iterator behind [`lines_from`]; `memchr` keeps it near memory speed.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.text.get(self.pos..).filter(|r| !r.is_empty())?;
        let start = self.pos;
        let next = memchr(b'\n', rest).map_or(self.text.len(), |i| start + i + 1);
        self.pos = next;
        Some(Line { start, next, text: line_text(&self.text[start..next]) })
    }
}

/// A line's bytes without the `\n` that ends it and the CRs before that.
pub(crate) fn line_text(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    if end > 0 && line[end - 1] == b'\n' {
        end -= 1;
    }
    while end > 0 && line[end - 1] == b'\r' {
        end -= 1;
    }
    &line[..end]
}

/// ASCII whitespace as `char::is_whitespace` sees it (vertical tab included).
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// True for a line holding nothing but whitespace (Unicode's, so a line of
/// no-break spaces is blank too); such lines are trimmed from the ends of the
/// body and bound paragraphs.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    let mut ascii_only = true;
    for &b in line {
        if b >= 0x80 {
            ascii_only = false;
        } else if !is_space(b) {
            return false;
        }
    }
    ascii_only || std::str::from_utf8(line).is_ok_and(|s| s.chars().all(char::is_whitespace))
}

/// `s` without leading ASCII whitespace.
pub(crate) fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| is_space(b)).count();
    &s[n..]
}

/// `s` without trailing ASCII whitespace.
pub(crate) fn trim_end(s: &[u8]) -> &[u8] {
    let n = s.iter().rev().take_while(|&&b| is_space(b)).count();
    &s[..s.len() - n]
}

/// ASCII-case-insensitive prefix test.
pub(crate) fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// ASCII-case-insensitive substring test, for the few lines that need it.
pub(crate) fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_offsets_and_lose_their_line_ends() {
        let t = b"ab\r\n\r\r\ncd";
        let v: Vec<_> = lines_from(t, 0).map(|l| (l.start, l.next, l.text)).collect();
        assert_eq!(v, vec![(0, 4, &b"ab"[..]), (4, 7, &b""[..]), (7, 9, &b"cd"[..])]);
        assert_eq!(lines_from(t, 9).count(), 0);
    }

    #[test]
    fn line_ends_are_every_newline_across_blocks() {
        for len in [0, 1, 63, 64, 65, 127, 128, 200] {
            let text: Vec<u8> = (0..len).map(|i| if i % 37 == 5 || i % 64 == 63 { b'\n' } else { b'a' }).collect();
            let expected: Vec<usize> = memchr::memchr_iter(b'\n', &text).collect();
            assert_eq!(LineEnds::new(&text).collect::<Vec<_>>(), expected, "{len}");
        }
    }

    #[test]
    fn blank_lines_include_unicode_spaces() {
        assert!(is_blank(b"") && is_blank(b" \t\x0b\r") && is_blank("\u{a0}\u{3000}".as_bytes()));
        assert!(!is_blank(b"  x") && !is_blank("\u{e9}".as_bytes()));
    }

    #[test]
    fn case_insensitive_helpers() {
        assert!(starts_with_ignore_case(b"END of", b"end") && !starts_with_ignore_case(b"en", b"end"));
        assert!(contains_ignore_case(b"Charges For Download", b"for down"));
        assert_eq!(trim_start(b" \t x "), b"x ");
        assert_eq!(trim_end(b" x \r"), b" x");
    }
}
