//! Which books of a manifest this run takes: the filters on catalog columns
//! (`--language`, `--author`, `--title`, `--subject`, `--issued`), then
//! `--limit`, then `--shard K/N`.
//!
//! Text filters compare case-insensitively: `--language` with each code of
//! the column (`en; fr` is English and French), the others as a part of the
//! field (`--author goethe` keeps `Goethe, Johann Wolfgang von, 1749-1832`).
//!
//! Shards are cut by manifest row, before any filtering, so every shard of a
//! split sees the same positions: N jobs given 1/N … N/N cover the manifest
//! exactly once, bad rows included (each is reported by one shard only).

use std::fmt;
use std::str::FromStr;

use crate::manifest::Book;

/// Shard K of N, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{text:?} is not K/N with 1 <= K <= N (e.g. 2/8)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) =
            (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether manifest row `row` (0-based) belongs to this shard.
    pub fn owns(self, row: usize) -> bool {
        row % self.count == self.index - 1
    }
}

/// `--issued FROM..TO`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` at either end,
/// both ends included, either left out. A bound is compared with as much of
/// the `Issued` date as it gives, so `..1900` keeps all of 1900.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Issued {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl FromStr for Issued {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{text:?} is not FROM..TO with dates or years (e.g. 1850..1900, 1990-06-01.., ..1920)");
        let (from, to) = text.split_once("..").ok_or_else(bad)?;
        let bound = |end: &str| -> Result<Option<String>, String> {
            let end = end.trim();
            let shape_ok = [4, 7, 10].contains(&end.len())
                && end.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
            match end {
                "" => Ok(None),
                _ if shape_ok => Ok(Some(end.to_owned())),
                _ => Err(bad()),
            }
        };
        let range = Issued { from: bound(from)?, to: bound(to)? };
        if range.from.is_none() && range.to.is_none() {
            return Err(bad());
        }
        Ok(range)
    }
}

impl Issued {
    fn keeps(&self, issued: &str) -> bool {
        let prefix = |bound: &str| issued.get(..bound.len()).unwrap_or(issued).to_owned();
        self.from.as_deref().is_none_or(|from| prefix(from).as_str() >= from)
            && self.to.as_deref().is_none_or(|to| prefix(to).as_str() <= to)
    }
}

impl fmt::Display for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from.as_deref().unwrap_or(""), self.to.as_deref().unwrap_or(""))
    }
}

/// A filter on a catalog column, in the order they apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    Language,
    Author,
    Title,
    Subject,
    Issued,
}

impl Filter {
    const ALL: [Filter; 5] = [Filter::Language, Filter::Author, Filter::Title, Filter::Subject, Filter::Issued];

    pub fn flag(self) -> &'static str {
        match self {
            Filter::Language => "--language",
            Filter::Author => "--author",
            Filter::Title => "--title",
            Filter::Subject => "--subject",
            Filter::Issued => "--issued",
        }
    }

    /// The columns it reads, for the error when a manifest has none of them.
    pub fn columns(self) -> &'static str {
        match self {
            Filter::Language => "a `Language`",
            Filter::Author => "an `Authors` (or `author`)",
            Filter::Title => "a `Title`",
            Filter::Subject => "a `Subjects`, `LoCC` or `Bookshelves`",
            Filter::Issued => "an `Issued`",
        }
    }
}

/// The filters of a run; the default keeps everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub language: Option<String>,
    pub author: Option<String>,
    pub title: Option<String>,
    /// Matched against `Subjects`, `LoCC` and `Bookshelves`.
    pub subject: Option<String>,
    pub issued: Option<Issued>,
    pub limit: Option<usize>,
    pub shard: Option<Shard>,
}

impl Selection {
    /// The filters given, in the order they apply.
    pub fn filters(&self) -> impl Iterator<Item = Filter> + '_ {
        Filter::ALL.into_iter().filter(|&filter| self.value_of(filter).is_some())
    }

    /// What `filter` was given, as typed.
    pub fn value_of(&self, filter: Filter) -> Option<String> {
        match filter {
            Filter::Language => self.language.clone(),
            Filter::Author => self.author.clone(),
            Filter::Title => self.title.clone(),
            Filter::Subject => self.subject.clone(),
            Filter::Issued => self.issued.as_ref().map(Issued::to_string),
        }
    }

    /// Whether `book` passes `filter` (one that was given).
    fn keeps(&self, filter: Filter, book: &Book, needles: &Needles) -> bool {
        let about = book.details();
        let contains = |field: &Option<String>, needle: &str| {
            field.as_deref().is_some_and(|field| field.to_lowercase().contains(needle))
        };
        match filter {
            Filter::Language => {
                let code = needles.language.trim();
                book.language().is_some_and(|langs| langs.split(';').any(|l| l.trim().eq_ignore_ascii_case(code)))
            }
            Filter::Author => contains(&about.author, &needles.author),
            Filter::Title => contains(&about.title, &needles.title),
            Filter::Subject => [&about.subjects, &about.locc, &about.bookshelves]
                .into_iter()
                .any(|field| contains(field, &needles.subject)),
            Filter::Issued => {
                let range = self.issued.as_ref().expect("a filter that was given");
                about.issued.as_deref().is_some_and(|issued| range.keeps(issued))
            }
        }
    }

    /// Whether the run reports the bad row at `row`: each belongs to one shard.
    pub fn owns(&self, row: usize) -> bool {
        self.shard.is_none_or(|shard| shard.owns(row))
    }

    /// Starts choosing books, to be offered in manifest order.
    pub fn start(&self) -> Selector<'_> {
        let lower = |text: &Option<String>| text.as_deref().unwrap_or("").trim().to_lowercase();
        let needles = Needles {
            language: lower(&self.language),
            author: lower(&self.author),
            title: lower(&self.title),
            subject: lower(&self.subject),
        };
        let filters: Vec<Filter> = self.filters().collect();
        let kept_by = vec![0; filters.len()];
        Selector { selection: self, needles, filters, kept_by, kept: 0 }
    }
}

/// The text filters, lowercased once.
#[derive(Debug)]
struct Needles {
    language: String,
    author: String,
    title: String,
    subject: String,
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shard = self.shard.map_or_else(|| "none".to_owned(), |s| format!("{}/{}", s.index, s.count));
        f.write_str("selection (")?;
        for filter in self.filters() {
            write!(f, "{} {:?}, ", filter.flag(), self.value_of(filter).unwrap_or_default())?;
        }
        write!(f, "limit {:?}, shard {shard})", self.limit)
    }
}

/// Whether a book is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    Yes,
    No,
    /// No, and no book after it either: `--limit` is reached.
    NoMore,
}

/// Applies a [`Selection`] to the books of a manifest, one at a time.
#[derive(Debug)]
pub struct Selector<'a> {
    selection: &'a Selection,
    needles: Needles,
    filters: Vec<Filter>,
    /// Books left after each filter, in the order of `filters`.
    kept_by: Vec<usize>,
    /// Books that passed every filter, for `--limit`.
    kept: usize,
}

impl Selector<'_> {
    /// How many books were left after each filter so far.
    pub fn kept_by_filter(&self) -> Vec<(Filter, usize)> {
        self.filters.iter().copied().zip(self.kept_by.iter().copied()).collect()
    }

    pub fn take(&mut self, book: &Book) -> Take {
        let s = self.selection;
        for (filter, kept) in self.filters.iter().zip(self.kept_by.iter_mut()) {
            if !s.keeps(*filter, book, &self.needles) {
                return Take::No;
            }
            *kept += 1;
        }
        if s.limit.is_some_and(|limit| self.kept >= limit) {
            return Take::NoMore;
        }
        self.kept += 1;
        if s.shard.is_some_and(|shard| !shard.owns(book.row)) {
            return Take::No;
        }
        Take::Yes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{parse, Manifest, ManifestError};

    const CATALOG: &str =
        "Text#,Type,Title,Language\n1,Text,A,en\n2,Text,B,de\nbad,Text,C,en\n4,Text,D,\"en; fr\"\n5,Text,E,fr\n6,Text,F,en\n";

    fn catalog(selection: &Selection) -> Manifest {
        parse(CATALOG.as_bytes(), "pg_catalog.csv", selection).unwrap()
    }

    /// The books taken, as the survey counts them and as they are read back.
    fn numbers(manifest: &Manifest) -> Vec<u32> {
        let numbers: Vec<u32> = manifest.books().map(|b| b.unwrap().number.get()).collect();
        assert_eq!(numbers.len(), manifest.book_count);
        numbers
    }

    #[test]
    fn shards_split_the_rows_with_no_overlap_and_nothing_left_out() {
        let mut seen = Vec::new();
        let mut problems = 0;
        for index in 1..=3 {
            let selection = Selection { shard: Some(Shard { index, count: 3 }), ..Selection::default() };
            let part = catalog(&selection);
            seen.extend(numbers(&part));
            problems += part.problems.len();
        }
        seen.sort();
        assert_eq!(seen, [1, 2, 4, 5, 6]);
        assert_eq!(problems, 1, "the bad row is reported by one shard");
    }

    #[test]
    fn language_then_limit() {
        let selection = Selection { language: Some("en".into()), limit: Some(2), ..Selection::default() };
        assert_eq!(numbers(&catalog(&selection)), [1, 4]);
        let fr = Selection { language: Some("FR".into()), ..Selection::default() };
        assert_eq!(numbers(&catalog(&fr)), [4, 5]);
        let split = Selection { limit: Some(4), shard: Some(Shard { index: 2, count: 2 }), ..Selection::default() };
        assert_eq!(numbers(&catalog(&split)), [2, 4], "the shards divide the same first books");
    }

    #[test]
    fn language_needs_the_column() {
        let selection = Selection { language: Some("en".into()), ..Selection::default() };
        let err = parse("FileNumber\n1\n".as_bytes(), "m.csv", &selection).unwrap_err();
        assert!(matches!(err, ManifestError::MissingColumn { flag: "--language", .. }), "{err}");
        assert!(err.to_string().contains("m.csv"), "{err}");
    }

    #[test]
    fn issued_ranges_take_years_months_or_days_at_either_end() {
        let range = |text: &str| text.parse::<Issued>().unwrap();
        assert!(range("1850..1900").keeps("1900-12-31") && !range("1850..1900").keeps("1901-01-01"));
        assert!(range("1850..1900").keeps("1850-01-01") && !range("1850..1900").keeps("1849-12-31"));
        assert!(range("2020-06..").keeps("2020-06-01") && !range("2020-06..").keeps("2020-05-31"));
        assert!(range("..2001-05-05").keeps("2001-05-05") && !range("..2001-05-05").keeps("2001-05-06"));
        for bad in ["..", "1850", "1850-1900", "18..19", "1850-1..", "x..y"] {
            assert!(bad.parse::<Issued>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/8", "9/8", "8", "a/b", "1/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
