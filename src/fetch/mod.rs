//! The network stage: find each book's plain-text file on the mirror and copy
//! it to `OUT/raw/`, complete or not at all.
//!
//! [`Client`] is built once per run and shared by every book's task; each
//! transport keeps its own connections (an FTP pool today).

pub mod error;
pub mod ftp;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::atomic_file::PartFile;
use crate::ebook::EbookNumber;
use crate::layout::{choose_text_file, TextFile};
use crate::mirror::Mirror;
pub use error::{BookError, Persistence, Stage};
pub use ftp::FtpLimits;
use ftp::FtpPool;

/// A book's text file, downloaded.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub file: TextFile,
    /// Where it was fetched from (no password).
    pub url: String,
    /// The untouched bytes, under `OUT/raw/`.
    pub raw_path: PathBuf,
    pub bytes: u64,
}

/// The connection to one mirror, shared by all books of a run.
pub enum Client {
    Ftp(Arc<FtpPool>),
}

impl Client {
    pub fn new(mirror: &Mirror, limits: FtpLimits) -> Client {
        match mirror {
            Mirror::Ftp(endpoint) => Client::Ftp(FtpPool::new(endpoint.clone(), limits)),
        }
    }

    /// Lists the book's folder, picks its plain text, and downloads it into `raw_dir`.
    pub async fn fetch(&self, number: EbookNumber, raw_dir: &Path) -> Result<Fetched, BookError> {
        match self {
            Client::Ftp(pool) => {
                let folder = number.folder();
                let folder_url = Some(pool.endpoint().url_of(&folder));
                let mut session = pool.session().await.map_err(|e| e.at(folder_url.clone()))?;
                let listing = session.list(&folder).await.map_err(|e| e.at(folder_url.clone()))?;
                let file = choose_text_file(number, listing.iter().map(String::as_str))
                    .ok_or_else(|| no_text_file(&folder, listing.len()).at(folder_url))?;
                let path = format!("{folder}{}", file.name);
                let url = pool.endpoint().url_of(&path);
                let raw_path = raw_dir.join(&file.name);
                let write_error = |err: std::io::Error| {
                    BookError::permanent(Stage::Write, format!("{}: {err}", raw_path.display())).at(Some(url.clone()))
                };
                let mut part = PartFile::beside(&raw_path).map_err(write_error)?;
                let bytes = session.download(&path, part.writer()).await.map_err(|e| e.at(Some(url.clone())))?;
                part.commit(&raw_path).await.map_err(write_error)?;
                Ok(Fetched { url, file, raw_path, bytes })
            }
        }
    }

    /// Ends every connection politely. Call once, after the last book.
    pub async fn close(&self) {
        match self {
            Client::Ftp(pool) => pool.close().await,
        }
    }

    /// Logins made so far, for transports that log in.
    pub fn logins(&self) -> Option<usize> {
        match self {
            Client::Ftp(pool) => Some(pool.logins()),
        }
    }
}

fn no_text_file(folder: &str, entries: usize) -> BookError {
    let found = match entries {
        0 => "the folder is empty or missing".to_owned(),
        n => format!("{n} entries, none of them N-0.txt, N-8.txt or N.txt"),
    };
    BookError::permanent(Stage::Resolve, format!("no plain-text file in {folder} ({found})"))
}
