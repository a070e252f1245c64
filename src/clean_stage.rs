//! The CPU stage: cleans each downloaded book on a rayon pool as it lands and
//! writes `OUT/<N>.txt`.
//!
//! It runs on a plain thread fed by a bounded channel, never on a tokio
//! worker. `par_bridge` pulls the next book only when a rayon thread is free,
//! so a slow cleaner fills the channel and that slows the downloads.

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::Instant;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::atomic_file;
use crate::clean::{clean, CleanOptions, EncodingSource};
use crate::fetch::{BookError, Stage};
use crate::manifest::Book;
use crate::outcome::{BookOutcome, Event};
use crate::plan::OutputLayout;
use crate::unzip::text_from_zip;

/// A raw file ready to be cleaned.
#[derive(Debug)]
pub struct CleanJob {
    pub book: Book,
    pub url: Option<String>,
    pub raw_path: PathBuf,
    /// Tries it took to download (0 when re-cleaned from an earlier run's raw copy).
    pub attempts: u32,
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
            let outcome = clean_one(job, out, options, max_size);
            // The collector outlives every stage; a send can only fail if it panicked.
            let _ = events.send(Event::Done(Box::new(outcome)));
        })
    });
}

fn clean_one(job: CleanJob, out: &OutputLayout, options: &CleanOptions, max_size: u64) -> BookOutcome {
    let CleanJob { book, url, raw_path, attempts } = job;
    let raw = match std::fs::read(&raw_path) {
        Ok(raw) => raw,
        Err(err) => {
            let error = BookError::permanent(Stage::Clean, format!("reading {}: {err}", raw_path.display()));
            return BookOutcome { attempts, ..BookOutcome::failed(book, error.at(url)) };
        }
    };
    let raw_bytes = raw.len() as u64;
    let started = Instant::now();
    let text = if raw_path.extension().is_some_and(|ext| ext == "zip") {
        text_from_zip(&raw, Some(book.number), max_size)
    } else {
        Ok(raw)
    };
    let cleaned = text.map(|text| clean(&text, options));
    let clean_seconds = started.elapsed().as_secs_f64();
    let mut outcome = BookOutcome { url, raw_bytes, clean_seconds, attempts, ..BookOutcome::ok(book) };
    outcome.raw_path = Some(raw_path);
    let cleaned = match cleaned {
        Ok(cleaned) => cleaned,
        Err(message) => return fail(outcome, BookError::permanent(Stage::Clean, message)),
    };
    let cleaned = match cleaned {
        Ok(cleaned) => cleaned,
        Err(err) => return fail(outcome, BookError::permanent(Stage::Clean, err.to_string())),
    };
    outcome.encoding = Some(cleaned.encoding);
    outcome.markers_found = Some(cleaned.markers_found);
    if !cleaned.markers_found {
        outcome.warnings.push("no Gutenberg markers found: text kept whole".to_owned());
    }
    if cleaned.encoding_source == EncodingSource::Fallback {
        outcome.warnings.push(format!("encoding guessed as {}: not UTF-8 and no usable declaration", cleaned.encoding));
    }
    let clean_path = out.clean_path(&outcome.book);
    if let Err(err) = atomic_file::write(&clean_path, cleaned.text.as_bytes()) {
        return fail(outcome, BookError::permanent(Stage::Write, format!("{}: {err}", clean_path.display())));
    }
    outcome.clean_bytes = cleaned.text.len() as u64;
    outcome.clean_path = Some(clean_path);
    outcome
}

fn fail(mut outcome: BookOutcome, error: BookError) -> BookOutcome {
    let error = BookError { attempts: outcome.attempts, ..error.at(outcome.url.clone()) };
    outcome.status = crate::outcome::Status::Failed;
    outcome.error = Some(error);
    outcome
}
