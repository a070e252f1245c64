//! What happened to each book: the value every stage sends to the collector.

use std::path::PathBuf;

use crate::fetch::BookError;
use crate::manifest::Book;
use crate::terminal_safe::terminal_safe;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Fetched (or re-cleaned from its raw copy) and cleaned in this run.
    Ok,
    /// Its clean text and raw copy were already in the output folder.
    Skipped,
    Failed,
    /// Never started: the run was interrupted or stopped first (the mirror
    /// could not be reached, refused the login, …). The next run does it.
    NotStarted,
    /// `--update`: its file had changed on the mirror (or a better one had
    /// appeared); fetched and cleaned again, replacing its copies.
    Updated,
    /// `--update`: its file is as it was when taken; nothing was touched.
    Unchanged,
    /// `--update`: the mirror has no file of it any more; its copies are kept.
    GoneUpstream,
}

impl Status {
    /// Whether the book's clean text and raw copy are in the output folder after the run.
    pub fn has_files(self) -> bool {
        matches!(self, Status::Ok | Status::Skipped | Status::Updated | Status::Unchanged | Status::GoneUpstream)
    }
}

/// What an update replaced: the old copy and the new, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UpdateNote {
    pub why: String,
    pub old: CopyNote,
    pub new: CopyNote,
}

/// One version of a book's raw copy, as the report describes it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CopyNote {
    /// The mirror's file, when known.
    pub file: Option<String>,
    pub size: u64,
    pub sha256: Option<String>,
    pub version: crate::fetch::version::Validators,
}

/// The final word on one book.
#[derive(Clone, Debug)]
pub struct BookOutcome {
    pub book: Book,
    pub status: Status,
    /// The URL fetched in this run; `None` when nothing was fetched (skipped,
    /// re-cleaned from its raw copy, not started) or the book failed before
    /// its file was found.
    pub url: Option<String>,
    pub raw_path: Option<PathBuf>,
    pub clean_path: Option<PathBuf>,
    pub raw_bytes: u64,
    pub clean_bytes: u64,
    pub encoding: Option<&'static str>,
    pub markers_found: Option<bool>,
    /// Lines and words of the clean text, when it was cleaned in this run.
    pub lines: Option<u64>,
    pub words: Option<u64>,
    /// Time spent decoding and stripping, in seconds.
    pub clean_seconds: f64,
    /// Tries of the book's requests (1 when nothing was retried; 0 when not fetched in this run).
    pub attempts: u32,
    /// What a reader of the report should know (no markers found, encoding guessed).
    pub warnings: Vec<String>,
    pub error: Option<BookError>,
    /// `--update`: what replaced what.
    pub update: Option<Box<UpdateNote>>,
}

impl BookOutcome {
    fn new(book: Book, status: Status) -> Self {
        BookOutcome {
            book,
            status,
            url: None,
            raw_path: None,
            clean_path: None,
            raw_bytes: 0,
            clean_bytes: 0,
            encoding: None,
            markers_found: None,
            lines: None,
            words: None,
            clean_seconds: 0.0,
            attempts: 0,
            warnings: Vec::new(),
            error: None,
            update: None,
        }
    }

    /// A book already complete: its files and their sizes, as they are on
    /// disk (a missing size reads as 0). Nothing was fetched or decoded, so
    /// the URL, the encoding and the markers are not known.
    pub fn skipped(book: Book, clean_path: PathBuf, raw_path: PathBuf) -> Self {
        let size = |path: &PathBuf| std::fs::metadata(path).map_or(0, |meta| meta.len());
        BookOutcome {
            raw_bytes: size(&raw_path),
            clean_bytes: size(&clean_path),
            raw_path: Some(raw_path),
            clean_path: Some(clean_path),
            ..Self::new(book, Status::Skipped)
        }
    }

    /// `--update` found the book's file as it was (`note`: how it could tell, when only by size).
    pub fn unchanged(book: Book, clean_path: PathBuf, raw_path: PathBuf, note: Option<String>) -> Self {
        let skipped = Self::skipped(book, clean_path, raw_path);
        BookOutcome { status: Status::Unchanged, warnings: note.into_iter().collect(), ..skipped }
    }

    /// `--update` found no file of the book on the mirror: its copies stay.
    pub fn gone_upstream(book: Book, clean_path: PathBuf, raw_path: PathBuf, why: &str) -> Self {
        let warning = format!("gone from the mirror ({why}): the copies in the output folder are kept");
        let skipped = Self::skipped(book, clean_path, raw_path);
        BookOutcome { status: Status::GoneUpstream, warnings: vec![warning], ..skipped }
    }

    /// A book the run never started because it was interrupted; `raw_path`
    /// is the raw copy it would have been cleaned from, if any.
    pub fn not_started(book: Book, raw_path: Option<PathBuf>) -> Self {
        BookOutcome { raw_path, warnings: vec![NOT_STARTED.to_owned()], ..Self::new(book, Status::NotStarted) }
    }

    /// A book the run never started, or gave up before it got its file,
    /// because the run stopped for `reason` (the mirror's health).
    pub fn stopped(book: Book, raw_path: Option<PathBuf>, reason: &str) -> Self {
        let warning = format!("not started: {reason}");
        BookOutcome { raw_path, warnings: vec![warning], ..Self::new(book, Status::NotStarted) }
    }

    pub fn failed(book: Book, error: BookError) -> Self {
        BookOutcome {
            url: error.url.clone(),
            attempts: error.attempts,
            error: Some(error),
            ..Self::new(book, Status::Failed)
        }
    }

    pub fn ok(book: Book) -> Self {
        Self::new(book, Status::Ok)
    }

    /// Logs what a user should know of the book.
    pub fn log(&self) {
        let outcome = self;
        let n = outcome.book.number;
        if outcome.status == Status::NotStarted {
            // One line for all of them, in the summary, rather than one per book.
            tracing::debug!("ebook {n}: not started");
            return;
        }
        if let Some(error) = &outcome.error {
            // Named once: here when the log is where failures are read, else in the summary.
            let error = terminal_safe(&error.to_string()).into_owned();
            if crate::logging::failures_in_log() {
                tracing::error!("ebook {n} failed: {error}");
            } else {
                tracing::debug!("ebook {n} failed: {error}");
            }
            return;
        }
        // Counted in the summary instead: a corpus without provenance would say it of every book.
        if outcome.status == Status::Unchanged {
            tracing::debug!("ebook {n}: unchanged on the mirror {:?}", outcome.warnings);
            return;
        }
        for warning in &outcome.warnings {
            tracing::warn!("ebook {n}: {warning}");
        }
        match outcome.status {
            Status::Skipped => tracing::debug!("ebook {n}: already complete"),
            Status::Unchanged => tracing::debug!("ebook {n}: unchanged on the mirror"),
            Status::GoneUpstream => {}
            Status::Updated => tracing::info!(
                "ebook {n}: updated, {}",
                terminal_safe(outcome.update.as_ref().map_or("", |update| update.why.as_str()))
            ),
            _ => tracing::debug!(
                "ebook {n}: ok, {} from {}, {}",
                crate::progress::human_bytes(outcome.raw_bytes),
                terminal_safe(outcome.url.as_deref().unwrap_or("raw/")),
                outcome.encoding.unwrap_or("?")
            ),
        }
    }

    /// Done in this run with nothing fetched: cleaned again from its raw copy.
    pub fn recleaned(&self) -> bool {
        self.status == Status::Ok && self.url.is_none()
    }
}

/// What the report says of a book never started.
pub const NOT_STARTED: &str = "not started: the run was interrupted; run the same command again to finish";

/// Messages from the stages to the collector.
#[derive(Debug)]
pub enum Event {
    /// How a book's transfer goes; only for the progress display.
    Transfer { ebook: crate::ebook::EbookNumber, update: crate::fetch::TransferUpdate },
    /// A download finished; only for the progress display.
    Downloaded { bytes: u64 },
    /// A book is finished, one way or another.
    Done(Box<BookOutcome>),
}
