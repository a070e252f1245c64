//! Turning raw bytes into UTF-8 text, and rewriting line ends as `\n`.
//!
//! Owns the encoding decision. Gutenberg headers often declare the wrong
//! charset (files re-encoded to UTF-8 still say "ASCII"; Latin-1 files say
//! "ASCII" too), so the bytes decide before the label does:
//! BOM, then valid UTF-8, then the declared charset if the bytes fit it, then
//! Windows-1252, which decodes any byte sequence and is what most legacy
//! Gutenberg texts really are.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use memchr::{memchr, memmem};

use super::rules::{CHARSET_DECLARATION, DECLARATION_WINDOW};
use super::words::Words;

/// How the encoding of a text was decided, for the ingest report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte-order mark said so.
    Bom,
    /// The bytes are valid UTF-8 (whatever the header claims).
    ValidUtf8,
    /// The header's `Character set encoding:` line, and the bytes fit it.
    Declared,
    /// Nothing else applied: Windows-1252.
    Fallback,
}

/// A decoded text without BOM; its line ends are still the file's own
/// (except in bare-CR files, see [`decode`]).
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
    pub source: EncodingSource,
}

/// Decodes `raw`. Line ends are left for [`push_normalized`] to rewrite while
/// the output is copied, which saves a pass and a text-sized allocation; the
/// other passes split on `\n` and ignore the CRs before it. Only files whose
/// lines end in a bare CR (old Mac) are normalised here, since they hold no
/// `\n` to split on.
pub(crate) fn decode(raw: &[u8]) -> Decoded<'_> {
    let (text, encoding, source) = decode_bytes(raw);
    let text = if ends_lines_with_bare_cr(&text) { Cow::Owned(normalize_line_ends(&text).into_owned()) } else { text };
    Decoded { text, encoding, source }
}

/// Whether the first run of CRs is followed by something other than LF: the
/// line-end style of a file is consistent enough to judge by its first line.
fn ends_lines_with_bare_cr(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(cr) = memchr(b'\r', bytes) else {
        return false;
    };
    bytes[cr..].iter().find(|&&b| b != b'\r') != Some(&b'\n')
}

fn decode_bytes(raw: &[u8]) -> (Cow<'_, str>, &'static str, EncodingSource) {
    if let Some((enc, bom_len)) = Encoding::for_bom(raw) {
        let body = &raw[bom_len..];
        if enc == UTF_8 {
            if let Ok(s) = std::str::from_utf8(body) {
                return (Cow::Borrowed(s), UTF_8.name(), EncodingSource::Bom);
            }
            // A UTF-8 BOM over invalid bytes: the BOM is a weaker signal than
            // the bytes, so let the usual chain decide.
            return decode_unmarked(body);
        }
        // UTF-16: no other way to read it.
        let (s, _) = enc.decode_without_bom_handling(body);
        return (s, enc.name(), EncodingSource::Bom);
    }
    decode_unmarked(raw)
}

fn decode_unmarked(raw: &[u8]) -> (Cow<'_, str>, &'static str, EncodingSource) {
    if let Ok(s) = std::str::from_utf8(raw) {
        return (Cow::Borrowed(s), UTF_8.name(), EncodingSource::ValidUtf8);
    }
    if let Some(enc) = declared_encoding(raw) {
        if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(raw) {
            return (s, report_name(enc, raw), EncodingSource::Declared);
        }
    }
    let (s, _) = WINDOWS_1252.decode_without_bom_handling(raw);
    (s, report_name(WINDOWS_1252, raw), EncodingSource::Fallback)
}

/// The encoding named by the header's `Character set encoding:` line, if it is
/// one that can describe non-UTF-8 bytes. A declared ASCII or UTF-8 cannot
/// (the bytes already failed UTF-8 validation), so it is ignored.
fn declared_encoding(raw: &[u8]) -> Option<&'static Encoding> {
    let window = &raw[..raw.len().min(DECLARATION_WINDOW)];
    let label = declared_label(window)?;
    let lower = label.to_ascii_lowercase();
    if lower.contains("ascii") {
        return None;
    }
    Encoding::for_label(label.as_bytes()).filter(|&e| e != UTF_8)
}

/// The label after `… set encoding:` in the header, tolerating the misspelt
/// `Chatacter`/`Charcter` variants by matching only the last two words.
/// Works on bytes: a Latin-1 header may hold accented names above the line.
fn declared_label(window: &[u8]) -> Option<String> {
    // `ncoding:` finds `Encoding:` and `encoding:`; all-caps headers are rare
    // enough to get a second search.
    let hits = memmem::find_iter(window, b"ncoding:").chain(memmem::find_iter(window, b"NCODING:"));
    hits.filter_map(|hit| {
        let start = window[..hit].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let end = memchr(b'\n', &window[hit..]).map_or(window.len(), |i| hit + i);
        label_of(&String::from_utf8_lossy(&window[start..end]))
    })
    .next()
}

/// The label in a `… set encoding: LABEL` line.
fn label_of(line: &str) -> Option<String> {
    if !Words::of(line.as_bytes()).matches(CHARSET_DECLARATION) {
        return None;
    }
    let after = &line[line.find(':')? + 1..];
    after.split_whitespace().next().map(str::to_owned)
}

/// encoding_rs follows WHATWG and reads ISO-8859-1 as Windows-1252. The two
/// differ only in 0x80–0x9F; without such bytes the text *is* ISO-8859-1 and
/// the report should say so.
fn report_name(enc: &'static Encoding, raw: &[u8]) -> &'static str {
    // Chunked fold rather than `any`, so the compiler can vectorise it.
    let has_c1 = |chunk: &[u8]| chunk.iter().fold(false, |seen, &b| seen | (b & 0xE0 == 0x80));
    if enc == WINDOWS_1252 && !raw.chunks(4096).any(has_c1) {
        "ISO-8859-1"
    } else {
        enc.name()
    }
}

/// [`push_normalized`] into a new string, borrowing when there is no CR.
pub(crate) fn normalize_line_ends(s: &str) -> Cow<'_, str> {
    if memchr(b'\r', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    push_normalized(&mut out, s);
    Cow::Owned(out)
}

/// Appends `s` to `out` with CRLF, the CR CR LF of badly saved files, and
/// bare (old Mac) CR rewritten as `\n`. A run of CRs before an LF is one line
/// break, never a blank line.
pub(crate) fn push_normalized(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut copied = 0;
    while let Some(offset) = memchr(b'\r', &bytes[copied..]) {
        let cr = copied + offset;
        out.push_str(&s[copied..cr]);
        let run_end = cr + bytes[cr..].iter().take_while(|&&b| b == b'\r').count();
        if bytes.get(run_end) == Some(&b'\n') {
            out.push('\n');
            copied = run_end + 1;
        } else {
            (cr..run_end).for_each(|_| out.push('\n'));
            copied = run_end;
        }
    }
    out.push_str(&s[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_single_lf() {
        assert_eq!(normalize_line_ends("a\r\nb\r\r\nc\rd\n"), "a\nb\nc\nd\n");
        assert_eq!(normalize_line_ends("a\r\r\r\nb"), "a\nb");
        assert_eq!(normalize_line_ends("a\r\rb\r"), "a\n\nb\n");
        assert!(matches!(normalize_line_ends("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn bom_is_stripped_and_reported() {
        let d = decode(b"\xEF\xBB\xBFhi\r\n");
        assert_eq!((&*d.text, d.source), ("hi\r\n", EncodingSource::Bom));
    }

    #[test]
    fn only_bare_cr_files_are_normalised_when_decoding() {
        assert_eq!(&*decode(b"a\rb\r").text, "a\nb\n");
        assert_eq!(&*decode(b"a\r\r\nb\r").text, "a\r\r\nb\r");
        assert!(matches!(decode(b"a\r\nb").text, Cow::Borrowed(_)));
    }

    #[test]
    fn utf8_wins_over_a_latin1_label() {
        let raw = "Character set encoding: ISO-8859-1\n\nGr\u{fc}\u{df}e\n".as_bytes();
        let d = decode(raw);
        assert_eq!((d.encoding, d.source), ("UTF-8", EncodingSource::ValidUtf8));
        assert!(d.text.contains("Grüße"));
    }

    #[test]
    fn declared_latin1_is_used_when_bytes_are_not_utf8() {
        let d = decode(b"Chatacter set encoding: ISO-8859-1\r\n\r\nGr\xfc\xdfe\r\n");
        assert_eq!((d.encoding, d.source), ("ISO-8859-1", EncodingSource::Declared));
        assert_eq!(&*d.text, "Chatacter set encoding: ISO-8859-1\r\n\r\nGrüße\r\n");
    }

    #[test]
    fn wrong_ascii_label_falls_back_to_windows_1252() {
        let d = decode(b"Character set encoding: ASCII\n\n\x93Gr\xfc\xdfe\x94\n");
        assert_eq!((d.encoding, d.source), ("windows-1252", EncodingSource::Fallback));
        assert!(d.text.contains("\u{201c}Grüße\u{201d}"));
    }

    #[test]
    fn declared_utf8_that_is_invalid_falls_back() {
        let d = decode(b"Character set encoding: UTF-8\n\nS\xe9ance\n");
        assert_eq!(d.source, EncodingSource::Fallback);
        assert!(d.text.contains("Séance"));
    }

    #[test]
    fn utf16_bom_is_honoured() {
        let d = decode(b"\xFF\xFEh\0i\0");
        assert_eq!((&*d.text, d.encoding), ("hi", "UTF-16LE"));
    }
}
