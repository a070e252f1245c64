//! Reads a CSV manifest of books: first a survey of the whole file (its bad
//! rows, duplicates, and how many books the run takes), then, as the run
//! goes, its books one at a time ([`Manifest::books`]), so the run never
//! holds the list of books however long the manifest is.
//!
//! Two shapes are common: the classic `author,FileNumber,Title` and Project
//! Gutenberg's own `pg_catalog.csv` (`Text#,Type,…,Title,Language,Authors,…`);
//! `rows` reads either. A bad row is a [`RowProblem`] (reported, skipped);
//! a manifest that cannot be used at all is a [`ManifestError`]. Rows of
//! pg_catalog.csv whose Type is not `Text` (`Sound`, an empty Type, …) are
//! counted in [`Manifest::not_text`] (the report's `not_text_rows`), logged
//! in one line, and each traced at `-vv`.
//!
//! The file is opened once and read twice through the same handle, so a
//! manifest replaced during the run does not change it; stdin is copied to
//! an unnamed temporary file (or, failing that, memory) to be read again.

mod lines;
mod rows;
mod seen;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

use rows::{Row, Rows};

use crate::ebook::EbookNumber;
use crate::progress::counted;
use crate::select::{Selection, Take};
use crate::terminal_safe::terminal_safe;

/// Where the manifest comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestSource {
    Path(PathBuf),
    Stdin,
    /// An `http://` or `https://` URL, downloaded to a temporary file.
    Url(url::Url),
    /// The default list, built into the binary so that a plain
    /// `gutenfetch --out DIR` works from any folder after `cargo install`.
    BuiltIn,
}

impl ManifestSource {
    /// What `--manifest` names: `-` is stdin, an http(s) URL is downloaded,
    /// anything else is a file's path.
    pub fn from_arg(arg: PathBuf) -> ManifestSource {
        let text = arg.to_string_lossy();
        let web = text.starts_with("http://") || text.starts_with("https://");
        match url::Url::parse(&text) {
            Ok(url) if web => ManifestSource::Url(url),
            _ if arg.as_os_str() == "-" => ManifestSource::Stdin,
            _ => ManifestSource::Path(arg),
        }
    }
}

/// The built-in manifest; `ingest_file/Gutenberg_files.csv` is its readable source.
pub const BUILT_IN: &str = include_str!("../../ingest_file/Gutenberg_files.csv");

/// How the built-in manifest is named in messages, the report and the dry run.
pub const BUILT_IN_NAME: &str = "<built-in list: ingest_file/Gutenberg_files.csv>";

impl std::fmt::Display for ManifestSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestSource::Path(path) => write!(f, "{}", path.display()),
            ManifestSource::Stdin => f.write_str("<stdin>"),
            ManifestSource::Url(url) => f.write_str(&crate::redact::redact(url.as_str())),
            ManifestSource::BuiltIn => f.write_str(BUILT_IN_NAME),
        }
    }
}

/// One book to fetch. Books in flight and queued between the stages are
/// held as these, so a book is small: what the manifest says about it
/// beyond its number is boxed, and a bare number costs 32 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    pub number: EbookNumber,
    /// Position among the books the run takes (0-based): the report's order.
    pub seq: u32,
    /// Line of the manifest the book came from (1-based, header is line 1).
    pub line: u64,
    /// Position among the manifest's data rows (0-based), for sharding.
    pub row: usize,
    about: Option<Box<About>>,
}

/// What a manifest row says about a book besides its number, each field
/// as the row holds it (trimmed; `None` when absent or empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct About {
    pub title: Option<String>,
    pub author: Option<String>,
    /// `Language` of pg_catalog.csv (codes joined with `; `).
    pub language: Option<String>,
    /// pg_catalog.csv's `Subjects`, `LoCC` and `Bookshelves` (each joined with `; `).
    pub subjects: Option<String>,
    pub locc: Option<String>,
    pub bookshelves: Option<String>,
    /// pg_catalog.csv's `Issued`, `YYYY-MM-DD`.
    pub issued: Option<String>,
}

impl About {
    fn is_empty(&self) -> bool {
        *self == About::default()
    }
}

impl Book {
    pub fn new(number: EbookNumber, line: u64, row: usize) -> Book {
        Book { number, seq: 0, line, row, about: None }
    }

    /// The book with its title, author and language (any may be absent).
    pub fn with_about(self, title: Option<String>, author: Option<String>, language: Option<String>) -> Book {
        self.with_details(About { title, author, language, ..About::default() })
    }

    /// The book with all its manifest row says of it.
    pub fn with_details(self, about: About) -> Book {
        Book { about: (!about.is_empty()).then(|| Box::new(about)), ..self }
    }

    /// What the manifest says of the book (all `None` for a bare number).
    pub fn details(&self) -> &About {
        static NOTHING: About = About {
            title: None,
            author: None,
            language: None,
            subjects: None,
            locc: None,
            bookshelves: None,
            issued: None,
        };
        self.about.as_deref().unwrap_or(&NOTHING)
    }

    pub fn title(&self) -> Option<&str> {
        self.about.as_ref()?.title.as_deref()
    }

    pub fn author(&self) -> Option<&str> {
        self.about.as_ref()?.author.as_deref()
    }

    pub fn language(&self) -> Option<&str> {
        self.about.as_ref()?.language.as_deref()
    }

    pub fn subjects(&self) -> Option<&str> {
        self.about.as_ref()?.subjects.as_deref()
    }

    pub fn issued(&self) -> Option<&str> {
        self.about.as_ref()?.issued.as_deref()
    }
}

/// A manifest row that was skipped, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    /// Position among the manifest's data rows (0-based), for sharding.
    pub row: usize,
    pub message: String,
}

/// Why a manifest cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read manifest {source_name}: {error}")]
    Unreadable { source_name: String, error: String },
    #[error("manifest {0} is empty: it needs a header row and at least one book")]
    Empty(String),
    #[error(
        "manifest {source_name} has no ebook-number column: expected a header named \
         `FileNumber` or `Text#`, found {found}"
    )]
    NoNumberColumn { source_name: String, found: String },
    #[error("{flag} needs {columns} column (as in pg_catalog.csv); manifest {source_name} has none")]
    MissingColumn { flag: &'static str, columns: &'static str, source_name: String },
}

/// A surveyed manifest: what the run reports about its rows, and its books
/// to read again, one at a time, with [`Manifest::books`].
#[derive(Debug)]
pub struct Manifest {
    input: Input,
    source_name: String,
    selection: Selection,
    /// Books the run takes: in the manifest, each number once, and selected.
    pub book_count: usize,
    /// Books in the manifest (each number once), before any selection.
    pub listed: usize,
    /// How many books were left after each filter of the selection, in the
    /// order they apply (`--language`, `--author`, …), before `--limit` and `--shard`.
    pub kept_by_filter: Vec<(crate::select::Filter, usize)>,
    /// Bad rows (those of the run's shard).
    pub problems: Vec<RowProblem>,
    /// Rows naming a book already listed earlier.
    pub duplicates: usize,
    /// `pg_catalog.csv` rows whose `Type` is not `Text` (audio books, an empty Type, …).
    pub not_text: usize,
}

/// The manifest's bytes, to be read from the start each time.
#[derive(Debug)]
enum Input {
    File(File),
    Bytes(Vec<u8>),
}

impl Input {
    fn open(source: &ManifestSource) -> io::Result<Input> {
        match source {
            ManifestSource::Path(path) => File::open(path).map(Input::File),
            ManifestSource::BuiltIn => Ok(Input::Bytes(BUILT_IN.as_bytes().to_vec())),
            ManifestSource::Stdin => {
                let mut stdin = io::stdin().lock();
                match tempfile::tempfile() {
                    Ok(mut copy) => io::copy(&mut stdin, &mut copy).map(|_| Input::File(copy)),
                    Err(e) => {
                        tracing::debug!("keeping the manifest from stdin in memory: {e}");
                        let mut bytes = Vec::new();
                        stdin.read_to_end(&mut bytes).map(|_| Input::Bytes(bytes))
                    }
                }
            }
            ManifestSource::Url(url) => crate::catalog::download_to_temp(url).map(Input::File),
        }
    }

    fn reader(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        match self {
            Input::File(file) => {
                let mut file = file;
                file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(file))
            }
            Input::Bytes(bytes) => Ok(Box::new(bytes.as_slice())),
        }
    }
}

/// Opens the manifest at `source` and surveys it for `selection`.
pub fn read(source: &ManifestSource, selection: &Selection) -> Result<Manifest, ManifestError> {
    let name = source.to_string();
    let input = Input::open(source).map_err(|e| unreadable(&name, &e))?;
    survey(input, name, selection)
}

/// Surveys a manifest read whole from `reader`; `source_name` names it in errors.
pub fn parse(mut reader: impl Read, source_name: &str, selection: &Selection) -> Result<Manifest, ManifestError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| unreadable(source_name, &e))?;
    survey(Input::Bytes(bytes), source_name.to_owned(), selection)
}

/// The manifest named `source_name` could not be read, for `error`.
fn unreadable(source_name: &str, error: &dyn std::fmt::Display) -> ManifestError {
    ManifestError::Unreadable { source_name: source_name.to_owned(), error: error.to_string() }
}

/// Reads every row once: counts, bad rows, and the books `selection` takes.
fn survey(input: Input, source_name: String, selection: &Selection) -> Result<Manifest, ManifestError> {
    let (mut listed, mut book_count, mut duplicates, mut not_text, mut problems) = (0, 0, 0, 0, Vec::new());
    let kept_by_filter;
    {
        let mut rows = Rows::new(input.reader().map_err(|e| unreadable(&source_name, &e))?, &source_name)?;
        if let Some(filter) = selection.filters().find(|&filter| !rows.has_columns_for(filter)) {
            let (flag, columns) = (filter.flag(), filter.columns());
            return Err(ManifestError::MissingColumn { flag, columns, source_name: source_name.clone() });
        }
        let mut selector = selection.start();
        while let Some(row) = rows.next_row()? {
            match row {
                Row::Book(book) => {
                    listed += 1;
                    book_count += usize::from(selector.take(&book) == Take::Yes);
                }
                Row::Problem(problem) if selection.owns(problem.row) => problems.push(problem),
                Row::Problem(_) => {}
                Row::Duplicate => duplicates += 1,
                Row::NotText => not_text += 1,
            }
        }
        if rows.count() == 0 {
            return Err(ManifestError::Empty(source_name.clone()));
        }
        kept_by_filter = selector.kept_by_filter();
    }
    let manifest = Manifest {
        input,
        source_name,
        selection: selection.clone(),
        book_count,
        listed,
        kept_by_filter,
        problems,
        duplicates,
        not_text,
    };
    manifest.log();
    Ok(manifest)
}

impl Manifest {
    /// The books the run takes, in manifest order, read again from the start.
    pub fn books(&self) -> Books<'_> {
        let rows = self.input.reader().map_err(|e| unreadable(&self.source_name, &e));
        let rows = rows.and_then(|input| Rows::new(input, &self.source_name));
        let (rows, error) = match rows {
            Ok(rows) => (Some(rows), None),
            Err(error) => (None, Some(error)),
        };
        Books { rows, error, selector: self.selection.start(), seq: 0 }
    }

    fn log(&self) {
        let listed = self.listed;
        let name = terminal_safe(&self.source_name);
        tracing::debug!(
            "manifest {name}: {}, {}, {}, {} whose Type is not Text",
            counted(listed, "book"),
            counted(self.problems.len(), "bad row"),
            counted(self.duplicates, "duplicate row"),
            counted(self.not_text, "row")
        );
        if self.selection != Selection::default() {
            tracing::debug!("{}: {} of the manifest's {listed} books", self.selection, self.book_count);
        }
        if self.not_text > 0 {
            tracing::info!(
                "manifest {name}: skipped {} whose Type is not Text (not books)",
                counted(self.not_text, "row")
            );
        }
        if self.duplicates > 0 {
            tracing::info!(
                "manifest {name}: {} named a book listed earlier: fetched once",
                counted(self.duplicates, "row")
            );
        }
    }
}

/// The books of a run, read from the manifest as they are asked for.
pub struct Books<'a> {
    rows: Option<Rows<'a>>,
    /// Why the manifest could not be read again, given as the first item.
    error: Option<ManifestError>,
    selector: crate::select::Selector<'a>,
    seq: u32,
}

impl Iterator for Books<'_> {
    type Item = Result<Book, ManifestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.error.take() {
            return Some(Err(error));
        }
        let rows = self.rows.as_mut()?;
        loop {
            let mut book = match rows.next_row() {
                Ok(Some(Row::Book(book))) => book,
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(error) => {
                    self.rows = None;
                    return Some(Err(error));
                }
            };
            match self.selector.take(&book) {
                Take::Yes => {
                    book.seq = self.seq;
                    self.seq += 1;
                    return Some(Ok(book));
                }
                Take::No => continue,
                Take::NoMore => break,
            }
        }
        self.rows = None;
        None
    }
}

#[cfg(test)]
mod tests;
