//! The fetch stage: takes the planned books in order and starts each as a
//! task (a download, a re-clean handed to the cleaner, an `--update`
//! check), at most the throttle's limit at once, until the work runs out,
//! a signal comes, or the mirror's health stops the run; every book it
//! took ends with an outcome, whatever happens.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::book_tasks::{fetch_one, recheck_one};
use super::Work;
use crate::clean_stage::CleanJob;
use crate::fetch::health::Stop;
use crate::fetch::{BookError, Client, Stage};
use crate::interrupt::Interrupted;
use crate::manifest::Book;
use crate::outcome::{BookOutcome, Event};
use crate::plan::OutputLayout;
use crate::refetch;

type InFlight = HashMap<tokio::task::Id, Book>;

/// The fetch stage: starts each book in order, at most the throttle's limit
/// of downloads in flight; each fetched book goes on to the cleaner, each
/// failure straight to the collector. Every wait for room (a download permit,
/// a place in the cleaner's queue) also watches for the interrupt, so no book
/// starts after it. Each book also waits for the mirror's health to let it
/// start; once it stops the run, the books left are not started, and those
/// in flight end by themselves.
pub(super) async fn fetch_all(
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
