//! The network stage: find each book's file on the mirror and copy it to
//! `OUT/raw/`, complete or not at all.
//!
//! [`Client`] is built once per run and shared by every book's task. Each
//! transport only knows how to list a folder and get a file ([`Session`]);
//! which files to ask for is decided once, for all of them, in [`resolve`].

mod attempt;
pub mod error;
pub mod file;
pub mod ftp;
pub mod health;
pub mod http;
mod recheck;
mod resolve;
mod root;
pub mod single;
pub mod sink;
pub mod throttle;
pub mod version;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::atomic_file::{PartFile, Staged};
use crate::ebook::EbookNumber;
use crate::layout::Candidate;
use crate::mirror::{Layout, Mirror};
use crate::retry::RetryPolicy;
pub use error::{BookError, MirrorFault, Persistence, Stage};
use file::FileMirror;
use ftp::{FtpPool, FtpSession};
use health::{Budgets, Health};
use http::HttpMirror;
pub use recheck::{Known, Rechecked};
use resolve::{Commit, Found, Mode};
use sink::BodySink;
pub use sink::{Received, TransferUpdate, Watcher};
pub use throttle::{Permit, Throttle};
use version::Validators;

/// Limits that apply to every connection and transfer.
#[derive(Clone, Debug)]
pub struct Limits {
    /// For connecting, each reply, and each wait for more bytes of a transfer.
    pub timeout: Duration,
    /// A larger file fails its book mid-transfer.
    pub max_size: u64,
    /// How long an outage of the mirror is waited out once it has answered.
    pub outage_budget: Duration,
}

/// A book's file, downloaded.
#[derive(Debug)]
pub struct Fetched {
    pub candidate: Candidate,
    /// Where it was fetched from (no password).
    pub url: String,
    /// Where the untouched bytes are, or go, under `OUT/raw/`.
    pub raw_path: PathBuf,
    /// Their size, SHA-256 and version.
    pub received: Received,
    /// The bytes, when they are not in `raw_path` yet: they replace the copy
    /// there only once their clean text is written.
    pub staged: Option<Staged>,
    /// Tries of all the book's requests: 1 when nothing had to be retried.
    pub attempts: u32,
}

/// A book's file, found but not downloaded (`--dry-run`).
#[derive(Clone, Debug)]
pub struct Located {
    pub candidate: Candidate,
    pub url: String,
    /// As the server reports it, when it does.
    pub size: Option<u64>,
}

/// What asking the mirror for one file gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Got {
    /// The whole file in the sink.
    File(Received),
    /// The mirror has no such file, or will not give it: its words, for an
    /// error when the file was listed and so should have been there.
    Absent(String),
}

/// What a folder listing said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listing {
    /// The entries, as the server named them (untrusted).
    Names(Vec<String>),
    /// The server gives no listing here; the names must be probed.
    Unavailable,
    /// The folder does not exist.
    Missing,
}

/// The connection to one mirror, shared by all books of a run.
pub struct Client {
    transport: Transport,
    layout: Layout,
    limits: Limits,
    retry: RetryPolicy,
    throttle: Arc<Throttle>,
    health: Arc<Health>,
}

enum Transport {
    Ftp(Arc<FtpPool>),
    Http(HttpMirror),
    File(FileMirror),
}

impl Client {
    /// Builds the transport once; `jobs` sizes its connection pool and is the
    /// throttle's starting limit.
    pub fn new(
        mirror: &Mirror,
        layout: Layout,
        limits: Limits,
        retry: RetryPolicy,
        jobs: usize,
    ) -> anyhow::Result<Client> {
        let throttle = Throttle::new(jobs);
        let health = Health::new(mirror.address(), Budgets::new(limits.outage_budget));
        let transport = match mirror {
            Mirror::Ftp(endpoint) => {
                Transport::Ftp(FtpPool::new(endpoint.clone(), limits.timeout, Arc::clone(&throttle)))
            }
            Mirror::Http(base) => Transport::Http(HttpMirror::new(base.clone(), limits.timeout, jobs)?),
            Mirror::File(root) => Transport::File(FileMirror::new(root.clone(), limits.timeout)),
        };
        Ok(Client { transport, layout, limits, retry, throttle, health })
    }

    /// The bound on books in flight, shared with the fetch stage.
    pub fn throttle(&self) -> &Arc<Throttle> {
        &self.throttle
    }

    /// Whether the mirror is up, and whether the run must stop.
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    /// The right to start a book: the mirror's health lets it, and there is
    /// room under the throttle's limit. `Err` once the run has stopped.
    pub async fn admit(&self) -> Result<(health::Admitted, Permit), health::Stop> {
        let admitted = self.health.admit().await?;
        Ok((admitted, self.throttle.acquire().await))
    }

    /// Finds the book's file on the mirror and downloads it into `raw_dir`,
    /// reporting the transfer to `watcher`.
    pub async fn fetch(&self, number: EbookNumber, raw_dir: &Path, watcher: Watcher<'_>) -> Result<Fetched, BookError> {
        let mode = Mode::Download(raw_dir, watcher, Commit::Now);
        match resolve::find_book(self, &mut self.session(), number, mode).await? {
            Found::Downloaded(fetched) => Ok(fetched),
            Found::Located(_) | Found::Current => unreachable!("a download yields a downloaded file"),
        }
    }

    /// Finds the book's file on the mirror, and its size, without downloading it.
    pub async fn locate(&self, number: EbookNumber) -> Result<Located, BookError> {
        match resolve::find_book(self, &mut self.session(), number, Mode::Locate).await? {
            Found::Located(located) => Ok(located),
            Found::Downloaded(_) | Found::Current => unreachable!("locating downloads nothing"),
        }
    }

    fn session(&self) -> Session<'_> {
        match &self.transport {
            Transport::Ftp(pool) => Session::Ftp(pool.session()),
            Transport::Http(mirror) => Session::Http(mirror),
            Transport::File(mirror) => Session::File(mirror),
        }
    }

    /// The mirror said it is overloaded to a request made at `asked`: fewer
    /// books at once. An FTP server keeps the connections it accepted, so the
    /// limit becomes their number; over HTTP it is halved.
    fn mirror_busy(&self, asked: std::time::Instant) {
        match &self.transport {
            Transport::Ftp(pool) => self.throttle.lower_for_busy_mirror(pool.connections()),
            Transport::Http(_) | Transport::File(_) => self.throttle.halve_for_busy_mirror(asked),
        }
    }

    /// A request made at `asked` found no file descriptor free: fewer books
    /// at once, whatever the transport.
    fn out_of_descriptors(&self, asked: std::time::Instant) {
        self.throttle.halve_for_descriptors(asked);
        if let Transport::Ftp(pool) = &self.transport {
            pool.shed_idle();
        }
    }

    /// Most books will be asked about, not downloaded (`--update`,
    /// `--dry-run`): no FTP data connection is opened before one is needed.
    pub fn mostly_asking(&self) {
        if let Transport::Ftp(pool) = &self.transport {
            pool.no_data_connections_ahead_of_need();
        }
    }

    /// Ends every connection politely. Call once, after the last book.
    pub async fn close(&self) {
        if let Transport::Ftp(pool) = &self.transport {
            pool.close().await;
        }
    }

    /// Logins made so far, for transports that log in.
    pub fn logins(&self) -> Option<usize> {
        match &self.transport {
            Transport::Ftp(pool) => Some(pool.logins()),
            Transport::Http(_) | Transport::File(_) => None,
        }
    }
}

/// One book's use of the transport.
pub enum Session<'a> {
    Ftp(FtpSession),
    Http(&'a HttpMirror),
    File(&'a FileMirror),
}

impl Session<'_> {
    /// Lists `folder` (relative to the mirror root, ending in `/`).
    pub async fn list(&mut self, folder: &str) -> Result<Listing, BookError> {
        match self {
            Session::Ftp(session) => session.list(folder).await,
            Session::Http(mirror) => mirror.list(folder).await,
            Session::File(mirror) => mirror.list(folder).await,
        }
    }

    /// Copies `path` (relative to the mirror root) into `sink`.
    pub async fn get(&mut self, path: &str, sink: BodySink<'_, PartFile>) -> Result<Got, BookError> {
        match self {
            Session::Ftp(session) => session.get(path, sink).await,
            Session::Http(mirror) => mirror.get(path, sink).await,
            Session::File(mirror) => mirror.get(path, sink).await,
        }
    }

    /// Copies `path` into `sink` unless the server says the copy `known`
    /// describes is current (`None`): only HTTP can say so in the same
    /// request; other transports always send the file.
    pub async fn get_if_changed(
        &mut self,
        path: &str,
        known: &Validators,
        sink: BodySink<'_, PartFile>,
    ) -> Result<Option<Got>, BookError> {
        match self {
            Session::Http(mirror) => mirror.get_if_changed(path, known, sink).await,
            _ => self.get(path, sink).await.map(Some),
        }
    }

    /// Whether `path` exists, and its size when the server says; `None` when it does not exist.
    pub async fn stat(&mut self, path: &str) -> Result<Option<Option<u64>>, BookError> {
        match self {
            Session::Ftp(session) => session.stat(path).await,
            Session::Http(mirror) => mirror.stat(path).await,
            Session::File(mirror) => mirror.stat(path).await,
        }
    }

    /// The folder's files with what its listing says of their versions (size,
    /// date), in one request; `None` where listings give no such thing.
    pub async fn list_versions(&mut self, folder: &str) -> Result<Option<Vec<(String, Validators)>>, BookError> {
        match self {
            Session::Ftp(session) => session.list_versions(folder).await,
            Session::Http(mirror) => mirror.list_versions(folder).await,
            Session::File(mirror) => mirror.list_versions(folder).await,
        }
    }

    /// What the mirror says of `path`'s version now, without its body;
    /// `None` when there is no such file. Over HTTP a HEAD, conditional on
    /// `known`.
    pub async fn version_of(&mut self, path: &str, known: &Validators) -> Result<Option<Validators>, BookError> {
        match self {
            Session::Ftp(session) => session.version_of(path).await,
            Session::Http(mirror) => mirror.head(path, known).await,
            Session::File(mirror) => mirror.version_of(path).await,
        }
    }

    /// Whether listing a folder costs no more than asking for one file; then
    /// the folder is listed first instead of probing `N-0.txt`.
    pub fn lists_cheaply(&self) -> bool {
        match self {
            Session::Ftp(session) => session.lists_cheaply(),
            // One round trip like a probe, and most books have N-0.txt: probe first.
            Session::Http(_) => false,
            Session::File(_) => true,
        }
    }

    /// Closes what the session holds open (an FTP connection), so a book
    /// waiting for file descriptors holds none itself.
    pub fn release(&mut self) {
        if let Session::Ftp(session) = self {
            session.release();
        }
    }

    /// The URL of `path`, for reports (never with a password).
    pub fn url_of(&self, path: &str) -> String {
        match self {
            Session::Ftp(session) => session.url_of(path),
            Session::Http(mirror) => mirror.url_of(path),
            Session::File(mirror) => mirror.url_of(path),
        }
    }
}
