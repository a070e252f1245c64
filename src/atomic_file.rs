//! Files that appear under their final name only when complete.
//!
//! Each is written to a hidden temporary file in the destination's own folder
//! (so the final rename is atomic on one filesystem) and renamed into place on
//! [`PartFile::commit`]. Dropping a `PartFile` without committing removes the
//! temporary file, so a failed book leaves nothing behind.

use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;
use tokio::io::{AsyncWriteExt, BufWriter};

/// Prefix and suffix of every temporary file gutenfetch writes.
pub const TEMP_PREFIX: &str = ".gutenfetch-";
pub const TEMP_SUFFIX: &str = ".part";

fn temp_beside(dest: &Path) -> io::Result<NamedTempFile> {
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX).tempfile_in(dir)
}

/// A file being written asynchronously (a download).
pub struct PartFile {
    temp: NamedTempFile,
    writer: BufWriter<tokio::fs::File>,
}

impl PartFile {
    pub fn beside(dest: &Path) -> io::Result<PartFile> {
        let temp = temp_beside(dest)?;
        let file = tokio::fs::File::from_std(temp.as_file().try_clone()?);
        Ok(PartFile { temp, writer: BufWriter::with_capacity(64 * 1024, file) })
    }

    pub fn writer(&mut self) -> &mut BufWriter<tokio::fs::File> {
        &mut self.writer
    }

    /// Flushes and renames the file to `dest`, replacing what was there.
    pub async fn commit(mut self, dest: &Path) -> io::Result<()> {
        self.writer.flush().await?;
        let PartFile { temp, writer } = self;
        drop(writer);
        let dest = dest.to_owned();
        tokio::task::spawn_blocking(move || temp.persist(dest).map(drop).map_err(|e| e.error))
            .await
            .map_err(io::Error::other)?
    }
}

/// Writes `contents` to `dest` atomically, from a blocking thread (the cleaner).
pub fn write(dest: &Path, contents: &[u8]) -> io::Result<()> {
    let mut temp = temp_beside(dest)?;
    temp.write_all(contents)?;
    temp.persist(dest).map(drop).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_committed_file_appears_whole_and_an_abandoned_one_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("418.txt");

        let mut abandoned = PartFile::beside(&dest).unwrap();
        abandoned.writer().write_all(b"half a bo").await.unwrap();
        assert_eq!(names(dir.path()).len(), 1);
        assert!(names(dir.path())[0].starts_with(TEMP_PREFIX));
        drop(abandoned);
        assert!(names(dir.path()).is_empty());

        let mut part = PartFile::beside(&dest).unwrap();
        part.writer().write_all(b"a whole book").await.unwrap();
        part.commit(&dest).await.unwrap();
        assert_eq!(names(dir.path()), ["418.txt"]);
        assert_eq!(std::fs::read(&dest).unwrap(), b"a whole book");
    }

    #[test]
    fn write_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("11.txt");
        write(&dest, b"old").unwrap();
        write(&dest, b"new").unwrap();
        assert_eq!(names(dir.path()), ["11.txt"]);
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
    }
}
