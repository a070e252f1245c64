//! The run's record of every book, kept on disk as it grows: each outcome
//! becomes one JSON entry the moment it arrives, and entries go to an
//! unnamed spool file a chunk at a time, in the order of the books in the
//! run. Memory keeps only the counts, the failures (for the summary), and
//! the entries of books that finished before an earlier book: a run of a
//! hundred thousand books needs no more memory than one of a hundred, and
//! the report is written by reading the spool back from the start.
//!
//! Books finish a little out of order (those in flight at once), so an
//! entry waits in memory until the books before it are recorded, up to
//! [`WAIT_AT_MOST`] bytes of waiting entries. Past that (one book retrying
//! for minutes while thousands finish), the spool moves on without the
//! slow book, whose entry is kept aside when it comes and merged in when
//! the report is read.
//!
//! The spool is an economy, never a new way to fail: when it cannot be
//! written (the disk is full, as a test makes it), entries simply stay in
//! memory, as they would without it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

use entry::{entry, BookEntry};

use crate::ebook::EbookNumber;
use crate::outcome::{BookOutcome, Status};

mod entry;
mod previous;

pub use previous::{Learned, Previous};

/// Counts and sums over the books recorded.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub ok: usize,
    /// Of `ok`, those cleaned again from their raw copy, with nothing fetched.
    pub recleaned: usize,
    pub skipped: usize,
    pub failed: usize,
    pub not_started: usize,
    /// `--update`: fetched again because their file changed on the mirror.
    pub updated: usize,
    /// `--update`: checked and found as they were.
    pub unchanged: usize,
    /// Of `unchanged`, those compared by size alone (no usable record, or nothing else told).
    pub compared_by_size: usize,
    /// `--update`: no file of theirs left on the mirror; their copies kept.
    pub gone_upstream: usize,
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

/// Entries are held in memory up to this much before they go to the spool.
const CHUNK: usize = 64 * 1024;

/// Entries waiting for an earlier book are held up to this much.
pub const WAIT_AT_MOST: usize = 256 * 1024;

pub struct Ledger {
    /// `None` if the spool could not be made.
    spool: Option<File>,
    /// Cleared when a write to the spool fails: the rest stays in memory.
    spilling: bool,
    /// The entries in order, one JSON value a line, as one stream: its
    /// first `spilled` bytes are in the spool, the rest in `recent`.
    spilled: u64,
    recent: Vec<u8>,
    /// The book (by [`Book::seq`](crate::manifest::Book::seq)) whose entry goes on the stream next.
    next: u32,
    /// Entries of later books, waiting for `next`, and their bytes.
    waiting: BTreeMap<u32, Vec<u8>>,
    waiting_bytes: usize,
    /// Entries of books the stream had moved past, by manifest line.
    late: Vec<(u64, Vec<u8>)>,
    tally: Tally,
    failures: Vec<Failure>,
    /// Entries name paths relative to the output folder.
    out_dir: PathBuf,
    /// What earlier runs learned about the books this one skips.
    previous: Previous,
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
            next: 0,
            waiting: BTreeMap::new(),
            waiting_bytes: 0,
            late: Vec::new(),
            tally: Tally::default(),
            failures: Vec::new(),
            out_dir: dir.to_owned(),
            previous: Previous::default(),
        }
    }

    /// Fills in skipped books' entries with what `previous` learned of them.
    pub fn remembering(self, previous: Previous) -> Ledger {
        Ledger { previous, ..self }
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
            Status::Updated => {
                t.updated += 1;
                t.raw_bytes += o.raw_bytes;
                t.clean_bytes += o.clean_bytes;
            }
            Status::Unchanged => {
                t.unchanged += 1;
                // The note is why only the sizes were compared.
                t.compared_by_size += usize::from(!o.warnings.is_empty());
            }
            Status::GoneUpstream => t.gone_upstream += 1,
        }
        t.clean_seconds += o.clean_seconds;
        if let Some(error) = &o.error {
            self.failures.push(Failure {
                line: o.book.line,
                ebook: o.book.number,
                title: o.book.title().map(str::to_owned),
                message: crate::redact::redact(&error.to_string()).into_owned(),
            });
        }
        let seq = o.book.seq;
        // Books not decoded in this run keep what an earlier one learned.
        let not_decoded = matches!(o.status, Status::Skipped | Status::Unchanged | Status::GoneUpstream);
        let learned = if not_decoded { self.previous.get(o.book.number.get()) } else { None };
        let entry = entry(o, &self.out_dir, learned);
        if seq == self.next {
            serde_json::to_writer(&mut self.recent, &entry).expect("an entry of strings and numbers serialises");
            self.recent.push(b'\n');
            self.next += 1;
            self.take_waiting();
        } else {
            let mut bytes = serde_json::to_vec(&entry).expect("an entry of strings and numbers serialises");
            bytes.push(b'\n');
            if seq < self.next {
                self.late.push((o.book.line, bytes));
            } else {
                self.waiting_bytes += bytes.len();
                self.waiting.insert(seq, bytes);
                // Too much waits for one book: go on without it.
                while self.waiting_bytes > WAIT_AT_MOST {
                    self.append_first_waiting();
                    self.take_waiting();
                }
            }
        }
        if self.recent.len() >= CHUNK {
            self.spill();
        }
    }

    /// Puts the waiting entries that now follow on the stream.
    fn take_waiting(&mut self) {
        while self.waiting.first_key_value().is_some_and(|(&seq, _)| seq == self.next) {
            self.append_first_waiting();
        }
    }

    /// Puts the first waiting entry on the stream; the books before it that
    /// have not come are late when they do.
    fn append_first_waiting(&mut self) {
        let Some((seq, bytes)) = self.waiting.pop_first() else { return };
        self.waiting_bytes -= bytes.len();
        self.recent.extend_from_slice(&bytes);
        self.next = seq + 1;
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

    /// Ends recording: every entry goes on the stream, in order.
    pub fn finish(&mut self) {
        while !self.waiting.is_empty() {
            self.append_first_waiting();
        }
        self.late.sort_by_key(|(line, _)| *line);
        self.failures.sort_by_key(|f| f.line);
    }

    /// The stream of entries from its start: the spool, then memory.
    fn stream(&self) -> io::Result<impl Read + '_> {
        let spooled: Box<dyn Read + '_> = match self.spool.as_ref().filter(|_| self.spilled > 0) {
            Some(mut spool) => {
                spool.seek(SeekFrom::Start(0))?;
                Box::new(io::BufReader::new(spool.take(self.spilled)))
            }
            _ => Box::new(io::empty()),
        };
        Ok(spooled.chain(self.recent.as_slice()))
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

    /// Books recorded so far.
    fn recorded(&self) -> usize {
        let t = &self.tally;
        t.ok + t.skipped + t.failed + t.not_started + t.updated + t.unchanged + t.gone_upstream
    }
}

/// Serialises as the list of every book's entry, in manifest order.
pub struct Books<'a>(&'a Ledger);

impl Serialize for Books<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ledger = self.0;
        let failed = |e: &dyn std::fmt::Display| S::Error::custom(format!("reading back the run's record: {e}"));
        let parse_late = |bytes: &[u8]| serde_json::from_slice::<BookEntry>(bytes).map_err(|e| failed(&e));
        let mut seq = serializer.serialize_seq(Some(ledger.recorded()))?;
        let stream = ledger.stream().map_err(|e| failed(&e))?;
        let mut late = ledger.late.iter().peekable();
        for entry in serde_json::Deserializer::from_reader(stream).into_iter::<BookEntry>() {
            let entry = entry.map_err(|e| failed(&e))?;
            while let Some((_, bytes)) = late.next_if(|(line, _)| *line < entry.manifest_line) {
                seq.serialize_element(&parse_late(bytes)?)?;
            }
            seq.serialize_element(&entry)?;
        }
        for (_, bytes) in late {
            seq.serialize_element(&parse_late(bytes)?)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests;
