//! Reads a manifest's data rows one at a time, as [`Row`]s.
//!
//! Columns are found by header name, case-insensitively, in any order. The
//! ebook number is taken exactly as the field holds it: 1 to 7 ASCII
//! digits, no surrounding whitespace. When the header has a `Type` column
//! (pg_catalog.csv), only rows whose Type is `Text` are books.

use std::io::Read;

use super::lines::LineEnds;
use super::seen::Seen;
use super::{unreadable, About, Book, ManifestError, RowProblem};
use crate::ebook::EbookNumber;
use crate::select::Filter;
use crate::terminal_safe::{quote_short, terminal_safe};

/// What one data row of the manifest is.
#[derive(Debug)]
pub enum Row {
    /// A book, named for the first time.
    Book(Book),
    /// A row that cannot be used, with the reason.
    Problem(RowProblem),
    /// A row naming a book listed earlier.
    Duplicate,
    /// A `pg_catalog.csv` row whose `Type` is not `Text` (an audio book, an empty Type, …).
    NotText,
}

/// Column positions found in the header row.
struct Columns {
    number: usize,
    title: Option<usize>,
    author: Option<usize>,
    kind: Option<usize>,
    language: Option<usize>,
    subjects: Option<usize>,
    locc: Option<usize>,
    bookshelves: Option<usize>,
    issued: Option<usize>,
    /// Fields in the header.
    width: usize,
}

impl Columns {
    fn find(header: &csv::ByteRecord, source_name: &str) -> Result<Columns, ManifestError> {
        let names: Vec<String> =
            header.iter().map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase()).collect();
        let position = |wanted: &[&str]| names.iter().position(|name| wanted.contains(&name.as_str()));
        let number = position(&["filenumber", "text#"]).ok_or_else(|| ManifestError::NoNumberColumn {
            source_name: source_name.to_owned(),
            found: quote_short(&header.iter().map(String::from_utf8_lossy).collect::<Vec<_>>().join(",")),
        })?;
        Ok(Columns {
            number,
            title: position(&["title"]),
            author: position(&["author", "authors"]),
            kind: position(&["type"]),
            language: position(&["language"]),
            subjects: position(&["subjects", "subject"]),
            locc: position(&["locc"]),
            bookshelves: position(&["bookshelves", "bookshelf"]),
            issued: position(&["issued"]),
            width: header.len(),
        })
    }
}

/// The data rows of one manifest, in order.
pub struct Rows<'a> {
    reader: csv::Reader<LineEnds<Box<dyn Read + Send + 'a>>>,
    columns: Columns,
    source_name: &'a str,
    seen: Seen,
    record: csv::ByteRecord,
    /// Data rows read so far.
    rows: usize,
}

impl<'a> Rows<'a> {
    /// Reads the header of the manifest `input`; `source_name` names it in errors.
    pub fn new(input: Box<dyn Read + Send + 'a>, source_name: &'a str) -> Result<Rows<'a>, ManifestError> {
        // The csv crate strips a UTF-8 BOM and accepts CRLF; `flexible` lets a short
        // row reach us so we can name its line instead of failing the whole file.
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .buffer_capacity(super::lines::BUFFER)
            .from_reader(LineEnds::new(input));
        let header = reader.byte_headers().map_err(|e| unreadable(source_name, &e))?;
        if header.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
            return Err(ManifestError::Empty(source_name.to_owned()));
        }
        let columns = Columns::find(header, source_name)?;
        let header_end = reader.position().byte();
        reader.get_mut().row_ended(header_end);
        Ok(Rows { reader, columns, source_name, seen: Seen::default(), record: csv::ByteRecord::new(), rows: 0 })
    }

    /// Whether the manifest has a column `filter` reads.
    pub fn has_columns_for(&self, filter: Filter) -> bool {
        let c = &self.columns;
        match filter {
            Filter::Language => c.language.is_some(),
            Filter::Author => c.author.is_some(),
            Filter::Title => c.title.is_some(),
            Filter::Subject => c.subjects.is_some() || c.locc.is_some() || c.bookshelves.is_some(),
            Filter::Issued => c.issued.is_some(),
        }
    }

    /// Data rows read so far.
    pub fn count(&self) -> usize {
        self.rows
    }

    /// The next row, `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<Row>, ManifestError> {
        if !self.reader.read_byte_record(&mut self.record).map_err(|e| unreadable(self.source_name, &e))? {
            return Ok(None);
        }
        let row = self.rows;
        self.rows += 1;
        let row_end = self.reader.position().byte();
        self.reader.get_mut().row_ended(row_end);
        let line = self.record.position().map_or(0, |p| self.reader.get_mut().line_at(p.byte()));
        Ok(Some(self.classify(line, row)))
    }

    fn classify(&mut self, line: u64, row: usize) -> Row {
        let (columns, record) = (&self.columns, &self.record);
        let field = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(|bytes| String::from_utf8_lossy(bytes).trim().to_owned())
                .filter(|text| !text.is_empty())
        };
        let needed = columns.number.max(columns.kind.unwrap_or(0));
        if record.len() <= needed {
            let message = format!("short row: {} of the header's {} fields", record.len(), columns.width);
            return Row::Problem(RowProblem { line, row, message });
        }
        if columns.kind.is_some() {
            let kind = field(columns.kind);
            if !kind.as_deref().is_some_and(|kind| kind.eq_ignore_ascii_case("text")) {
                let kind = quote_short(kind.as_deref().unwrap_or(""));
                tracing::trace!("{}:{line}: Type {kind} is not Text: skipped", terminal_safe(self.source_name));
                return Row::NotText;
            }
        }
        // Untrimmed: whitespace around a number is a damaged row, not a number.
        let number = match EbookNumber::parse(&String::from_utf8_lossy(&record[columns.number])) {
            Ok(number) => number,
            Err(error) => return Row::Problem(RowProblem { line, row, message: error.to_string() }),
        };
        if !self.seen.insert(number) {
            tracing::trace!("{}:{line}: ebook {number} listed again: fetched once", terminal_safe(self.source_name));
            return Row::Duplicate;
        }
        Row::Book(Book::new(number, line, row).with_details(About {
            title: field(columns.title),
            author: field(columns.author),
            language: field(columns.language),
            subjects: field(columns.subjects),
            locc: field(columns.locc),
            bookshelves: field(columns.bookshelves),
            issued: field(columns.issued),
        }))
    }
}
