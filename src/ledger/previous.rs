//! What earlier runs learned about the books this run skips as complete:
//! the encoding a book was decoded from and whether its markers were found.
//! A skipped book is not decoded again, so without this its entry would
//! say `null` where the run that fetched it knew the answer.
//!
//! It is read from the previous report, before this run replaces it,
//! rather than from a sidecar file: the report already holds exactly these
//! facts, a sidecar would be one more file in the output contract to keep
//! consistent with the books, and a skipped book's entry carries them on,
//! so they survive any number of runs. A report that is missing or cannot
//! be read simply means nothing is known (as for a fresh output folder).
//! Memory: a few dozen bytes per book of the previous report.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// What a previous run knew about one book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Learned {
    pub encoding: Option<&'static str>,
    pub markers_found: Option<bool>,
    /// Of the clean text, counted when it was written.
    pub lines: Option<u64>,
    pub words: Option<u64>,
}

/// What the previous report knew, by ebook number.
#[derive(Debug, Default)]
pub struct Previous(HashMap<u32, Learned>);

#[derive(Deserialize)]
struct OldReport {
    books: Vec<OldBook>,
}

#[derive(Deserialize)]
struct OldBook {
    ebook: u32,
    encoding: KnownEncoding,
    markers_found: Option<bool>,
    #[serde(default)]
    lines: Option<u64>,
    #[serde(default)]
    words: Option<u64>,
}

/// An encoding name as the report writes it, as the same `&'static str`;
/// a name gutenfetch would not write is dropped.
struct KnownEncoding(Option<&'static str>);

impl<'de> Deserialize<'de> for KnownEncoding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = Option::<String>::deserialize(d)?;
        Ok(KnownEncoding(name.and_then(|name| match name.as_str() {
            "ISO-8859-1" => Some("ISO-8859-1"),
            other => encoding_rs::Encoding::for_label(other.as_bytes()).map(|e| e.name()),
        })))
    }
}

impl Previous {
    /// What the report at `path` knew; nothing when there is none.
    pub fn read(path: &Path) -> Previous {
        let Ok(file) = std::fs::File::open(path) else { return Previous::default() };
        match serde_json::from_reader::<_, OldReport>(std::io::BufReader::new(file)) {
            Ok(report) => Previous(
                report
                    .books
                    .into_iter()
                    .filter(|b| b.encoding.0.is_some() || b.markers_found.is_some() || b.lines.is_some())
                    .map(|b| {
                        let (encoding, markers_found) = (b.encoding.0, b.markers_found);
                        (b.ebook, Learned { encoding, markers_found, lines: b.lines, words: b.words })
                    })
                    .collect(),
            ),
            Err(e) => {
                tracing::debug!("the previous report {} is not used: {e}", path.display());
                Previous::default()
            }
        }
    }

    pub fn get(&self, ebook: u32) -> Option<Learned> {
        self.0.get(&ebook).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_previous_report_knew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(
            &path,
            r#"{"summary": {}, "books": [
                {"ebook": 1, "encoding": "ISO-8859-1", "markers_found": true, "status": "ok", "lines": 3, "words": 9},
                {"ebook": 2, "encoding": "windows-1252", "markers_found": false},
                {"ebook": 3, "encoding": null, "markers_found": null}]}"#,
        )
        .unwrap();
        let previous = Previous::read(&path);
        let known = |encoding, markers_found| Learned {
            encoding: Some(encoding),
            markers_found: Some(markers_found),
            ..Learned::default()
        };
        assert_eq!(previous.get(1), Some(Learned { lines: Some(3), words: Some(9), ..known("ISO-8859-1", true) }));
        assert_eq!(previous.get(2), Some(known("windows-1252", false)));
        assert_eq!(previous.get(3), None);
        assert!(Previous::read(&dir.path().join("none.json")).get(1).is_none());
    }
}
