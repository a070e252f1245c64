//! The one engine every cleaning goes through, in memory or from a file:
//! decide the encoding (re-encoding to a scratch copy when the bytes are not
//! usable as they stand), pass 1 (`scan`), the layout, pass 2 (`emit`).
//!
//! Nothing is written to the output before the layout is known, so a text
//! that turns out not to be UTF-8 after all is simply scanned again from its
//! re-encoded copy.

use std::io::Write;
use std::ops::Range;

use encoding_rs::UTF_8;

use super::decode::{self, fallback_plans, report_name, transcode, EncodingSource, Recode};
use super::emit::{Emitter, Mode};
use super::layout;
use super::markers::Marker;
use super::scan::Scanner;
use super::source::{window_at, Scratch, Source, Spill};
use super::{CleanError, CleanOptions, Findings};

/// How the encoding was decided.
#[derive(Clone, Copy, Debug)]
struct Decided {
    encoding: &'static str,
    source: EncodingSource,
}

/// Cleans `src` into `out`.
pub(crate) fn run(
    src: &mut dyn Source,
    spill: Spill,
    opts: &CleanOptions,
    out: &mut dyn Write,
) -> Result<Findings, CleanError> {
    let bom = decode::bom(src)?;
    let from = bom.map_or(0, |(_, len)| len as u64);
    let plans: Vec<(Recode, EncodingSource)> = match bom {
        // UTF-16: no other way to read it.
        Some((enc, _)) if enc != UTF_8 => {
            vec![(Recode { from: enc, strict: false, bare_crs: false }, EncodingSource::Bom)]
        }
        _ => {
            let source = if bom.is_some() { EncodingSource::Bom } else { EncodingSource::ValidUtf8 };
            let as_is = Decided { encoding: UTF_8.name(), source };
            if let Some(findings) = clean_utf8(src, from, as_is, spill, opts, out, true)? {
                return Ok(findings);
            }
            // A UTF-8 BOM over invalid bytes is a weaker signal than the
            // bytes: the usual chain decides.
            fallback_plans(decode::declared_encoding(src, from)?).collect()
        }
    };
    for (recode, source) in plans {
        let mut scratch = Scratch::new(spill, src.len() - from).map_err(CleanError::Write)?;
        let Some(c1) = transcode(src, from, recode, scratch.writer())? else { continue };
        let decided = Decided { encoding: report_name(recode.from, c1), source };
        let mut copy = scratch.into_source(src.window()).map_err(CleanError::Write)?;
        if let Some(findings) = clean_utf8(&mut copy, 0, decided, spill, opts, out, false)? {
            return Ok(findings);
        }
    }
    unreachable!("decoding with replacement always yields UTF-8")
}

/// Cleans a text that is UTF-8 from `from` on, or `Ok(None)` if `validate`
/// finds it is not.
fn clean_utf8(
    src: &mut dyn Source,
    from: u64,
    decided: Decided,
    spill: Spill,
    opts: &CleanOptions,
    out: &mut dyn Write,
    validate: bool,
) -> Result<Option<Findings>, CleanError> {
    if decode::ends_lines_with_bare_cr(src, from)? {
        // Old Mac line ends: rewrite them first, so that lines can be found.
        let mut scratch = Scratch::new(spill, src.len() - from).map_err(CleanError::Write)?;
        let recode = Recode { from: UTF_8, strict: true, bare_crs: true };
        if transcode(src, from, recode, scratch.writer())?.is_none() {
            return Ok(None);
        }
        let mut copy = scratch.into_source(src.window()).map_err(CleanError::Write)?;
        return clean_utf8(&mut copy, 0, decided, spill, opts, out, false);
    }
    let Some(markers) = scan(src, from, validate)? else { return Ok(None) };
    let span = from..src.len();
    finish(src, span, &markers, decided, opts, out).map(Some)
}

/// Pass 1: the markers of the text from `from`, or `None` if `validate`
/// finds bytes that are not UTF-8.
fn scan(src: &mut dyn Source, from: u64, validate: bool) -> Result<Option<Vec<Marker>>, CleanError> {
    let mut scanner = Scanner::default();
    let (mut pos, len, window) = (from, src.len(), src.window());
    while pos < len {
        let lines = window_at(src, pos, len, window)?;
        if lines.is_empty() {
            break;
        }
        // Windows end at a line end, never inside a character.
        if validate && simdutf8::basic::from_utf8(lines).is_err() {
            return Ok(None);
        }
        scanner.feed(lines, pos);
        pos += lines.len() as u64;
    }
    Ok(Some(scanner.finish()))
}

/// The layout, then pass 2.
fn finish(
    src: &mut dyn Source,
    span: Range<u64>,
    markers: &[Marker],
    decided: Decided,
    opts: &CleanOptions,
    out: &mut dyn Write,
) -> Result<Findings, CleanError> {
    let layout = layout::locate(src, markers, span.clone(), opts.keep_credits).map_err(CleanError::Read)?;
    let found = layout.markers_found();
    let (mode, pieces) = if found { (Mode::Trimmed, layout.pieces()) } else { (Mode::Whole, vec![span]) };
    let mut emitter = Emitter::new(out, mode);
    let window = src.window();
    for piece in pieces {
        let mut pos = piece.start;
        while pos < piece.end {
            let lines = window_at(src, pos, piece.end, window)?;
            if lines.is_empty() {
                break;
            }
            emitter.push(lines).map_err(CleanError::Write)?;
            pos += lines.len() as u64;
        }
    }
    let (clean_bytes, counts) = emitter.finish().map_err(CleanError::Write)?.ok_or(CleanError::EmptyBody)?;
    let (lines, words) = counts.finished();
    Ok(Findings {
        encoding: decided.encoding,
        encoding_source: decided.source,
        markers_found: found,
        header: layout.header,
        footer: layout.footer,
        inner_headers_removed: layout.inner_headers,
        blurbs_removed: layout.blurbs,
        credits_removed: layout.credits_removed,
        clean_bytes,
        lines,
        words,
    })
}
