//! Wires the stages together for one run:
//!
//! manifest → plan → fetch (tokio; one semaphore bounds the books in flight)
//! → bounded channel → clean (rayon, on its own thread) → collector → report.
//!
//! Every stage sends [`Event`]s to the collector on the calling thread, which
//! alone drives the progress display and gathers the outcomes.
//!
//! Books start in manifest order, whether they are fetched, re-cleaned from
//! their raw copy, or (`--update`) checked against the mirror; the fetch
//! stage is [`fetch_stage`], one book's task [`book_tasks`]. After the first signal (SIGINT, SIGTERM, SIGHUP) no book starts: those in
//! flight are abandoned (their temporary files are removed as their tasks are
//! dropped), the cleaner finishes what it holds, the books not started are
//! reported as such, and the run ends with a report.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use crate::buffer_pool;
use crate::clean_stage::{self, CleanJob};
use crate::config::Config;
use crate::fetch::health::Stop;
use crate::fetch::Client;
use crate::interrupt::Interrupted;
use crate::ledger::{Ledger, Previous};
use crate::manifest::{Book, Books, Manifest};
use crate::memory;
use crate::outcome::{BookOutcome, Event};
use crate::plan::{step_for, update_step, OutputLayout, Recheck, Step, Why};
use crate::progress::Progress;
use crate::terminal_safe::terminal_safe;

mod book_tasks;
mod fetch_stage;

pub(crate) use book_tasks::fetch_one;
use fetch_stage::fetch_all;

/// What the collector gathered, for the report.
pub struct RunResult {
    /// Every book's outcome, spooled to disk.
    pub ledger: Ledger,
    pub download_seconds: f64,
    pub logins: Option<usize>,
    /// Stopped by a signal (SIGINT, SIGTERM, SIGHUP, …: see [`crate::interrupt`]).
    pub interrupted: bool,
    /// Stopped by the mirror's health (unreachable, login refused, wrong root, outage too long).
    pub stopped: Option<Stop>,
    /// The manifest could not be read again to the end (said when it
    /// happened): the books after that point were not run.
    pub manifest_failed: bool,
}

/// A book that needs work, in the order books start.
enum Work {
    /// With notes for its report (why it is fetched again).
    Fetch(Book, Vec<String>),
    Reclean(Box<CleanJob>),
    /// `--update`: a complete book, to check against the mirror.
    Recheck(Book, Box<Recheck>),
}

impl Work {
    /// The book, and the raw copy it has on disk, if any.
    fn into_book(self) -> (Book, Option<PathBuf>) {
        match self {
            Work::Fetch(book, _) => (book, None),
            Work::Reclean(job) => (job.book, Some(job.raw_path)),
            Work::Recheck(book, recheck) => (book, Some(recheck.raw_path)),
        }
    }
}

/// Runs every book of `manifest` to an outcome, writing into `out` (already
/// prepared), on `runtime`, until done or `interrupted`.
pub fn run(
    config: &Config,
    out: &OutputLayout,
    manifest: &Manifest,
    runtime: &tokio::runtime::Runtime,
    interrupted: Interrupted,
) -> anyhow::Result<RunResult> {
    let (events, collected) = mpsc::channel();
    let client =
        Arc::new(Client::new(&config.mirror, config.layout, config.limits.clone(), config.retry.clone(), config.jobs)?);
    // With --update, complete books are checked against this mirror.
    let update = config.update.then(|| client.url_of(""));
    if config.update {
        client.mostly_asking();
    }
    let mut progress = Progress::new(manifest.book_count);
    // Read before this run's report replaces the last one.
    let mut ledger = Ledger::new(&out.dir).remembering(Previous::read(&config.report));
    // Books are read from the manifest and planned as the fetch stage takes
    // them, a few ahead: no list of the books is ever held.
    let (work_tx, work_rx) = tokio::sync::mpsc::channel(2 * config.jobs.max(1));

    let rayon_pool = clean_stage::pool()?;
    // Room for a couple of books per cleaning thread: enough to keep rayon
    // busy, small enough that downloads wait when cleaning falls behind.
    let (clean_tx, clean_rx) = tokio::sync::mpsc::channel(2 * rayon_pool.current_num_threads());

    // Every buffer the transfers in flight will use, made now.
    buffer_pool::fill(buffer_pool::PER_TRANSFER * config.jobs.min(manifest.book_count));
    let stop_signal = interrupted.clone();
    let (download_seconds, manifest_failed) = std::thread::scope(|scope| {
        // Each stage owns its sender, so the collector ends when the last stage does.
        let clean_events = events.clone();
        let (pool, clean_options, max_size) = (&rayon_pool, &config.clean, config.limits.max_size);
        scope.spawn(move || clean_stage::run(clean_rx, pool, out, clean_options, max_size, &clean_events));
        let plan_events = events.clone();
        let planner = scope
            .spawn(move || plan_all(manifest.books(), out, config.force, update.as_deref(), &work_tx, &plan_events));
        let fetch_events = events.clone();
        let client = &client;
        let fetcher = scope.spawn(move || {
            let started = Instant::now();
            runtime.block_on(fetch_all(client, work_rx, out, clean_tx, fetch_events, stop_signal));
            started.elapsed().as_secs_f64()
        });
        drop(events);
        collect(collected, &mut progress, &mut ledger);
        (fetcher.join().expect("fetch stage panicked"), !planner.join().expect("plan stage panicked"))
    });
    progress.finish();
    ledger.finish();
    let interrupted = *interrupted.borrow();
    let stopped = client.health().stopped();
    Ok(RunResult { ledger, download_seconds, logins: client.logins(), interrupted, stopped, manifest_failed })
}

/// The plan stage: what each book needs, in manifest order. Complete books
/// go straight to the collector; the rest to the fetch stage, which takes
/// them all, interrupted or not, so every book gets an outcome. False if
/// the manifest could not be read to the end.
fn plan_all(
    books: Books,
    out: &OutputLayout,
    force: bool,
    update: Option<&str>,
    work: &tokio::sync::mpsc::Sender<Work>,
    events: &mpsc::Sender<Event>,
) -> bool {
    for book in books {
        let book = match book {
            Ok(book) => book,
            Err(error) => {
                tracing::error!("{}: the books after this point were not started", terminal_safe(&error.to_string()));
                return false;
            }
        };
        let mut step = step_for(&book, out, force);
        if let Some(mirror_root) = update {
            step = update_step(step, &book, out, mirror_root);
        }
        let next = match step {
            Step::Skip { raw_path } => {
                let clean_path = out.clean_path(&book);
                let _ = events.send(Event::Done(Box::new(BookOutcome::skipped(book, clean_path, raw_path))));
                continue;
            }
            Step::Reclean(raw_path) => Work::Reclean(Box::new(CleanJob::of(book, None, raw_path, 0, Vec::new()))),
            Step::Recheck(recheck) => Work::Recheck(book, recheck),
            Step::Fetch(why) => {
                let notes = explain_fetch(&book, why);
                Work::Fetch(book, notes)
            }
        };
        if work.blocking_send(next).is_err() {
            return true;
        }
    }
    true
}

/// Says why a book whose files are partly there is fetched again, and
/// removes raw copies that cannot be cleaned: a file under a final name is
/// complete or absent. Returns what the book's report should say.
fn explain_fetch(book: &Book, why: Why) -> Vec<String> {
    let n = book.number;
    match why {
        Why::Missing | Why::Forced => Vec::new(),
        Why::NoRawCopy => {
            tracing::info!("ebook {n}: its clean text is there but not its raw copy: fetching it again");
            Vec::new()
        }
        Why::Unusable(copies) => copies
            .into_iter()
            .map(|(path, reason)| {
                let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
                let note = format!("raw/{name} could not be cleaned ({reason}): removed and fetched again");
                tracing::warn!("ebook {n}: {note}");
                if let Err(err) = std::fs::remove_file(&path) {
                    tracing::warn!("ebook {n}: cannot remove raw/{name}: {err}");
                }
                note
            })
            .collect(),
    }
}

/// Gathers outcomes into the ledger until every stage has hung up.
fn collect(events: mpsc::Receiver<Event>, progress: &mut Progress, ledger: &mut Ledger) {
    let mut done_books = 0;
    for event in events {
        match event {
            Event::Downloaded { bytes } => progress.downloaded(bytes),
            Event::Transfer { ebook, update } => progress.transfer(ebook, update),
            Event::Done(outcome) => {
                done(&outcome, progress, ledger);
                done_books += 1;
                if done_books % memory::TRIM_EVERY == 0 {
                    memory::trim();
                }
            }
        }
    }
}

/// A book has its outcome: logs what a user should know, counts it, records it.
fn done(outcome: &BookOutcome, progress: &mut Progress, ledger: &mut Ledger) {
    outcome.log();
    progress.book_done(outcome);
    ledger.record(outcome)
}
