//! One book's entry in the report, exactly as the spool holds it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::fetch::Stage;
use crate::outcome::{BookOutcome, Status};
use crate::redact::redact;

/// One book in the report, exactly as the spool holds it.
#[derive(Debug, Deserialize, Serialize)]
pub struct BookEntry {
    ebook: u32,
    title: Option<String>,
    author: Option<String>,
    pub manifest_line: u64,
    status: Status,
    url: Option<String>,
    /// Paths as text (the report is JSON): lossily, in the rare folder
    /// whose name is not UTF-8.
    raw_path: Option<String>,
    clean_path: Option<String>,
    raw_bytes: u64,
    clean_bytes: u64,
    encoding: Option<String>,
    markers_found: Option<bool>,
    attempts: u32,
    warnings: Vec<String>,
    error: Option<ErrorEntry>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct ErrorEntry {
    stage: Stage,
    message: String,
}

fn lossy(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

pub fn entry(o: &BookOutcome) -> BookEntry {
    BookEntry {
        ebook: o.book.number.get(),
        title: o.book.title().map(str::to_owned),
        author: o.book.author().map(str::to_owned),
        manifest_line: o.book.line,
        status: o.status,
        url: o.url.as_deref().map(|url| redact(url).into_owned()),
        raw_path: o.raw_path.as_deref().map(lossy),
        clean_path: o.clean_path.as_deref().map(lossy),
        raw_bytes: o.raw_bytes,
        clean_bytes: o.clean_bytes,
        encoding: o.encoding.map(str::to_owned),
        markers_found: o.markers_found,
        attempts: o.attempts,
        warnings: o.warnings.clone(),
        error: o.error.as_ref().map(|e| ErrorEntry { stage: e.stage, message: redact(&e.message).into_owned() }),
    }
}
