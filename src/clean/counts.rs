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
        self.lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        // A word ends where a letter is followed by a space. Written without
        // branches over pairs of bytes, so the compiler can vectorise it:
        // this runs on every byte of every book.
        // Summed in bytes, 255 pairs at a time (a u64 a pair made the
        // compiler widen every lane: most of export's time).
        let ends: u64 = bytes[..bytes.len() - 1]
            .chunks(255)
            .zip(bytes[1..].chunks(255))
            .map(|(a, b)| {
                let ends =
                    a.iter().zip(b).fold(0u8, |sum, (&a, &b)| sum.wrapping_add(u8::from(!is_space(a) & is_space(b))));
                u64::from(ends)
            })
            .sum();
        let first_ends_open_word = self.in_word & is_space(bytes[0]);
        // A word is counted where it ends; one still open is counted by `finished()`.
        self.words += ends + u64::from(first_ends_open_word);
        self.in_word = !is_space(last);
    }

    /// The counts of the text so far, a word still open included.
    pub fn finished(self) -> (u64, u64) {
        (self.lines, self.words + u64::from(self.in_word))
    }
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
            assert_eq!(count(&[&text]), (lines, text.split_ascii_whitespace().count() as u64), "{len} bytes");
        }
    }

    #[test]
    fn spaces_are_the_ascii_whitespace() {
        assert!((0..=255u8).all(|b| is_space(b) == b.is_ascii_whitespace()));
    }
}
