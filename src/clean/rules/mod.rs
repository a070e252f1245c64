//! Every rule the cleaner knows, as data, in one place, by what it is for:
//! - `markers`: the marker lines of each era that end the header or start
//!   the footer, the licence blurb, and what may follow a closing line;
//! - `old_headers`: the older headers re-released books keep in their body;
//! - `metadata`: the header fields (`Title:`, `Release Date:` …) and the
//!   charset declaration;
//! - `credits`: the credit paragraphs right after the header.
//!
//! Each rule names the era or the book it exists for. Eras are those of
//! `../shared/corpus/SOURCES.md`: E1 "Small Print" files (1991–2001),
//! E2 early 2000s (`***START OF THE PROJECT GUTENBERG EBOOK`, no space),
//! E3 2004–2019 (`*** START OF THIS …`), E4 post-2020 (`*** START OF THE …`,
//! BOM), E5 2023+ stubs (START and END only).
//!
//! Word patterns are [`W`](super::words::W) steps (see `words`), so case,
//! spacing and asterisks never matter. The code that applies the rules
//! (`markers`, `scan`, `layout`, `opening`, `credits`, `decode`) holds no
//! vocabulary of its own.

mod credits;
mod markers;
mod metadata;
mod old_headers;

pub(crate) use credits::*;
pub(crate) use markers::*;
pub(crate) use metadata::*;
pub(crate) use old_headers::*;

/// Every spelling of "etext" in the rules' words.
const ETEXT: &[&str] = &["etext", "e-text", "ebook", "e-book"];
