//! Turns the raw bytes of a Gutenberg plain-text file into the clean book:
//! decode to UTF-8, then cut the Project Gutenberg header, footer and licence.
//!
//! Pure functions only: no I/O, no logging. The pipeline calls [`clean`] on a
//! rayon worker and records what [`Cleaned`] says about the text in the report.
//!
//! The passes, each in its own module:
//! - `decode`: bytes → UTF-8 without BOM;
//! - `rules`: every marker, credit and header rule, as data;
//! - `markers` and `words`: recognising one marker line;
//! - `scan`: pass 1, every marker with where it ends;
//! - `layout`: choosing which markers bound the book and what to cut;
//! - `credits`: the "Produced by …" paragraphs after the header;
//! - `emit`: pass 2, the kept pieces with `\n` line ends, trimmed.

mod credits;
mod decode;
mod emit;
mod layout;
mod lines;
mod markers;
mod rules;
mod scan;
mod words;

use std::fmt;

pub use decode::EncodingSource;
pub use markers::{FooterKind, HeaderKind};

use emit::{Emitter, Mode};
use layout::WholeText;
use scan::Scanner;

/// What the caller can choose about cleaning.
#[derive(Clone, Debug, Default)]
pub struct CleanOptions {
    /// Keep "Produced by …" credit lines that follow the header.
    pub keep_credits: bool,
}

/// The clean book and what was learned while making it.
#[derive(Clone, Debug)]
pub struct Cleaned {
    /// The book as UTF-8 with `\n` line ends and no BOM.
    pub text: String,
    /// Name of the encoding the bytes were decoded from (e.g. "UTF-8",
    /// "windows-1252", or "ISO-8859-1" when the bytes are Latin-1 proper).
    pub encoding: &'static str,
    /// False when no Gutenberg marker was found and the text was kept whole.
    pub markers_found: bool,
    /// How the encoding was decided (BOM, valid UTF-8, declared, fallback).
    pub encoding_source: EncodingSource,
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
}

/// Why a text could not be cleaned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CleanError {
    /// Markers were found but nothing of the book lies between them.
    EmptyBody,
}

impl fmt::Display for CleanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CleanError::EmptyBody => f.write_str("Gutenberg markers found but the book body is empty"),
        }
    }
}

impl std::error::Error for CleanError {}

/// Decodes and strips one Gutenberg text.
///
/// Without any header or footer marker the text is returned whole (only BOM
/// and line ends changed, and a final `\n` added if missing) with
/// `markers_found` false. Otherwise the body, without credits unless asked,
/// with leading and trailing blank lines trimmed, ending in exactly one `\n`.
pub fn clean(raw: &[u8], opts: &CleanOptions) -> Result<Cleaned, CleanError> {
    let decoded = decode::decode(raw);
    let text = decoded.text.as_bytes();
    let mut scanner = Scanner::default();
    scanner.feed(text, 0);
    let markers = scanner.finish();
    let layout = layout::locate(&mut WholeText(text), &markers, 0..text.len() as u64, opts.keep_credits)
        .expect("reading a text in memory cannot fail");

    let mut out = Vec::with_capacity(text.len() + 1);
    let mode = if layout.markers_found() { Mode::Trimmed } else { Mode::Whole };
    let mut emitter = Emitter::new(&mut out, mode);
    let pieces = if layout.markers_found() { layout.pieces() } else { std::iter::once(0..text.len() as u64).collect() };
    for piece in pieces {
        emitter.push(&text[piece.start as usize..piece.end as usize]).expect("writing to memory cannot fail");
    }
    if emitter.finish().expect("writing to memory cannot fail").is_none() {
        return Err(CleanError::EmptyBody);
    }
    Ok(Cleaned {
        text: String::from_utf8(out).expect("pieces of UTF-8 cut at line starts are UTF-8"),
        encoding: decoded.encoding,
        markers_found: layout.markers_found(),
        encoding_source: decoded.source,
        header: layout.header,
        footer: layout.footer,
        inner_headers_removed: layout.inner_headers,
        blurbs_removed: layout.blurbs,
        credits_removed: layout.credits_removed,
    })
}
