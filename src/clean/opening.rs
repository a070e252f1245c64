//! What opens the body before the book's own text: the rest of the header
//! that no marker closes, credit paragraphs, and older headers a re-released
//! book keeps. `layout` asks it where the header really ends and where the
//! book's text begins; the vocabulary is in `rules`.
//!
//! Three shapes of header outlast their markers:
//! - Gutenberg's metadata block (`Title:`, `Release Date:`, …) after a header
//!   end that comes before it (E2b's Volunteers line), or opening a text
//!   whose START line was cut away;
//! - an older header whose START or Small Print end is kept: cut up to it;
//! - an older header's title block with no such end (`The Project Gutenberg
//!   Etext of X` / `by Y` / `(#6 in our series by Y)` / `***`): cut line by
//!   line, only as far as every line is of a kind that such a block holds,
//!   so the title page after it stays.
//!
//! Everything here reads at most [`CONTEXT`](super::layout::CONTEXT) bytes
//! from a position (`source::lines_at`).

use std::io;
use std::ops::Range;

use super::credits::{credits_end, ends_with_connector};
use super::layout::{skip_lines, Layout};
use super::lines::{is_blank, is_space, lines_from, starts_with_ignore_case, trim_end, trim_start};
use super::markers::{HeaderKind, Kind, Marker};
use super::rules::{
    AUTHOR_LINE, CHARSET_DECLARATION, GUTENBERG_TITLE_LINE, HEADER_FIELDS, MAX_AUTHOR_LINE_WORDS,
    MAX_LINES_BEFORE_METADATA, MAX_LINES_BEFORE_OLD_HEADER, MAX_OLD_HEADERS, MIN_METADATA_FIELDS, MIN_STAR_RULE,
    OLD_HEADER_LINES, OLD_HEADER_OPENINGS, OLD_HEADER_PARAGRAPHS, OLD_HEADER_WINDOW, SERIES_LINE, TITLE_CONNECTORS,
};
use super::source::{lines_at, Source};
use super::words::{matches_any, word_is, Words};

/// Where a header that ends at `pos` really ends: past the blank lines, a
/// metadata block and a line of asterisks that follow it.
pub(crate) fn header_tail_end(text: &mut dyn Source, pos: u64, limit: u64) -> io::Result<u64> {
    let near = lines_at(text, pos, limit)?;
    let start = first_non_blank(near, 0);
    // After a header end, one field line is enough to be header.
    let end = metadata_block_end(near, start, 1).unwrap_or(start);
    Ok(pos + star_rules_end(near, end) as u64)
}

/// For a text with a footer but no header marker: where the header ends if
/// the text opens with a metadata block, alone or under the Gutenberg title
/// line (and its licence paragraph); `None` otherwise.
pub(crate) fn metadata_header_end(text: &mut dyn Source, pos: u64, limit: u64) -> io::Result<Option<u64>> {
    let near = lines_at(text, pos, limit)?;
    let mut lines = lines_from(near, 0).filter(|l| !is_blank(l.text));
    let Some(first) = lines.next() else { return Ok(None) };
    let opening = if is_header_field(first.text) {
        Some(first.start)
    } else if matches_any(first.text, &[GUTENBERG_TITLE_LINE]) {
        lines.take(MAX_LINES_BEFORE_METADATA).find(|l| is_header_field(l.text)).map(|l| l.start)
    } else {
        None
    };
    let end = opening.and_then(|at| metadata_block_end(near, at, MIN_METADATA_FIELDS));
    Ok(end.map(|end| pos + star_rules_end(near, end) as u64))
}

/// Cuts the credits after the header and any older header after them (then
/// the credits after that header, and so on); returns where the book's own
/// text begins, past the last older header.
pub(crate) fn cut_opening(
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

/// An older header near `from`, with what follows it up to the book: it
/// opens with an old header's first line (after at most a short note) or
/// with a START / Small Print end line, and runs to the first such header end
/// within `OLD_HEADER_WINDOW` (or else to a Volunteers line), then over a
/// metadata block after it. Without such an end, an old title line that
/// opens the body is cut with its title block; anything else stays.
fn find_old_header(text: &mut dyn Source, markers: &[Marker], from: u64, limit: u64) -> io::Result<Option<Range<u64>>> {
    let near = lines_at(text, from, limit)?;
    let mut opening = None;
    for (n, line) in lines_from(near, 0).filter(|l| !is_blank(l.text)).take(MAX_LINES_BEFORE_OLD_HEADER + 1).enumerate()
    {
        let at = from + line.start as u64;
        let header_line = n == 0 && marker_at(markers, at).is_some_and(|m| m.kind.is_primary_header());
        if header_line || matches_any(line.text, OLD_HEADER_OPENINGS) {
            opening = Some((at, header_line, n == 0));
            break;
        }
    }
    let Some((opening, header_line, first)) = opening else { return Ok(None) };
    let window_end = limit.min(opening + OLD_HEADER_WINDOW);
    let candidates = || markers.iter().filter(|m| m.start >= opening && m.start < window_end);
    let end = candidates()
        .find(|m| m.kind.is_primary_header())
        .or_else(|| candidates().find(|m| m.kind == Kind::Header(HeaderKind::VolunteersLine)));
    match end {
        Some(end) => Ok(Some(opening..header_tail_end(text, end.end, limit)?)),
        // A title block opens the body (after credits), or it is a title.
        None if !header_line && first => {
            let block = title_block_end(lines_at(text, opening, limit)?);
            Ok(Some(opening..skip_lines(text, opening + block as u64, limit, is_blank)?))
        }
        None => Ok(None),
    }
}

/// The end of an old title block that opens `near` with its title line: the
/// lines after it while each is of a kind such a block holds (see
/// `rules::OLD_HEADER_LINES`). An author line or a wrapped title's end is
/// taken only in the title line's own paragraph, or (an author line) when a
/// series line follows.
fn title_block_end(near: &[u8]) -> usize {
    let Some(title) = lines_from(near, 0).next() else { return 0 };
    let (mut end, mut last, mut same_paragraph) = (title.next, title.text, true);
    let mut lines = lines_from(near, title.next);
    while let Some(line) = lines.next() {
        let t = line.text;
        if is_blank(t) {
            same_paragraph = false;
            continue;
        }
        if matches_any(t, OLD_HEADER_PARAGRAPHS) {
            // The whole paragraph, to its blank line.
            end = lines_from(near, line.start).find(|l| is_blank(l.text)).map_or(near.len(), |l| l.start);
            lines = lines_from(near, end);
            same_paragraph = false;
            continue;
        }
        let author = is_author_line(t);
        let taken = is_old_header_line(t)
            || (same_paragraph && (author || ends_with_title_connector(last)))
            || (author && series_line_follows(near, line.next));
        if !taken {
            break;
        }
        (end, last) = (line.next, t);
    }
    end
}

/// A line of a title block (a second title line too: the copyrighted
/// etexts' `**This is a COPYRIGHTED Project Gutenberg Etext, Details Below**`
/// comes over `The Project Gutenberg Etext of X`, pg1619).
fn is_old_header_line(line: &[u8]) -> bool {
    is_star_rule(line)
        || is_header_field(line)
        || matches_any(line, OLD_HEADER_LINES)
        || matches_any(line, OLD_HEADER_OPENINGS)
}

fn is_author_line(line: &[u8]) -> bool {
    let words = Words::of(line);
    words.matches(AUTHOR_LINE) && words.get(MAX_AUTHOR_LINE_WORDS).is_none()
}

fn series_line_follows(near: &[u8], from: usize) -> bool {
    let next = lines_from(near, from).find(|l| !is_blank(l.text));
    next.is_some_and(|l| matches_any(l.text, &[SERIES_LINE]))
}

fn ends_with_title_connector(line: &[u8]) -> bool {
    let line = trim_end(line);
    let line = &line[..line.len() - line.iter().rev().take_while(|&&b| b == b'*').count()];
    let word = line.rsplit(|&b| is_space(b)).next().unwrap_or(line);
    word_is(word, TITLE_CONNECTORS)
}

/// A line of nothing but unspaced asterisks (`***`).
fn is_star_rule(line: &[u8]) -> bool {
    let line = trim_end(trim_start(line));
    line.len() >= MIN_STAR_RULE && line.iter().all(|&b| b == b'*')
}

/// Offset past the metadata block whose first field line starts at `at`
/// (its field lines, the indented lines continuing them, blank lines between
/// them), or `None` if it holds fewer than `min_fields` fields.
fn metadata_block_end(near: &[u8], at: usize, min_fields: usize) -> Option<usize> {
    let (mut fields, mut end, mut continues, mut last): (_, _, _, &[u8]) = (0, at, false, b"");
    for line in lines_from(near, at) {
        let t = line.text;
        if is_blank(t) {
            continues = false;
            continue;
        }
        if is_header_field(t) {
            fields += 1;
            continues = true;
        } else if !(continues && (t.first().is_some_and(|&b| is_space(b)) || ends_with_connector(last))) {
            break;
        }
        (end, last) = (line.next, t);
    }
    (fields >= min_fields.max(1)).then_some(end)
}

/// Offset past the blank lines and lines of asterisks from `at`.
fn star_rules_end(near: &[u8], at: usize) -> usize {
    lines_from(near, at).find(|l| !is_blank(l.text) && !is_star_rule(l.text)).map_or(near.len(), |l| l.start)
}

fn first_non_blank(near: &[u8], at: usize) -> usize {
    lines_from(near, at).find(|l| !is_blank(l.text)).map_or(near.len(), |l| l.start)
}

fn is_header_field(line: &[u8]) -> bool {
    let line = trim_start(line);
    HEADER_FIELDS.iter().any(|f| starts_with_ignore_case(line, f)) || matches_any(line, &[CHARSET_DECLARATION])
}

fn marker_at(markers: &[Marker], at: u64) -> Option<&Marker> {
    markers.binary_search_by_key(&at, |m| m.start).ok().map(|i| &markers[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title_block(t: &str) -> &str {
        &t[title_block_end(t.as_bytes())..]
    }

    #[test]
    fn an_old_title_block_ends_where_the_book_begins() {
        // E1/E2 re-released under a newer header.
        let t =
            "The Project Gutenberg Etext of Emma, by Jane Austen\nby Jane Austen\n(#6 in our series by Jane Austen)\n\
                 *****\n\nEMMA\n\nby Jane Austen\n";
        assert_eq!(title_block(t), "\nEMMA\n\nby Jane Austen\n");
        // pg135-lesms10: file-name and editions lines.
        let t = "*******The Project Gutenberg Etext of \"Les Miserables\"*******\n   by Victor Hugo\n\
                 *****This file should be named lesms10.txt or lesms10.zip*****\n\n\
                 Corrected EDITIONS of our etexts get a new NUMBER, lesms11.txt.\n\
                 VERSIONS based on separate sources get new LETTER, lesms10a.txt.\n\nThis etext was typed by J.\n";
        assert_eq!(title_block(t), "\nThis etext was typed by J.\n");
        // E3/E4: the title line and its licence paragraph, then metadata.
        let t =
            "The Project Gutenberg EBook of X, by Y\n\nThis eBook is for the use of anyone anywhere at no cost and\n\
                 with almost no restrictions whatsoever.\n\nTitle: X\n\nAuthor: Y\n\nCHAPTER I\n";
        assert_eq!(title_block(t), "\nCHAPTER I\n");
    }

    #[test]
    fn a_title_page_after_an_old_title_line_stays() {
        let t = "The Project Gutenberg Etext of Emma\n\nby the sea we sat, and the\nwaves came in.\n";
        assert_eq!(title_block(t), "\nby the sea we sat, and the\nwaves came in.\n");
        let t = "The Project Gutenberg Etext of\nEmma\n\nBy the waters of Babylon\nwe sat down\n";
        assert_eq!(title_block(t), "\nBy the waters of Babylon\nwe sat down\n");
        let t = "**The Project Gutenberg Etext of Emma**\nCHAPTER I\n";
        assert_eq!(title_block(t), "CHAPTER I\n");
        let t = "The Project Gutenberg Etext of Emma\n\n*       *       *\n\nCHAPTER I\n";
        assert_eq!(title_block(t), "\n*       *       *\n\nCHAPTER I\n");
    }

    #[test]
    fn a_metadata_block_with_its_continuations() {
        let t = "Title: Op Hoop van Zegen\n       Spel van de Zee\n\nAuthor: H\n\nRelease date: 2021\n                \
                 Most recently updated: 2022\n\nLanguage: Dutch\n\n***\n\nDOOR\n";
        let end = metadata_block_end(t.as_bytes(), 0, 2).unwrap();
        assert_eq!(&t[star_rules_end(t.as_bytes(), end)..], "DOOR\n");
        assert_eq!(metadata_block_end(b"Title: The Book\n\nCHAPTER I\n", 0, 2), None);
        assert_eq!(metadata_block_end(b"Title: X\nAuthor: Y\nThe book begins.\n", 0, 2), Some(19));
        // pg10026: a title wrapped without indentation, a misspelt charset line.
        let t = "Title: The Mirror, Vol. 10,\nIssue 268\n\nAuthor: V\n\nChatacter set encoding: US-ASCII\n\nE-text\n";
        assert_eq!(&t[metadata_block_end(t.as_bytes(), 0, 2).unwrap()..], "\nE-text\n");
    }

    fn header_end(t: &str) -> Option<&str> {
        let mut src = super::super::source::MemSource::new(t, 64);
        let end = metadata_header_end(&mut src, 0, t.len() as u64).unwrap();
        end.map(|e| &t[e as usize..])
    }

    #[test]
    fn a_text_without_start_opens_with_its_metadata() {
        // E3/E4 with only the START line cut away, and with all above it cut.
        let e4 = "The Project Gutenberg eBook of X\n\nThis ebook is for the use of anyone anywhere.\n\n\
                  Title: X\n\nAuthor: Y\n\nRelease date: May 1, 2020 [eBook #1]\n\nLanguage: English\n\n\nCHAPTER I\n";
        assert_eq!(header_end(e4), Some("CHAPTER I\n"));
        assert_eq!(header_end("Title: X\nAuthor: Y\nCharacter set encoding: ASCII\n\nX\n"), Some("X\n"));
        let e3 = "Project Gutenberg\u{2019}s X, by Y\n\nThis eBook is for the use of anyone.\n\nTitle: X\n\n\
                  Posting Date: June 25, 2008 [EBook #41]\nRelease Date: October, 1992\n\n\nProduced by Z\n";
        assert_eq!(header_end(e3), Some("Produced by Z\n"));
        // A book that opens with its own title and prose keeps it.
        assert_eq!(header_end("EMMA\n\nTitle: a song\nAuthor: a bird\n"), None);
        assert_eq!(header_end("Title: The Book\n\nCHAPTER I\n"), None);
    }

    #[test]
    fn star_rules_and_connectors() {
        assert!(is_star_rule(b"***") && is_star_rule(b" ***** ") && !is_star_rule(b"*  *  *") && !is_star_rule(b"**"));
        assert!(
            ends_with_title_connector(b"**The Project Gutenberg Etext of") && !ends_with_title_connector(b"Emma**")
        );
        assert!(
            is_author_line(b"  by Victor Hugo") && !is_author_line(b"By the time he had walked to the end of the lane")
        );
    }
}
