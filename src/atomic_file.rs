//! Files that appear under their final name only when complete.
//!
//! Each is written to a hidden temporary file in the destination's own folder
//! (so the final rename is atomic on one filesystem) and renamed into place on
//! [`PartFile::commit`]. Dropping a `PartFile` without committing removes the
//! temporary file, so a failed book leaves nothing behind. A killed process
//! cannot drop anything: its temporary files carry its PID, and
//! [`remove_stale`] clears those of processes that are gone.
//!
//! Temporary files are created with mode 0666 filtered by the umask, as any
//! tool creates files (0644 under the usual umask 0022), not tempfile's
//! private 0600; the rename keeps the mode, so the final files have it too.

use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;
use tokio::task::JoinHandle;

use crate::buffer_pool::{self, Buffer};

/// Prefix and suffix of every temporary file gutenfetch writes:
/// `.gutenfetch-<pid>-<random>.part`.
pub const TEMP_PREFIX: &str = ".gutenfetch-";
pub const TEMP_SUFFIX: &str = ".part";

fn temp_beside(dest: &Path) -> io::Result<NamedTempFile> {
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The kernel applies the umask to the mode given to open(2).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Removes the temporary files that processes no longer running left in
/// `dir`, and returns how many. Those of a live process (another gutenfetch
/// writing to the same folder, say another shard) are left alone.
pub fn remove_stale(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(err) => return Err(err),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(writer_pid) else { continue };
        if !process_is_running(pid) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The PID in a temporary file's name, if the name is one of ours.
fn writer_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    rest.split('-').next()?.parse().ok()
}

fn process_is_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    // Linux and most Unixes with procfs; elsewhere assume it runs and leave the file.
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// A file being written asynchronously (a download), through two pooled
/// buffers: the transfer fills one while a blocking thread writes the other,
/// so the network never waits for the disk unless the disk falls behind.
pub struct PartFile {
    temp: NamedTempFile,
    filling: Buffer,
    disk: Disk,
}

/// Where the file handle is: here with the spare buffer, or with the
/// blocking thread writing a chunk, which gives both back.
enum Disk {
    Idle(std::fs::File, Buffer),
    Writing(JoinHandle<(std::fs::File, Buffer, io::Result<()>)>),
    /// Only while changing state, or after a failed write.
    Gone,
}

impl PartFile {
    /// Both buffers are taken now, not when first needed: a transfer holds
    /// the same buffers from its start to its end.
    pub fn beside(dest: &Path) -> io::Result<PartFile> {
        let temp = temp_beside(dest)?;
        let file = temp.as_file().try_clone()?;
        Ok(PartFile { temp, filling: buffer_pool::take(), disk: Disk::Idle(file, buffer_pool::take()) })
    }

    pub async fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let (now, rest) = bytes.split_at(self.filling.room().min(bytes.len()));
            self.filling.extend_from_slice(now);
            bytes = rest;
            if self.filling.room() == 0 {
                self.write_out().await?;
            }
        }
        Ok(())
    }

    /// Hands the full buffer to a blocking thread, once the one before is written.
    async fn write_out(&mut self) -> io::Result<()> {
        let (file, spare) = self.idle().await?;
        let full = std::mem::replace(&mut self.filling, spare);
        self.disk = Disk::Writing(tokio::task::spawn_blocking(move || {
            let written = (&file).write_all(&full);
            (file, full, written)
        }));
        Ok(())
    }

    /// The file handle and the spare buffer, after any write in flight.
    async fn idle(&mut self) -> io::Result<(std::fs::File, Buffer)> {
        match std::mem::replace(&mut self.disk, Disk::Gone) {
            Disk::Idle(file, spare) => Ok((file, spare)),
            Disk::Writing(write) => {
                let (file, mut written, result) = write.await.map_err(io::Error::other)?;
                result?;
                written.clear();
                Ok((file, written))
            }
            Disk::Gone => Err(io::Error::other("an earlier write to this file failed")),
        }
    }

    /// Writes what is left and keeps the file under its temporary name, for
    /// whoever must check it before it replaces what is there.
    pub async fn finish(mut self) -> io::Result<Staged> {
        let (file, _spare) = self.idle().await?;
        let PartFile { temp, filling, .. } = self;
        tokio::task::spawn_blocking(move || (&file).write_all(&filling).map(|()| Staged { temp }))
            .await
            .map_err(io::Error::other)?
    }

    /// Writes what is left and renames the file to `dest`, replacing what was there.
    pub async fn commit(mut self, dest: &Path) -> io::Result<()> {
        let (file, _spare) = self.idle().await?;
        let PartFile { temp, filling, .. } = self;
        let dest = dest.to_owned();
        tokio::task::spawn_blocking(move || {
            (&file).write_all(&filling)?;
            temp.persist(dest).map(drop).map_err(|e| e.error)
        })
        .await
        .map_err(io::Error::other)?
    }
}

/// A complete file still under its temporary name: renamed into place by
/// [`Staged::commit`], removed if dropped (a killed run's, by [`remove_stale`]).
#[derive(Debug)]
pub struct Staged {
    temp: NamedTempFile,
}

impl Staged {
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Renames the file to `dest`, replacing what was there.
    pub fn commit(self, dest: &Path) -> io::Result<()> {
        self.temp.persist(dest).map(drop).map_err(|e| e.error)
    }
}

/// Checks that a file can be written atomically to `dest`, by making (and
/// removing) a temporary file beside it, as [`SyncPartFile`] will.
pub fn check_writable(dest: &Path) -> io::Result<()> {
    temp_beside(dest)?.close()
}

/// A file being written from a blocking thread (the cleaner streams a book
/// into one): the synchronous twin of [`PartFile`].
pub struct SyncPartFile {
    temp: NamedTempFile,
}

impl SyncPartFile {
    pub fn beside(dest: &Path) -> io::Result<SyncPartFile> {
        Ok(SyncPartFile { temp: temp_beside(dest)? })
    }

    pub fn file(&mut self) -> &mut std::fs::File {
        self.temp.as_file_mut()
    }

    /// Renames the file to `dest`, replacing what was there.
    pub fn commit(self, dest: &Path) -> io::Result<()> {
        self.temp.persist(dest).map(drop).map_err(|e| e.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `contents` to `dest` the way the report is written.
    fn write(dest: &Path, contents: &[u8]) -> io::Result<()> {
        let mut part = SyncPartFile::beside(dest)?;
        part.file().write_all(contents)?;
        part.commit(dest)
    }

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
        abandoned.write_all(b"half a bo").await.unwrap();
        assert_eq!(names(dir.path()).len(), 1);
        assert!(names(dir.path())[0].starts_with(TEMP_PREFIX));
        drop(abandoned);
        assert!(names(dir.path()).is_empty());

        let mut part = PartFile::beside(&dest).unwrap();
        part.write_all(b"a whole book").await.unwrap();
        part.commit(&dest).await.unwrap();
        assert_eq!(names(dir.path()), ["418.txt"]);
        assert_eq!(std::fs::read(&dest).unwrap(), b"a whole book");
    }

    #[tokio::test]
    async fn a_file_of_many_chunks_is_written_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("2600-0.txt");
        let book: Vec<u8> = (0..3 * buffer_pool::CHUNK + 12_345).map(|i| (i % 251) as u8).collect();
        let mut part = PartFile::beside(&dest).unwrap();
        // Pieces of a size that never lines up with a chunk.
        for piece in book.chunks(7_919) {
            part.write_all(piece).await.unwrap();
        }
        part.commit(&dest).await.unwrap();
        assert!(std::fs::read(&dest).unwrap() == book, "the file differs from what was written");
    }

    #[test]
    fn stale_files_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // PID 4194305 is above Linux's pid_max limit, so no process has it.
        let dead = dir.path().join(format!("{TEMP_PREFIX}4194305-abc{TEMP_SUFFIX}"));
        let live = dir.path().join(format!("{TEMP_PREFIX}{}-abc{TEMP_SUFFIX}", std::process::id()));
        let other = dir.path().join("418.txt");
        for path in [&dead, &live, &other] {
            std::fs::write(path, "x").unwrap();
        }
        assert_eq!(remove_stale(dir.path()).unwrap(), 1);
        assert!(!dead.exists() && live.exists() && other.exists());
        assert_eq!(remove_stale(&dir.path().join("missing")).unwrap(), 0);
    }

    /// The process's umask, as Linux reports it in /proc/self/status.
    #[cfg(target_os = "linux")]
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find_map(|l| l.strip_prefix("Umask:")).expect("Umask in /proc/self/status");
        u32::from_str_radix(line.trim(), 8).unwrap()
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn files_get_the_umask_mode_not_a_private_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (written, downloaded) = (dir.path().join("11.txt"), dir.path().join("11-0.txt"));
        write(&written, b"a book").unwrap();
        let mut part = PartFile::beside(&downloaded).unwrap();
        part.write_all(b"a book").await.unwrap();
        part.commit(&downloaded).await.unwrap();
        let expected = 0o666 & !umask();
        for path in [&written, &downloaded] {
            let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, expected, "{}: mode {mode:o}, umask {:o}", path.display(), umask());
        }
    }

    #[test]
    fn a_writable_destination_is_left_as_it_was_and_an_unwritable_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        check_writable(&dir.path().join("report.json")).unwrap();
        assert!(names(dir.path()).is_empty());
        assert!(check_writable(&dir.path().join("missing/report.json")).is_err());
    }

    #[test]
    fn a_sync_part_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("43.txt");
        let mut abandoned = SyncPartFile::beside(&dest).unwrap();
        abandoned.file().write_all(b"half").unwrap();
        drop(abandoned);
        assert!(names(dir.path()).is_empty());
        let mut part = SyncPartFile::beside(&dest).unwrap();
        part.file().write_all(b"whole").unwrap();
        part.commit(&dest).unwrap();
        assert_eq!((names(dir.path()), std::fs::read(&dest).unwrap()), (vec!["43.txt".to_owned()], b"whole".to_vec()));
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
