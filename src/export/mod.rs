//! The dataset file: one JSON object a line per clean book, in manifest
//! order, made from what a run left in its output folder — the report (the
//! books in order, what the manifest said of each, their status and URL)
//! and the clean and raw files. `--jsonl` calls it after a run and
//! `gutenfetch export` on any output folder, so both give the same file and
//! the fetch and clean stages know nothing of it.
//!
//! Streams throughout: the report is read one book entry at a time; a few
//! books at once are made into their lines on the rayon pool (text escaped,
//! counted, raw copy hashed) and written in manifest order as they finish,
//! so memory holds a few books whatever the number of books (their buffers
//! are reused, so at most a few times the largest book).

mod destination;
mod text;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

use anyhow::Context;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::outcome::Status;
use destination::Destination;

/// Copies are made a buffer of this size at a time.
const BUFFER: usize = 256 * 1024;

/// What `export` needs, resolved from the command line.
#[derive(Clone, Debug)]
pub struct ExportConfig {
    /// The output folder of a run.
    pub out: PathBuf,
    /// Its report [default: OUT/gutenfetch-report.json].
    pub report: PathBuf,
    /// The dataset file; `-` for stdout.
    pub jsonl: PathBuf,
}

/// What a book's entry in the report gives the dataset.
#[derive(Debug, Deserialize)]
struct Entry {
    ebook: u32,
    status: Status,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    subjects: Option<String>,
    #[serde(default)]
    issued: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    raw_path: Option<String>,
}

/// The fields of a dataset line before its text, in the order written.
#[derive(Serialize)]
struct Head<'a> {
    ebook: u32,
    title: &'a Option<String>,
    author: &'a Option<String>,
    language: &'a Option<String>,
    subjects: &'a Option<String>,
    issued: &'a Option<String>,
    url: &'a Option<String>,
    sha256: Option<String>,
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub books: usize,
    /// Clean books whose text was not in the folder (removed since the run).
    pub missing: usize,
}

/// `gutenfetch export`: writes the dataset file and says what it wrote.
pub fn run(config: &ExportConfig) -> anyhow::Result<crate::ExitCode> {
    let exported = write(&config.out, &config.report, &config.jsonl)?;
    eprintln!(
        "gutenfetch: {} written to {}{}",
        crate::progress::counted(exported.books, "book"),
        config.jsonl.display(),
        if exported.missing > 0 { format!(", {} whose text is missing", exported.missing) } else { String::new() }
    );
    Ok(if exported.missing > 0 { crate::ExitCode::BooksFailed } else { crate::ExitCode::Success })
}

/// Writes the dataset of the run whose output folder is `out` and report
/// `report` to `dest` (`-` for stdout), atomically, compressed when its name
/// ends in `.gz` or `.zst`.
pub fn write(out: &Path, report: &Path, dest: &Path) -> anyhow::Result<Exported> {
    let cannot_read = || format!("cannot read the report {}", report.display());
    let reader = BufReader::with_capacity(BUFFER, File::open(report).with_context(cannot_read)?);
    let mut destination = Destination::create(dest).with_context(|| format!("cannot write {}", dest.display()))?;
    let mut exported = Exported::default();
    let out_dir: Arc<Path> = Arc::from(out);
    // Books being made on the rayon pool, oldest first: a window of a few,
    // so memory holds at most that many books whatever the report's length.
    let window = rayon::current_num_threads() + 2;
    let mut in_flight: VecDeque<(u32, Receiver<Made>)> = VecDeque::with_capacity(window);
    // The buffers of books written, for the next books.
    let mut spare: Vec<Scratch> = Vec::with_capacity(window);
    let mut finish_oldest = |in_flight: &mut VecDeque<(u32, Receiver<Made>)>, spare: &mut Vec<Scratch>| {
        let Some((ebook, made)) = in_flight.pop_front() else { return Ok(()) };
        let (line, scratch) = made.recv().map_err(|_| io::Error::other("a worker stopped"))?;
        match line {
            Ok(Line { head, tail }) => {
                destination.write_all(&head)?;
                destination.write_all(&scratch.text)?;
                destination.write_all(&tail)?;
                exported.books += 1;
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                tracing::warn!("ebook {ebook}: {error}: left out of the dataset");
                exported.missing += 1;
            }
            Err(error) => return Err(error),
        }
        spare.push(scratch);
        Ok(())
    };
    let mut book = |entry: Entry| -> io::Result<()> {
        if !entry.status.has_files() {
            return Ok(());
        }
        if in_flight.len() >= window {
            finish_oldest(&mut in_flight, &mut spare)?;
        }
        let (send, made) = sync_channel(1);
        let out_dir = Arc::clone(&out_dir);
        let ebook = entry.ebook;
        let mut scratch = spare.pop().unwrap_or_else(Scratch::new);
        rayon::spawn(move || {
            let line = line(&out_dir, &entry, &mut scratch);
            let _ = send.send((line, scratch));
        });
        in_flight.push_back((ebook, made));
        Ok(())
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    ReportSeed(&mut book).deserialize(&mut deserializer).with_context(cannot_read)?;
    while !in_flight.is_empty() {
        finish_oldest(&mut in_flight, &mut spare).with_context(|| format!("writing the dataset {}", dest.display()))?;
    }
    destination.commit().with_context(|| format!("cannot write {}", dest.display()))?;
    Ok(exported)
}

/// A book's line but its text, which stays in its [`Scratch`] (most of
/// the line: it is never copied again).
struct Line {
    head: Vec<u8>,
    tail: Vec<u8>,
}

/// A book's line as it comes from the pool, with the buffers that made it.
type Made = (io::Result<Line>, Scratch);

/// The buffers one book is made in: its escaped text and a read buffer for
/// each of its two files. They go back and forth between the writer and the
/// pool rather than being made for each book, whose fresh pages cost a
/// fault each (a tenth of `export`'s time went to faults and zeroing).
struct Scratch {
    text: Vec<u8>,
    reading: Vec<u8>,
    hashing: Vec<u8>,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch { text: Vec::new(), reading: vec![0; BUFFER], hashing: vec![0; BUFFER] }
    }
}

/// One book's line: its head, its text (left in `scratch.text`), then its
/// counts. The clean text is opened first: a book without one gives
/// `NotFound`. Its raw copy is hashed while the text is escaped.
fn line(out_dir: &Path, entry: &Entry, scratch: &mut Scratch) -> io::Result<Line> {
    let clean_path = out_dir.join(format!("{}.txt", entry.ebook));
    let mut clean =
        File::open(&clean_path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", clean_path.display())))?;
    // The raw copy's name is in the report; it lives in OUT/raw/ whatever
    // folder the report's paths were written from.
    let raw_name = entry.raw_path.as_deref().and_then(|p| Path::new(p).file_name().map(|n| n.to_owned()));
    let Scratch { text, reading, hashing } = scratch;
    text.clear();
    let (sha256, counts) = rayon::join(
        || raw_name.and_then(|name| sha256(&out_dir.join("raw").join(name), hashing)),
        || -> io::Result<(u64, u64)> {
            // Escaping adds a little: most books need a tenth more at most.
            let size = clean.metadata().map(|m| m.len() as usize).unwrap_or(0);
            text.reserve(size + size / 8 + 64);
            Ok(text::copy_escaped(&mut clean, reading, text)?.finished())
        },
    );
    let (lines, words) = counts?;
    let head = Head {
        ebook: entry.ebook,
        title: &entry.title,
        author: &entry.author,
        language: &entry.language,
        subjects: &entry.subjects,
        issued: &entry.issued,
        url: &entry.url,
        sha256,
    };
    let mut head = serde_json::to_vec(&head).map_err(io::Error::other)?;
    head.pop(); // the closing brace: the text and counts follow
    head.extend_from_slice(b",\"text\":\"");
    let tail = format!("\",\"lines\":{lines},\"words\":{words}}}\n").into_bytes();
    Ok(Line { head, tail })
}

/// The SHA-256 of a raw copy, in hex; `None` (and a warning) when it cannot be read.
fn sha256(path: &Path, buffer: &mut [u8]) -> Option<String> {
    let mut hasher = Sha256::new();
    let hashed = File::open(path).and_then(|mut file| loop {
        let read = file.read(buffer)?;
        if read == 0 {
            return Ok(());
        }
        hasher.update(&buffer[..read]);
    });
    match hashed {
        Ok(()) => Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()),
        Err(error) => {
            tracing::warn!("{}: {error}: no sha256 in the dataset", path.display());
            None
        }
    }
}

/// Reads a report, handing each entry of its `books` to a callback and
/// skipping everything else, so no list of books is ever held.
struct ReportSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(Entry) -> io::Result<()>> DeserializeSeed<'de> for ReportSeed<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Entry) -> io::Result<()>> Visitor<'de> for ReportSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a gutenfetch report")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut books = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "books" {
                map.next_value_seed(BooksSeed(&mut *self.0))?;
                books = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !books {
            return Err(A::Error::custom("it has no `books`: not a gutenfetch report"));
        }
        Ok(())
    }
}

struct BooksSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(Entry) -> io::Result<()>> DeserializeSeed<'de> for BooksSeed<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Entry) -> io::Result<()>> Visitor<'de> for BooksSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of books")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Entry>()? {
            (self.0)(entry).map_err(|e| A::Error::custom(format!("writing the dataset: {e}")))?;
        }
        Ok(())
    }
}
