//! One book's task in the fetch stage: fetch it and hand it to the
//! cleaner, or (`--update`) ask the mirror whether it changed and hand over
//! only a new version, staged until its clean text is written.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::clean_stage::{CleanJob, Replacing};
use crate::fetch::{Client, Fetched, MirrorFault, Rechecked};
use crate::manifest::Book;
use crate::outcome::{BookOutcome, Event};
use crate::plan::Recheck;
use crate::provenance::Source;

/// Fetches the book and hands it to the cleaner; a failure goes straight to the collector.
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
    let source = Source::new(candidate, url.clone(), received);
    let job = CleanJob { source: Some(source), ..CleanJob::of(book, Some(url), raw_path, attempts, notes) };
    (job, staged)
}

/// `--update`: asks the mirror whether the book's file changed; an
/// unchanged or vanished book is done, a changed one goes to the cleaner
/// with its new version staged beside the old copy.
pub(super) async fn recheck_one(
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
        Ok(Rechecked::Unchanged { by_size: only_sizes }) => {
            let note = by_size.or_else(|| {
                only_sizes
                    .then(|| "the mirror tells nothing but the size of its file: compared by size only".to_owned())
            });
            done(BookOutcome::unchanged(book, clean_path, raw_path, note));
        }
        Ok(Rechecked::Gone(why)) => done(BookOutcome::gone_upstream(book, clean_path, raw_path, &why)),
        Ok(Rechecked::Changed { fetched, .. }) if same_bytes(&fetched, &known, old.sha256.as_deref()) => {
            // A server that ignores the conditions sent: the same bytes again.
            // Nothing is replaced; the record learns the validators sent now.
            let _ = events.send(Event::Downloaded { bytes: fetched.received.bytes });
            let Fetched { candidate, url, received, .. } = *fetched;
            let source = Source::new(candidate, url, received);
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
            let update = Replacing { staged, old_raw: raw_path, why, old };
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
