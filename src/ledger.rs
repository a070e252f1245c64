//! The run's record of every book, kept on disk as it grows: each outcome
//! becomes one JSON entry the moment it arrives, and entries go to an
//! unnamed spool file a chunk at a time; memory keeps only the counts, the
//! failures (for the summary) and where each entry sits. A run of a hundred
//! thousand books needs no more memory than one of a hundred, and the report
//! is written from the spool at the end.
//!
//! The spool is an economy, never a new way to fail: when it cannot be
//! written (the disk is full, as a test makes it), entries simply stay in
//! memory, as they would without it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::ser::{Error as _, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};

use crate::ebook::EbookNumber;
use crate::fetch::Stage;
use crate::outcome::{BookOutcome, Status};

/// Counts and sums over the books recorded.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub ok: usize,
    /// Of `ok`, those cleaned again from their raw copy, with nothing fetched.
    pub recleaned: usize,
    pub skipped: usize,
    pub failed: usize,
    pub not_started: usize,
    /// Of `ok`, those kept whole because no Gutenberg marker was found.
    pub no_markers: usize,
    /// Bytes of the `ok` books, raw and clean.
    pub raw_bytes: u64,
    pub clean_bytes: u64,
    pub clean_seconds: f64,
}

/// A book that failed, as the summary names it.
#[derive(Clone, Debug)]
pub struct Failure {
    pub line: u64,
    pub ebook: EbookNumber,
    pub title: Option<String>,
    pub message: String,
}

/// One book in the report, exactly as the spool holds it.
#[derive(Debug, Deserialize, Serialize)]
struct BookEntry {
    ebook: u32,
    title: Option<String>,
    author: Option<String>,
    manifest_line: u64,
    status: Status,
    url: Option<String>,
    /// Paths as text (the report is JSON): lossily, in the rare folder
    /// whose name is not UTF-8.
    raw_path: Option<String>,
    clean_path: Option<String>,
    raw_bytes: u64,
    clean_bytes: u64,
    encoding: Option<String>,
    markers_found: Option<bool>,
    attempts: u32,
    warnings: Vec<String>,
    error: Option<ErrorEntry>,
}

#[derive(Debug, Deserialize, Serialize)]
struct ErrorEntry {
    stage: Stage,
    message: String,
}

/// Where one entry sits in the spool.
#[derive(Clone, Copy, Debug)]
struct Place {
    manifest_line: u64,
    offset: u64,
    len: usize,
}

/// Entries are held in memory up to this much before they go to the spool.
const CHUNK: usize = 64 * 1024;

pub struct Ledger {
    /// `None` if the spool could not be made.
    spool: Option<File>,
    /// Cleared when a write to the spool fails: the rest stays in memory.
    spilling: bool,
    /// The entries, as one stream: its first `spilled` bytes are in the
    /// spool, the rest in `recent`.
    spilled: u64,
    recent: Vec<u8>,
    places: Vec<Place>,
    tally: Tally,
    failures: Vec<Failure>,
}

impl Ledger {
    /// A ledger spooling to an unnamed file in `dir` (on Linux it never has
    /// a name, so nothing is left behind however the run ends).
    pub fn new(dir: &Path) -> Ledger {
        let spool =
            tempfile::tempfile_in(dir).inspect_err(|e| tracing::debug!("keeping the run's record in memory: {e}")).ok();
        Ledger {
            spilling: spool.is_some(),
            spool,
            spilled: 0,
            // Room for a chunk and the entry that crosses it: grown by
            // doubling instead, it would be copied to twice the size.
            recent: Vec::with_capacity(2 * CHUNK),
            places: Vec::new(),
            tally: Tally::default(),
            failures: Vec::new(),
        }
    }

    pub fn record(&mut self, o: &BookOutcome) {
        let t = &mut self.tally;
        match o.status {
            Status::Ok => {
                t.ok += 1;
                t.recleaned += usize::from(o.recleaned());
                t.no_markers += usize::from(o.markers_found == Some(false));
                t.raw_bytes += o.raw_bytes;
                t.clean_bytes += o.clean_bytes;
            }
            Status::Skipped => t.skipped += 1,
            Status::Failed => t.failed += 1,
            Status::NotStarted => t.not_started += 1,
        }
        t.clean_seconds += o.clean_seconds;
        if let Some(error) = &o.error {
            self.failures.push(Failure {
                line: o.book.line,
                ebook: o.book.number,
                title: o.book.title().map(str::to_owned),
                message: error.to_string(),
            });
        }
        let start = self.recent.len();
        serde_json::to_writer(&mut self.recent, &entry(o)).expect("an entry of strings and numbers serialises");
        let len = self.recent.len() - start;
        self.places.push(Place { manifest_line: o.book.line, offset: self.spilled + start as u64, len });
        if self.recent.len() >= CHUNK {
            self.spill();
        }
    }

    /// Moves the entries in memory to the spool, or gives the spool up.
    fn spill(&mut self) {
        let Some(spool) = self.spool.as_mut().filter(|_| self.spilling) else { return };
        match spool.write_all(&self.recent) {
            Ok(()) => {
                self.spilled += self.recent.len() as u64;
                self.recent.clear();
            }
            Err(e) => {
                // What was spilled before stays readable; a partly written
                // chunk lies past `spilled` and is never read.
                tracing::debug!("keeping the rest of the run's record in memory: {e}");
                self.spilling = false;
            }
        }
    }

    /// Ends recording: the books are put in manifest order.
    pub fn finish(&mut self) {
        self.places.sort_by_key(|p| p.manifest_line);
        self.failures.sort_by_key(|f| f.line);
    }

    /// The bytes of one entry, from memory or from the spool.
    fn read(&self, place: Place, bytes: &mut Vec<u8>) -> io::Result<()> {
        let len = place.len;
        if let Some(in_memory) = place.offset.checked_sub(self.spilled) {
            bytes.clear();
            bytes.extend_from_slice(&self.recent[in_memory as usize..][..len]);
            return Ok(());
        }
        // Before `spilled`: written whole to the spool, which is kept.
        let mut spool: &File = self.spool.as_ref().expect("spilled entries have a spool");
        bytes.resize(len, 0);
        spool.seek(SeekFrom::Start(place.offset))?;
        spool.read_exact(bytes)
    }

    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The failed books, in manifest order once [`Ledger::finish`] has run.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// The books for the report, read back from the spool one at a time.
    pub fn books(&self) -> Books<'_> {
        Books(self)
    }
}

/// Serialises as the list of every book's entry, in manifest order.
pub struct Books<'a>(&'a Ledger);

impl Serialize for Books<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ledger = self.0;
        let mut seq = serializer.serialize_seq(Some(ledger.places.len()))?;
        let mut bytes = Vec::new();
        for &place in &ledger.places {
            let read = ledger.read(place, &mut bytes);
            read.map_err(|e| S::Error::custom(format!("reading back the run's record: {e}")))?;
            let entry: BookEntry = serde_json::from_slice(&bytes).map_err(S::Error::custom)?;
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}

fn lossy(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn entry(o: &BookOutcome) -> BookEntry {
    BookEntry {
        ebook: o.book.number.get(),
        title: o.book.title().map(str::to_owned),
        author: o.book.author().map(str::to_owned),
        manifest_line: o.book.line,
        status: o.status,
        url: o.url.clone(),
        raw_path: o.raw_path.as_deref().map(lossy),
        clean_path: o.clean_path.as_deref().map(lossy),
        raw_bytes: o.raw_bytes,
        clean_bytes: o.clean_bytes,
        encoding: o.encoding.map(str::to_owned),
        markers_found: o.markers_found,
        attempts: o.attempts,
        warnings: o.warnings.clone(),
        error: o.error.as_ref().map(|e| ErrorEntry { stage: e.stage, message: e.message.clone() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::BookError;
    use crate::manifest::Book;

    fn book(number: &str, line: u64) -> Book {
        let number = EbookNumber::parse(number).unwrap();
        Book::new(number, line, 0).with_about(Some(format!("Title {number}")), None, None)
    }

    #[test]
    fn books_come_back_in_manifest_order_with_counts_and_failures() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::new(dir.path());
        let mut ok = BookOutcome::ok(book("418", 4));
        (ok.raw_bytes, ok.clean_bytes, ok.markers_found, ok.url) = (10, 7, Some(false), Some("ftp://m/418".into()));
        let late = BookOutcome::failed(book("99", 9), BookError::permanent(Stage::Resolve, "no plain-text file"));
        let early = BookOutcome::failed(book("7", 2), BookError::permanent(Stage::Download, "550 refused"));
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

    /// Enough books to spill several chunks, recorded in reverse.
    fn record_many(ledger: &mut Ledger) -> Vec<u64> {
        let lines: Vec<u64> = (2..1002).collect();
        for &line in lines.iter().rev() {
            let title = format!("A title long enough to fill the chunks sooner {line}");
            let b = book(&line.to_string(), line).with_about(Some(title), None, None);
            ledger.record(&BookOutcome::ok(b));
        }
        ledger.finish();
        lines
    }

    fn lines_and_titles(ledger: &Ledger) -> Vec<(u64, String)> {
        let books = serde_json::to_value(ledger.books()).unwrap();
        books
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["manifest_line"].as_u64().unwrap(), b["title"].to_string()))
            .collect()
    }

    #[test]
    fn spilled_entries_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::new(dir.path());
        let lines = record_many(&mut ledger);
        assert!(ledger.spilled > 2 * CHUNK as u64, "spilled {}", ledger.spilled);
        let got = lines_and_titles(&ledger);
        assert_eq!(got.iter().map(|(l, _)| *l).collect::<Vec<_>>(), lines);
        assert!(got.iter().all(|(l, t)| t.ends_with(&format!(" {l}\""))), "{:?}", &got[..3]);
    }

    #[test]
    fn a_spool_that_cannot_be_written_leaves_the_record_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let read_only = dir.path().join("read-only");
        std::fs::write(&read_only, "").unwrap();
        let mut ledger = Ledger::new(dir.path());
        ledger.spool = Some(File::open(&read_only).unwrap());
        let lines = record_many(&mut ledger);
        assert_eq!((ledger.spilled, ledger.spilling), (0, false));
        assert_eq!(lines_and_titles(&ledger).iter().map(|(l, _)| *l).collect::<Vec<_>>(), lines);
    }
}
