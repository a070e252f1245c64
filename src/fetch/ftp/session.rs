//! One book's use of a pooled FTP connection: list a folder, get a file,
//! ask a size. Failures become book errors here, and a connection left in an
//! unknown state is dropped rather than handed to the next book.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use suppaftp::{FtpError, Status};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use super::data::with_timeout;
use super::replies::{announced_size, describe, is_busy, stat_listing};
use super::{Conn, FtpPool};
use crate::buffer_pool;
use crate::fetch::error::{BookError, Stage};
use crate::fetch::sink::{BodySink, Destination};
use crate::fetch::version::Validators;
use crate::fetch::{Got, Listing};

/// A folder listing larger than this is not a Gutenberg book folder.
const MAX_LISTING_BYTES: usize = 4 << 20;

/// One book's use of a pooled connection. Dropping it returns the connection
/// to the pool unless a failure left the connection in an unknown state.
pub struct FtpSession {
    pool: Arc<FtpPool>,
    conn: Option<Conn>,
    /// Files in this book's STAT listings (path from the mirror root), with
    /// the size and date listed: a transfer must end at that size, and the
    /// two describe the version taken. A few entries per book, so a list.
    listed: Vec<(String, Validators)>,
}

impl FtpSession {
    pub(super) fn new(pool: Arc<FtpPool>) -> Self {
        FtpSession { pool, conn: None, listed: Vec::new() }
    }

    /// The session's connection, taken from the pool on first use.
    async fn conn(&mut self) -> Result<&mut Conn, BookError> {
        if self.conn.is_none() {
            self.conn = Some(self.pool.checkout().await?);
        }
        Ok(self.conn.as_mut().expect("just taken"))
    }

    /// Whether a folder listing costs no more than asking for a file: true
    /// while the server answers STAT.
    pub fn lists_cheaply(&self) -> bool {
        self.pool.stat_lists.load(Ordering::Relaxed)
    }

    pub async fn list(&mut self, folder: &str) -> Result<Listing, BookError> {
        let path = format!("{}{}", self.pool.endpoint.root, folder.trim_end_matches('/'));
        let wait = self.pool.timeout;
        if self.lists_cheaply() {
            let conn = self.conn().await?;
            // 213 is the standard reply, libunftp answers 200. Not 211: suppaftp
            // takes a `211-` line as a whole reply (for FEAT) and would leave the
            // rest of the listing to confuse the next command.
            let replies = [Status::File, Status::CommandOk, Status::Directory];
            match with_timeout(wait, conn.ftp.custom_command(format!("STAT {path}"), &replies)).await {
                Ok(reply) => {
                    if let Some(entries) = stat_listing(&reply.body) {
                        let names = entries
                            .into_iter()
                            .map(|entry| {
                                if let Some(size) = entry.size {
                                    let version =
                                        Validators { size: Some(size), listed: entry.date, ..Validators::default() };
                                    self.listed.push((format!("{folder}{}", entry.name), version));
                                }
                                entry.name
                            })
                            .collect();
                        return Ok(Listing::Names(names));
                    }
                    // Not even a `.` entry: vsftpd's answer for a missing folder,
                    // or a listing format not understood. NLST tells.
                }
                // Not implemented or not with an argument: NLST from now on.
                Err(FtpError::UnexpectedResponse(reply)) if matches!(reply.status.code(), 500..=504) => {
                    self.pool.stat_lists.store(false, Ordering::Relaxed);
                }
                // Anything else (libunftp says 451 for a missing folder): NLST says it plainly.
                Err(FtpError::UnexpectedResponse(_)) => {}
                Err(err) => return Err(self.failed(Stage::Resolve, &format!("STAT {path}"), err)),
            }
        }
        let listing = self.nlst(&path).await?;
        if matches!(&listing, Listing::Names(names) if !names.is_empty()) && self.lists_cheaply() {
            // STAT answered, but with nothing this code can read: NLST from now on.
            self.pool.stat_lists.store(false, Ordering::Relaxed);
        }
        Ok(listing)
    }

    /// NLST over a data connection. Nothing listed counts as missing: vsftpd
    /// answers a missing folder with an empty listing and 226, and an empty
    /// book folder holds no book either.
    async fn nlst(&mut self, path: &str) -> Result<Listing, BookError> {
        let wait = self.pool.timeout;
        let command = format!("NLST {path}");
        let pool = Arc::clone(&self.pool);
        let conn = self.conn().await?;
        let mut stream = match conn.start(&command, wait, &pool.ahead).await {
            Ok((stream, _)) => stream,
            Err(FtpError::UnexpectedResponse(reply)) if reply.status.code() == 550 => return Ok(Listing::Missing),
            Err(err) => return Err(self.failed(Stage::Resolve, &command, err)),
        };
        let mut body = Vec::new();
        let read = read_to_end(&mut stream, &mut body, MAX_LISTING_BYTES, wait).await;
        drop(stream);
        if let Err(err) = read {
            return Err(self.broken(BookError::transient(Stage::Resolve, format!("{command}: {err}"))));
        }
        let conn = self.conn.as_mut().expect("held");
        match conn.finish(wait, &self.pool.ahead).await {
            Ok(()) => {}
            Err(FtpError::UnexpectedResponse(reply)) if reply.status.code() == 550 => return Ok(Listing::Missing),
            Err(err) => return Err(self.failed(Stage::Resolve, &command, err)),
        }
        let names: Vec<String> = String::from_utf8_lossy(&body)
            .lines()
            .map(|line| line.trim_end_matches('\r').to_owned())
            .filter(|line| !line.is_empty())
            .collect();
        Ok(if names.is_empty() { Listing::Missing } else { Listing::Names(names) })
    }

    /// Succeeds only once the server has confirmed the transfer.
    pub async fn get(&mut self, path: &str, mut sink: BodySink<'_, impl Destination>) -> Result<Got, BookError> {
        let wait = self.pool.timeout;
        let command = format!("RETR {}{path}", self.pool.endpoint.root);
        let pool = Arc::clone(&self.pool);
        let conn = self.conn().await?;
        let (mut stream, opening) = match conn.start(&command, wait, &pool.ahead).await {
            Ok(started) => started,
            Err(err @ FtpError::UnexpectedResponse(_)) if code_of(&err) == Some(550) => {
                return Ok(Got::Absent(describe(&err)))
            }
            Err(err) => return Err(self.failed(Stage::Download, &command, err)),
        };
        // The 150 reply's size, else the listing's: the transfer must end there.
        let announced = announced_size(&opening.body).or_else(|| self.listed_size(path));
        sink.expect(announced);
        let mut buf = buffer_pool::take();
        let buf = buf.for_reading();
        loop {
            let read = match tokio::time::timeout(wait, stream.read(buf)).await {
                Ok(Ok(read)) => read,
                Ok(Err(err)) => {
                    return Err(self.broken(BookError::transient(Stage::Download, format!("{command}: {err}"))))
                }
                Err(_) => {
                    let message = format!("{command}: the transfer stalled for {wait:?}");
                    return Err(self.broken(BookError::transient(Stage::Download, message)));
                }
            };
            if read == 0 {
                break;
            }
            if let Err(err) = sink.write(&buf[..read]).await {
                // The server is still sending: this connection is out of step.
                return Err(self.broken(err));
            }
        }
        // Closing our end is what makes some servers (vsftpd) send the 226.
        drop(stream);
        // Only the server's 226 after the data connection closes says the file
        // is complete. Some servers (libunftp) answer RETR of a missing file
        // with 150, send nothing, and only then say 550.
        let conn = self.conn.as_mut().expect("held");
        match conn.finish(wait, &self.pool.ahead).await {
            Ok(()) => {}
            Err(err) if code_of(&err) == Some(550) && sink.written() == 0 => return Ok(Got::Absent(describe(&err))),
            Err(err) => return Err(self.failed(Stage::Download, &command, err)),
        }
        // A server may confirm a transfer whose data connection broke early:
        // with no size from the 150 reply or a listing, SIZE tells (one round
        // trip, only on servers that give neither), and the sink checks it.
        if announced.is_none() {
            sink.expect(self.size_if_told(path).await?);
        }
        // The version taken: the listing's date, else MDTM (one round trip,
        // only where the folder was not listed with STAT).
        match self.listed_version(path) {
            Some(version) => sink.version(version),
            None => sink.version(Validators { modified: self.modified(path).await?, ..Validators::default() }),
        }
        sink.finish().map(Got::File)
    }

    fn listed_version(&self, path: &str) -> Option<Validators> {
        self.listed.iter().find(|(listed, _)| listed == path).map(|(_, version)| version.clone())
    }

    fn listed_size(&self, path: &str) -> Option<u64> {
        self.listed_version(path)?.size
    }

    /// The folder's files with the size and date STAT lists, over the
    /// control connection; `None` on a server that does not list with STAT.
    pub async fn list_versions(&mut self, folder: &str) -> Result<Option<Vec<(String, Validators)>>, BookError> {
        if !self.lists_cheaply() {
            return Ok(None);
        }
        self.listed.retain(|(path, _)| !path.starts_with(folder));
        let names = match self.list(folder).await? {
            Listing::Names(names) if self.lists_cheaply() => names,
            _ => return Ok(None),
        };
        // Links and folders are listed without a size: nothing known of their version.
        let entries = names.into_iter().map(|name| {
            let version = self.listed_version(&format!("{folder}{name}")).unwrap_or_default();
            (name, version)
        });
        Ok(Some(entries.collect()))
    }

    /// What the server says of `path`'s version now, with no data
    /// connection: its listing if this session listed its folder, else SIZE
    /// and MDTM. `None` when there is no such file.
    pub async fn version_of(&mut self, path: &str) -> Result<Option<Validators>, BookError> {
        if let Some(version) = self.listed_version(path) {
            return Ok(Some(version));
        }
        let Some(size) = self.stat(path).await? else { return Ok(None) };
        Ok(Some(Validators { size, modified: self.modified(path).await?, ..Validators::default() }))
    }

    /// SIZE of `path` after its transfer; `None` when the server cannot tell
    /// (no SIZE command, or the file went away meanwhile).
    async fn size_if_told(&mut self, path: &str) -> Result<Option<u64>, BookError> {
        let full = format!("{}{path}", self.pool.endpoint.root);
        let wait = self.pool.timeout;
        let conn = self.conn().await?;
        match with_timeout(wait, conn.ftp.size(&full)).await {
            Ok(size) => Ok(Some(size as u64)),
            Err(FtpError::UnexpectedResponse(_)) => Ok(None),
            Err(err) => Err(self.failed(Stage::Download, &format!("SIZE {full}"), err)),
        }
    }

    /// SIZE: whether `path` is a file, and its size; no data connection needed.
    pub async fn stat(&mut self, path: &str) -> Result<Option<Option<u64>>, BookError> {
        let path = format!("{}{path}", self.pool.endpoint.root);
        let wait = self.pool.timeout;
        let conn = self.conn().await?;
        match with_timeout(wait, conn.ftp.size(&path)).await {
            Ok(size) => Ok(Some(Some(size as u64))),
            Err(FtpError::UnexpectedResponse(reply)) if reply.status.code() == 550 => Ok(None),
            Err(err) => Err(self.failed(Stage::Resolve, &format!("SIZE {path}"), err)),
        }
    }

    /// MDTM: when `path` was last changed, as the server writes it
    /// (`YYYYMMDDhhmmss`); `None` when the server does not say.
    pub async fn modified(&mut self, path: &str) -> Result<Option<String>, BookError> {
        let path = format!("{}{path}", self.pool.endpoint.root);
        let wait = self.pool.timeout;
        let conn = self.conn().await?;
        match with_timeout(wait, conn.ftp.custom_command(format!("MDTM {path}"), &[Status::File])).await {
            Ok(reply) => {
                let text = String::from_utf8_lossy(&reply.body);
                // `213 20260105093000`: the stamp is the reply's last word.
                Ok(text
                    .split_whitespace()
                    .last()
                    .filter(|w| w.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                    .map(str::to_owned))
            }
            Err(FtpError::UnexpectedResponse(reply)) if reply.status.code() >= 500 => Ok(None),
            Err(err) => Err(self.failed(Stage::Resolve, &format!("MDTM {path}"), err)),
        }
    }

    pub fn url_of(&self, path: &str) -> String {
        self.pool.endpoint.url_of(path)
    }

    /// Turns a suppaftp error into a book error. A server reply leaves the
    /// connection usable; anything else (a dropped connection, a silent
    /// server) means it is dropped.
    fn failed(&mut self, stage: Stage, what: &str, err: FtpError) -> BookError {
        let message = format!("{what}: {}", describe(&err));
        match &err {
            FtpError::UnexpectedResponse(reply) if reply.status.code() >= 500 => BookError::permanent(stage, message),
            // 421: the server is closing this connection (too many users, idle timeout).
            FtpError::UnexpectedResponse(_) if is_busy(&err) => {
                self.broken(BookError::transient(stage, message).busy(None))
            }
            FtpError::UnexpectedResponse(_) => BookError::transient(stage, message),
            // Its socket not opened for lack of descriptors: dropping the
            // control connection as well gives one back.
            FtpError::ConnectionError(io) => self.broken(BookError::transient(stage, message).descriptors_from(io)),
            _ => self.broken(BookError::transient(stage, message)),
        }
    }

    /// Closes the connection this session holds, if any, giving its
    /// descriptors back: for a book that must wait for descriptors.
    pub fn release(&mut self) {
        if self.conn.take().is_some() {
            self.pool.give_up();
        }
    }

    /// Forgets the connection: its state is unknown, so it must not serve
    /// another book. The next request of this session takes another.
    fn broken(&mut self, error: BookError) -> BookError {
        if self.conn.take().is_some() {
            self.pool.give_up();
        }
        error
    }
}

impl Drop for FtpSession {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.checkin(conn);
        }
    }
}

fn code_of(err: &FtpError) -> Option<u32> {
    match err {
        FtpError::UnexpectedResponse(reply) => Some(reply.status.code()),
        _ => None,
    }
}

/// Reads `stream` to its end into `body`, at most `limit` bytes, each read
/// within `wait`.
async fn read_to_end(
    stream: &mut TcpStream,
    body: &mut Vec<u8>,
    limit: usize,
    wait: std::time::Duration,
) -> std::io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let read = tokio::time::timeout(wait, stream.read(&mut buf))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "the listing stalled"))??;
        if read == 0 {
            return Ok(());
        }
        if body.len() + read > limit {
            return Err(std::io::Error::other("the listing is too large for a book folder"));
        }
        body.extend_from_slice(&buf[..read]);
    }
}
