//! One book's entry in the report, exactly as the spool holds it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Learned;
use crate::fetch::Stage;
use crate::outcome::{BookOutcome, Status, UpdateNote};
use crate::redact::redact;

/// One book in the report, exactly as the spool holds it.
#[derive(Debug, Deserialize, Serialize)]
pub struct BookEntry {
    ebook: u32,
    title: Option<String>,
    author: Option<String>,
    /// What a catalog row says of the book, for `export`; absent from a
    /// manifest without these columns (and from reports of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subjects: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued: Option<String>,
    pub manifest_line: u64,
    status: Status,
    url: Option<String>,
    /// Relative to the output folder.
    raw_path: Option<String>,
    clean_path: Option<String>,
    raw_bytes: u64,
    clean_bytes: u64,
    encoding: Option<String>,
    markers_found: Option<bool>,
    /// Of the clean text, when it was cleaned in this run.
    #[serde(default)]
    lines: Option<u64>,
    #[serde(default)]
    words: Option<u64>,
    attempts: u32,
    warnings: Vec<String>,
    error: Option<ErrorEntry>,
    /// `--update`: the copy replaced and the new one, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    update: Option<UpdateNote>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct ErrorEntry {
    stage: Stage,
    message: String,
}

/// A path relative to the output folder, as text (lossily for the rare
/// name that is not UTF-8), so the report reads the same wherever the run
/// was started and wherever the folder is moved.
fn relative(path: &Path, out_dir: &Path) -> String {
    path.strip_prefix(out_dir).unwrap_or(path).to_string_lossy().into_owned()
}

/// The entry of `o`; `learned` fills in what a skipped book was not decoded to tell.
pub fn entry(o: &BookOutcome, out_dir: &Path, learned: Option<Learned>) -> BookEntry {
    let learned = learned.unwrap_or_default();
    BookEntry {
        ebook: o.book.number.get(),
        title: o.book.title().map(str::to_owned),
        author: o.book.author().map(str::to_owned),
        language: o.book.language().map(str::to_owned),
        subjects: o.book.subjects().map(str::to_owned),
        issued: o.book.issued().map(str::to_owned),
        manifest_line: o.book.line,
        status: o.status,
        url: o.url.as_deref().map(|url| redact(url).into_owned()),
        raw_path: o.raw_path.as_deref().map(|p| relative(p, out_dir)),
        clean_path: o.clean_path.as_deref().map(|p| relative(p, out_dir)),
        raw_bytes: o.raw_bytes,
        clean_bytes: o.clean_bytes,
        encoding: o.encoding.or(learned.encoding).map(str::to_owned),
        markers_found: o.markers_found.or(learned.markers_found),
        lines: o.lines.or(learned.lines),
        words: o.words.or(learned.words),
        attempts: o.attempts,
        warnings: o.warnings.clone(),
        error: o.error.as_ref().map(|e| ErrorEntry { stage: e.stage, message: redact(&e.message).into_owned() }),
        update: o.update.as_deref().cloned(),
    }
}
