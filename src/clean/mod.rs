//! Turns the raw bytes of a Gutenberg plain-text file into the clean book:
//! decode to UTF-8, then cut the Project Gutenberg header, footer and licence.
//!
//! No logging and no files of its own: [`clean_stream`] reads a text a window
//! at a time and writes the book to the writer it is given, so cleaning
//! needs a few buffers of window size whatever the size of the book (a
//! non-UTF-8 text is re-encoded to an unnamed temporary file where the caller
//! says). [`clean`] is the same engine on bytes in memory.
//!
//! The parts, each in its own module:
//! - `rules`: every marker, credit and header rule, as data;
//! - `source`: the text in memory or in a file, read a window at a time;
//! - `decode`: the encoding decision, and re-encoding to UTF-8;
//! - `gate`, `markers` and `words`: recognising one marker line;
//! - `scan`: pass 1, every marker with where it ends;
//! - `layout`, `opening` and `credits`: which markers bound the book and
//!   what to cut;
//! - `emit` and `line_ends`: pass 2, the kept pieces with `\n` line ends,
//!   trimmed, and `counts`: their lines and words, counted as they go;
//! - `engine`: the passes in order;
//! - `reuse`: the buffers each cleaning thread keeps from book to book.

mod counts;
mod credits;
mod decode;
mod emit;
mod engine;
mod gate;
mod layout;
mod line_ends;
mod lines;
mod markers;
mod opening;
mod reuse;
mod rules;
mod scan;
mod source;
mod words;

use std::io::{self, Read, Seek, Write};

pub use counts::TextCounts;
pub use decode::EncodingSource;
pub use markers::{FooterKind, HeaderKind};
pub use source::{Spill, MAX_LINE};

use source::{MemSource, ReadSource, WINDOW};

/// What the caller can choose about cleaning.
#[derive(Clone, Debug, Default)]
pub struct CleanOptions {
    /// Keep "Produced by …" credit lines that follow the header.
    pub keep_credits: bool,
}

/// What was learned while cleaning a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Findings {
    /// Name of the encoding the bytes were decoded from (e.g. "UTF-8",
    /// "windows-1252", or "ISO-8859-1" when the bytes are Latin-1 proper).
    pub encoding: &'static str,
    /// How the encoding was decided (BOM, valid UTF-8, declared, fallback).
    pub encoding_source: EncodingSource,
    /// False when no Gutenberg marker was found and the text was kept whole.
    pub markers_found: bool,
    /// The marker that ended the header, if one was found.
    pub header: Option<HeaderKind>,
    /// The marker that started the footer, if one was found.
    pub footer: Option<FooterKind>,
    /// Older Gutenberg headers found at the top of the body and removed.
    pub inner_headers_removed: usize,
    /// In-body licence blurbs (`<<THIS ELECTRONIC VERSION …>>`) removed.
    pub blurbs_removed: usize,
    /// Whether credit paragraphs after the header were removed.
    pub credits_removed: bool,
    /// Bytes of clean text written.
    pub clean_bytes: u64,
    /// Lines and words of the clean text, counted as it was written.
    pub lines: u64,
    pub words: u64,
}

/// The clean book, in memory, and what was learned while making it.
#[derive(Clone, Debug)]
pub struct Cleaned {
    /// The book as UTF-8 with `\n` line ends and no BOM.
    pub text: String,
    pub findings: Findings,
}

/// Why a text could not be cleaned.
#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    /// Markers were found but nothing of the book lies between them.
    #[error("Gutenberg markers found but the book body is empty")]
    EmptyBody,
    /// A line runs past [`MAX_LINE`] bytes: not a book, and too long to hold.
    #[error(
        "a line starting at byte {at} runs past {} MiB without a line end: not a plain-text book \
         (lines up to {} MiB are cleaned)",
        MAX_LINE >> 20,
        MAX_LINE >> 20
    )]
    LineTooLong { at: u64 },
    /// The text (or its re-encoded copy) could not be read.
    #[error("reading the text: {0}")]
    Read(io::Error),
    /// The clean text (or a re-encoded copy) could not be written.
    #[error("writing the clean text: {0}")]
    Write(io::Error),
}

/// Decodes and strips one Gutenberg text held in memory.
///
/// Without any header or footer marker the text is returned whole (only BOM
/// and line ends changed, and a final `\n` added if missing) with
/// `markers_found` false. Otherwise the body, without credits unless asked,
/// with leading and trailing blank lines trimmed, ending in exactly one `\n`.
pub fn clean(raw: &[u8], opts: &CleanOptions) -> Result<Cleaned, CleanError> {
    let mut out = Vec::with_capacity(raw.len() + 1);
    let findings = engine::run(&mut MemSource::new(raw, WINDOW), Spill::Memory, opts, &mut out)?;
    // The clean text is pieces of UTF-8 cut at line starts; checked here
    // with SIMD, as std's check is a tenth of the cleaning time.
    assert!(simdutf8::basic::from_utf8(&out).is_ok(), "the clean text is UTF-8");
    // SAFETY: checked to be UTF-8 just above.
    let text = unsafe { String::from_utf8_unchecked(out) };
    Ok(Cleaned { text, findings })
}

/// [`clean`] for a text of `len` bytes read from `input` a window at a time,
/// writing the book to `out` as it goes (a failed book may leave part of it
/// there: write to a temporary file). Same rules, same result.
pub fn clean_stream<R: Read + Seek>(
    input: R,
    len: u64,
    spill: Spill,
    opts: &CleanOptions,
    out: &mut dyn Write,
) -> Result<Findings, CleanError> {
    clean_stream_windowed(input, len, spill, opts, out, WINDOW)
}

/// [`clean_stream`] reading `window` bytes at a time; tests use tiny windows
/// to show that where a window ends never changes the result.
#[doc(hidden)]
pub fn clean_stream_windowed<R: Read + Seek>(
    input: R,
    len: u64,
    spill: Spill,
    opts: &CleanOptions,
    out: &mut dyn Write,
    window: usize,
) -> Result<Findings, CleanError> {
    engine::run(&mut ReadSource::new(input, len, window), spill, opts, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_through_tiny_windows_cleans_as_memory_does() {
        let raw =
            "The Project Gutenberg EBook of X\r\n\r\n***START OF THE PROJECT GUTENBERG EBOOK X\r\nAND Y***\r\n\r\n\
                   Produced by A and\r\nB\r\n\r\nBook \u{e9}.\r\n\r\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n";
        let whole = clean(raw.as_bytes(), &CleanOptions::default()).unwrap();
        assert_eq!(whole.text, "Book \u{e9}.\n");
        for window in 1..12 {
            let mut out = Vec::new();
            let input = io::Cursor::new(raw);
            let findings = clean_stream_windowed(
                input,
                raw.len() as u64,
                Spill::Memory,
                &CleanOptions::default(),
                &mut out,
                window,
            )
            .unwrap();
            assert_eq!((out, findings), (whole.text.clone().into_bytes(), whole.findings.clone()), "window {window}");
        }
    }

    fn findings(raw: &[u8]) -> (String, &'static str, EncodingSource) {
        let c = clean(raw, &CleanOptions::default()).unwrap();
        (c.text, c.findings.encoding, c.findings.encoding_source)
    }

    #[test]
    fn the_bytes_decide_before_the_label() {
        let utf16 = findings(b"\xFF\xFEh\0i\0\r\0\n\0");
        assert_eq!(utf16, ("hi\n".to_owned(), "UTF-16LE", EncodingSource::Bom));
        let invalid_utf8_label = findings(b"Character set encoding: UTF-8\n\nS\xe9ance\n");
        assert_eq!(invalid_utf8_label.2, EncodingSource::Fallback);
        assert!(invalid_utf8_label.0.contains("S\u{e9}ance"));
        let bom_over_latin1 = findings(b"\xEF\xBB\xBFChatacter set encoding: ISO-8859-1\n\nGr\xfc\xdfe\n");
        assert_eq!(bom_over_latin1.1, "ISO-8859-1");
        assert!(bom_over_latin1.0.ends_with("Gr\u{fc}\u{df}e\n"));
        let old_mac = findings(b"*** START OF THE PROJECT GUTENBERG EBOOK X ***\rCaf\xe9\r\r");
        assert_eq!(old_mac, ("Caf\u{e9}\n".to_owned(), "ISO-8859-1", EncodingSource::Fallback));
    }
}
