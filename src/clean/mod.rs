//! Turns the raw bytes of a Gutenberg plain-text file into the clean book:
//! decode to UTF-8, then cut the Project Gutenberg header, footer and licence.
//!
//! Pure functions only: no I/O, no logging. The pipeline calls [`clean`] on a
//! rayon worker and records what [`Cleaned`] says about the text in the report.
//!
//! The passes, each in its own module:
//! - `decode`: bytes → UTF-8 without BOM, and line-end normalisation;
//! - `markers`: recognising marker lines of every era;
//! - `blurbs`: the in-body licence notice of the 1990s Shakespeare texts;
//! - `layout`: choosing which markers bound the book;
//! - `credits`: dropping "Produced by …" paragraphs after the header;
//! - this module: assembling and trimming the output in one allocation.

mod blurbs;
mod credits;
mod decode;
mod layout;
mod lines;
mod markers;

use std::fmt;
use std::ops::Range;

pub use decode::EncodingSource;
pub use markers::{FooterKind, HeaderKind};

use lines::{end_of_content, skip_blank_lines};

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
    let text: &str = &decoded.text;
    let layout = layout::locate(text);

    let mut cleaned = Cleaned {
        text: String::new(),
        encoding: decoded.encoding,
        markers_found: layout.markers_found(),
        encoding_source: decoded.source,
        header: layout.header,
        footer: layout.footer,
        inner_headers_removed: layout.inner_headers,
        blurbs_removed: layout.blurbs.len(),
        credits_removed: false,
    };
    if !cleaned.markers_found {
        cleaned.text = whole_text(text);
        return Ok(cleaned);
    }

    let mut start = layout.body.start;
    // Credits are only recognised right after a header: in a headerless text
    // the first lines are the book's own.
    if layout.header.is_some() && !opts.keep_credits {
        start = credits::skip_credits(text, start, layout.body.end);
        cleaned.credits_removed = start != layout.body.start;
    }
    let pieces = pieces_without(start..layout.body.end, &layout.blurbs);
    cleaned.text = assemble(text, &pieces).ok_or(CleanError::EmptyBody)?;
    Ok(cleaned)
}

/// A text kept whole, with normalised line ends; it still ends its last line
/// with `\n`, like every output.
fn whole_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    decode::push_normalized(&mut out, text);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `body` with the `holes` (sorted by start) cut out. Holes may begin before
/// `body` (credits were skipped past them) or overlap; both are clipped.
fn pieces_without(body: Range<usize>, holes: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut pieces = Vec::with_capacity(holes.len() + 1);
    let mut from = body.start;
    for hole in holes {
        if hole.end <= from {
            continue;
        }
        let cut = hole.start.clamp(from, body.end);
        if cut > from {
            pieces.push(from..cut);
        }
        from = hole.end.min(body.end);
    }
    pieces.push(from..body.end);
    pieces
}

/// Joins the pieces, trims blank lines at both ends, normalises line ends and
/// ends with one `\n`; `None` if nothing but blank lines remains. The common
/// single-piece case trims by offsets first and copies once.
fn assemble(text: &str, pieces: &[Range<usize>]) -> Option<String> {
    if let [only] = pieces {
        return trimmed_copy(text, only.clone());
    }
    let mut joined = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        decode::push_normalized(&mut joined, &text[piece.clone()]);
    }
    trimmed_copy(&joined, 0..joined.len())
}

fn trimmed_copy(text: &str, range: Range<usize>) -> Option<String> {
    let start = skip_blank_lines(text, range.start, range.end);
    let end = end_of_content(text, start, range.end);
    if end == start {
        return None;
    }
    let mut out = String::with_capacity(end - start + 1);
    decode::push_normalized(&mut out, &text[start..end]);
    out.push('\n');
    retrim(out)
}

/// A stray bare CR in a CRLF file only becomes a line break when copied, so
/// it can leave a blank line at either end; trim again in that rare case.
fn retrim(out: String) -> Option<String> {
    let start = skip_blank_lines(&out, 0, out.len());
    let end = end_of_content(&out, start, out.len());
    if end == start {
        return None;
    }
    if start == 0 && end == out.len() - 1 {
        return Some(out);
    }
    Some(format!("{}\n", &out[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_are_clipped_to_the_body_and_to_each_other() {
        assert_eq!(pieces_without(0..10, &[2..4, 6..8]), vec![0..2, 4..6, 8..10]);
        assert_eq!(pieces_without(5..10, &[2..6, 4..8]), vec![8..10]);
        let past_the_end = vec![2..4, 9..12];
        assert_eq!(pieces_without(0..10, &past_the_end), [0..2, 4..9, 10..10]);
    }

    #[test]
    fn stray_bare_cr_does_not_leave_a_blank_edge() {
        let t = "\r<\r\nx\r\n\r";
        assert_eq!(trimmed_copy(t, 0..t.len()).as_deref(), Some("<\nx\n"));
    }
}
