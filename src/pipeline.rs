//! Wires the stages together for one run:
//!
//! manifest → plan → fetch (tokio; one semaphore bounds the books in flight)
//! → bounded channel → clean (rayon, on its own thread) → collector → report.
//!
//! Every stage sends [`Event`]s to the collector on the calling thread, which
//! alone drives the progress display and gathers the outcomes.
//!
//! Books start in manifest order, whether they are fetched or re-cleaned from
//! their raw copy. After the first signal (SIGINT, SIGTERM, SIGHUP) no book starts: those in
//! flight are abandoned (their temporary files are removed as their tasks are
//! dropped), the cleaner finishes what it holds, the books not started are
//! reported as such, and the run ends with a report.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use crate::buffer_pool;
use crate::clean_stage::{self, CleanJob, Replacing};
use crate::config::Config;
use crate::fetch::health::Stop;
use crate::fetch::{BookError, Client, Fetched, MirrorFault, Rechecked, Stage};
use crate::interrupt::Interrupted;
use crate::ledger::{Ledger, Previous};
use crate::manifest::{Book, Books, Manifest};
use crate::memory;
use crate::outcome::{BookOutcome, Event, UpdateNote};
use crate::plan::{step_for, update_step, OutputLayout, Recheck, Step, Why};
use crate::progress::Progress;
use crate::provenance::Source;
use crate::refetch;
use crate::terminal_safe::terminal_safe;

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

type InFlight = HashMap<tokio::task::Id, Book>;

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

/// The fetch stage: starts each book in order, at most the throttle's limit
/// of downloads in flight; each fetched book goes on to the cleaner, each
/// failure straight to the collector. Every wait for room (a download permit,
/// a place in the cleaner's queue) also watches for the interrupt, so no book
/// starts after it. Each book also waits for the mirror's health to let it
/// start; once it stops the run, the books left are not started, and those
/// in flight end by themselves.
async fn fetch_all(
    client: &Arc<Client>,
    mut work: tokio::sync::mpsc::Receiver<Work>,
    out: &OutputLayout,
    clean_tx: tokio::sync::mpsc::Sender<CleanJob>,
    events: mpsc::Sender<Event>,
    mut interrupted: Interrupted,
) {
    let mut tasks = JoinSet::new();
    let mut in_flight = InFlight::new();
    let mut stopped = None;
    while let Some(next) = work.recv().await {
        // `Ok(_)`: if the signal watch could not be set up, never stop.
        let not_started = match next {
            Work::Reclean(mut job) => tokio::select! {
                biased;
                Ok(_) = interrupted.wait_for(|stop| *stop) => Some(Work::Reclean(job)),
                slot = clean_tx.reserve() => {
                    if let Ok(slot) = slot {
                        // Should the copy prove unusable, the cleaner hands the book back here.
                        let (back, handed_back) = tokio::sync::oneshot::channel();
                        job.refetch = Some(back);
                        slot.send(*job);
                        let (task_client, raw_dir, task_clean_tx, task_events) =
                            (Arc::clone(client), out.raw_dir.clone(), clean_tx.clone(), events.clone());
                        tasks.spawn(async move {
                            refetch::refetch_if_handed_back(handed_back, &task_client, raw_dir, &task_clean_tx, &task_events)
                                .await;
                        });
                    }
                    None
                }
            },
            // Taking the permit before spawning keeps the number of live tasks,
            // and so memory, bounded by `--jobs` rather than by the manifest's size.
            work @ (Work::Fetch(..) | Work::Recheck(..)) => tokio::select! {
                biased;
                Ok(_) = interrupted.wait_for(|stop| *stop) => Some(work),
                admitted = client.admit() => match admitted {
                    Err(stop) => {
                        stopped = Some(stop);
                        Some(work)
                    }
                    Ok(admitted) => {
                        let (task_client, raw_dir, task_clean_tx, task_events) =
                            (Arc::clone(client), out.raw_dir.clone(), clean_tx.clone(), events.clone());
                        let book = match &work {
                            Work::Fetch(book, _) | Work::Recheck(book, _) => book.clone(),
                            Work::Reclean(_) => unreachable!("matched above"),
                        };
                        let clean_path = out.clean_path(&book);
                        let handle = tasks.spawn(async move {
                            let _admitted = admitted;
                            // Boxed: a task's cell lives until it is joined, a little
                            // after it ends, and sized for this future it would be
                            // ~18 KiB; the box is freed the moment the book is done.
                            match work {
                                Work::Fetch(book, notes) => {
                                    let fetch =
                                        fetch_one(&task_client, book, notes, raw_dir, &task_clean_tx, &task_events);
                                    Box::pin(fetch).await;
                                }
                                Work::Recheck(book, recheck) => {
                                    let paths = (raw_dir, clean_path);
                                    let check = recheck_one(&task_client, book, *recheck, paths, &task_clean_tx, &task_events);
                                    Box::pin(check).await;
                                }
                                Work::Reclean(_) => unreachable!("matched above"),
                            }
                        });
                        in_flight.insert(handle.id(), book);
                        None
                    }
                }
            },
        };
        if let Some(next) = not_started {
            // An interrupt abandons the books in flight; a stop lets them end.
            if stopped.is_none() {
                stop_all_in_flight(&mut tasks, &mut in_flight, &events).await;
            }
            let reason = stopped.as_ref().map(|stop: &Stop| stop.reason.as_str());
            let not_started = |work: Work| {
                let (book, raw_path) = work.into_book();
                let outcome = match reason {
                    Some(reason) => BookOutcome::stopped(book, raw_path, reason),
                    None => BookOutcome::not_started(book, raw_path),
                };
                let _ = events.send(Event::Done(Box::new(outcome)));
            };
            not_started(next);
            while let Some(rest) = work.recv().await {
                not_started(rest);
            }
            break;
        }
        while let Some(joined) = tasks.try_join_next_with_id() {
            report_panic(joined, &mut in_flight, &events);
        }
    }
    loop {
        let joined = tokio::select! {
            biased;
            Ok(_) = interrupted.wait_for(|stop| *stop) => None,
            joined = tasks.join_next_with_id() => Some(joined),
        };
        match joined {
            Some(Some(joined)) => report_panic(joined, &mut in_flight, &events),
            Some(None) => break,
            None => {
                stop_all_in_flight(&mut tasks, &mut in_flight, &events).await;
                break;
            }
        }
    }
    // A second signal skips the goodbyes: only the report is left to do.
    tokio::select! {
        () = client.close() => {}
        () = crate::interrupt::hurry() => {}
    }
}

/// After an interrupt: abandons the books in flight and reports them failed.
async fn stop_all_in_flight(tasks: &mut JoinSet<()>, in_flight: &mut InFlight, events: &mpsc::Sender<Event>) {
    tasks.abort_all();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Err(err) if err.is_cancelled() => {
                if let Some(book) = in_flight.remove(&err.id()) {
                    let error = BookError::permanent(Stage::Download, "abandoned: the run was interrupted");
                    let _ = events.send(Event::Done(Box::new(BookOutcome::failed(book, error))));
                }
            }
            other => report_panic(other, in_flight, events),
        }
    }
}

pub(crate) async fn fetch_one(
    client: &Client,
    book: Book,
    notes: Vec<String>,
    raw_dir: PathBuf,
    clean_tx: &tokio::sync::mpsc::Sender<CleanJob>,
    events: &mpsc::Sender<Event>,
) {
    let ebook = book.number;
    let watch = |update| {
        let _ = events.send(Event::Transfer { ebook, update });
    };
    match client.fetch(book.number, &raw_dir, Some(&watch)).await {
        Ok(fetched) => {
            let _ = events.send(Event::Downloaded { bytes: fetched.received.bytes });
            let (job, _) = clean_job(book, fetched, notes);
            // Awaiting here while holding the permit is the backpressure.
            let _ = clean_tx.send(job).await;
        }
        Err(error) if error.mirror == Some(MirrorFault::RunStopped) => {
            let _ = events.send(Event::Done(Box::new(BookOutcome::stopped(book, None, &error.message))));
        }
        Err(error) => {
            let outcome = BookOutcome { warnings: notes, ..BookOutcome::failed(book, error) };
            let _ = events.send(Event::Done(Box::new(outcome)));
        }
    }
}

/// The cleaner's job for a fetched book, and its new version if staged.
fn clean_job(book: Book, fetched: Fetched, notes: Vec<String>) -> (CleanJob, Option<crate::atomic_file::Staged>) {
    let Fetched { candidate, url, raw_path, received, staged, attempts } = fetched;
    let source = Source { url: url.clone(), path: candidate.path, local_name: candidate.local_name, received };
    let job = CleanJob { source: Some(source), ..CleanJob::of(book, Some(url), raw_path, attempts, notes) };
    (job, staged)
}

/// `--update`: asks the mirror whether the book's file changed; an
/// unchanged or vanished book is done, a changed one goes to the cleaner
/// with its new version staged beside the old copy.
async fn recheck_one(
    client: &Client,
    book: Book,
    recheck: Recheck,
    (raw_dir, clean_path): (PathBuf, PathBuf),
    clean_tx: &tokio::sync::mpsc::Sender<CleanJob>,
    events: &mpsc::Sender<Event>,
) {
    let ebook = book.number;
    let watch = |update| {
        let _ = events.send(Event::Transfer { ebook, update });
    };
    let Recheck { raw_path, known, old, by_size } = recheck;
    let done = |outcome: BookOutcome| {
        let _ = events.send(Event::Done(Box::new(outcome)));
    };
    match client.recheck(book.number, &known, Some(&raw_dir), Some(&watch)).await {
        Ok(Rechecked::Unchanged { .. }) => done(BookOutcome::unchanged(book, clean_path, raw_path, by_size)),
        Ok(Rechecked::Gone(why)) => done(BookOutcome::gone_upstream(book, clean_path, raw_path, &why)),
        Ok(Rechecked::Changed { fetched, .. }) if same_bytes(&fetched, &known, old.sha256.as_deref()) => {
            // A server that ignores the conditions sent: the same bytes again.
            // Nothing is replaced; the record learns the validators sent now.
            let _ = events.send(Event::Downloaded { bytes: fetched.received.bytes });
            let Fetched { candidate, url, received, .. } = *fetched;
            let source = Source { url, path: candidate.path, local_name: candidate.local_name, received };
            if let Some(out_dir) = raw_dir.parent() {
                crate::provenance::write(out_dir, book.number, &source);
            }
            done(BookOutcome::unchanged(book, clean_path, raw_path, by_size));
        }
        Ok(Rechecked::Changed { fetched, why }) => {
            let _ = events.send(Event::Downloaded { bytes: fetched.received.bytes });
            let notes = by_size.into_iter().collect();
            let (job, staged) = clean_job(book, *fetched, notes);
            let Some(staged) = staged else { unreachable!("an update stages its download") };
            let note = UpdateNote { why, new: old.clone(), old };
            let update = Replacing { staged, old_raw: raw_path, note };
            let _ = clean_tx.send(CleanJob { update: Some(update), ..job }).await;
        }
        Ok(Rechecked::WouldFetch { .. }) => unreachable!("a download yields a downloaded file"),
        Err(error) if error.mirror == Some(MirrorFault::RunStopped) => {
            done(BookOutcome::stopped(book, Some(raw_path), &error.message));
        }
        Err(error) => {
            let kept = "could not be checked: the copies on disk are kept".to_owned();
            done(BookOutcome { warnings: vec![kept], ..BookOutcome::failed(book, error) });
        }
    }
}

/// Whether a download is byte for byte the copy it would replace, under the same name.
fn same_bytes(fetched: &Fetched, known: &crate::fetch::Known, old_sha256: Option<&str>) -> bool {
    fetched.candidate.local_name == known.local_name
        && old_sha256.is_some_and(|old| crate::provenance::hex(&fetched.received.sha256) == old)
}

/// A panicking task must still leave its book in the report.
fn report_panic(
    joined: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
    in_flight: &mut InFlight,
    events: &mpsc::Sender<Event>,
) {
    match joined {
        Ok((id, ())) => {
            in_flight.remove(&id);
        }
        Err(err) => {
            if let Some(book) = in_flight.remove(&err.id()) {
                let error = BookError::permanent(Stage::Download, format!("internal error: {err}"));
                let _ = events.send(Event::Done(Box::new(BookOutcome::failed(book, error))));
            }
        }
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
