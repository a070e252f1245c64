//! A clean book's text copied into a JSON string, a buffer at a time:
//! escaped as JSON requires, counted as the cleaner counts.

use std::io::{self, Read, Write};

use crate::clean::TextCounts;

/// Copies `input` (UTF-8) into `out` as the inside of a JSON string, and
/// returns its lines and words. Bytes that are not UTF-8 (a clean file is,
/// unless someone edited it) become U+FFFD, so the line stays valid JSON.
pub fn copy_escaped(input: &mut impl Read, buffer: &mut [u8], out: &mut impl Write) -> io::Result<TextCounts> {
    let mut counts = TextCounts::default();
    // A character cut by the end of the buffer waits at its start for the rest.
    let mut carried = 0;
    loop {
        let read = input.read(&mut buffer[carried..])?;
        let filled = carried + read;
        let chunk = &buffer[..filled];
        let valid = match simdutf8::compat::from_utf8(chunk) {
            Ok(_) => filled,
            Err(error) => error.valid_up_to(),
        };
        escape(&chunk[..valid], out)?;
        counts.add(&chunk[..valid]);
        let rest = &chunk[valid..];
        let at_end = read == 0;
        let cut_char = !at_end
            && rest.len() < 4
            && simdutf8::compat::from_utf8(rest).err().is_some_and(|e| e.error_len().is_none());
        if rest.is_empty() {
            carried = 0;
        } else if cut_char {
            carried = rest.len();
            buffer.copy_within(valid..filled, 0);
        } else {
            // Not UTF-8: one replacement character per bad sequence.
            let bad = simdutf8::compat::from_utf8(rest).err().and_then(|e| e.error_len()).unwrap_or(rest.len());
            out.write_all(b"\\ufffd")?;
            counts.add("\u{fffd}".as_bytes());
            carried = filled - valid - bad;
            buffer.copy_within(valid + bad..filled, 0);
            if at_end && carried == 0 {
                return Ok(counts);
            }
            continue;
        }
        if at_end {
            return Ok(counts);
        }
    }
}

/// Which bytes JSON needs escaped: `"`, `\` and the control characters.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Writes valid UTF-8 `text` with `"`, `\` and control characters escaped.
/// The bytes between two that need escaping (a line end, in most books
/// every few dozen bytes) go out in one write.
fn escape(text: &[u8], out: &mut impl Write) -> io::Result<()> {
    let mut rest = text;
    while let Some(at) = next_to_escape(rest) {
        out.write_all(&rest[..at])?;
        match rest[at] {
            b'"' => out.write_all(b"\\\"")?,
            b'\\' => out.write_all(b"\\\\")?,
            b'\n' => out.write_all(b"\\n")?,
            b'\r' => out.write_all(b"\\r")?,
            b'\t' => out.write_all(b"\\t")?,
            other => write!(out, "\\u{other:04x}")?,
        }
        rest = &rest[at + 1..];
    }
    out.write_all(rest)
}

/// Where the first byte needing escape is. Eight bytes are tested at once
/// (SWAR: is any byte below 0x20, `"` or `\`?), and only a word that holds
/// one is looked at a byte at a time: escaping was most of export's time.
fn next_to_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Exact for "some byte is below n" when n <= 0x80 (high bits of
    // bytes >= 0x80 are masked out by `!word`).
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let mut words = bytes.chunks_exact(8);
    let mut start = 0;
    for chunk in &mut words {
        let word = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
        let hit =
            below(word, 0x20) | below(word ^ (ONES * u64::from(b'"')), 1) | below(word ^ (ONES * u64::from(b'\\')), 1);
        if hit != 0 {
            return chunk.iter().position(|&b| NEEDS_ESCAPE[usize::from(b)]).map(|at| start + at);
        }
        start += 8;
    }
    words.remainder().iter().position(|&b| NEEDS_ESCAPE[usize::from(b)]).map(|at| start + at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// Copies `bytes` through a buffer of `size` bytes and parses the result back.
    fn round_trip(bytes: &[u8], size: usize) -> (String, (u64, u64)) {
        let mut out = b"\"".to_vec();
        let counts = copy_escaped(&mut &bytes[..], &mut vec![0; size], &mut out).unwrap();
        out.push(b'"');
        let text: String =
            serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)));
        (text, counts.finished())
    }

    #[test]
    fn any_text_comes_back_whole_whatever_the_buffer_cuts() {
        let text = "Ç'est \"là\"\\ que\tle 日本語\n\u{1}fin\r\n🦀\n";
        for size in 4..40 {
            let (back, counts) = round_trip(text.as_bytes(), size);
            assert_eq!(back, text, "buffer of {size}");
            assert_eq!(counts, (3, 7), "buffer of {size}");
        }
    }

    /// serde_json's compact output, but `\u0008` and `\u000c` for what it
    /// writes `\b` and `\f`: the dataset has always written them so.
    struct UnicodeControls;

    impl serde_json::ser::Formatter for UnicodeControls {
        fn write_char_escape<W: ?Sized + Write>(
            &mut self,
            writer: &mut W,
            escape: serde_json::ser::CharEscape,
        ) -> io::Result<()> {
            use serde_json::ser::CharEscape::{Backspace, FormFeed};
            match escape {
                Backspace => writer.write_all(b"\\u0008"),
                FormFeed => writer.write_all(b"\\u000c"),
                other => serde_json::ser::CompactFormatter.write_char_escape(writer, other),
            }
        }
    }

    /// Random strings rich in what needs escaping, cut by buffers of every
    /// size from 4 to 70 bytes, come out as serde_json writes them.
    #[test]
    fn escaping_matches_serde_json_at_every_buffer_boundary() {
        let alphabet: Vec<char> = "ab \"\\\n\r\t\u{0}\u{8}\u{c}\u{1}\u{1f}\u{7f}é日🦀 \u{2028}xyz".chars().collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 90) as usize;
            let text: String =
                (0..len).map(|i| alphabet[((seed >> (i % 50)) as usize + i * 7) % alphabet.len()]).collect();
            let mut expected = Vec::new();
            text.serialize(&mut serde_json::Serializer::with_formatter(&mut expected, UnicodeControls)).unwrap();
            for size in 4..70 {
                let mut out = b"\"".to_vec();
                copy_escaped(&mut text.as_bytes(), &mut vec![0; size], &mut out).unwrap();
                out.push(b'"');
                assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected), "buffer of {size}");
            }
        }
    }

    #[test]
    fn the_word_test_finds_the_first_byte_to_escape() {
        for len in 0..40 {
            for at in 0..=len {
                for special in [b'"', b'\\', b'\n', 0, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    bytes.extend_from_slice(&[0xc3, 0xa9, b'!', b'~', 0x7f, 0xff]);
                    if at < len {
                        bytes[at] = special;
                    }
                    let expected = bytes.iter().position(|&b| NEEDS_ESCAPE[usize::from(b)]);
                    assert_eq!(next_to_escape(&bytes), expected, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_become_replacement_characters() {
        for size in 4..12 {
            let (back, _) = round_trip(b"a\xffb\xe6\x97", size);
            assert_eq!(back, "a\u{fffd}b\u{fffd}", "buffer of {size}");
        }
    }
}
