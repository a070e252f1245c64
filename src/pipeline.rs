//! Wires the stages together for one run:
//!
//! manifest → plan → fetch (tokio; one semaphore bounds the books in flight)
//! → bounded channel → clean (rayon, on its own thread) → collector → report.
//!
//! Every stage sends [`Event`]s to the collector on the calling thread, which
//! alone drives the progress display and gathers the outcomes.
//!
//! The first SIGINT or SIGTERM stops new books, abandons the transfers in
//! flight (their temporary files are removed as their tasks are dropped),
//! lets the cleaner finish what it holds, and the run ends with a report.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::atomic_file;
use crate::clean_stage::{self, CleanJob};
use crate::config::Config;
use crate::fetch::{BookError, Client, Stage};
use crate::manifest::Book;
use crate::outcome::{BookOutcome, Event, Status};
use crate::plan::{step_for, OutputLayout, Step};
use crate::progress::Progress;
use crate::terminal_safe::terminal_safe;

/// What the collector gathered, for the report.
pub struct RunResult {
    pub outcomes: Vec<BookOutcome>,
    pub download_seconds: f64,
    pub logins: Option<usize>,
    /// Stopped by SIGINT or SIGTERM.
    pub interrupted: bool,
}

/// Runs every book of `books` to an outcome.
pub fn run(config: &Config, books: Vec<Book>) -> anyhow::Result<RunResult> {
    let out = OutputLayout::new(&config.out);
    std::fs::create_dir_all(&out.raw_dir)
        .with_context(|| format!("cannot create output folder {}", out.raw_dir.display()))?;
    for dir in [&out.dir, &out.raw_dir] {
        let removed = atomic_file::remove_stale(dir)
            .with_context(|| format!("cannot clear stale temporary files in {}", dir.display()))?;
        if removed > 0 {
            tracing::info!("removed {removed} temporary files a killed run left in {}", dir.display());
        }
    }

    let (events, collected) = mpsc::channel();
    let mut to_fetch = Vec::new();
    let mut to_reclean = Vec::new();
    for book in books.iter().cloned() {
        match step_for(&book, &out, config.force) {
            Step::Skip => {
                let clean_path = out.clean_path(&book);
                let _ = events.send(Event::Done(Box::new(BookOutcome::skipped(book, clean_path))));
            }
            Step::Reclean(raw_path) => to_reclean.push(CleanJob { book, url: None, raw_path, attempts: 0 }),
            Step::Fetch => to_fetch.push(book),
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("gutenfetch-clean-{i}"))
        .build()
        .context("starting the cleaning threads")?;
    // Room for a couple of books per cleaning thread: enough to keep rayon
    // busy, small enough that downloads wait when cleaning falls behind.
    let (clean_tx, clean_rx) = tokio::sync::mpsc::channel(2 * rayon_pool.current_num_threads());

    let client =
        Arc::new(Client::new(&config.mirror, config.layout, config.limits.clone(), config.retry.clone(), config.jobs)?);
    let (interrupt_tx, interrupted) = watch::channel(false);
    runtime.spawn(watch_signals(interrupt_tx));
    let stop_signal = interrupted.clone();
    let mut progress = Progress::new(books.len());
    let (download_seconds, outcomes) = std::thread::scope(|scope| {
        // Each stage owns its sender, so the collector ends when the last stage does.
        let clean_events = events.clone();
        let (pool, out, clean_options, max_size) = (&rayon_pool, &out, &config.clean, config.limits.max_size);
        scope.spawn(move || clean_stage::run(clean_rx, pool, out, clean_options, max_size, &clean_events));
        let fetch_events = events.clone();
        let client = &client;
        let fetcher = scope.spawn(move || {
            let started = Instant::now();
            runtime.block_on(fetch_all(client, to_fetch, to_reclean, out, clean_tx, fetch_events, stop_signal));
            started.elapsed().as_secs_f64()
        });
        drop(events);
        let mut outcomes = collect(collected, &mut progress);
        outcomes.sort_by_key(|outcome| outcome.book.line);
        (fetcher.join().expect("fetch stage panicked"), outcomes)
    });
    progress.finish();
    let interrupted = *interrupted.borrow();
    Ok(RunResult { outcomes, download_seconds, logins: client.logins(), interrupted })
}

/// Sets `interrupted` on the first SIGINT or SIGTERM; exits at once on the second.
async fn watch_signals(interrupted: watch::Sender<bool>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        tracing::warn!("cannot watch for SIGINT and SIGTERM");
        return;
    };
    tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
    tracing::warn!(
        "interrupted: abandoning the books in flight and writing the report (press Ctrl-C again to quit at once)"
    );
    let _ = interrupted.send(true);
    tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
    // The one exit outside main, as the user asked for it: files are only
    // ever renamed into place complete, so none is left half-written under
    // its final name; stray temporary files are removed by the next run.
    std::process::exit(crate::ExitCode::Interrupted.code());
}

/// The fetch stage: at most the throttle's limit of books in flight; each
/// fetched book goes on to the cleaner, each failure straight to the collector.
async fn fetch_all(
    client: &Arc<Client>,
    books: Vec<Book>,
    reclean: Vec<CleanJob>,
    out: &OutputLayout,
    clean_tx: tokio::sync::mpsc::Sender<CleanJob>,
    events: mpsc::Sender<Event>,
    mut interrupted: watch::Receiver<bool>,
) {
    for job in reclean {
        let _ = clean_tx.send(job).await;
    }
    let mut tasks = JoinSet::new();
    let mut in_flight = std::collections::HashMap::new();
    let mut books = books.into_iter();
    while let Some(book) = books.next() {
        // Taking the permit before spawning keeps the number of live tasks,
        // and so memory, bounded by `--jobs` rather than by the manifest's size.
        let permit = tokio::select! {
            permit = client.throttle().acquire() => permit,
            _ = interrupted.wait_for(|stop| *stop) => {
                stop_all(book, books, &mut tasks, &mut in_flight, &events).await;
                break;
            }
        };
        let (task_client, raw_dir, task_clean_tx, task_events) =
            (Arc::clone(client), out.raw_dir.clone(), clean_tx.clone(), events.clone());
        let task_book = book.clone();
        let handle = tasks.spawn(async move {
            let _permit = permit;
            fetch_one(&task_client, task_book, raw_dir, &task_clean_tx, &task_events).await;
        });
        in_flight.insert(handle.id(), book);
        while let Some(joined) = tasks.try_join_next_with_id() {
            report_panic(joined, &mut in_flight, &events);
        }
    }
    loop {
        tokio::select! {
            joined = tasks.join_next_with_id() => match joined {
                Some(joined) => report_panic(joined, &mut in_flight, &events),
                None => break,
            },
            _ = interrupted.wait_for(|stop| *stop) => {
                stop_all_in_flight(&mut tasks, &mut in_flight, &events).await;
                break;
            }
        }
    }
    client.close().await;
}

/// After an interrupt: abandons the books in flight and reports them, and
/// the ones never started, as not fetched.
async fn stop_all(
    next: Book,
    rest: impl Iterator<Item = Book>,
    tasks: &mut JoinSet<()>,
    in_flight: &mut std::collections::HashMap<tokio::task::Id, Book>,
    events: &mpsc::Sender<Event>,
) {
    stop_all_in_flight(tasks, in_flight, events).await;
    for book in std::iter::once(next).chain(rest) {
        let error = BookError::permanent(Stage::Resolve, "not fetched: the run was interrupted");
        let _ = events.send(Event::Done(Box::new(BookOutcome::failed(book, error))));
    }
}

async fn stop_all_in_flight(
    tasks: &mut JoinSet<()>,
    in_flight: &mut std::collections::HashMap<tokio::task::Id, Book>,
    events: &mpsc::Sender<Event>,
) {
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

async fn fetch_one(
    client: &Client,
    book: Book,
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
            let _ = events.send(Event::Downloaded { bytes: fetched.bytes });
            // Awaiting here while holding the permit is the backpressure.
            let job = CleanJob { book, url: Some(fetched.url), raw_path: fetched.raw_path, attempts: fetched.attempts };
            let _ = clean_tx.send(job).await;
        }
        Err(error) => {
            let _ = events.send(Event::Done(Box::new(BookOutcome::failed(book, error))));
        }
    }
}

/// A panicking task must still leave its book in the report.
fn report_panic(
    joined: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
    in_flight: &mut std::collections::HashMap<tokio::task::Id, Book>,
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

/// Gathers outcomes until every stage has hung up, logging what a user
/// should know about each book as it finishes.
fn collect(events: mpsc::Receiver<Event>, progress: &mut Progress) -> Vec<BookOutcome> {
    let mut outcomes = Vec::new();
    for event in events {
        match event {
            Event::Downloaded { bytes } => progress.downloaded(bytes),
            Event::Transfer { ebook, update } => progress.transfer(ebook, update),
            Event::Done(outcome) => {
                log_outcome(&outcome);
                progress.book_done(&outcome);
                outcomes.push(*outcome);
            }
        }
    }
    outcomes
}

fn log_outcome(outcome: &BookOutcome) {
    let n = outcome.book.number;
    if let Some(error) = &outcome.error {
        tracing::error!("ebook {n} failed: {}", terminal_safe(&error.to_string()));
        return;
    }
    for warning in &outcome.warnings {
        tracing::warn!("ebook {n}: {warning}");
    }
    match outcome.status {
        Status::Skipped => tracing::debug!("ebook {n}: already complete"),
        _ => tracing::debug!(
            "ebook {n}: ok, {} from {}, {}",
            crate::progress::human_bytes(outcome.raw_bytes),
            terminal_safe(outcome.url.as_deref().unwrap_or("raw/")),
            outcome.encoding.unwrap_or("?")
        ),
    }
}
