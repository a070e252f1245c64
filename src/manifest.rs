//! Reads a CSV manifest of books into a list of validated [`Book`]s.
//!
//! Two shapes are common: the classic `author,FileNumber,Title` and Project
//! Gutenberg's own `pg_catalog.csv` (`Text#,Type,…,Title,Language,Authors,…`).
//! Columns are found by header name, case-insensitively, in any order. A bad
//! row is a [`RowProblem`] (reported, skipped); a manifest that cannot be used
//! at all is a [`ManifestError`].
//!
//! The ebook number is taken exactly as the field holds it: 1 to 7 ASCII
//! digits, no surrounding whitespace. When the header has a `Type` column
//! (pg_catalog.csv), only rows whose Type is `Text` are books; the others
//! (`Sound`, an empty Type, …) are counted in [`Manifest::not_text`] (the
//! report's `not_text_rows`), logged in one line, and each traced at `-vv`.

use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;

use crate::ebook::EbookNumber;
use crate::progress::counted;
use crate::terminal_safe::terminal_safe;

/// Where the manifest comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestSource {
    Path(PathBuf),
    Stdin,
}

impl std::fmt::Display for ManifestSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestSource::Path(path) => write!(f, "{}", path.display()),
            ManifestSource::Stdin => f.write_str("<stdin>"),
        }
    }
}

/// One book to fetch. The whole manifest is held for the run, so a book is
/// small: what the manifest says about it beyond its number is boxed, and a
/// manifest of bare numbers costs 32 bytes a book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    pub number: EbookNumber,
    /// Line of the manifest the book came from (1-based, header is line 1).
    pub line: u64,
    /// Position among the manifest's data rows (0-based), for sharding.
    pub row: usize,
    about: Option<Box<About>>,
}

/// What a manifest row says about a book besides its number.
#[derive(Clone, Debug, PartialEq, Eq)]
struct About {
    title: Option<String>,
    author: Option<String>,
    /// `Language` of pg_catalog.csv (codes joined with `; `).
    language: Option<String>,
}

impl Book {
    pub fn new(number: EbookNumber, line: u64, row: usize) -> Book {
        Book { number, line, row, about: None }
    }

    /// The book with its title, author and language (any may be absent).
    pub fn with_about(self, title: Option<String>, author: Option<String>, language: Option<String>) -> Book {
        let known = title.is_some() || author.is_some() || language.is_some();
        Book { about: known.then(|| Box::new(About { title, author, language })), ..self }
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
}

/// A manifest row that was skipped, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    /// Position among the manifest's data rows (0-based), for sharding.
    pub row: usize,
    pub message: String,
}

/// The books of a manifest, in manifest order, each number once.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    pub books: Vec<Book>,
    pub problems: Vec<RowProblem>,
    /// Rows naming a book already listed earlier.
    pub duplicates: usize,
    /// `pg_catalog.csv` rows whose `Type` is not `Text` (audio books, an empty Type, …).
    pub not_text: usize,
    /// Whether the header has a `Language` column (for `--language`).
    pub has_language_column: bool,
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
}

/// Reads and parses the manifest at `source`.
pub fn read(source: &ManifestSource) -> Result<Manifest, ManifestError> {
    let unreadable =
        |error: std::io::Error| ManifestError::Unreadable { source_name: source.to_string(), error: error.to_string() };
    let manifest = match source {
        ManifestSource::Path(path) => parse(std::fs::File::open(path).map_err(unreadable)?, &source.to_string())?,
        ManifestSource::Stdin => parse(std::io::stdin().lock(), "<stdin>")?,
    };
    let name = source.to_string();
    let name = terminal_safe(&name);
    tracing::debug!(
        "manifest {name}: {}, {}, {}, {} whose Type is not Text",
        counted(manifest.books.len(), "book"),
        counted(manifest.problems.len(), "bad row"),
        counted(manifest.duplicates, "duplicate row"),
        counted(manifest.not_text, "row")
    );
    if manifest.not_text > 0 {
        tracing::info!(
            "manifest {name}: skipped {} whose Type is not Text (not books)",
            counted(manifest.not_text, "row")
        );
    }
    if manifest.duplicates > 0 {
        tracing::info!(
            "manifest {name}: {} named a book listed earlier: fetched once",
            counted(manifest.duplicates, "row")
        );
    }
    Ok(manifest)
}

/// Column positions found in the header row.
struct Columns {
    number: usize,
    title: Option<usize>,
    author: Option<usize>,
    kind: Option<usize>,
    language: Option<usize>,
}

impl Columns {
    fn find(header: &csv::ByteRecord, source_name: &str) -> Result<Columns, ManifestError> {
        let names: Vec<String> =
            header.iter().map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase()).collect();
        let position = |wanted: &[&str]| names.iter().position(|name| wanted.contains(&name.as_str()));
        let number = position(&["filenumber", "text#"]).ok_or_else(|| ManifestError::NoNumberColumn {
            source_name: source_name.to_owned(),
            found: format!("{:?}", header.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect::<Vec<_>>()),
        })?;
        Ok(Columns {
            number,
            title: position(&["title"]),
            author: position(&["author", "authors"]),
            kind: position(&["type"]),
            language: position(&["language"]),
        })
    }
}

/// Parses a manifest. `source_name` names it in errors.
pub fn parse(mut reader: impl Read, source_name: &str) -> Result<Manifest, ManifestError> {
    let unreadable = |error: &dyn std::fmt::Display| ManifestError::Unreadable {
        source_name: source_name.to_owned(),
        error: error.to_string(),
    };
    // Read whole (even pg_catalog.csv is a few MB) so lines can be counted from
    // byte offsets: the csv crate's own line numbers are one short with CRLF.
    let mut input = Vec::new();
    reader.read_to_end(&mut input).map_err(|e| unreadable(&e))?;
    let mut lines = LineCounter::new(&input);
    // The csv crate strips a UTF-8 BOM and accepts CRLF; `flexible` lets a short
    // row reach us so we can name its line instead of failing the whole file.
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input.as_slice());
    let header = reader.byte_headers().map_err(|e| unreadable(&e))?.clone();
    if header.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
        return Err(ManifestError::Empty(source_name.to_owned()));
    }
    let columns = Columns::find(&header, source_name)?;

    let mut manifest = Manifest { has_language_column: columns.language.is_some(), ..Manifest::default() };
    let mut seen = HashSet::new();
    let mut rows = 0usize;
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(|e| unreadable(&e))? {
        let row = rows;
        rows += 1;
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let field = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(|bytes| String::from_utf8_lossy(bytes).trim().to_owned())
                .filter(|text| !text.is_empty())
        };
        let needed = columns.number.max(columns.kind.unwrap_or(0));
        if record.len() <= needed {
            let message = format!("short row: {} of the header's {} fields", record.len(), header.len());
            manifest.problems.push(RowProblem { line, row, message });
            continue;
        }
        if columns.kind.is_some() {
            let kind = field(columns.kind);
            if !kind.as_deref().is_some_and(|kind| kind.eq_ignore_ascii_case("text")) {
                let kind = terminal_safe(kind.as_deref().unwrap_or("")).into_owned();
                tracing::trace!("{}:{line}: Type {kind:?} is not Text: skipped", terminal_safe(source_name));
                manifest.not_text += 1;
                continue;
            }
        }
        // Untrimmed: whitespace around a number is a damaged row, not a number.
        let number_field = String::from_utf8_lossy(&record[columns.number]);
        let number = match EbookNumber::parse(&number_field) {
            Ok(number) => number,
            Err(error) => {
                manifest.problems.push(RowProblem { line, row, message: error.to_string() });
                continue;
            }
        };
        if !seen.insert(number) {
            tracing::trace!("{}:{line}: ebook {number} listed again: fetched once", terminal_safe(source_name));
            manifest.duplicates += 1;
            continue;
        }
        manifest.books.push(Book::new(number, line, row).with_about(
            field(columns.title),
            field(columns.author),
            field(columns.language),
        ));
    }
    if rows == 0 {
        return Err(ManifestError::Empty(source_name.to_owned()));
    }
    Ok(manifest)
}

/// Line numbers of byte offsets, for offsets that only ever grow.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCounter { text, offset: 0, line: 1 }
    }

    /// The line a record starting at `byte` is on. A record's offset may point
    /// at the line end that precedes it, so line-end bytes there are skipped.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            self.line += self.text[self.offset..start].iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Manifest {
        parse(text.as_bytes(), "test.csv").unwrap()
    }

    fn numbers(manifest: &Manifest) -> Vec<u32> {
        manifest.books.iter().map(|b| b.number.get()).collect()
    }

    #[test]
    fn a_book_of_a_bare_number_is_small() {
        // The whole manifest is held for the run: 32 bytes a book, not 96.
        assert!(std::mem::size_of::<Book>() <= 32, "{} bytes", std::mem::size_of::<Book>());
        let number = EbookNumber::parse("418").unwrap();
        let book = Book::new(number, 2, 0).with_about(None, Some("Luther".into()), None);
        assert_eq!((book.title(), book.author(), book.language()), (None, Some("Luther"), None));
        assert_eq!(Book::new(number, 2, 0).with_about(None, None, None), Book::new(number, 2, 0));
    }

    #[test]
    fn classic_manifest_with_bom_crlf_and_quoted_commas() {
        let m = parse_str("\u{feff}author,FileNumber,Title\r\nLuther,418,\"A Treatise on Good Works, 1520\"\r\n");
        assert_eq!(numbers(&m), [418]);
        let book = &m.books[0];
        assert_eq!(book.title(), Some("A Treatise on Good Works, 1520"));
        assert_eq!(book.author(), Some("Luther"));
        assert_eq!(book.line, 2);
    }

    #[test]
    fn line_numbers_hold_for_every_line_end_and_multiline_fields() {
        for text in ["FileNumber\nx\n11\ny\n", "FileNumber\r\nx\r\n11\r\ny\r\n", "FileNumber,T\n\"a\nb\",c\n11\ny\n"] {
            let m = parse_str(text);
            let lines: Vec<u64> = m.problems.iter().map(|p| p.line).collect();
            let expected = if text.contains('"') { vec![2, 5] } else { vec![2, 4] };
            assert_eq!(lines, expected, "{text:?}");
        }
    }

    #[test]
    fn pg_catalog_keeps_only_text_rows() {
        let m = parse_str(
            "Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves\n\
             418,Text,1996-01-01,A Treatise on Good Works,en,\"Luther, Martin, 1483-1546\",,,\n\
             9000,Sound,2004-01-01,Some Audio Book,en,Someone,,,\n\
             9001,,2004-01-01,No Type At All,en,Someone,,,\n\
             9002,\"  \",2004-01-01,A Blank Type,en,Someone,,,\n\
             11,text,2008-06-27,Alice,en,\"Carroll, Lewis\",,,\n",
        );
        assert_eq!(numbers(&m), [418, 11], "only Text rows are books");
        assert_eq!(m.not_text, 3, "Sound, empty and blank Types are counted as not Text");
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        assert_eq!(m.books[0].author(), Some("Luther, Martin, 1483-1546"));
    }

    #[test]
    fn headers_match_case_insensitively_in_any_order() {
        let m = parse_str("TITLE,filenumber,Extra\nAlice,11,x\n");
        assert_eq!(numbers(&m), [11]);
        assert_eq!(m.books[0].title(), Some("Alice"));
        assert_eq!(m.books[0].author(), None);
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_skipped() {
        let m = parse_str("FileNumber,Title\n418,ok\n../x,a\n-5,b\n,c\nabc,d\n1/../2,e\n11,ok\n");
        assert_eq!(numbers(&m), [418, 11]);
        let lines: Vec<u64> = m.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
        assert!(m.problems[0].message.contains("../x"), "{}", m.problems[0].message);
        assert_eq!(m.problems[2].message, "no ebook number");
    }

    #[test]
    fn a_short_row_is_a_bad_row() {
        let m = parse_str("author,FileNumber,Title\nLuther\nLuther,418,Good Works\n");
        assert_eq!(numbers(&m), [418]);
        assert_eq!(m.problems.len(), 1);
        assert_eq!(m.problems[0].line, 2);
        assert_eq!(m.problems[0].message, "short row: 1 of the header's 3 fields");
        // In pg_catalog.csv a row cut before its Type is bad, not silently "not Text".
        let m = parse_str("Text#,Type,Title\n418\n11,Text,Alice\n");
        assert_eq!((numbers(&m), m.not_text, m.problems.len()), (vec![11], 0, 1));
    }

    #[test]
    fn whitespace_around_a_number_is_a_bad_row_with_its_line() {
        let m = parse_str("author,FileNumber,Title\nA, 418,x\nB,418 ,x\nC,\"418\n\",x\nD,\"\t11\",x\nE,84,ok\n");
        assert_eq!(numbers(&m), [84]);
        let lines: Vec<u64> = m.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 3, 4, 6], "the quoted field with a newline spans lines 4-5");
        assert!(m.problems[0].message.contains("\" 418\""), "{}", m.problems[0].message);
        assert!(m.problems[2].message.contains("\"418\\n\""), "{}", m.problems[2].message);
    }

    #[test]
    fn duplicates_are_fetched_once() {
        let m = parse_str("FileNumber\n418\n11\n0418\n418\n");
        assert_eq!(numbers(&m), [418, 11]);
        assert_eq!(m.duplicates, 2);
    }

    #[test]
    fn unusable_manifests_are_errors() {
        assert!(matches!(parse("".as_bytes(), "x"), Err(ManifestError::Empty(_))));
        assert!(matches!(parse("FileNumber\n".as_bytes(), "x"), Err(ManifestError::Empty(_))));
        let err = parse("author,Title\nLuther,Good Works\n".as_bytes(), "books.csv").unwrap_err();
        assert!(matches!(err, ManifestError::NoNumberColumn { .. }));
        assert!(err.to_string().contains("books.csv"), "{err}");
    }
}
