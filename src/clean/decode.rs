//! Deciding how a text is encoded, and re-encoding it as UTF-8 (with `\n`
//! for the bare CRs of old Mac files) when it is not usable as it stands.
//!
//! Gutenberg headers often declare the wrong charset (files re-encoded to
//! UTF-8 still say "ASCII"; Latin-1 files say "ASCII" too), so the bytes
//! decide before the label does: BOM, then valid UTF-8, then the declared
//! charset if the bytes fit it, then Windows-1252, which decodes any byte
//! sequence and is what most legacy Gutenberg texts really are.
//!
//! Re-encoding streams a window at a time into a [`Scratch`] copy, so a
//! Latin-1 book is never held whole either.

use std::io::Write;

use encoding_rs::{CoderResult, DecoderResult, Encoding, UTF_8, WINDOWS_1252};
use memchr::{memchr, memmem};

use super::line_ends::normalize_line_ends;
use super::reuse;
use super::rules::{CHARSET_DECLARATION, DECLARATION_WINDOW};
use super::source::Source;
use super::words::Words;
use super::CleanError;

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

/// The line-end style is judged by the first CR in this much of the text.
const LINE_END_WINDOW: usize = 64 * 1024;

/// The BOM at the start of the text, and its length.
pub(crate) fn bom(src: &mut dyn Source) -> Result<Option<(&'static Encoding, usize)>, CleanError> {
    Ok(Encoding::for_bom(src.read_at(0, 3).map_err(CleanError::Read)?))
}

/// Whether the text from `from` ends its lines in a bare CR (old Mac): the
/// first run of CRs is followed by something other than LF. The line-end
/// style of a file is consistent enough to judge by its first lines.
pub(crate) fn ends_lines_with_bare_cr(src: &mut dyn Source, from: u64) -> Result<bool, CleanError> {
    let head = src.read_at(from, LINE_END_WINDOW).map_err(CleanError::Read)?;
    let Some(cr) = memchr(b'\r', head) else { return Ok(false) };
    Ok(head[cr..].iter().find(|&&b| b != b'\r') != Some(&b'\n'))
}

/// The encoding named by the header's `Character set encoding:` line, if it
/// is one that can describe non-UTF-8 bytes. A declared ASCII or UTF-8 cannot
/// (the bytes already failed UTF-8 validation), so it is ignored.
pub(crate) fn declared_encoding(src: &mut dyn Source, from: u64) -> Result<Option<&'static Encoding>, CleanError> {
    let head = src.read_at(from, DECLARATION_WINDOW).map_err(CleanError::Read)?;
    let Some(label) = declared_label(head) else { return Ok(None) };
    if label.to_ascii_lowercase().contains("ascii") {
        return Ok(None);
    }
    Ok(Encoding::for_label(label.as_bytes()).filter(|&e| e != UTF_8))
}

/// The label after `… set encoding:` in the header (see
/// `rules::CHARSET_DECLARATION`). Works on bytes: a Latin-1 header may hold
/// accented names above the line.
fn declared_label(head: &[u8]) -> Option<String> {
    // `ncoding:` finds `Encoding:` and `encoding:`; all-caps headers are rare
    // enough to get a second search.
    let hits = memmem::find_iter(head, b"ncoding:").chain(memmem::find_iter(head, b"NCODING:"));
    hits.filter_map(|hit| {
        let start = head[..hit].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let end = memchr(b'\n', &head[hit..]).map_or(head.len(), |i| hit + i);
        label_of(&String::from_utf8_lossy(&head[start..end]))
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

/// The name to report for text decoded as `enc`. encoding_rs follows WHATWG
/// and reads ISO-8859-1 as Windows-1252; the two differ only in 0x80–0x9F, so
/// without such bytes (`c1`) the text *is* ISO-8859-1 and the report says so.
pub(crate) fn report_name(enc: &'static Encoding, c1: bool) -> &'static str {
    if enc == WINDOWS_1252 && !c1 {
        "ISO-8859-1"
    } else {
        enc.name()
    }
}

/// How [`transcode`] treats what it reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Recode {
    pub from: &'static Encoding,
    /// Give up at the first malformed sequence (to try another encoding)
    /// rather than write U+FFFD.
    pub strict: bool,
    /// Rewrite CR line ends as `\n` (old Mac files, so lines can be found).
    pub bare_crs: bool,
}

/// Re-encodes the text from `start` as UTF-8 into `out`. `Ok(None)` when a
/// strict recoding met a malformed sequence; otherwise whether the bytes held
/// any C1 byte (0x80–0x9F, see [`report_name`]).
pub(crate) fn transcode(
    src: &mut dyn Source,
    start: u64,
    recode: Recode,
    out: &mut dyn Write,
) -> Result<Option<bool>, CleanError> {
    let mut decoder = recode.from.new_decoder_without_bom_handling();
    let mut decoded = reuse::take();
    decoded.resize(64 * 1024, 0);
    let mut normalized = reuse::take();
    let mut crs = PendingCrs(0);
    let mut c1 = false;
    let (mut pos, len, window) = (start, src.len(), src.window());
    loop {
        let chunk = src.read_at(pos, window).map_err(CleanError::Read)?;
        let last = chunk.is_empty() || pos + chunk.len() as u64 >= len;
        c1 |= chunk.iter().fold(false, |seen, &b| seen | (b & 0xE0 == 0x80));
        let mut read = 0;
        loop {
            let (done, n, written) = if recode.strict {
                let (result, n, written) =
                    decoder.decode_to_utf8_without_replacement(&chunk[read..], &mut decoded, last);
                match result {
                    DecoderResult::Malformed(..) => return Ok(None),
                    result => (result == DecoderResult::InputEmpty, n, written),
                }
            } else {
                let (result, n, written, _) = decoder.decode_to_utf8(&chunk[read..], &mut decoded, last);
                (result == CoderResult::InputEmpty, n, written)
            };
            read += n;
            let bytes = &decoded[..written];
            let bytes = if recode.bare_crs {
                normalized.clear();
                crs.normalize(bytes, &mut normalized);
                &normalized[..]
            } else {
                bytes
            };
            out.write_all(bytes).map_err(CleanError::Write)?;
            if done {
                break;
            }
        }
        pos += chunk.len() as u64;
        if last {
            break;
        }
    }
    normalized.clear();
    crs.finish(&mut normalized);
    out.write_all(&normalized).map_err(CleanError::Write)?;
    Ok(Some(c1))
}

/// CRs at the end of one chunk, not yet known to come before an LF.
struct PendingCrs(usize);

impl PendingCrs {
    /// [`normalize_line_ends`] across chunk boundaries.
    fn normalize(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        let mut from = 0;
        if self.0 > 0 {
            let more = bytes.iter().take_while(|&&b| b == b'\r').count();
            if more == bytes.len() {
                self.0 += more;
                return;
            }
            if bytes[more] == b'\n' {
                out.push(b'\n');
                from = more + 1;
            } else {
                out.resize(out.len() + self.0 + more, b'\n');
                from = more;
            }
            self.0 = 0;
        }
        let rest = &bytes[from..];
        let trailing = rest.iter().rev().take_while(|&&b| b == b'\r').count();
        normalize_line_ends(&rest[..rest.len() - trailing], out);
        self.0 = trailing;
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        out.resize(out.len() + self.0, b'\n');
        self.0 = 0;
    }
}

/// Re-encoding plans, in the order they are tried once the bytes are not
/// usable as they stand. UTF-16 (from its BOM) has no other way to be read.
pub(crate) fn fallback_plans(declared: Option<&'static Encoding>) -> impl Iterator<Item = (Recode, EncodingSource)> {
    let strict = |from| Recode { from, strict: true, bare_crs: false };
    let declared = declared.map(|enc| (strict(enc), EncodingSource::Declared));
    let fallback = (Recode { from: WINDOWS_1252, strict: false, bare_crs: false }, EncodingSource::Fallback);
    declared.into_iter().chain(std::iter::once(fallback))
}

#[cfg(test)]
mod tests {
    use super::super::source::MemSource;
    use super::*;

    fn recode(raw: &[u8], recode: Recode, window: usize) -> Option<(String, bool)> {
        let mut out = Vec::new();
        let c1 = transcode(&mut MemSource::new(raw, window), 0, recode, &mut out).unwrap()?;
        Some((String::from_utf8(out).unwrap(), c1))
    }

    #[test]
    fn recodes_across_windows_and_rewrites_bare_crs() {
        let latin1 = Recode { from: WINDOWS_1252, strict: true, bare_crs: true };
        for window in [1, 2, 3, 64] {
            assert_eq!(
                recode(b"Gr\xfc\xdfe\rzwei\r\r\ndrei\r\r", latin1, window),
                Some(("Grüße\nzwei\ndrei\n\n".into(), false))
            );
            let utf8 = Recode { from: UTF_8, strict: true, bare_crs: true };
            assert_eq!(recode("Grüße\r".as_bytes(), utf8, window).unwrap().0, "Grüße\n");
            assert_eq!(recode(b"bad \xff", utf8, window), None);
        }
        let (text, c1) = recode(b"\x93q\x94", Recode { bare_crs: false, ..latin1 }, 2).unwrap();
        assert_eq!((text.as_str(), c1, report_name(WINDOWS_1252, c1)), ("\u{201c}q\u{201d}", true, "windows-1252"));
        assert_eq!(report_name(WINDOWS_1252, false), "ISO-8859-1");
    }

    #[test]
    fn the_declared_label_is_found_in_any_spelling() {
        let decl = |t: &[u8]| declared_encoding(&mut MemSource::new(t, 64), 0).unwrap().map(Encoding::name);
        assert_eq!(decl(b"Chatacter set encoding: ISO-8859-1\r\n\r\nGr\xfc\xdfe\r\n"), Some("windows-1252"));
        assert_eq!(decl(b"Character set encoding: ASCII\n"), None);
        assert_eq!(decl(b"Character set encoding: UTF-8\n"), None);
        assert_eq!(decl(b"CHARACTER SET ENCODING: LATIN1\n"), Some("windows-1252"));
    }

    #[test]
    fn line_end_style_is_judged_by_the_first_cr() {
        let bare = |t: &[u8]| ends_lines_with_bare_cr(&mut MemSource::new(t, 64), 0).unwrap();
        assert!(bare(b"a\rb\r") && bare(b"a\r") && !bare(b"a\r\nb\r") && !bare(b"a\r\r\nb") && !bare(b"a\nb"));
    }
}
