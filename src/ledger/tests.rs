//! Tests of the ledger: order, spilling, books far behind, a spool that fails.

use super::*;
use crate::fetch::{BookError, Stage};
use crate::manifest::Book;

/// The book at place `seq` of a run, from manifest line `line`.
fn book(number: &str, line: u64, seq: u32) -> Book {
    let number = EbookNumber::parse(number).unwrap();
    let mut book = Book::new(number, line, 0).with_about(Some(format!("Title {number}")), None, None);
    book.seq = seq;
    book
}

#[test]
fn books_come_back_in_manifest_order_with_counts_and_failures() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::new(dir.path());
    let mut ok = BookOutcome::ok(book("418", 4, 1));
    (ok.raw_bytes, ok.clean_bytes, ok.markers_found, ok.url) = (10, 7, Some(false), Some("ftp://m/418".into()));
    let late = BookOutcome::failed(book("99", 9, 2), BookError::permanent(Stage::Resolve, "no plain-text file"));
    let early = BookOutcome::failed(book("7", 2, 0), BookError::permanent(Stage::Download, "550 refused"));
    for outcome in [&ok, &late, &early] {
        ledger.record(outcome);
    }
    ledger.finish();
    // Nothing of the record is left in the folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let t = ledger.tally();
    assert_eq!((t.ok, t.failed, t.no_markers, t.raw_bytes, t.clean_bytes), (1, 2, 1, 10, 7));
    let failed: Vec<_> = ledger.failures().iter().map(|f| (f.ebook.get(), f.message.as_str())).collect();
    assert_eq!(failed, [(7, "download: 550 refused"), (99, "resolve: no plain-text file")]);

    let books = serde_json::to_value(ledger.books()).unwrap();
    let lines: Vec<_> = books.as_array().unwrap().iter().map(|b| b["manifest_line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2, 4, 9]);
    assert_eq!(books[1]["url"], "ftp://m/418");
    assert_eq!(books[1]["title"], "Title 418");
    assert_eq!(books[0]["error"]["stage"], "download");
}

/// Records 1000 books, the run's places given in `order`.
fn record_many(ledger: &mut Ledger, order: impl Iterator<Item = u32>) -> Vec<u64> {
    for seq in order {
        let line = u64::from(seq) * 2 + 2;
        let title = format!("A title long enough to fill the chunks sooner {line}");
        let b = book(&(seq + 1).to_string(), line, seq).with_about(Some(title), None, None);
        ledger.record(&BookOutcome::ok(b));
    }
    ledger.finish();
    (0..1000).map(|seq| seq * 2 + 2).collect()
}

/// Nearly in order, as a run finishes books: each pair the other way round.
fn pairs_swapped() -> impl Iterator<Item = u32> {
    (0..1000).map(|seq| seq ^ 1)
}

fn lines_and_titles(ledger: &Ledger) -> Vec<(u64, String)> {
    let books = serde_json::to_value(ledger.books()).unwrap();
    books.as_array().unwrap().iter().map(|b| (b["manifest_line"].as_u64().unwrap(), b["title"].to_string())).collect()
}

#[test]
fn spilled_entries_read_back_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::new(dir.path());
    let lines = record_many(&mut ledger, pairs_swapped());
    assert!(ledger.spilled > 2 * CHUNK as u64, "spilled {}", ledger.spilled);
    assert!(ledger.late.is_empty() && ledger.waiting.is_empty());
    let got = lines_and_titles(&ledger);
    assert_eq!(got.iter().map(|(l, _)| *l).collect::<Vec<_>>(), lines);
    assert!(got.iter().all(|(l, t)| t.ends_with(&format!(" {l}\""))), "{:?}", &got[..3]);
}

#[test]
fn a_book_far_behind_the_rest_is_kept_aside_and_merged_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::new(dir.path());
    // Books 0 and 500 finish last: far more than WAIT_AT_MOST waits for them.
    let order = (1..1000).filter(|&seq| seq != 500).chain([500, 0]);
    let lines = record_many(&mut ledger, order);
    let late: Vec<u64> = ledger.late.iter().map(|(line, _)| *line).collect();
    assert!(late.contains(&2), "{late:?}");
    assert!(ledger.waiting_bytes <= WAIT_AT_MOST && ledger.waiting.is_empty());
    assert_eq!(lines_and_titles(&ledger).iter().map(|(l, _)| *l).collect::<Vec<_>>(), lines);

    let mut reversed = Ledger::new(dir.path());
    let lines = record_many(&mut reversed, (0..1000).rev());
    assert!(!reversed.late.is_empty());
    assert_eq!(lines_and_titles(&reversed).iter().map(|(l, _)| *l).collect::<Vec<_>>(), lines);
}

#[test]
fn a_spool_that_cannot_be_written_leaves_the_record_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let read_only = dir.path().join("read-only");
    std::fs::write(&read_only, "").unwrap();
    let mut ledger = Ledger::new(dir.path());
    ledger.spool = Some(File::open(&read_only).unwrap());
    let lines = record_many(&mut ledger, pairs_swapped());
    assert_eq!((ledger.spilled, ledger.spilling), (0, false));
    assert_eq!(lines_and_titles(&ledger).iter().map(|(l, _)| *l).collect::<Vec<_>>(), lines);
}
