//! Every rule the cleaner knows, as data, in one place: the marker lines of
//! each era, the older headers re-released books keep in their body, what may
//! follow a closing line, the header fields, the credit paragraphs after the
//! header, the in-body licence blurb, the charset declaration and the limits.
//!
//! Each rule names the era or the book it exists for. Eras are those of
//! `../shared/corpus/SOURCES.md`: E1 "Small Print" files (1991–2001),
//! E2 early 2000s (`***START OF THE PROJECT GUTENBERG EBOOK`, no space),
//! E3 2004–2019 (`*** START OF THIS …`), E4 post-2020 (`*** START OF THE …`,
//! BOM), E5 2023+ stubs (START and END only).
//!
//! Word patterns are [`W`] steps (see `words`), so case, spacing and
//! asterisks never matter. The code that applies the rules (`markers`,
//! `scan`, `layout`, `credits`, `decode`) holds no vocabulary of its own.

use super::markers::{FooterKind, HeaderKind, Kind};
use super::words::W::{self, Any, One, Opt, Skip};

/// How a marker line opens, after its indentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opening {
    /// With asterisks: `*** START OF …`.
    Stars,
    /// With the rule's first word: `End of …`.
    Plain,
    /// Either way.
    Either,
    /// With `<<`.
    Angles,
}

/// How far a marker runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Extent {
    /// Its own line.
    Line,
    /// To the line holding the closing asterisks, when the title wraps.
    ToClosingStars,
    /// To the end of the licence blurb (see [`BLURB_CLOSE`]).
    Blurb,
}

/// A marker line: what it means, and how to recognise it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MarkerRule {
    pub kind: Kind,
    pub opening: Opening,
    pub words: &'static [W],
    /// The line must also end with an asterisk.
    pub ends_with_star: bool,
    pub extent: Extent,
}

const fn rule(kind: Kind, opening: Opening, words: &'static [W]) -> MarkerRule {
    MarkerRule { kind, opening, words, ends_with_star: false, extent: Extent::Line }
}

const ETEXT: &[&str] = &["etext", "e-text", "ebook", "e-book"];
/// The words of a footer both as the starred END marker and as the plain
/// line before it: `End of (the/this) [Copyrighted] Project Gutenberg…`.
/// Every spelling of the family: `End of Project Gutenberg's X`, `End of the
/// Project Gutenberg EBook`, `End of this Project Gutenberg E-text`
/// (pg1000-old), `End of the Copyrighted Project Gutenberg`, and E1's `End of
/// this is COPYRIGHTED Project Gutenberg Etext, Details Below` (pg1619).
const END_OF_PROJECT_GUTENBERG: &[W] =
    &[One(&["end"]), One(&["of"]), PG_AFTER_OF[0], PG_AFTER_OF[1], PG_AFTER_OF[2], PG_AFTER_OF[3], PG_AFTER_OF[4]];
/// What may come between OF and the name in a closing line, and the name.
const PG_AFTER_OF: [W; 5] =
    [Opt(&["the", "this"]), Opt(&["is"]), Opt(&["copyrighted"]), One(&["project"]), One(&["gutenberg*"])];
/// The same closing line with words in front (E1, 1990s): `The end of Project
/// Gutenberg etext of "Les Miserables"` (pg135-lesms10), `The End of Project
/// Gutenberg Etext of Hamlet` (pg1524).
const THE_END_OF_PROJECT_GUTENBERG: &[W] = &[
    One(&["the"]),
    One(&["end"]),
    One(&["of"]),
    PG_AFTER_OF[0],
    PG_AFTER_OF[1],
    PG_AFTER_OF[2],
    PG_AFTER_OF[3],
    PG_AFTER_OF[4],
];
/// E1 `This is the end of the Project Gutenberg Edition of DE BELLO GALLICO`
/// (pg218-galli10).
const THIS_IS_THE_END_OF_PROJECT_GUTENBERG: &[W] = &[
    One(&["this"]),
    One(&["is"]),
    Opt(&["the"]),
    One(&["end"]),
    One(&["of"]),
    PG_AFTER_OF[0],
    PG_AFTER_OF[1],
    PG_AFTER_OF[2],
    PG_AFTER_OF[3],
    PG_AFTER_OF[4],
];
/// `End of this Etext…`, starred or plain (1990s Shakespeare), and `End of
/// the E-text`.
const END_OF_THIS_ETEXT: &[W] = &[One(&["end"]), One(&["of"]), One(&["this", "the"]), One(ETEXT)];
/// The same with words in front: `The end of this etext of X`, `This is the
/// end of the eBook`.
const THE_END_OF_THIS_ETEXT: &[W] = &[One(&["the"]), One(&["end"]), One(&["of"]), One(&["this", "the"]), One(ETEXT)];
const THIS_IS_THE_END_OF_THIS_ETEXT: &[W] =
    &[One(&["this"]), One(&["is"]), Opt(&["the"]), One(&["end"]), One(&["of"]), One(&["this", "the"]), One(ETEXT)];
const START: Kind = Kind::Header(HeaderKind::StartLine);
const SMALL_PRINT_END: Kind = Kind::Header(HeaderKind::SmallPrintEnd);
const VOLUNTEERS: Kind = Kind::Header(HeaderKind::VolunteersLine);
const END_MARKER: Kind = Kind::Footer(FooterKind::EndMarker);
const END_LINE: Kind = Kind::Footer(FooterKind::EndOfBookLine);

/// The marker lines, tried in this order; the first that matches wins.
pub(crate) const MARKERS: &[MarkerRule] = &[
    // E2 `***START OF THE PROJECT GUTENBERG EBOOK X` (no space; the title may
    // wrap over lines, pg10026), E3 `*** START OF THIS PROJECT GUTENBERG
    // EBOOK X ***`, E4/E5 `*** START OF THE …`, and the copyrighted books'
    // `*** START OF THE COPYRIGHTED PROJECT GUTENBERG EBOOK X ***`. The
    // licence's `*** START: FULL LICENSE ***` has no OF and never matches.
    MarkerRule {
        extent: Extent::ToClosingStars,
        ..rule(
            START,
            Opening::Stars,
            &[
                One(&["start"]),
                One(&["of"]),
                Opt(&["the", "this"]),
                Opt(&["copyrighted"]),
                One(&["project"]),
                One(&["gutenberg*"]),
            ],
        )
    },
    // Late E1 and E2 (2000–2003): `*****These eBooks Were Prepared By
    // Thousands of Volunteers!*****`, the header's last line when no START
    // follows; early E1: `*These Etexts Prepared By Hundreds of Volunteers and
    // Donations*` (alice30). Only used when nothing better ends the header.
    rule(
        VOLUNTEERS,
        Opening::Either,
        &[One(&["these"]), Any, Opt(&["were"]), One(&["prepared"]), One(&["by"]), One(&["thousands", "hundreds"])],
    ),
    // E1 Small Print end: `*END*THE SMALL PRINT! FOR PUBLIC DOMAIN
    // ETEXTS*Ver.04.29.93*END*` (alice30, gwork10), `*END THE SMALL PRINT! FOR
    // PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*`, `**END*SMALL PRINT`, and the
    // copyrighted etexts' `*END*THE SMALL PRINT! FOR COPYRIGHT PROTECTED ETEXTS*END*`.
    rule(SMALL_PRINT_END, Opening::Either, &[One(&["end"]), Opt(&["the"]), One(&["small"]), One(&["print"])]),
    // E1 copyrighted etexts whose Small Print ends the other way round:
    // `*SMALL PRINT! Ver.04.29.93 FOR COPYRIGHT PROTECTED ETEXTS*END*` (pg1619).
    // Only with the closing asterisk, so that a heading `SMALL PRINT …` in a
    // licence never ends a header.
    MarkerRule {
        ends_with_star: true,
        ..rule(SMALL_PRINT_END, Opening::Stars, &[One(&["small"]), One(&["print"]), Skip(6), One(&["end"])])
    },
    // E2–E5 footer `*** END OF THE/THIS [COPYRIGHTED] PROJECT GUTENBERG EBOOK X ***`.
    rule(END_MARKER, Opening::Stars, END_OF_PROJECT_GUTENBERG),
    // 1990s Shakespeare (World Library) `*** END OF THIS ETEXT …`.
    rule(END_MARKER, Opening::Stars, END_OF_THIS_ETEXT),
    // E3's line before the END marker `End of Project Gutenberg's X, by Y`
    // (pg1013), `End of the Project Gutenberg EBook of X` (pg22367), and E1's
    // `End of The Project Gutenberg Etext of X`.
    rule(END_LINE, Opening::Plain, END_OF_PROJECT_GUTENBERG),
    // E1 Shakespeare `End of this Etext of The Complete Works of William Shakespeare`.
    rule(END_LINE, Opening::Plain, END_OF_THIS_ETEXT),
    // E1 closing lines that do not open with "End of" (see the word lists
    // above); starred or plain, as E1 wrote its title lines both ways.
    rule(END_LINE, Opening::Either, THE_END_OF_PROJECT_GUTENBERG),
    rule(END_LINE, Opening::Either, THIS_IS_THE_END_OF_PROJECT_GUTENBERG),
    rule(END_LINE, Opening::Either, THE_END_OF_THIS_ETEXT),
    rule(END_LINE, Opening::Either, THIS_IS_THE_END_OF_THIS_ETEXT),
    // German E3 editions (Kafka, pg22367): `Ende dieses Projekt Gutenberg
    // Etextes X`, `Ende des Projekt Gutenberg-Etextes`.
    rule(
        Kind::Footer(FooterKind::German),
        Opening::Either,
        &[One(&["ende"]), Skip(3), One(&["projekt", "project"]), One(&["gutenberg*"])],
    ),
    // German E1 etexts (late 1990s): a bare `Ende dieses Etextes.`.
    rule(
        Kind::Footer(FooterKind::German),
        Opening::Either,
        &[One(&["ende"]), One(&["dieses", "des"]), One(&["etext*", "e-text*"])],
    ),
    // French E3 editions: `Fin de Project Gutenberg's Les Misérables`,
    // `Fin du Projet Gutenberg Candide`, `Fin de l'oeuvre du Projet Gutenberg`.
    rule(
        Kind::Footer(FooterKind::French),
        Opening::Plain,
        &[One(&["fin"]), One(&["de", "du", "des", "d'*"]), Skip(6), One(&["project", "projet"]), One(&["gutenberg*"])],
    ),
    // E1 copyrighted etexts end with `**This is a COPYRIGHTED Project Gutenberg
    // Etext, Details Above**` (their header says "Details Below").
    rule(
        Kind::Footer(FooterKind::CopyrightedNotice),
        Opening::Stars,
        &[
            One(&["this"]),
            One(&["is"]),
            One(&["a"]),
            One(&["copyrighted"]),
            One(&["project"]),
            One(&["gutenberg*"]),
            One(ETEXT),
            One(&["details"]),
            One(&["above"]),
        ],
    ),
    // E1 closing line `*****The Project Gutenberg Etext of A treatise on Good
    // Works*****` (gwork10). The same line opens Small Print headers, so it
    // ends the book only when nothing but [`CLOSING_TAIL`] lines follow it.
    MarkerRule {
        ends_with_star: true,
        ..rule(
            Kind::Footer(FooterKind::ClosingEtextLine),
            Opening::Stars,
            &[One(&["the"]), One(&["project"]), One(&["gutenberg*"]), One(ETEXT), One(&["of"])],
        )
    },
    // The World Library notice the 1990s Shakespeare repeats between plays:
    // `<<THIS ELECTRONIC VERSION OF THE COMPLETE WORKS OF WILLIAM SHAKESPEARE …>>`.
    MarkerRule {
        extent: Extent::Blurb,
        ..rule(Kind::Blurb, Opening::Angles, &[One(&["this"]), One(&["electronic"]), One(&["version"])])
    },
];

/// A wrapped START title (E2, pg10026) closes within this many more lines or
/// not at all; the closing is `**` or a final `*` after the word GUTENBERG.
pub(crate) const MAX_START_CONTINUATION: usize = 4;

/// The Shakespeare blurb ends at the line holding `>>`, within
/// [`MAX_BLURB_LINES`] lines (the notice is eight; allow for rewrapping), or
/// failing that after `… SERVICE THAT CHARGES FOR DOWNLOAD` and a following
/// `TIME OR FOR MEMBERSHIP.>>` line.
pub(crate) const BLURB_CLOSE: &[u8] = b">>";
pub(crate) const BLURB_LAST_WORDS: &[u8] = b"charges for download";
pub(crate) const BLURB_AFTER_LAST: &[u8] = b"membership";
pub(crate) const MAX_BLURB_LINES: usize = 16;

/// What may follow a closing `*****The Project Gutenberg Etext of X*****`
/// line that really ends the book (E1, gwork10): lines about the etext, such
/// as `******This file should be named gwork10.txt or gwork10.zip******`, and
/// lines without letters. Any other line means the closing line is a title
/// (the same line opens Small Print headers, alice30 line 28).
pub(crate) const CLOSING_TAIL: &[&[u8]] =
    &[b"gutenberg", b"etext", b"e-text", b"ebook", b"e-book", b"this file should be named"];

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
/// [`HEADER_FIELDS`]) and an author line (see [`AUTHOR_LINE`]) belong to it.
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
/// [`CREDIT_CONNECTORS`]), and blank lines.
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

/// Openings of credit paragraphs right after the header, compared
/// case-insensitively as prefixes after leading whitespace.
pub(crate) const CREDIT_OPENINGS: &[&[u8]] = &[
    // E3 `Produced by Julia Miller and the Online Distributed …` (pg33956).
    b"produced by",
    // E2 `E-text prepared by Jonathan Ingram and Project Gutenberg …` (pg10026).
    b"e-text prepared by",
    b"etext prepared by",
    b"ebook prepared by",
    b"e-book prepared by",
    // `Transcribed from the 1891 Macmillan edition by David Price`.
    b"transcribed from",
    b"transcribed by",
    b"special thanks",
    // E2 `Credit for e-text: The Library of Congress, …` (pg10028).
    b"credit for e-text",
    // E4 (2025) `Credits: Arthur DiBianca and David Widger` (pg11).
    b"credits:",
    b"this file was produced from",
    // E3 pointer to the HTML edition: about the file, not the book.
    b"note: project gutenberg also has an html version",
];

/// E1/E2 credit sentences: `This Project Gutenberg Etext was prepared by Barry
/// Haworth.` (pg1013), `This etext was produced from the 1891 edition`.
pub(crate) const CREDIT_SENTENCES: &[&[W]] = &[
    &[
        One(&["this"]),
        Opt(&["project"]),
        Opt(&["gutenberg*"]),
        One(&["etext", "e-text", "ebook", "e-book", "text", "file"]),
        One(&["was", "has"]),
        Opt(&["been"]),
        One(&["prepared", "produced"]),
        One(&["by", "from"]),
    ],
    &[
        One(&["this"]),
        Opt(&["project"]),
        Opt(&["gutenberg*"]),
        One(ETEXT),
        One(&["was", "has"]),
        Opt(&["been"]),
        One(&["transcribed"]),
    ],
];

/// A credit paragraph is a few lines; a longer one is book text that happens
/// to start with "Produced by", and is kept.
pub(crate) const MAX_CREDIT_LINES: usize = 12;

/// A credit goes on to the next line only when it visibly continues: the line
/// ends with one of these words or marks (`… and the Online` /
/// `Distributed Proofreading Team`, pg22367; `… David King,` / `and the …`,
/// pg10028), a parenthesis is open (`(This file was` / `produced from …)`,
/// pg33956), the next line starts in lower case, or it holds
/// [`CREDIT_VOCABULARY`]. Otherwise the next line is the book's (`Produced by
/// David Widger` / `THE ADVENTURES OF TOM`).
pub(crate) const CREDIT_CONNECTORS: &[&str] = &[
    "and",
    "the",
    "of",
    "at",
    "by",
    "from",
    "for",
    "with",
    "in",
    "on",
    "to",
    "online",
    "distributed",
    "project",
    "gutenberg",
];
pub(crate) const CREDIT_CONNECTOR_MARKS: &[u8] = b",;&-/";
/// Words that only a credit's continuation holds, such as the HTML
/// edition's file names in `Note: Project Gutenberg also has an HTML version
/// of this` / `file which …` / `See 10026-h.htm or 10026-h.zip:` (pg10026).
pub(crate) const CREDIT_VOCABULARY: &[&[u8]] =
    &[b"proofread", b"http:", b"https:", b"www.", b"pgdp", b"@", b".htm", b".zip"];

/// E2–E4 `Character set encoding: ISO-8859-1`, also misspelt `Chatacter`
/// (pg10026) and `Charcter`: the first word is not checked.
pub(crate) const CHARSET_DECLARATION: &[W] = &[Any, One(&["set"]), One(&["encoding"])];
/// Only the header declares a charset; the largest headers (E1 Small Print)
/// are about 15 KB, so looking further only risks matching book text.
pub(crate) const DECLARATION_WINDOW: usize = 32 * 1024;
