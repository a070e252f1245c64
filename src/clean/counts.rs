//! The first figures a corpus builder asks of a clean book: its lines and
//! words, counted on the bytes as they are written, so they cost no second
//! pass. `export` counts the same way while it copies a book, so the report
//! and the dataset always agree.

/// Lines and words of a UTF-8 text seen a piece at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextCounts {
    /// `\n` characters: the clean text ends every line with one.
    pub lines: u64,
    /// Runs of non-whitespace (ASCII whitespace separates words; other
    /// spaces such as U+00A0 are rare in Gutenberg texts and count as letters).
    pub words: u64,
    /// The last byte seen was part of a word, which may go on in the next piece.
    in_word: bool,
}

impl TextCounts {
    /// Counts `bytes`, the next piece of the text.
    pub fn add(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        // A word is counted where it ends (a space after a non-space); one
        // still open is counted by `finished()`.
        let (lines, ends) = count(bytes, !self.in_word);
        self.lines += lines;
        self.words += ends;
        self.in_word = !is_space(last);
    }

    /// The counts of the text so far, a word still open included.
    pub fn finished(self) -> (u64, u64) {
        (self.lines, self.words + u64::from(self.in_word))
    }
}

/// The `\n`s and word ends in `bytes`, `space_before` saying whether the
/// byte before them was a space. This runs on every byte of every book: 64
/// bytes at a time, as bit masks (bit j set where byte j is a space), a word
/// ending wherever a space bit follows a clear one.
fn count(bytes: &[u8], space_before: bool) -> (u64, u64) {
    let (mut lines, mut ends) = (0, 0);
    // Bit 0: the byte before the next block was a space.
    let mut carry = u64::from(space_before);
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let (spaces, newlines) = masks(block.try_into().expect("64 bytes"));
        lines += u64::from(newlines.count_ones());
        ends += u64::from((spaces & !((spaces << 1) | carry)).count_ones());
        carry = spaces >> 63;
    }
    for &b in blocks.remainder() {
        let space = is_space(b);
        lines += u64::from(b == b'\n');
        ends += u64::from(space & (carry == 0));
        carry = u64::from(space);
    }
    (lines, ends)
}

/// The masks of a block's spaces and of its `\n`s.
#[cfg(target_arch = "x86_64")]
fn masks(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let (mut spaces, mut newlines) = (0u64, 0u64);
    for (k, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of every x86_64 CPU; the load reads the 16 bytes of `lane`.
        let (space, newline) = unsafe {
            let v = _mm_loadu_si128(lane.as_ptr().cast());
            let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let newline = is(b'\n');
            let space = _mm_or_si128(
                _mm_or_si128(is(b' '), is(b'\t')),
                _mm_or_si128(newline, _mm_or_si128(is(0x0c), is(b'\r'))),
            );
            (_mm_movemask_epi8(space), _mm_movemask_epi8(newline))
        };
        spaces |= u64::from(space as u16) << (16 * k);
        newlines |= u64::from(newline as u16) << (16 * k);
    }
    (spaces, newlines)
}

/// The masks of a block's spaces and of its `\n`s, a byte at a time.
#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8; 64]) -> (u64, u64) {
    block.iter().enumerate().fold((0, 0), |(spaces, newlines), (j, &b)| {
        (spaces | u64::from(is_space(b)) << j, newlines | u64::from(b == b'\n') << j)
    })
}

/// ASCII whitespace (space, `\t`, `\n`, form feed, `\r`), as `u8::is_ascii_whitespace`, without branches.
fn is_space(b: u8) -> bool {
    (b == b' ') | ((b.wrapping_sub(b'\t') < 5) & (b != 0x0b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(pieces: &[&str]) -> (u64, u64) {
        let mut counts = TextCounts::default();
        for piece in pieces {
            counts.add(piece.as_bytes());
        }
        counts.finished()
    }

    #[test]
    fn words_split_across_pieces_count_once() {
        assert_eq!(count(&["Call me Ish", "mael.\nSome years", " ago\n"]), (2, 6));
        assert_eq!(count(&["", "  \n\n", "\tÉtat   d'âme\n"]), (3, 2));
        assert_eq!(count(&["end"]), (0, 1));
        assert_eq!(count(&[]), (0, 0));
        assert_eq!(count(&["a", "b", " c"]), (0, 2));
    }

    #[test]
    fn counts_match_a_plain_count_across_the_blocks_of_pairs() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in [1, 2, 254, 255, 256, 257, 509, 510, 511, 1000, 5000] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    [b'a', b' ', b'\n', b'x', b'\t'][(seed % 5) as usize]
                })
                .collect();
            let text = String::from_utf8(bytes.clone()).unwrap();
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            let plain = (lines, text.split_ascii_whitespace().count() as u64);
            assert_eq!(count(&[&text]), plain, "{len} bytes");
            // Pieces that end inside a 64-byte block, at its edge, and a word on both sides.
            for split in [1, 63, 64, 65, 127, len / 2].into_iter().filter(|&at| at < len) {
                assert_eq!(count(&[&text[..split], &text[split..]]), plain, "{len} bytes cut at {split}");
            }
        }
    }

    #[test]
    fn spaces_are_the_ascii_whitespace() {
        assert!((0..=255u8).all(|b| is_space(b) == b.is_ascii_whitespace()));
    }
}
