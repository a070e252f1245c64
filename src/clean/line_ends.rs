//! Rewriting line ends as `\n`: CRLF and the CR CR LF of badly saved files
//! are one line break (never an extra blank line); a bare CR (old Mac) is a
//! line break too.
//!
//! Most Gutenberg files end every line in CRLF, so this runs over most of
//! every book. It copies whole 16-byte blocks and keeps only the part before
//! a CR: no search and no copy call per line, and one hard-to-predict branch
//! per line. On x86_64 a block is tested for CRs with SSE2 (part of every
//! x86_64 CPU); elsewhere as one 128-bit word.

const BLOCK: usize = 16;

/// Appends `bytes` to `out` with every line end as `\n`: a run of CRs before
/// an LF is dropped, a run of CRs before anything else becomes as many `\n`.
/// Only bytes are dropped or replaced by ASCII, so UTF-8 stays UTF-8.
pub(crate) fn normalize_line_ends(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let end = normalize_into(bytes, out, start);
    out.truncate(end);
}

/// [`normalize_line_ends`] into `out` from offset `start`, which is left
/// longer than what was written (by up to a block and by whatever was there):
/// returns where the text written ends. Reusing `out` this way spares
/// filling it afresh for every window.
pub(crate) fn normalize_into(bytes: &[u8], out: &mut Vec<u8>, start: usize) -> usize {
    // Room for a whole block written at the end; the output is never longer
    // than the input.
    let room = start + bytes.len() + BLOCK;
    if out.len() < room {
        // Exactly: a buffer kept from window to window would otherwise double
        // past the largest window it ever held.
        out.reserve_exact(room - out.len());
        out.resize(room, 0);
    }
    let (mut from, mut to) = (0, start);
    while from < bytes.len() {
        if let (Some(src), Some(dst)) = (bytes.get(from..from + BLOCK), out.get_mut(to..to + BLOCK)) {
            dst.copy_from_slice(src);
            match first_cr(src.try_into().expect("a whole block")) {
                None => {
                    (from, to) = (from + BLOCK, to + BLOCK);
                    continue;
                }
                // What was copied past the CR is overwritten next.
                Some(before) => (from, to) = (from + before, to + before),
            }
        } else if bytes[from] != b'\r' {
            out[to] = bytes[from];
            (from, to) = (from + 1, to + 1);
            continue;
        }
        // `bytes[from]` opens a run of CRs.
        let run = bytes[from..].iter().take_while(|&&b| b == b'\r').count();
        if bytes.get(from + run) != Some(&b'\n') {
            out[to..to + run].fill(b'\n');
            to += run;
        }
        // Before an LF the CRs go, and the LF is copied with what follows.
        from += run;
    }
    to
}

/// Offset of the first CR in `block`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn first_cr(block: &[u8; BLOCK]) -> Option<usize> {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned load
    // reads exactly the 16 bytes of `block`.
    let mask = unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)))
    } as u32;
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// Offset of the first CR in `block`: the lowest byte equal to CR sets its
/// high bit (bytes above it may be wrong, and are not looked at).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn first_cr(block: &[u8; BLOCK]) -> Option<usize> {
    const ONES: u128 = u128::MAX / 255;
    let x = u128::from_le_bytes(*block) ^ (ONES * b'\r' as u128);
    let found = x.wrapping_sub(ONES) & !x & (ONES << 7);
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(s: &str) -> String {
        let mut out = b"x".to_vec();
        normalize_line_ends(s.as_bytes(), &mut out);
        String::from_utf8(out[1..].to_vec()).unwrap()
    }

    /// The rule, one byte at a time, to check the word-at-a-time version.
    fn by_bytes(s: &str) -> String {
        let b = s.as_bytes();
        let (mut out, mut i) = (Vec::new(), 0);
        while i < b.len() {
            if b[i] != b'\r' {
                out.push(b[i]);
                i += 1;
                continue;
            }
            let run = b[i..].iter().take_while(|&&c| c == b'\r').count();
            if b.get(i + run) != Some(&b'\n') {
                out.extend(std::iter::repeat_n(b'\n', run));
            }
            i += run;
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn line_ends_become_single_lf() {
        assert_eq!(normalized("a\r\nb\r\r\nc\rd\n"), "a\nb\nc\nd\n");
        assert_eq!(normalized("a\r\r\r\nb"), "a\nb");
        assert_eq!(normalized("a\r\rb\r"), "a\n\nb\n");
        assert_eq!(normalized(""), "");
    }

    #[test]
    fn words_and_bytes_agree_wherever_the_crs_fall() {
        let pieces = ["", "a", "caf\u{e9} ", "\r", "\r\n", "\r\r\n", "\n", "0123456789", "\r\r"];
        let mut text = String::new();
        for round in 0..400usize {
            text.push_str(pieces[(round * 7 + round / 9) % pieces.len()]);
            assert_eq!(normalized(&text), by_bytes(&text), "{text:?}");
        }
    }
}
