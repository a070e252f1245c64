//! A raw copy left by an earlier run that proves unusable only while it is
//! cleaned (a CRC error deep in a zip, a text with nothing between its
//! markers) is handed back by the cleaner and fetched once more, in the same
//! run: the plan's cheap checks cannot see these, and without this every
//! re-run would fail the book again without asking the mirror.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::clean_stage::CleanJob;
use crate::fetch::{BookError, Client, Stage};
use crate::manifest::Book;
use crate::outcome::{BookOutcome, Event};
use crate::pipeline::fetch_one;

/// Waits for the cleaner's word on a raw copy left by an earlier run: a
/// copy that a fresh download could fix (a corrupt zip, an empty body) is
/// handed back, and the book is fetched once more, in this run.
pub(crate) async fn refetch_if_handed_back(
    handed_back: tokio::sync::oneshot::Receiver<(Book, String)>,
    client: &Client,
    raw_dir: PathBuf,
    clean_tx: &tokio::sync::mpsc::Sender<CleanJob>,
    events: &mpsc::Sender<Event>,
) {
    let mut pending = HandedBack { handed_back, received: false, book: None, events };
    // The cleaner dropped its end: the copy was cleaned, or failed for good, and reported.
    let Ok((book, note)) = (&mut pending.handed_back).await else { return };
    pending.received = true;
    pending.book = Some(book.clone());
    let _permit = client.throttle().acquire().await;
    Box::pin(fetch_one(client, book, vec![note], raw_dir, clean_tx, events)).await;
    pending.book = None;
}

/// A book handed back for a fresh download is reported even when its task
/// is aborted by an interrupt, whether it was being fetched or still on its
/// way from the cleaner.
struct HandedBack<'a> {
    handed_back: tokio::sync::oneshot::Receiver<(Book, String)>,
    received: bool,
    /// Being fetched: not reported yet.
    book: Option<Book>,
    events: &'a mpsc::Sender<Event>,
}

impl Drop for HandedBack<'_> {
    fn drop(&mut self) {
        let book = match self.book.take() {
            Some(book) => Some(book),
            // Closed first, so the cleaner either sent already or learns it cannot.
            None if !self.received => {
                self.handed_back.close();
                self.handed_back.try_recv().ok().map(|(book, _)| book)
            }
            None => None,
        };
        if let Some(book) = book {
            let error = BookError::permanent(Stage::Download, "abandoned: the run was interrupted");
            let _ = self.events.send(Event::Done(Box::new(BookOutcome::failed(book, error))));
        }
    }
}
