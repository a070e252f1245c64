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
//! - what opens the body before the book (a metadata block, credits, older
//!   headers) is cut, as `opening` finds it; a metadata block at the top of
//!   a text with a footer but no header marker is its header;
//! - licence blurbs inside the body are cut.
//!
//! It reads the text only near the header end and after the cuts, at most
//! [`CONTEXT`] bytes at a time (`source::lines_at`), never as a whole.

use std::io;
use std::ops::Range;

use super::lines::{is_blank, lines_from};
use super::markers::{FooterKind, HeaderKind, Kind, Marker};
use super::opening::{cut_opening, header_tail_end, metadata_header_end};
use super::source::{lines_at, Source};

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
    let mut body_start = header.map_or(span.start, |h| h.end);
    let strong_footer = markers.iter().filter(|m| m.start >= body_start).find(strong);
    let limit = strong_footer.map_or(span.end, |m| m.start);

    let mut header_kind = header.map(|m| header_kind(m.kind));
    if header.is_some() {
        body_start = header_tail_end(text, body_start, limit)?;
    } else if strong_footer.is_some() {
        // A START line cut away: the metadata block still says where the header ends.
        if let Some(end) = metadata_header_end(text, body_start, limit)? {
            (body_start, header_kind) = (end, Some(HeaderKind::MetadataBlock));
        }
    }
    let mut layout = Layout {
        header: header_kind,
        footer: None,
        body: body_start..limit,
        cuts: Vec::new(),
        inner_headers: 0,
        blurbs: 0,
        credits_removed: false,
    };
    let mut content_start = body_start;
    if header_kind.is_some() {
        content_start = cut_opening(text, markers, &mut layout, limit, keep_credits)?;
    }
    let closing = header_kind.and_then(|_| {
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
pub(super) fn skip_lines(text: &mut dyn Source, pos: u64, end: u64, skip: impl Fn(&[u8]) -> bool) -> io::Result<u64> {
    let near = lines_at(text, pos, end)?;
    let stop = lines_from(near, 0).find(|l| !skip(l.text)).map_or(near.len(), |l| l.start);
    Ok(pos + stop as u64)
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
