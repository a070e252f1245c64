//! Which books of a manifest this run takes: `--language`, then `--limit`,
//! then `--shard K/N`.
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

/// The filters of a run; the default keeps everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub language: Option<String>,
    pub limit: Option<usize>,
    pub shard: Option<Shard>,
}

impl Selection {
    /// Whether the run reports the bad row at `row`: each belongs to one shard.
    pub fn owns(&self, row: usize) -> bool {
        self.shard.is_none_or(|shard| shard.owns(row))
    }

    /// Starts choosing books, to be offered in manifest order.
    pub fn start(&self) -> Selector<'_> {
        Selector { selection: self, kept: 0 }
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shard = self.shard.map_or_else(|| "none".to_owned(), |s| format!("{}/{}", s.index, s.count));
        write!(f, "selection (language {:?}, limit {:?}, shard {shard})", self.language, self.limit)
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
    /// Books that passed `--language`, for `--limit`.
    kept: usize,
}

impl Selector<'_> {
    pub fn take(&mut self, book: &Book) -> Take {
        let s = self.selection;
        if let Some(code) = &s.language {
            let code = code.trim();
            if !book.language().is_some_and(|langs| langs.split(';').any(|l| l.trim().eq_ignore_ascii_case(code))) {
                return Take::No;
            }
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
        assert!(matches!(err, ManifestError::NoLanguageColumn(_)), "{err}");
        assert!(err.to_string().contains("m.csv"), "{err}");
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/8", "9/8", "8", "a/b", "1/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
