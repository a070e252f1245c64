//! The older headers a re-released book keeps at the top of its body: their
//! first lines, the title block and paragraphs that go with them, and how
//! far from the header and how many of them there may be.

use super::ETEXT;
use crate::clean::words::W::{self, Any, One, Opt};

/// The first line of an older header a re-released book keeps at the top of
/// its body (credits and a short note may come before it).
pub(crate) const OLD_HEADER_OPENINGS: &[&[W]] = &[
    // E1 `***This is the Project Gutenberg Etext of Alice in Wonderland***`
    // (alice30), `*****The Project Gutenberg Etext of X*****` (gwork10),
    // `**The Project Gutenberg Etext of Emma, by Jane Austen**`, the copyrighted
    // etexts' `**This is a COPYRIGHTED Project Gutenberg Etext, Details Below**`;
    // E2/E3 `The Project Gutenberg EBook of X, by Y`; E4 `The Project Gutenberg eBook of X`.
    &[
        Opt(&["this"]),
        Opt(&["is"]),
        Opt(&["the", "a"]),
        Opt(&["copyrighted"]),
        One(&["project"]),
        One(&["gutenberg*"]),
        One(&["etext*", "e-text*", "ebook*", "e-book*"]),
    ],
    // E1 files re-released with only their licence kept:
    // `***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***`.
    &[One(&["start"]), Opt(&["the"]), One(&["small"]), One(&["print"])],
];

/// The lines an older header's title block may hold after its first line,
/// when no START or Small Print end follows to bound it (E1/E2 books
/// re-issued with a newer header keep `The Project Gutenberg Etext of X` /
/// `by Y` / `(#6 in our series by Y)` / `*****` just after the new START;
/// pg135-lesms10 repeats its own after the Small Print). Besides these, a
/// line of asterisks alone (see [`MIN_STAR_RULE`]), header fields (see
/// [`HEADER_FIELDS`](super::HEADER_FIELDS)) and an author line (see [`AUTHOR_LINE`]) belong to it.
/// Any other line is the book's, and ends the block.
pub(crate) const OLD_HEADER_LINES: &[&[W]] = &[
    SERIES_LINE,
    // E1/E2 `*****This file should be named lesms10.txt or lesms10.zip*****`.
    &[One(&["this"]), One(&["file"]), One(&["should"]), One(&["be"]), One(&["named"])],
    // E1/E2 `Corrected EDITIONS of our etexts get a new NUMBER, lesms11.txt.`
    // and `VERSIONS based on separate sources get new LETTER, lesms10a.txt.`
    &[One(&["corrected"]), One(&["editions"]), One(&["of"]), One(&["our"])],
    &[One(&["versions"]), One(&["based"]), One(&["on"]), One(&["separate"])],
];
/// E1/E2 `(#6 in our series by Jane Austen)`, `#2 in our series by Dr.
/// Martin Luther` (pg418-gwork10), `#7 in our series by …` (pg2229-8fau110).
pub(crate) const SERIES_LINE: &[W] = &[Any, One(&["in"]), One(&["our"]), One(&["series"])];
/// Paragraphs of an older header, taken whole with the title block when one
/// opens with these words: E3/E4 `This eBook is for the use of anyone
/// anywhere…`, E2 `Copyright laws are changing all over the world…`, `This
/// header should be the first thing seen…`, `Please read the "legal small
/// print,"…`.
pub(crate) const OLD_HEADER_PARAGRAPHS: &[&[W]] = &[
    &[One(&["this"]), One(ETEXT), One(&["is"]), One(&["for"]), One(&["the"]), One(&["use"]), One(&["of"])],
    &[One(&["copyright"]), One(&["laws"]), One(&["are"]), One(&["changing"])],
    &[One(&["this"]), One(&["header"]), One(&["should"]), One(&["be"])],
    &[One(&["please"]), One(&["read"]), One(&["the"]), One(&["legal"]), One(&["small"]), One(&["print"])],
];
/// A line of nothing but asterisks, at least this many and unspaced (`***`,
/// `*****`), closes E1/E2 title blocks and replaced the START line in E2b
/// files (pg1-when12). A spaced `*       *       *` is a book's section
/// break, and never matches.
pub(crate) const MIN_STAR_RULE: usize = 3;
/// `by Victor Hugo` under an old title line (pg135-lesms10), in the languages
/// of the corpus. Taken only right under the title line, or when a series
/// line follows it: a book may open with a line starting "By".
pub(crate) const AUTHOR_LINE: &[W] = &[One(&["by", "von", "par", "door", "di", "por", "af", "av", "de"])];
/// An author line is short; a longer line opening with "By" is prose.
pub(crate) const MAX_AUTHOR_LINE_WORDS: usize = 8;
/// An old title line that wraps ends with one of these words
/// (`The Project Gutenberg Etext of` / `Emma`).
pub(crate) const TITLE_CONNECTORS: &[&str] = &["of", "by", "and", "the"];

/// How many non-blank lines (a re-release note) may come before an older
/// header's first line. An old START right after the header must come first.
pub(crate) const MAX_LINES_BEFORE_OLD_HEADER: usize = 4;
/// How far past its first line an older header may end. The largest old
/// headers (E1 Small Print) are about 15 KB.
pub(crate) const OLD_HEADER_WINDOW: u64 = 64 * 1024;
/// A re-release of a re-release keeps two old headers; more is never seen.
pub(crate) const MAX_OLD_HEADERS: usize = 3;
