//! The CPU stage: cleans each downloaded book on a rayon pool as it lands and
//! writes `OUT/<N>.txt`, streaming from the raw file to the clean one, so a
//! book of any size costs a few buffers of memory.
//!
//! It runs on a plain thread fed by a bounded channel, never on a tokio
//! worker. `par_bridge` pulls the next book only when a rayon thread is free,
//! so a slow cleaner fills the channel and that slows the downloads.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Instant;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::atomic_file::{Staged, SyncPartFile};
use crate::clean::{clean_stream, CleanError, CleanOptions, EncodingSource, Findings, Spill};
use crate::ebook::EbookNumber;
use crate::fetch::{BookError, Stage};
use crate::manifest::Book;
use crate::outcome::{BookOutcome, CopyNote, Event, Status, UpdateNote};
use crate::plan::OutputLayout;
use crate::provenance::{self, Source};
use crate::unzip::text_file_from_zip;

/// A raw file ready to be cleaned.
#[derive(Debug)]
pub struct CleanJob {
    pub book: Book,
    pub url: Option<String>,
    pub raw_path: PathBuf,
    /// Tries it took to download (0 when re-cleaned from an earlier run's raw copy).
    pub attempts: u32,
    /// For a raw copy left by an earlier run: where to hand the book back,
    /// with a note for its report, when a fresh download could fix what
    /// made cleaning fail (the copy is then removed). Once per run: a
    /// fetched book has none.
    pub refetch: Option<Refetch>,
    /// What the report should say of how the book got here.
    pub notes: Vec<String>,
    /// Where the fetched file came from, for its provenance record: `None`
    /// when re-cleaned from a raw copy.
    pub source: Option<Source>,
    /// `--update`: the new version, not yet in `raw_path`, and what it
    /// replaces. The old copies stay whole until the new ones are.
    pub update: Option<Replacing>,
}

impl CleanJob {
    /// A raw copy already in place, to clean.
    pub fn of(book: Book, url: Option<String>, raw_path: PathBuf, attempts: u32, notes: Vec<String>) -> Self {
        CleanJob { book, url, raw_path, attempts, refetch: None, notes, source: None, update: None }
    }
}

/// A new version of a book's raw copy, and the copy it replaces.
#[derive(Debug)]
pub struct Replacing {
    pub staged: Staged,
    /// The old raw copy, removed once the new one is in place when its name differs.
    pub old_raw: PathBuf,
    /// For the report: why, and the copy replaced (the new one is the job's source).
    pub why: String,
    pub old: CopyNote,
}

/// The way back to the fetch stage for a book whose raw copy was unusable.
pub type Refetch = tokio::sync::oneshot::Sender<(Book, String)>;

/// Why cleaning failed, and whether downloading the file again could help
/// (a corrupt or truncated zip, a text with nothing between its markers:
/// a transfer gone wrong) or not (a full disk, a zip past the size limit).
struct CleanFailure {
    error: BookError,
    fresh_copy_helps: bool,
}

impl CleanFailure {
    fn lasting(error: BookError) -> Self {
        CleanFailure { error, fresh_copy_helps: false }
    }
}

/// The cleaning threads, named for what they do; `strip` cleans on the same.
pub fn pool() -> anyhow::Result<rayon::ThreadPool> {
    use anyhow::Context;
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("gutenfetch-clean-{i}"))
        .build()
        .context("starting the cleaning threads")
}

/// Cleans every job until the channel closes, sending one outcome per book.
pub fn run(
    jobs: tokio::sync::mpsc::Receiver<CleanJob>,
    pool: &rayon::ThreadPool,
    out: &OutputLayout,
    options: &CleanOptions,
    max_size: u64,
    events: &Sender<Event>,
) {
    let mut jobs = jobs;
    pool.install(|| {
        std::iter::from_fn(|| jobs.blocking_recv()).par_bridge().for_each(|job| {
            // After a second signal only the report is left to do: the raw
            // copy is kept, and the next run cleans it.
            let outcome = if crate::interrupt::hurried() {
                Some(BookOutcome::not_started(job.book, Some(job.raw_path)))
            } else {
                clean_one(job, out, options, max_size)
            };
            if let Some(outcome) = outcome {
                // The collector outlives every stage; a send can only fail if it panicked.
                let _ = events.send(Event::Done(Box::new(outcome)));
            }
        })
    });
}

/// The book's outcome; `None` when it went back to be fetched again.
fn clean_one(job: CleanJob, out: &OutputLayout, options: &CleanOptions, max_size: u64) -> Option<BookOutcome> {
    let CleanJob { book, url, raw_path, attempts, refetch, notes, source, update } = job;
    // A new version is read where it waits, and named for where it goes.
    let read_from = update.as_ref().map_or(raw_path.as_path(), |update| update.staged.path()).to_owned();
    let raw_bytes = match std::fs::metadata(&read_from) {
        Ok(meta) => meta.len(),
        Err(err) => {
            let error = BookError::permanent(Stage::Clean, format!("reading {}: {err}", raw_path.display()));
            return Some(BookOutcome { attempts, warnings: notes, ..BookOutcome::failed(book, error.at(url)) });
        }
    };
    let clean_path = out.clean_path(&book);
    let started = Instant::now();
    // The transfers in flight may hold every descriptor for a moment.
    let cleaned = crate::retry::waiting_for_descriptors(
        |failure: &CleanFailure| failure.error.out_of_descriptors,
        || clean_to_file(&read_from, &raw_path, &clean_path, book.number, options, max_size),
    );
    let clean_seconds = started.elapsed().as_secs_f64();
    let mut outcome = BookOutcome { url, raw_bytes, clean_seconds, attempts, warnings: notes, ..BookOutcome::ok(book) };
    let findings = match cleaned {
        Ok(findings) => findings,
        Err(failure) if update.is_some() => {
            // The new version is dropped (and removed); the old copies stay.
            outcome.warnings.push("the new version could not be cleaned: the copies on disk are kept".to_owned());
            return Some(fail(outcome, failure.error));
        }
        Err(failure) => {
            let error = failure.error;
            let Some(refetch) = refetch.filter(|_| failure.fresh_copy_helps) else {
                outcome.raw_path = Some(raw_path);
                return Some(fail(outcome, error));
            };
            let name = raw_path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
            let note = format!("raw/{name} could not be cleaned ({}): removed and fetched again", error.message);
            tracing::warn!("ebook {}: {note}", outcome.book.number);
            if let Err(err) = std::fs::remove_file(&raw_path) {
                tracing::warn!("ebook {}: cannot remove raw/{name}: {err}", outcome.book.number);
            }
            // The fetch stage is gone only when the run was interrupted.
            return match refetch.send((outcome.book.clone(), note)) {
                Ok(()) => None,
                Err(_) => Some(fail(outcome, error)),
            };
        }
    };
    if let Some(update) = update {
        if let Err(err) = update.staged.commit(&raw_path) {
            let error = BookError::io(Stage::Write, format!("{}: {err}", raw_path.display()), &err);
            return Some(fail(outcome, error));
        }
        if update.old_raw != raw_path {
            if let Err(err) = std::fs::remove_file(&update.old_raw) {
                tracing::warn!("ebook {}: cannot remove {}: {err}", outcome.book.number, update.old_raw.display());
            }
        }
        // A fetched job always has its source; without one nothing new would be known.
        let new = source.as_ref().map_or_else(|| update.old.clone(), Source::copy_note);
        outcome.status = Status::Updated;
        outcome.update = Some(Box::new(UpdateNote { why: update.why, old: update.old, new }));
    }
    if let Some(source) = &source {
        provenance::write(&out.dir, outcome.book.number, source);
    }
    outcome.raw_path = Some(raw_path);
    outcome.encoding = Some(findings.encoding);
    outcome.markers_found = Some(findings.markers_found);
    if !findings.markers_found {
        outcome.warnings.push("no Gutenberg markers found: text kept whole".to_owned());
    }
    if findings.encoding_source == EncodingSource::Fallback {
        outcome
            .warnings
            .push(format!("encoding guessed as {}: not UTF-8 and no usable declaration", findings.encoding));
    }
    outcome.clean_bytes = findings.clean_bytes;
    (outcome.lines, outcome.words) = (Some(findings.lines), Some(findings.words));
    outcome.clean_path = Some(clean_path);
    Some(outcome)
}

/// Cleans the raw file (a text, or a zip holding one) into `clean_path`,
/// streaming: the book goes to a temporary file beside `clean_path`, renamed
/// when complete, and an unzipped or re-encoded copy to unnamed temporary
/// files in the same folder. Memory stays a few windows whatever the size.
fn clean_to_file(
    read_from: &Path,
    raw_path: &Path,
    clean_path: &Path,
    number: EbookNumber,
    options: &CleanOptions,
    max_size: u64,
) -> Result<Findings, CleanFailure> {
    let reading = |err: std::io::Error| {
        CleanFailure::lasting(BookError::io(Stage::Clean, format!("reading {}: {err}", raw_path.display()), &err))
    };
    let writing = |err: std::io::Error| {
        CleanFailure::lasting(BookError::io(Stage::Write, format!("{}: {err}", clean_path.display()), &err))
    };
    let dir = clean_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut input = File::open(read_from).map_err(reading)?;
    if raw_path.extension().is_some_and(|ext| ext == "zip") {
        input = text_file_from_zip(input, Some(number), max_size, dir).map_err(|message| {
            // A zip that does not open, fails its CRC or holds no text was
            // damaged on its way; one past the size limit or a full disk was not.
            let local = message.starts_with("cannot create") || message.contains("the unzipped text");
            // Nor was one listing too many entries (`unzip::MAX_ENTRIES`): the mirror's own zip does.
            let too_big = message.contains("size limit") || message.contains("a book's zip holds at most");
            let fresh_copy_helps = !local && !too_big;
            CleanFailure { error: BookError::permanent(Stage::Clean, message), fresh_copy_helps }
        })?;
    }
    let len = input.metadata().map_err(reading)?.len();
    let mut part = SyncPartFile::beside(clean_path).map_err(writing)?;
    let mut writer = BufWriter::with_capacity(64 * 1024, part.file());
    let findings = clean_stream(&mut input, len, Spill::In(dir), options, &mut writer).map_err(|err| match err {
        CleanError::Read(err) => reading(err),
        CleanError::Write(err) => writing(err),
        // Nothing between the markers: most likely a transfer cut short.
        CleanError::EmptyBody => {
            CleanFailure { error: BookError::permanent(Stage::Clean, err.to_string()), fresh_copy_helps: true }
        }
        // The mirror's own file has a line too long to clean: fetching it again would not help.
        CleanError::LineTooLong { .. } => {
            CleanFailure { error: BookError::permanent(Stage::Clean, err.to_string()), fresh_copy_helps: false }
        }
    })?;
    writer.flush().map_err(writing)?;
    drop(writer);
    part.commit(clean_path).map_err(writing)?;
    Ok(findings)
}

fn fail(mut outcome: BookOutcome, error: BookError) -> BookOutcome {
    let error = BookError { attempts: outcome.attempts, ..error.at(outcome.url.clone()) };
    outcome.status = crate::outcome::Status::Failed;
    outcome.error = Some(error);
    outcome
}
