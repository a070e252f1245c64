//! Deciding, from the markers found, where the book lies in the text.
//!
//! Owns the rules that make the cleaner robust where older strippers fail:
//! - the header ends at the first START / Small Print end that comes before
//!   any footer, so a `*END*THE SMALL PRINT` in a licence after the END line
//!   is never taken as a header;
//! - the footer starts at the first footer marker after the header, wherever
//!   it is (even in the first lines of a short book);
//! - a second, older Gutenberg header at the top of the body moves the header
//!   end past it;
//! - the closing `*****The Project Gutenberg Etext of …*****` line counts only
//!   after the header, since the very same line opens Small Print headers;
//! - licence blurbs inside the body are listed for removal.

use std::ops::Range;

use super::credits::skip_credits;
use super::lines::{contains_ignore_case, is_blank, lines_from, skip_blank_lines};
use super::markers::{scan, FooterKind, HeaderKind, Kind, Marker};

/// How far past the header an older, re-included header may end. The largest
/// old headers (Small Print) are about 15 KB.
const INNER_HEADER_WINDOW: usize = 64 * 1024;

/// Where the book is, and which markers said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub header: Option<HeaderKind>,
    pub footer: Option<FooterKind>,
    /// The book between header and footer, before credits and trimming.
    pub body: Range<usize>,
    /// Older headers found at the top of the body and skipped.
    pub inner_headers: usize,
    /// Licence blurbs inside `body`, each with the blank lines that follow it.
    pub blurbs: Vec<Range<usize>>,
}

impl Layout {
    pub fn markers_found(&self) -> bool {
        self.header.is_some() || self.footer.is_some()
    }
}

/// Finds the book in a decoded text (lines end in `\n`, possibly after CRs).
pub(crate) fn locate(text: &str) -> Layout {
    let markers = scan(text);
    let is_strong_footer = |m: &&Marker| matches!(m.kind, Kind::Footer(k) if k != FooterKind::ClosingEtextLine);
    let first_footer = markers.iter().find(is_strong_footer).map_or(text.len(), |m| m.start);

    let first_header = first_header_before(&markers, first_footer);
    let body_from = first_header.map_or(0, |h| h.end);
    let strong_footer = markers.iter().filter(|m| m.start >= body_from).find(is_strong_footer);
    let limit = strong_footer.map_or(text.len(), |m| m.start);

    let (header, inner_headers) = match first_header {
        Some(h0) => {
            let (h, skipped) = skip_inner_headers(text, &markers, h0, limit);
            (Some(h), skipped)
        }
        None => (None, 0),
    };
    let body_start = header.map_or(0, |h| h.end);
    let closing_line = header.and_then(|_| {
        markers
            .iter()
            .find(|m| m.kind == Kind::Footer(FooterKind::ClosingEtextLine) && m.start >= body_start && m.start < limit)
    });
    let footer = closing_line.or(strong_footer);
    // Markers never overlap (a wrapped START stops before another marker),
    // but an empty body is safer than a panic should that ever change.
    let body = body_start..footer.map_or(text.len(), |m| m.start).max(body_start);
    let blurbs = blurbs_within(text, &markers, &body);

    Layout {
        header: header.map(|m| header_kind(m.kind)),
        footer: footer.map(|m| footer_kind(m.kind)),
        body,
        inner_headers,
        blurbs,
    }
}

/// The first START / Small Print end before `limit`; only if there is none,
/// the weaker "Prepared By Thousands of Volunteers" line.
fn first_header_before(markers: &[Marker], limit: usize) -> Option<&Marker> {
    let before_limit = || markers.iter().take_while(|m| m.start < limit);
    before_limit()
        .find(|m| is_primary_header(m.kind))
        .or_else(|| before_limit().find(|m| m.kind == Kind::Header(HeaderKind::VolunteersLine)))
}

fn is_primary_header(kind: Kind) -> bool {
    matches!(kind, Kind::Header(HeaderKind::StartLine | HeaderKind::SmallPrintEnd))
}

/// Re-released books sometimes keep their old header (Small Print or an older
/// START) at the top of the body. A later header marker before `limit` is
/// taken as such only if the body so far *opens* with Gutenberg boilerplate
/// (credits aside) and it is near: a quoted START deep in a book is not one.
fn skip_inner_headers<'m>(text: &str, markers: &'m [Marker], first: &'m Marker, limit: usize) -> (&'m Marker, usize) {
    let mut header = first;
    let mut skipped = 0;
    let later = markers.iter().filter(|m| is_primary_header(m.kind) && m.start >= first.end && m.start < limit);
    for candidate in later {
        if candidate.start >= header.end && opens_with_boilerplate(text, header.end, candidate.start) {
            header = candidate;
            skipped += 1;
        }
    }
    (header, skipped)
}

fn opens_with_boilerplate(text: &str, from: usize, to: usize) -> bool {
    if to - from > INNER_HEADER_WINDOW {
        return false;
    }
    let start = skip_blank_lines(text, skip_credits(text, from, to), to);
    lines_from(&text[..to], start).next().is_some_and(|l| contains_ignore_case(l.text, "gutenberg"))
}

/// Blurbs wholly inside `body`, each extended over the blank lines after it so
/// that removing it leaves the gap before it as the only separation. A blurb
/// opening inside the previous one is part of it.
fn blurbs_within(text: &str, markers: &[Marker], body: &Range<usize>) -> Vec<Range<usize>> {
    let mut blurbs: Vec<Range<usize>> = Vec::new();
    let inside = |m: &&Marker| m.kind == Kind::Blurb && m.start >= body.start && m.end <= body.end;
    for m in markers.iter().filter(inside) {
        if blurbs.last().is_some_and(|prev| m.start < prev.end) {
            continue;
        }
        let end = lines_from(&text[..body.end], m.end).find(|l| !is_blank(l.text)).map_or(body.end, |l| l.start);
        blurbs.push(m.start..end);
    }
    blurbs
}

fn header_kind(kind: Kind) -> HeaderKind {
    match kind {
        Kind::Header(h) => h,
        _ => unreachable!("only header markers end the header"),
    }
}

fn footer_kind(kind: Kind) -> FooterKind {
    match kind {
        Kind::Footer(f) => f,
        _ => unreachable!("only footer markers start the footer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(t: &str) -> &str {
        &t[locate(t).body]
    }

    #[test]
    fn header_and_footer() {
        let t = "H\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nBook\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nL\n";
        assert_eq!(body(t), "Book\n");
    }

    #[test]
    fn small_print_in_licence_after_end_is_ignored() {
        let t = "Book\n***END OF THE PROJECT GUTENBERG EBOOK X***\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*END*\nx\n";
        let l = locate(t);
        assert_eq!((l.header, &t[l.body]), (None, "Book\n"));
    }

    #[test]
    fn closing_etext_line_counts_only_after_header() {
        let t = "*****The Project Gutenberg Etext of X*****\nintro\n*END*THE SMALL PRINT!*END*\nBook\n*****The Project Gutenberg Etext of X*****\n";
        let l = locate(t);
        assert_eq!((l.footer, &t[l.body.clone()]), (Some(FooterKind::ClosingEtextLine), "Book\n"));
    }

    #[test]
    fn inner_header_is_skipped_but_quoted_start_deep_in_book_is_not() {
        let inner = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nProduced by P\n\nThe Project Gutenberg EBook of X\nTitle: X\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nBook\n";
        let l = locate(inner);
        assert_eq!((l.inner_headers, &inner[l.body]), (1, "Book\n"));
        let quoted = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nBook\n*** START OF THE PROJECT GUTENBERG EBOOK Y ***\nMore\n";
        assert_eq!(body(quoted), "Book\n*** START OF THE PROJECT GUTENBERG EBOOK Y ***\nMore\n");
    }

    #[test]
    fn blurbs_carry_their_trailing_blank_lines() {
        let t = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nA\n\n<<THIS ELECTRONIC VERSION OF X\nMEMBERSHIP.>>\n\n\nB\n";
        let l = locate(t);
        assert_eq!(l.blurbs.len(), 1);
        assert_eq!(&t[l.blurbs[0].end..], "B\n");
    }

    #[test]
    fn no_markers() {
        let l = locate("just a text\n");
        assert!(!l.markers_found());
        assert_eq!(l.body, 0..12);
    }
}
