//! A clean book's text copied into a JSON string, a buffer at a time:
//! escaped as JSON requires, counted as the cleaner counts.
//!
//! Escaping runs on every byte of every book (it was half of `export`'s
//! time), so it is done a 64-byte block at a time: a bit mask marks the
//! bytes to escape, and the bytes between two marks — in most books a line,
//! a few dozen bytes — are copied at once.

use std::io::{self, Read};

use crate::clean::TextCounts;

/// Copies `input` (UTF-8) onto `out` as the inside of a JSON string, and
/// returns its lines and words. Bytes that are not UTF-8 (a clean file is,
/// unless someone edited it) become U+FFFD, so the line stays valid JSON.
pub fn copy_escaped(input: &mut impl Read, buffer: &mut [u8], out: &mut Vec<u8>) -> io::Result<TextCounts> {
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
        escape(&chunk[..valid], out);
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
            out.extend_from_slice(b"\\ufffd");
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

/// Appends valid UTF-8 `text` to `out` with `"`, `\` and the control
/// characters escaped.
fn escape(text: &[u8], out: &mut Vec<u8>) {
    // Most books grow by a line end's extra byte every few dozen bytes.
    out.reserve(text.len() + text.len() / 16 + 8);
    let mut copied = 0;
    let mut blocks = text.chunks_exact(64);
    for (k, block) in (&mut blocks).enumerate() {
        copied = escape_marked(text, 64 * k, to_escape(block.try_into().expect("64 bytes")), copied, out);
    }
    // The last block, padded with spaces (never escaped) to 64 bytes.
    let rest = blocks.remainder();
    let mut last = [b' '; 64];
    last[..rest.len()].copy_from_slice(rest);
    copied = escape_marked(text, text.len() - rest.len(), to_escape(&last), copied, out);
    out.extend_from_slice(&text[copied..]);
}

/// Copies `text[copied..]` up to each byte marked in `marks` (bit j for
/// `text[start + j]`) and that byte's escape; returns how far `text` is copied.
fn escape_marked(text: &[u8], start: usize, mut marks: u64, mut copied: usize, out: &mut Vec<u8>) -> usize {
    while marks != 0 {
        let at = start + marks.trailing_zeros() as usize;
        out.extend_from_slice(&text[copied..at]);
        push_escaped(text[at], out);
        copied = at + 1;
        marks &= marks - 1;
    }
    copied
}

/// Appends how JSON writes a byte that needs escaping: the short forms
/// serde_json uses, except `\b` and `\f`, which the dataset has always
/// written `\u0008` and `\u000c`. Each arm copies a constant size, which
/// compiles to a store rather than a call to `memcpy`: a book escapes a line
/// end every few dozen bytes.
fn push_escaped(b: u8, out: &mut Vec<u8>) {
    match b {
        b'\n' => out.extend_from_slice(b"\\n"),
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        control => out.extend_from_slice(&CONTROLS[usize::from(control & 0x1f)]),
    }
}

/// `\u0000` to `\u001f`.
const CONTROLS: [[u8; 6]; 32] = {
    let hex = b"0123456789abcdef";
    let mut table = [*b"\\u0000"; 32];
    let mut b = 0;
    while b < 32 {
        table[b][4] = hex[b >> 4];
        table[b][5] = hex[b & 0xf];
        b += 1;
    }
    table
};

/// The bytes of a block that need escaping (`"`, `\`, below 0x20), as a
/// mask: bit j for byte j. Four 16-byte SSE2 compares (SSE2 is part of
/// every x86_64; AVX2's 32 bytes would need a run-time check for a step
/// that is no longer what bounds `export`).
#[cfg(target_arch = "x86_64")]
fn to_escape(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut marks = 0u64;
    for (k, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of every x86_64 CPU; the load reads the 16 bytes of `lane`.
        let lane_marks = unsafe {
            let v = _mm_loadu_si128(lane.as_ptr().cast());
            // Below 0x20, unsigned: min(v, 0x1f) is v.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash)))
        };
        marks |= u64::from(lane_marks as u16) << (16 * k);
    }
    marks
}

/// The bytes of a block that need escaping.
#[cfg(not(target_arch = "x86_64"))]
fn to_escape(block: &[u8; 64]) -> u64 {
    to_escape_bytewise(block)
}

/// The bytes of a block that need escaping, a byte at a time: the other
/// targets' way, and what the tests hold the SSE2 way to.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn to_escape_bytewise(block: &[u8; 64]) -> u64 {
    block.iter().enumerate().fold(0, |marks, (j, &b)| marks | u64::from(b < 0x20 || b == b'"' || b == b'\\') << j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::io::Write;

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

    /// Random strings of up to 200 bytes (several 64-byte blocks) rich in
    /// what needs escaping, cut by buffers of every size from 4 to 70 bytes,
    /// come out as serde_json writes them.
    #[test]
    fn escaping_matches_serde_json_at_every_buffer_boundary() {
        let alphabet: Vec<char> = "ab \"\\\n\r\t\u{0}\u{8}\u{c}\u{1}\u{1f}\u{7f}é日🦀 \u{2028}xyz".chars().collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 200) as usize;
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

    /// Every byte value at every place of a block, on backgrounds of bytes
    /// next to those that need escaping: marked exactly when JSON needs it.
    #[test]
    fn the_block_mask_marks_exactly_the_bytes_to_escape() {
        for background in [b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xc3, 0xff] {
            for at in 0..64 {
                for b in 0..=255u8 {
                    let mut block = [background; 64];
                    block[at] = b;
                    let expected = u64::from(b < 0x20 || b == b'"' || b == b'\\') << at;
                    assert_eq!(to_escape(&block), expected, "byte {b:#04x} at {at} among {background:#04x}");
                    assert_eq!(to_escape_bytewise(&block), expected, "byte {b:#04x} at {at} among {background:#04x}");
                }
            }
        }
        let all: [u8; 64] = std::array::from_fn(|j| [b'"', b'\\', b'\n', 0][j % 4]);
        assert_eq!((to_escape(&all), to_escape_bytewise(&all)), (u64::MAX, u64::MAX));
    }

    /// Texts of lengths around the 16-, 32- and 64-byte steps with each byte
    /// to escape at every place (and one at the very end): as serde_json writes them.
    #[test]
    fn each_byte_to_escape_at_every_place_comes_out_as_serde_json_writes_it() {
        for len in [1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 66, 127, 128, 129, 191, 192, 193] {
            for at in 0..len {
                for special in [b'"', b'\\', b'\n', b'\r', b'\t', 0, 1, 8, 0x0b, 0x0c, 0x1f] {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = special;
                    bytes[len - 1] = b'"';
                    let text = String::from_utf8(bytes).unwrap();
                    let mut expected = Vec::new();
                    text.serialize(&mut serde_json::Serializer::with_formatter(&mut expected, UnicodeControls))
                        .unwrap();
                    let mut out = b"\"".to_vec();
                    escape(text.as_bytes(), &mut out);
                    out.push(b'"');
                    assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected), "{text:?}");
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
