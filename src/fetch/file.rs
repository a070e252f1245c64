//! `file://` transport: a local copy of a mirror, read like a remote one so
//! the output is the same byte for byte.
//!
//! A local mirror may have been made by someone else (a shared rsync copy),
//! so it is no more trusted than a server: every path is resolved and must
//! stay inside the mirror's root (links within the tree, as rsync makes
//! them, are fine; links leaving it are refused), only regular files are
//! opened, and that without blocking (a FIFO or a device would never end),
//! and no wait on the file system outlasts `--timeout`.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::error::{says_out_of_descriptors, BookError, Stage};
use super::sink::{BodySink, Destination};
use super::version::Validators;
use super::{Got, Listing};
use crate::buffer_pool;
use crate::terminal_safe::terminal_safe;

pub struct FileMirror {
    root: PathBuf,
    timeout: Duration,
}

/// Where a path of the mirror leads.
enum Resolved {
    /// Inside the root: its canonical path.
    Inside(PathBuf),
    /// Nothing by that name.
    Missing,
}

impl FileMirror {
    pub fn new(root: PathBuf, timeout: Duration) -> Self {
        FileMirror { root, timeout }
    }

    pub async fn list(&self, folder: &str) -> Result<Listing, BookError> {
        let (root, folder) = (self.root.clone(), folder.to_owned());
        self.off_thread(Stage::Resolve, move || {
            let path = match resolve_inside(&root, &folder)? {
                Resolved::Inside(path) => path,
                Resolved::Missing => return Ok(Listing::Missing),
            };
            let entries = match std::fs::read_dir(&path) {
                Ok(entries) => entries,
                Err(err) if err.kind() == ErrorKind::NotADirectory => return Ok(Listing::Missing),
                Err(err) => return Err(format!("{}: {err}", path.display())),
            };
            let names = entries
                .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
                .collect::<Result<_, _>>()
                .map_err(|err| format!("{}: {err}", path.display()))?;
            Ok(Listing::Names(names))
        })
        .await
    }

    pub async fn get(&self, path: &str, mut sink: BodySink<'_, impl Destination>) -> Result<Got, BookError> {
        let (root, rel) = (self.root.clone(), path.to_owned());
        let opened = self.off_thread(Stage::Download, move || open_regular(&root, &rel)).await?;
        let Some((file, version, full)) = opened else {
            return Ok(Got::Absent("no such file".to_owned()));
        };
        sink.expect(version.size);
        sink.version(version);
        let mut file = tokio::fs::File::from_std(file);
        let mut buf = buffer_pool::take();
        let buf = buf.for_reading();
        loop {
            let read = match tokio::time::timeout(self.timeout, file.read(buf)).await {
                Ok(Ok(read)) => read,
                Ok(Err(err)) => {
                    return Err(BookError::permanent(Stage::Download, format!("{}: {err}", full.display())))
                }
                Err(_) => return Err(stalled(Stage::Download, self.timeout)),
            };
            if read == 0 {
                return sink.finish().map(Got::File);
            }
            sink.write(&buf[..read]).await?;
        }
    }

    pub async fn stat(&self, path: &str) -> Result<Option<Option<u64>>, BookError> {
        let (root, rel) = (self.root.clone(), path.to_owned());
        self.off_thread(Stage::Resolve, move || {
            let Resolved::Inside(path) = resolve_inside(&root, &rel)? else { return Ok(None) };
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => Ok(Some(Some(meta.len()))),
                Ok(meta) if meta.is_dir() => Ok(None),
                Ok(_) => Err(not_regular(&rel)),
                Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(None),
                Err(err) => Err(format!("{}: {err}", path.display())),
            }
        })
        .await
    }

    /// The folder's regular files with their sizes and modification times;
    /// `None` when there is no such folder.
    pub async fn list_versions(&self, folder: &str) -> Result<Option<Vec<(String, Validators)>>, BookError> {
        let (root, folder) = (self.root.clone(), folder.to_owned());
        self.off_thread(Stage::Resolve, move || {
            let Resolved::Inside(path) = resolve_inside(&root, &folder)? else { return Ok(None) };
            let Ok(entries) = std::fs::read_dir(&path) else { return Ok(None) };
            let mut listed = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|err| format!("{}: {err}", path.display()))?;
                // Through links, as a download would be: only regular files count.
                match std::fs::metadata(entry.path()) {
                    Ok(meta) if meta.is_file() => {
                        listed.push((entry.file_name().to_string_lossy().into_owned(), version_of(&meta)))
                    }
                    _ => {}
                }
            }
            Ok(Some(listed))
        })
        .await
    }

    /// The size and modification time of `path`; `None` when there is no such file.
    pub async fn version_of(&self, path: &str) -> Result<Option<Validators>, BookError> {
        let (root, rel) = (self.root.clone(), path.to_owned());
        self.off_thread(Stage::Resolve, move || {
            let Resolved::Inside(path) = resolve_inside(&root, &rel)? else { return Ok(None) };
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => Ok(Some(version_of(&meta))),
                Ok(meta) if meta.is_dir() => Ok(None),
                Ok(_) => Err(not_regular(&rel)),
                Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(None),
                Err(err) => Err(format!("{}: {err}", path.display())),
            }
        })
        .await
    }

    /// Where `path` is on disk.
    pub fn path_of(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    pub fn url_of(&self, path: &str) -> String {
        let full = self.root.join(path);
        url::Url::from_file_path(&full).map_or_else(|()| full.display().to_string(), String::from)
    }

    /// Runs blocking file-system work on tokio's blocking pool, within
    /// `--timeout`: a hung network file system fails the book instead of the
    /// run (the thread left waiting does not hold up the others). Its errors
    /// are the book's, permanent: a local file does not get better; except
    /// running out of file descriptors, which other transfers give back.
    async fn off_thread<T: Send + 'static>(
        &self,
        stage: Stage,
        work: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, BookError> {
        match tokio::time::timeout(self.timeout, tokio::task::spawn_blocking(work)).await {
            Ok(Ok(done)) => done.map_err(|message| match says_out_of_descriptors(&message) {
                true => BookError::transient(stage, message).lacking_descriptors(),
                false => BookError::permanent(stage, message),
            }),
            Ok(Err(joined)) => Err(BookError::permanent(stage, format!("internal error: {joined}"))),
            Err(_) => Err(stalled(stage, self.timeout)),
        }
    }
}

fn stalled(stage: Stage, wait: Duration) -> BookError {
    BookError::transient(stage, format!("the local file system did not answer for {wait:?} (--timeout)"))
}

/// Resolves `rel` (a path of the mirror) through every link, and checks that
/// it stays inside the canonical mirror root.
fn resolve_inside(root: &Path, rel: &str) -> Result<Resolved, String> {
    let root = std::fs::canonicalize(root).map_err(|err| format!("the mirror folder {}: {err}", root.display()))?;
    match std::fs::canonicalize(root.join(rel)) {
        Ok(path) if path.starts_with(&root) => Ok(Resolved::Inside(path)),
        Ok(path) => Err(format!(
            "{rel} in the local mirror is a link leading outside the mirror's folder (to {}): refused",
            terminal_safe(&path.display().to_string())
        )),
        Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(Resolved::Missing),
        Err(err) => Err(format!("{}: {err}", root.join(rel).display())),
    }
}

/// A local file's version: its size and modification time in nanoseconds.
pub fn version_of(meta: &std::fs::Metadata) -> Validators {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().to_string());
    Validators { size: Some(meta.len()), modified, ..Validators::default() }
}

fn not_regular(rel: &str) -> String {
    format!("{rel} in the local mirror is not a regular file (a FIFO, socket or device?): refused")
}

/// Opens `rel` when it is a regular file inside the mirror: its handle, size
/// and canonical path; `None` when there is no such file (or a folder).
///
/// The type is checked before opening, and again on the opened handle: a
/// file swapped for a FIFO in between is caught, and opening it did not
/// block, for it is opened non-blocking (and not through a link: the
/// canonical path has none).
fn open_regular(root: &Path, rel: &str) -> Result<Option<(File, Validators, PathBuf)>, String> {
    let Resolved::Inside(path) = resolve_inside(root, rel)? else { return Ok(None) };
    let described = |err: std::io::Error| format!("{}: {err}", path.display());
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => return Ok(None),
        Ok(meta) if !meta.is_file() => return Err(not_regular(rel)),
        Ok(_) => {}
        Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => return Ok(None),
        Err(err) => return Err(described(err)),
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(&path)
        .map_err(described)?;
    let meta = file.metadata().map_err(described)?;
    if !meta.is_file() {
        return Err(not_regular(rel));
    }
    Ok(Some((file, version_of(&meta), path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_the_tree_are_followed_and_links_leaving_it_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("mirror");
        std::fs::create_dir_all(root.join("4/1/418")).unwrap();
        std::fs::write(root.join("4/1/418/418.txt"), "text").unwrap();
        std::fs::write(dir.path().join("secret"), "secret").unwrap();
        std::os::unix::fs::symlink("418.txt", root.join("4/1/418/418-8.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("4/1/418/418-0.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("4/1/419")).unwrap();

        assert!(matches!(resolve_inside(&root, "4/1/418/418-8.txt"), Ok(Resolved::Inside(_))));
        assert!(matches!(resolve_inside(&root, "4/1/418/418-9.txt"), Ok(Resolved::Missing)));
        let out = resolve_inside(&root, "4/1/418/418-0.txt").err().unwrap();
        assert!(out.contains("outside the mirror's folder"), "{out}");
        assert!(resolve_inside(&root, "4/1/419/").is_err(), "a folder link leaving the tree");
        assert!(open_regular(&root, "4/1/418/418-0.txt").is_err());
        let (_, version, _) = open_regular(&root, "4/1/418/418-8.txt").unwrap().unwrap();
        assert_eq!(version.size, Some(4));
    }
}
