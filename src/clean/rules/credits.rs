//! The credit paragraphs right after the header (`Produced by …`, `This
//! etext was prepared by …`), and when a credit goes on to the next line.

use super::ETEXT;
use crate::clean::words::W::{self, One, Opt};

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
