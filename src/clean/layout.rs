//! Deciding, from the markers found, where the book lies in the text, and
//! what to cut out of it.
//!
//! Owns the rules that make the cleaner robust where older strippers fail:
//! - the header ends at the first START / Small Print end that comes before
//!   any footer, so a `*END*THE SMALL PRINT` in a licence after the END line
//!   is never taken as a header;
//! - the footer starts at the first strong footer after the header, wherever
//!   it is (even in the first lines of a short book), or earlier at a closing
//!   `*****The Project Gutenberg Etext of …*****` line that `closes` the book
//!   (nothing but licence after it), so a stray such line never truncates it;
//! - credits right after the header are cut (unless kept);
//! - an older Gutenberg header kept at the top of the body (after credits and
//!   a short note, which stay) is cut, up to its own header end;
//! - licence blurbs inside the body are cut.
//!
//! It reads the text only near the header end and after the cuts, at most
//! [`CONTEXT`] bytes at a time (`source::lines_at`), never as a whole.

use std::io;
use std::ops::Range;

use super::credits::credits_end;
use super::lines::{is_blank, lines_from, starts_with_ignore_case, trim_start};
use super::markers::{FooterKind, HeaderKind, Kind, Marker};
use super::rules::{
    HEADER_FIELDS, MAX_LINES_BEFORE_OLD_HEADER, MAX_OLD_HEADERS, OLD_HEADER_OPENINGS, OLD_HEADER_WINDOW,
};
use super::source::{lines_at, Source};
use super::words::matches_any;

/// How far past a position the layout ever needs to read in one go.
pub(crate) const CONTEXT: usize = 64 * 1024;

/// Where the book is, which markers said so, and what to cut from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub header: Option<HeaderKind>,
    pub footer: Option<FooterKind>,
    /// The book between header and footer, before cuts and trimming.
    pub body: Range<u64>,
    /// Ranges to leave out of `body`, sorted by start; they may overlap.
    pub cuts: Vec<Range<u64>>,
    pub inner_headers: usize,
    pub blurbs: usize,
    pub credits_removed: bool,
}

impl Layout {
    pub fn markers_found(&self) -> bool {
        self.header.is_some() || self.footer.is_some()
    }

    /// `body` without the cuts, clipped to it.
    pub fn pieces(&self) -> Vec<Range<u64>> {
        let mut pieces = Vec::with_capacity(self.cuts.len() + 1);
        let mut from = self.body.start;
        for cut in &self.cuts {
            if cut.end <= from {
                continue;
            }
            let to = cut.start.clamp(from, self.body.end);
            if to > from {
                pieces.push(from..to);
            }
            from = cut.end.min(self.body.end);
        }
        if from < self.body.end {
            pieces.push(from..self.body.end);
        }
        pieces
    }
}

/// Finds the book in `span` of a text whose markers (in order) are `markers`.
pub(crate) fn locate(
    text: &mut dyn Source,
    markers: &[Marker],
    span: Range<u64>,
    keep_credits: bool,
) -> io::Result<Layout> {
    let strong = |m: &&Marker| m.kind.is_strong_footer();
    let first_footer = markers.iter().find(strong).map_or(span.end, |m| m.start);
    let header = first_header_before(markers, first_footer);
    let body_start = header.map_or(span.start, |h| h.end);
    let strong_footer = markers.iter().filter(|m| m.start >= body_start).find(strong);
    let limit = strong_footer.map_or(span.end, |m| m.start);

    let mut layout = Layout {
        header: header.map(|m| header_kind(m.kind)),
        footer: None,
        body: body_start..limit,
        cuts: Vec::new(),
        inner_headers: 0,
        blurbs: 0,
        credits_removed: false,
    };
    let mut content_start = body_start;
    if header.is_some() {
        content_start = cut_opening(text, markers, &mut layout, limit, keep_credits)?;
    }
    let closing = header.and_then(|_| {
        let closes = |m: &&Marker| m.kind == Kind::Footer(FooterKind::ClosingEtextLine) && m.closes;
        markers.iter().filter(|m| m.start >= content_start && m.start < limit).find(closes)
    });
    let footer = closing.or(strong_footer);
    layout.footer = footer.map(|m| footer_kind(m.kind));
    layout.body.end = footer.map_or(span.end, |m| m.start).max(body_start);
    cut_blurbs(text, markers, &mut layout, content_start)?;
    Ok(layout)
}

/// The first START / Small Print end before `limit`; only if there is none,
/// the weaker Volunteers line.
fn first_header_before(markers: &[Marker], limit: u64) -> Option<&Marker> {
    let before_limit = || markers.iter().take_while(|m| m.start < limit);
    before_limit()
        .find(|m| m.kind.is_primary_header())
        .or_else(|| before_limit().find(|m| m.kind == Kind::Header(HeaderKind::VolunteersLine)))
}

/// Cuts the credits after the header and any older header after them (then
/// the credits after that header, and so on); returns where the book's own
/// text begins, past the last older header.
fn cut_opening(
    text: &mut dyn Source,
    markers: &[Marker],
    layout: &mut Layout,
    limit: u64,
    keep_credits: bool,
) -> io::Result<u64> {
    let mut pos = layout.body.start;
    for _ in 0..MAX_OLD_HEADERS {
        let after_credits = pos + credits_end(lines_at(text, pos, limit)?) as u64;
        if after_credits > pos && !keep_credits {
            layout.cuts.push(pos..after_credits);
            layout.credits_removed = true;
        }
        let Some(old_header) = find_old_header(text, markers, after_credits, limit)? else {
            break;
        };
        pos = old_header.end;
        layout.cuts.push(old_header);
        layout.inner_headers += 1;
    }
    Ok(pos)
}

/// An older header near `from`, with the blank lines after it: it opens with
/// an old header's first line (after at most a short note) or with a START /
/// Small Print end line, and runs to the first such header end within
/// `OLD_HEADER_WINDOW`, or else to a Volunteers line and the header fields
/// after it. Without such an end it is no header, and stays.
fn find_old_header(text: &mut dyn Source, markers: &[Marker], from: u64, limit: u64) -> io::Result<Option<Range<u64>>> {
    let near = lines_at(text, from, limit)?;
    let mut opening = None;
    for (n, line) in lines_from(near, 0).filter(|l| !is_blank(l.text)).take(MAX_LINES_BEFORE_OLD_HEADER + 1).enumerate()
    {
        let at = from + line.start as u64;
        let header_line = n == 0 && marker_at(markers, at).is_some_and(|m| m.kind.is_primary_header());
        if header_line || matches_any(line.text, OLD_HEADER_OPENINGS) {
            opening = Some(at);
            break;
        }
    }
    let Some(opening) = opening else { return Ok(None) };
    let window_end = limit.min(opening + OLD_HEADER_WINDOW);
    let candidates = || markers.iter().filter(|m| m.start >= opening && m.start < window_end);
    let end = candidates()
        .find(|m| m.kind.is_primary_header())
        .or_else(|| candidates().find(|m| m.kind == Kind::Header(HeaderKind::VolunteersLine)));
    let Some(end) = end else { return Ok(None) };
    let fields = end.kind == Kind::Header(HeaderKind::VolunteersLine);
    let stop = skip_lines(text, end.end, limit, |l| is_blank(l) || (fields && is_header_field(l)))?;
    Ok(Some(opening..stop))
}

fn is_header_field(line: &[u8]) -> bool {
    let line = trim_start(line);
    HEADER_FIELDS.iter().any(|f| starts_with_ignore_case(line, f))
}

/// Blurbs wholly inside the body, each extended over the blank lines after it
/// so that removing it leaves the gap before it as the only separation. A
/// blurb opening inside the previous one is part of it.
fn cut_blurbs(text: &mut dyn Source, markers: &[Marker], layout: &mut Layout, from: u64) -> io::Result<()> {
    let body_end = layout.body.end;
    let mut last_end = 0;
    for m in markers.iter().filter(|m| m.kind == Kind::Blurb && m.start >= from && m.end <= body_end) {
        if m.start < last_end {
            continue;
        }
        last_end = skip_lines(text, m.end, body_end, is_blank)?;
        layout.cuts.push(m.start..last_end);
        layout.blurbs += 1;
    }
    Ok(())
}

/// The start of the first line at or after `pos` that `skip` refuses, or
/// `end` (or as far as one read reaches) if there is none.
fn skip_lines(text: &mut dyn Source, pos: u64, end: u64, skip: impl Fn(&[u8]) -> bool) -> io::Result<u64> {
    let near = lines_at(text, pos, end)?;
    let stop = lines_from(near, 0).find(|l| !skip(l.text)).map_or(near.len(), |l| l.start);
    Ok(pos + stop as u64)
}

fn marker_at(markers: &[Marker], at: u64) -> Option<&Marker> {
    markers.binary_search_by_key(&at, |m| m.start).ok().map(|i| &markers[i])
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

/// At most `max` bytes of `bytes`, cut back to a line end unless all of it
/// fits (`reaches_end`: it ends where the caller's range does). A single line
/// longer than `max` is returned cut at `max`.
pub(crate) fn whole_lines(bytes: &[u8], max: usize, reaches_end: bool) -> &[u8] {
    if bytes.len() <= max && reaches_end {
        return bytes;
    }
    let head = &bytes[..max.min(bytes.len())];
    match memchr::memrchr(b'\n', head) {
        Some(i) => &head[..=i],
        None => head,
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::super::source::MemSource;
    use super::*;

    fn locate_in(t: &str) -> Layout {
        locate(&mut MemSource::new(t, 64), &scan(t.as_bytes()), 0..t.len() as u64, false).unwrap()
    }

    fn body(t: &str) -> String {
        let l = locate_in(t);
        l.pieces().into_iter().map(|p| &t[p.start as usize..p.end as usize]).collect()
    }

    #[test]
    fn header_and_footer() {
        let t = "H\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nBook\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nL\n";
        assert_eq!(body(t), "Book\n");
    }

    #[test]
    fn small_print_in_licence_after_end_is_ignored() {
        let t = "Book\n***END OF THE PROJECT GUTENBERG EBOOK X***\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*END*\nx\n";
        assert_eq!((locate_in(t).header, body(t).as_str()), (None, "Book\n"));
    }

    #[test]
    fn closing_etext_line_counts_only_after_header_and_at_the_end() {
        let t = "*****The Project Gutenberg Etext of X*****\nintro\n*END*THE SMALL PRINT!*END*\nBook\n*****The Project Gutenberg Etext of X*****\n";
        assert_eq!((locate_in(t).footer, body(t).as_str()), (Some(FooterKind::ClosingEtextLine), "Book\n"));
        let mid = "*END*THE SMALL PRINT!*END*\nOne\n*****The Project Gutenberg Etext of Two*****\nTwo\n";
        assert_eq!((locate_in(mid).footer, body(mid).as_str()), (None, &mid[27..]));
    }

    #[test]
    fn inner_header_is_cut_but_quoted_start_deep_in_book_is_not() {
        let inner = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nProduced by P\n\nThe Project Gutenberg EBook of X\nTitle: X\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nBook\n";
        assert_eq!((locate_in(inner).inner_headers, body(inner).as_str()), (1, "\nBook\n"));
        let quoted = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nBook\n*** START OF THE PROJECT GUTENBERG EBOOK Y ***\nMore\n";
        assert_eq!(body(quoted), "Book\n*** START OF THE PROJECT GUTENBERG EBOOK Y ***\nMore\n");
    }

    #[test]
    fn a_note_before_an_inner_header_stays() {
        let t = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n[Note: a re-release.]\n\n\
                 The Project Gutenberg EBook of X\n\n***START OF THE PROJECT GUTENBERG EBOOK X***\n\nBook\n";
        assert_eq!(body(t), "[Note: a re-release.]\n\nBook\n");
    }

    #[test]
    fn blurbs_carry_their_trailing_blank_lines() {
        let t = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nA\n\n<<THIS ELECTRONIC VERSION OF X\nMEMBERSHIP.>>\n\n\nB\n";
        assert_eq!((locate_in(t).blurbs, body(t).as_str()), (1, "A\n\nB\n"));
    }

    #[test]
    fn pieces_are_clipped_to_the_body_and_to_each_other() {
        let mut l = locate_in("x\n");
        (l.body, l.cuts) = (0..10, vec![2..4, 6..8]);
        assert_eq!(l.pieces(), vec![0..2, 4..6, 8..10]);
        (l.body, l.cuts) = (5..10, vec![2..6, 4..8]);
        assert_eq!(l.pieces(), vec![8..10]);
        (l.body, l.cuts) = (0..10, vec![2..4, 9..12]);
        assert_eq!(l.pieces(), vec![0..2, 4..9]);
    }

    #[test]
    fn no_markers() {
        let l = locate_in("just a text\n");
        assert!(!l.markers_found());
        assert_eq!(l.body, 0..12);
    }

    #[test]
    fn whole_lines_cut_at_a_line_end() {
        assert_eq!(whole_lines(b"ab\ncd\nef", 7, false), b"ab\ncd\n");
        assert_eq!(whole_lines(b"ab\ncd", 9, true), b"ab\ncd");
        assert_eq!(whole_lines(b"abcdef", 3, false), b"abc");
    }
}
