//! `file://` transport: a local copy of a mirror, read like a remote one so
//! the output is the same byte for byte.

use std::io::ErrorKind;
use std::path::PathBuf;

use tokio::io::AsyncReadExt;

use super::error::{BookError, Stage};
use super::sink::{BodySink, Destination};
use super::{Got, Listing};
use crate::buffer_pool;

pub struct FileMirror {
    root: PathBuf,
}

impl FileMirror {
    pub fn new(root: PathBuf) -> Self {
        FileMirror { root }
    }

    pub async fn list(&self, folder: &str) -> Result<Listing, BookError> {
        let path = self.root.join(folder);
        let mut entries = match tokio::fs::read_dir(&path).await {
            Ok(entries) => entries,
            Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                return Ok(Listing::Missing)
            }
            Err(err) => return Err(BookError::io(Stage::Resolve, format!("{}: {err}", path.display()), &err)),
        };
        let mut names = Vec::new();
        while let Some(entry) =
            entries.next_entry().await.map_err(|err| BookError::permanent(Stage::Resolve, err.to_string()))?
        {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        Ok(Listing::Names(names))
    }

    pub async fn get(&self, path: &str, mut sink: BodySink<'_, impl Destination>) -> Result<Got, BookError> {
        let path = self.root.join(path);
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                return Ok(Got::Absent(err.to_string()))
            }
            Err(err) => return Err(BookError::io(Stage::Download, format!("{}: {err}", path.display()), &err)),
        };
        let read_error =
            |err: std::io::Error| BookError::permanent(Stage::Download, format!("{}: {err}", path.display()));
        let meta = file.metadata().await.map_err(read_error)?;
        if meta.is_dir() {
            return Ok(Got::Absent("a folder, not a file".to_owned()));
        }
        sink.expect(Some(meta.len()));
        let mut buf = buffer_pool::take();
        let buf = buf.for_reading();
        loop {
            let read = file.read(buf).await.map_err(read_error)?;
            if read == 0 {
                return sink.finish().map(Got::File);
            }
            sink.write(&buf[..read]).await?;
        }
    }

    pub async fn stat(&self, path: &str) -> Result<Option<Option<u64>>, BookError> {
        let path = self.root.join(path);
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => Ok(Some(Some(meta.len()))),
            Ok(_) => Ok(None),
            Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(None),
            Err(err) => Err(BookError::permanent(Stage::Resolve, format!("{}: {err}", path.display()))),
        }
    }

    pub fn url_of(&self, path: &str) -> String {
        let full = self.root.join(path);
        url::Url::from_file_path(&full).map_or_else(|()| full.display().to_string(), String::from)
    }
}
