//! Which books of a manifest this run takes: `--language`, then `--limit`,
//! then `--shard K/N`.
//!
//! Shards are cut by manifest row, before any filtering, so every shard of a
//! split sees the same positions: N jobs given 1/N … N/N cover the manifest
//! exactly once, bad rows included (each is reported by one shard only).

use std::str::FromStr;

use anyhow::bail;

use crate::manifest::Manifest;

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
    /// The part of `manifest` this run takes.
    pub fn apply(&self, mut manifest: Manifest) -> anyhow::Result<Manifest> {
        let listed = manifest.books.len();
        if let Some(code) = &self.language {
            if !manifest.has_language_column {
                bail!("--language needs a `Language` column (as in pg_catalog.csv); the manifest has none");
            }
            let code = code.trim();
            manifest.books.retain(|book| {
                book.language().is_some_and(|langs| langs.split(';').any(|l| l.trim().eq_ignore_ascii_case(code)))
            });
        }
        if let Some(limit) = self.limit {
            manifest.books.truncate(limit);
        }
        if let Some(shard) = self.shard {
            manifest.books.retain(|book| shard.owns(book.row));
            manifest.problems.retain(|problem| shard.owns(problem.row));
        }
        if *self != Selection::default() {
            tracing::debug!(
                "selection (language {:?}, limit {:?}, shard {}): {} of the manifest's {listed} books",
                self.language,
                self.limit,
                self.shard.map_or_else(|| "none".to_owned(), |s| format!("{}/{}", s.index, s.count)),
                manifest.books.len()
            );
        }
        Ok(manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse;

    fn catalog() -> Manifest {
        parse(
            "Text#,Type,Title,Language\n1,Text,A,en\n2,Text,B,de\nbad,Text,C,en\n4,Text,D,\"en; fr\"\n5,Text,E,fr\n6,Text,F,en\n"
                .as_bytes(),
            "pg_catalog.csv",
        )
        .unwrap()
    }

    fn numbers(manifest: &Manifest) -> Vec<u32> {
        manifest.books.iter().map(|b| b.number.get()).collect()
    }

    #[test]
    fn shards_split_the_rows_with_no_overlap_and_nothing_left_out() {
        let mut seen = Vec::new();
        let mut problems = 0;
        for index in 1..=3 {
            let selection = Selection { shard: Some(Shard { index, count: 3 }), ..Selection::default() };
            let part = selection.apply(catalog()).unwrap();
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
        assert_eq!(numbers(&selection.apply(catalog()).unwrap()), [1, 4]);
        let fr = Selection { language: Some("FR".into()), ..Selection::default() };
        assert_eq!(numbers(&fr.apply(catalog()).unwrap()), [4, 5]);
    }

    #[test]
    fn language_needs_the_column() {
        let classic = parse("FileNumber\n1\n".as_bytes(), "m.csv").unwrap();
        let selection = Selection { language: Some("en".into()), ..Selection::default() };
        assert!(selection.apply(classic).unwrap_err().to_string().contains("Language"));
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/8", "9/8", "8", "a/b", "1/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
