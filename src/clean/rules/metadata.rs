//! The header's metadata fields (`Title:`, `Release Date:` …), where a block
//! of them counts as header, and the charset declaration `decode` reads.

use crate::clean::words::W::{self, Any, One, Opt};

/// Gutenberg's metadata block (`Title:`, `Author:`, `Release Date:`,
/// `Language:`, `Character set encoding:`; E2 2000–2003 after the Volunteers
/// line, E2b before a bare `***` line, E3/E4 before the START line). It is
/// header wherever it opens what would be the body:
/// - right after a header end: E2b's Volunteers line (pg1-when12), or an old
///   header's;
/// - at the top of a text whose START line was cut away but whose footer is
///   there (E3/E4 files trimmed by whoever stored them), alone or under the
///   Gutenberg title line and its licence paragraph (see
///   [`MAX_LINES_BEFORE_METADATA`]).
///
/// Its lines are these fields, compared case-insensitively as prefixes after
/// indentation (and the charset line, however misspelt: see
/// [`CHARSET_DECLARATION`]), each with the lines that continue it: indented
/// (`Title: Op Hoop van Zegen` / `       Spel van de Zee`, pg65164) or after
/// a line that visibly goes on (`Title: The Mirror of Literature, Amusement,
/// and Instruction, Vol. 10,` / `Issue 268, August 11, 1827`, pg10026; see
/// [`CREDIT_CONNECTORS`](super::CREDIT_CONNECTORS)), and blank lines.
pub(crate) const HEADER_FIELDS: &[&[u8]] = &[
    b"title:",
    b"author:",
    b"authors:",
    b"editor:",
    b"translator:",
    b"illustrator:",
    b"release date:",
    b"posting date:",
    b"last updated:",
    b"edition:",
    b"language:",
    b"character set encoding:",
    b"[most recently updated",
    b"[date last updated",
    b"[last updated",
    b"[this file was first posted",
    // E3 `[This file last updated on August 4, 2010]` (pg2229).
    b"[this file last updated",
    b"[this file was last updated",
    b"[yes, we are more than one year ahead of schedule",
    // E4 (2020+): `Most recently updated:` indented under `Release date:` (pg1232).
    b"most recently updated:",
    b"original publication:",
    b"contributor:",
];
/// At the top of a text without header marker, a block of fewer field lines
/// is a book's own `Title:` line, and stays (after a header end, one is header).
pub(crate) const MIN_METADATA_FIELDS: usize = 2;
/// A text without START opens with its metadata block, or with the Gutenberg
/// title line (see [`GUTENBERG_TITLE_LINE`]) and at most this many more
/// non-blank lines (E3/E4's licence paragraph is six to eight) before it.
pub(crate) const MAX_LINES_BEFORE_METADATA: usize = 16;
/// The first line of E2–E4 headers: `The Project Gutenberg EBook of X`,
/// `The Project Gutenberg eBook, Marianela` (pg17340), `Project Gutenberg's X,
/// by Y` (pg1013), `Project Gutenberg’s X` (pg41, curly apostrophe).
pub(crate) const GUTENBERG_TITLE_LINE: &[W] = &[Opt(&["the"]), One(&["project"]), One(&["gutenberg*"])];

/// E2–E4 `Character set encoding: ISO-8859-1`, also misspelt `Chatacter`
/// (pg10026) and `Charcter`: the first word is not checked.
pub(crate) const CHARSET_DECLARATION: &[W] = &[Any, One(&["set"]), One(&["encoding"])];
/// Only the header declares a charset; the largest headers (E1 Small Print)
/// are about 15 KB, so looking further only risks matching book text.
pub(crate) const DECLARATION_WINDOW: usize = 32 * 1024;
