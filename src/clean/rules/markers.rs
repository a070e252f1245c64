//! The marker lines: the lines that end the Gutenberg header (START, the
//! Small Print's end, the Volunteers line) or start its footer (END, the
//! closing lines of every era and language), the licence blurb removed
//! wherever it appears, and the limits of the markers that run over lines.
//!
//! `MARKERS` is one ordered table, as the first rule that matches a line wins.

use super::ETEXT;
use crate::clean::markers::{FooterKind, HeaderKind, Kind};
use crate::clean::words::join;
use crate::clean::words::W::{self, Any, One, Opt, Skip};

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

/// How every closing line opens: `End of`, `The end of`, `This is [the] end
/// of` (the last two are E1's, 1990s).
const END_OF: [W; 2] = [One(&["end"]), One(&["of"])];
const THE_END_OF: [W; 3] = [One(&["the"]), END_OF[0], END_OF[1]];
const THIS_IS_THE_END_OF: [W; 5] = [One(&["this"]), One(&["is"]), Opt(&["the"]), END_OF[0], END_OF[1]];
/// What may come between OF and the name in a closing line, and the name:
/// `End of (the/this) [Copyrighted] Project Gutenberg…`.
const PG_AFTER_OF: [W; 5] =
    [Opt(&["the", "this"]), Opt(&["is"]), Opt(&["copyrighted"]), One(&["project"]), One(&["gutenberg*"])];
/// What comes after OF in a closing line that names no Project Gutenberg.
const ETEXT_AFTER_OF: [W; 2] = [One(&["this", "the"]), One(ETEXT)];

/// The words of a footer both as the starred END marker and as the plain
/// line before it. Every spelling of the family: `End of Project Gutenberg's
/// X`, `End of the Project Gutenberg EBook`, `End of this Project Gutenberg
/// E-text` (pg1000-old), `End of the Copyrighted Project Gutenberg`, and E1's
/// `End of this is COPYRIGHTED Project Gutenberg Etext, Details Below` (pg1619).
const END_OF_PROJECT_GUTENBERG: &[W] = &join::<7>(&END_OF, &PG_AFTER_OF);
/// The same closing line with words in front (E1): `The end of Project
/// Gutenberg etext of "Les Miserables"` (pg135-lesms10), `The End of Project
/// Gutenberg Etext of Hamlet` (pg1524), and `This is the end of the Project
/// Gutenberg Edition of DE BELLO GALLICO` (pg218-galli10).
const THE_END_OF_PROJECT_GUTENBERG: &[W] = &join::<8>(&THE_END_OF, &PG_AFTER_OF);
const THIS_IS_THE_END_OF_PROJECT_GUTENBERG: &[W] = &join::<10>(&THIS_IS_THE_END_OF, &PG_AFTER_OF);
/// `End of this Etext…`, starred or plain (1990s Shakespeare), and `End of
/// the E-text`; with words in front, `The end of this etext of X` and `This
/// is the end of the eBook`.
const END_OF_THIS_ETEXT: &[W] = &join::<4>(&END_OF, &ETEXT_AFTER_OF);
const THE_END_OF_THIS_ETEXT: &[W] = &join::<5>(&THE_END_OF, &ETEXT_AFTER_OF);
const THIS_IS_THE_END_OF_THIS_ETEXT: &[W] = &join::<7>(&THIS_IS_THE_END_OF, &ETEXT_AFTER_OF);
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
