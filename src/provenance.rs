//! Where each book's raw copy came from: the mirror's file, its size, what
//! the server said of its version, and the bytes' SHA-256. One small JSON
//! file a book, `OUT/provenance/<N>.json`, written atomically once the
//! book's files are in place, and read by the plan for `--update`.
//!
//! It is a cache, never the only copy of anything: a record that is
//! missing, unreadable, from another mirror, or that no longer matches the
//! raw copy beside it is set aside, and `--update` compares that book by
//! size alone, saying so.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic_file::SyncPartFile;
use crate::ebook::EbookNumber;
use crate::fetch::version::Validators;
use crate::fetch::{Known, Received};
use crate::outcome::CopyNote;

/// The folder of the records, under the output folder.
pub const FOLDER: &str = "provenance";

/// Where one book's raw copy came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub ebook: u32,
    /// The file's URL (no password).
    pub url: String,
    /// The file, relative to the mirror's root (`4/1/418/418-0.txt`).
    pub path: String,
    /// The raw copy's name under `OUT/raw/`.
    pub local_name: String,
    pub size: u64,
    pub sha256: String,
    /// What the server said of the version taken.
    pub version: Validators,
    /// When it was taken (RFC 3339, UTC).
    pub fetched_at: String,
}

/// What a fetched book's record is made of, carried from the fetch to
/// where its files are committed.
#[derive(Clone, Debug)]
pub struct Source {
    pub url: String,
    pub path: String,
    pub local_name: String,
    pub received: Received,
}

impl Source {
    /// Where `candidate`, fetched from `url`, came from.
    pub fn new(candidate: crate::layout::Candidate, url: String, received: Received) -> Source {
        Source { url, path: candidate.path, local_name: candidate.local_name, received }
    }
}

impl Source {
    /// The copy it makes, as the report describes an update's new half.
    pub fn copy_note(&self) -> CopyNote {
        CopyNote {
            file: Some(self.path.clone()),
            size: self.received.bytes,
            sha256: Some(hex(&self.received.sha256)),
            version: self.received.version.clone(),
        }
    }
}

impl Record {
    pub fn new(number: EbookNumber, source: &Source) -> Record {
        Record {
            ebook: number.get(),
            url: source.url.clone(),
            path: source.path.clone(),
            local_name: source.local_name.clone(),
            size: source.received.bytes,
            sha256: hex(&source.received.sha256),
            version: source.received.version.clone(),
            fetched_at: crate::run_record::timestamp(std::time::SystemTime::now()),
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn path_of(out_dir: &Path, number: EbookNumber) -> PathBuf {
    out_dir.join(FOLDER).join(format!("{number}.json"))
}

/// Writes the book's record, replacing the one before. A failure is only
/// logged: the next `--update` compares that book by size.
pub fn write(out_dir: &Path, number: EbookNumber, source: &Source) {
    let path = path_of(out_dir, number);
    let written = (|| {
        std::fs::create_dir_all(out_dir.join(FOLDER))?;
        let mut part = SyncPartFile::beside(&path)?;
        serde_json::to_writer(std::io::BufWriter::new(part.file()), &Record::new(number, source))?;
        part.commit(&path)
    })();
    if let Err(err) = written {
        tracing::warn!("ebook {number}: cannot record where its copy came from ({}): {err}", path.display());
    }
}

/// The record of the book, if there is a readable one.
pub fn read(out_dir: &Path, number: EbookNumber) -> Result<Option<Record>, String> {
    let path = path_of(out_dir, number);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|err| format!("unreadable ({err})")),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(format!("unreadable ({err})")),
    }
}

/// What `--update` knows of the copy `raw_path`: its record when that
/// still describes it and comes from this mirror (`mirror_root`, the
/// root's URL), and the copy's SHA-256; else only its name and size, and
/// why.
pub fn known(
    out_dir: &Path,
    number: EbookNumber,
    raw_path: &Path,
    mirror_root: &str,
) -> (Known, Result<String, String>) {
    let local_name = raw_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let size = std::fs::metadata(raw_path).map(|m| m.len()).ok();
    let problem = match read(out_dir, number) {
        Ok(Some(record)) if record.local_name != local_name => {
            format!("its record describes raw/{}, not raw/{local_name}", record.local_name)
        }
        Ok(Some(record)) if Some(record.size) != size => "its raw copy is not the size its record gives".to_owned(),
        Ok(Some(record)) if !record.url.starts_with(mirror_root) => "its record names another mirror".to_owned(),
        // Edited by hand or by something else: never asked for.
        Ok(Some(record)) if !is_book_file(number, &record.path) => {
            "its record names a file that is not in the book's folders".to_owned()
        }
        Ok(Some(record)) => {
            let version = Validators { size: Some(record.size), ..record.version };
            return (Known { path: Some(record.path), local_name, version }, Ok(record.sha256));
        }
        Ok(None) => "no record of where its copy came from".to_owned(),
        Err(why) => format!("its record {} is {why}", path_of(out_dir, number).display()),
    };
    let version = Validators { size, ..Validators::default() };
    (Known { path: None, local_name, version }, Err(format!("{problem}: compared by size only")))
}

/// Whether `path` is a file the book could have been taken from: a plain
/// name in its folder, its `old/` subfolder or the generated collection's.
fn is_book_file(number: EbookNumber, path: &str) -> bool {
    let generated = crate::layout::generated_candidate(number).path;
    let folder = number.folder();
    let name =
        [format!("{folder}old/"), folder].into_iter().find_map(|f| path.strip_prefix(f.as_str()).map(str::to_owned));
    path == generated || name.is_some_and(|name| crate::layout::is_safe_name(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(bytes: u64) -> Source {
        let version = Validators { etag: Some("\"1-2\"".into()), size: Some(bytes), ..Validators::default() };
        Source {
            url: "http://127.0.0.1:1/4/1/418/418-0.txt".into(),
            path: "4/1/418/418-0.txt".into(),
            local_name: "418-0.txt".into(),
            received: Received { bytes, sha256: [7; 32], version },
        }
    }

    #[test]
    fn a_record_is_read_back_only_while_it_describes_the_copy() {
        let dir = tempfile::tempdir().unwrap();
        let number = EbookNumber::parse("418").unwrap();
        let raw = dir.path().join("418-0.txt");
        std::fs::write(&raw, "12345").unwrap();
        let root = "http://127.0.0.1:1/";
        let (known, why) = known(dir.path(), number, &raw, root);
        assert!(known.path.is_none() && why.unwrap_err().starts_with("no record"));
        assert_eq!(known.version.size, Some(5));

        write(dir.path(), number, &source(5));
        let record = read(dir.path(), number).unwrap().unwrap();
        assert_eq!(record.sha256, "07".repeat(32));
        let (known, why) = super::known(dir.path(), number, &raw, root);
        assert_eq!((known.path.as_deref(), why), (Some("4/1/418/418-0.txt"), Ok("07".repeat(32))));
        assert_eq!(known.version.etag.as_deref(), Some("\"1-2\""));

        let (_, why) = super::known(dir.path(), number, &raw, "ftp://elsewhere/");
        assert!(why.unwrap_err().contains("another mirror"));
        std::fs::write(&raw, "123456").unwrap();
        let (known, why) = super::known(dir.path(), number, &raw, root);
        assert!(known.path.is_none() && why.unwrap_err().contains("not the size"));
        let mut record = read(dir.path(), number).unwrap().unwrap();
        for elsewhere in ["http://evil.invalid/x.txt", "4/1/418/../../etc/passwd", "4/1/419/419-0.txt"] {
            record.path = elsewhere.to_owned();
            std::fs::write(path_of(dir.path(), number), serde_json::to_vec(&record).unwrap()).unwrap();
            std::fs::write(&raw, "12345").unwrap();
            let (known, why) = super::known(dir.path(), number, &raw, root);
            assert!(known.path.is_none() && why.unwrap_err().contains("not in the book's folders"), "{elsewhere}");
        }
        std::fs::write(path_of(dir.path(), number), "{").unwrap();
        let (_, why) = super::known(dir.path(), number, &raw, root);
        assert!(why.unwrap_err().contains("unreadable"));
    }
}
