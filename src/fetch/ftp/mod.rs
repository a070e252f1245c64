//! FTP transport: a pool of logged-in control connections, each used by one
//! book at a time through an [`FtpSession`].
//!
//! A folder is listed with `STAT <folder>`, which answers on the control
//! connection in one round trip, where NLST needs a data connection (three);
//! servers that refuse STAT get NLST.
//!
//! A login costs several round trips, so connections are made once and
//! reused across books; the pool never holds more connections than books in
//! flight, because each session is taken under the fetch stage's semaphore.
//! When the server refuses another connection (421) while others are open,
//! a book waits for one of those instead of failing. [`FtpPool::close`] ends
//! every connection with QUIT.

mod replies;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use suppaftp::tokio::AsyncFtpStream;
use suppaftp::types::FileType;
use suppaftp::{FtpError, Mode, Status};
use tokio::io::{AsyncReadExt, AsyncWrite};
use tokio::sync::Notify;
use tokio::time::timeout;

use super::error::{BookError, Stage};
use super::sink::BodySink;
use super::throttle::Throttle;
use super::Listing;
use crate::mirror::FtpEndpoint;
use replies::{announced_size, describe, is_busy, stat_listing_names, Refusal};

/// Logged-in control connections waiting for their next book.
pub struct FtpPool {
    endpoint: FtpEndpoint,
    /// For connecting, each reply, and each read of a transfer.
    timeout: Duration,
    idle: Mutex<Vec<AsyncFtpStream>>,
    /// Signalled when a connection comes back to `idle` or is given up.
    returned: Notify,
    /// Connections open now, idle or in use.
    open: AtomicUsize,
    /// Connections open or being made (connect, greeting, login): what the
    /// server has accepted or may still accept.
    claimed: AtomicUsize,
    /// Lowered when the server refuses a connection as too many.
    throttle: Arc<Throttle>,
    /// The server refused a connection as too many: make no more.
    full: AtomicBool,
    /// The server lists folders with STAT (assumed until it refuses).
    stat_lists: AtomicBool,
    logins: AtomicUsize,
}

impl FtpPool {
    pub fn new(endpoint: FtpEndpoint, timeout: Duration, throttle: Arc<Throttle>) -> Arc<Self> {
        Arc::new(FtpPool {
            endpoint,
            timeout,
            idle: Mutex::new(Vec::new()),
            returned: Notify::new(),
            open: AtomicUsize::new(0),
            claimed: AtomicUsize::new(0),
            throttle,
            full: AtomicBool::new(false),
            stat_lists: AtomicBool::new(true),
            logins: AtomicUsize::new(0),
        })
    }

    pub fn endpoint(&self) -> &FtpEndpoint {
        &self.endpoint
    }

    /// How many times this pool has logged in.
    pub fn logins(&self) -> usize {
        self.logins.load(Ordering::Relaxed)
    }

    /// Connections open now.
    pub fn connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// A session for one book; it takes a connection when it first needs one.
    pub fn session(self: &Arc<Self>) -> FtpSession {
        FtpSession { pool: Arc::clone(self), conn: None }
    }

    /// Says QUIT on every idle connection. Called once, when all books are done.
    pub async fn close(&self) {
        let conns = std::mem::take(&mut *self.idle.lock().expect("ftp pool lock"));
        for mut conn in conns {
            // A failed QUIT only means the server hung up first.
            let _ = timeout(self.timeout, conn.quit()).await;
            self.open.fetch_sub(1, Ordering::SeqCst);
            self.claimed.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// An idle connection, a new one, or, when the server allows no more, the
    /// next one another book gives back.
    async fn checkout(&self) -> Result<AsyncFtpStream, BookError> {
        loop {
            // Registered before looking, so a connection returned meanwhile is not missed.
            let returned = self.returned.notified();
            if let Some(conn) = self.idle.lock().expect("ftp pool lock").pop() {
                return Ok(conn);
            }
            if self.full.load(Ordering::SeqCst) && self.claimed.load(Ordering::SeqCst) > 0 {
                returned.await;
                continue;
            }
            self.claimed.fetch_add(1, Ordering::SeqCst);
            let error = match self.connect().await {
                Ok(conn) => return Ok(conn),
                Err(error) => error,
            };
            let others = self.claimed.fetch_sub(1, Ordering::SeqCst) - 1;
            // Waiters may have counted on this connection.
            self.returned.notify_one();
            if !(error.busy && others > 0) {
                return Err(error);
            }
            // Too many: the connections the server accepted, open or still
            // logging in, are all it allows. Books share them from now on,
            // and no more are in flight than there are connections. Counting
            // only those already logged in would undercount in a burst of
            // connects (every refusal can arrive before the first login ends).
            self.full.store(true, Ordering::SeqCst);
            self.throttle.lower_for_busy_mirror(others);
        }
    }

    fn checkin(&self, conn: AsyncFtpStream) {
        self.idle.lock().expect("ftp pool lock").push(conn);
        self.returned.notify_one();
    }

    /// A connection was dropped in an unknown state.
    fn give_up(&self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
        self.claimed.fetch_sub(1, Ordering::SeqCst);
        self.returned.notify_one();
    }

    async fn connect(&self) -> Result<AsyncFtpStream, BookError> {
        let e = &self.endpoint;
        let connecting = async {
            let addr = tokio::net::lookup_host((e.host.as_str(), e.port))
                .await
                .map_err(|err| (format!("cannot resolve {}: {err}", e.host), Refusal::Passing))?
                .next()
                .ok_or_else(|| (format!("{} has no address", e.host), Refusal::Final))?;
            let mut conn = AsyncFtpStream::connect(addr).await.map_err(|err| (describe(&err), Refusal::of(&err)))?;
            conn.login(e.user.as_str(), e.password.as_str())
                .await
                .map_err(|err| (format!("login: {}", describe(&err)), Refusal::of(&err)))?;
            conn.transfer_type(FileType::Binary)
                .await
                .map_err(|err| (format!("TYPE I: {}", describe(&err)), Refusal::of(&err)))?;
            // EPSV is the only passive form IPv6 has. For PASV, the NAT
            // workaround connects to the control connection's address whatever
            // PASV announces: it fixes servers behind NAT and refuses to be
            // sent anywhere else.
            conn.set_mode(if addr.is_ipv6() { Mode::ExtendedPassive } else { Mode::Passive });
            conn.set_passive_nat_workaround(true);
            Ok::<_, (String, Refusal)>(conn)
        };
        // One deadline over connect, greeting and login: a server whose listen
        // backlog overflowed accepts the connection but never greets.
        let conn = timeout(self.timeout, connecting)
            .await
            .map_err(|_| {
                BookError::transient(Stage::Resolve, format!("connecting to {}:{} timed out", e.host, e.port))
            })?
            .map_err(|(message, kind)| {
                let message = format!("{}:{}: {message}", e.host, e.port);
                match kind {
                    Refusal::Busy => BookError::transient(Stage::Resolve, message).busy(None),
                    Refusal::Passing => BookError::transient(Stage::Resolve, message),
                    // A wrong password or an unknown user does not get better.
                    Refusal::Final => BookError::permanent(Stage::Resolve, message),
                }
            })?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        self.open.fetch_add(1, Ordering::SeqCst);
        Ok(conn)
    }
}

/// One book's use of a pooled connection. Dropping it returns the connection
/// to the pool unless a failure left the connection in an unknown state.
pub struct FtpSession {
    pool: Arc<FtpPool>,
    conn: Option<AsyncFtpStream>,
}

impl FtpSession {
    /// The session's connection, taken from the pool on first use.
    async fn conn(&mut self) -> Result<&mut AsyncFtpStream, BookError> {
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
            match timeout(wait, conn.custom_command(format!("STAT {path}"), &replies)).await {
                Ok(Ok(reply)) => return Ok(Listing::Names(stat_listing_names(&reply.body))),
                // Not implemented or not with an argument: NLST from now on.
                Ok(Err(FtpError::UnexpectedResponse(reply))) if matches!(reply.status.code(), 500..=504) => {
                    self.pool.stat_lists.store(false, Ordering::Relaxed);
                }
                // Anything else (libunftp says 451 for a missing folder): NLST says it plainly.
                Ok(Err(FtpError::UnexpectedResponse(_))) => {}
                Ok(Err(err)) => return Err(self.failed(Stage::Resolve, &format!("STAT {path}"), err)),
                Err(_) => return Err(self.timed_out(Stage::Resolve, &format!("STAT {path}"))),
            }
        }
        let conn = self.conn().await?;
        match timeout(wait, conn.nlst(Some(&path))).await {
            Ok(Ok(names)) => Ok(Listing::Names(names)),
            Ok(Err(FtpError::UnexpectedResponse(reply))) if reply.status.code() == 550 => Ok(Listing::Missing),
            Ok(Err(err)) => Err(self.failed(Stage::Resolve, &format!("listing {path}"), err)),
            Err(_) => Err(self.timed_out(Stage::Resolve, &format!("listing {path}"))),
        }
    }

    /// Succeeds only once the server has confirmed the transfer.
    pub async fn get(
        &mut self,
        path: &str,
        mut sink: BodySink<'_, impl AsyncWrite + Unpin>,
    ) -> Result<Option<u64>, BookError> {
        let wait = self.pool.timeout;
        let path = format!("{}{path}", self.pool.endpoint.root);
        let conn = self.conn().await?;
        let retr = conn.custom_data_command(format!("RETR {path}"), &[Status::AboutToSend, Status::AlreadyOpen]);
        let (announced, mut stream) = match timeout(wait, retr).await {
            Ok(Ok((reply, stream))) => (announced_size(&reply.body), stream),
            Ok(Err(FtpError::UnexpectedResponse(reply))) if reply.status.code() == 550 => return Ok(None),
            Ok(Err(err)) => return Err(self.failed(Stage::Download, &format!("RETR {path}"), err)),
            Err(_) => return Err(self.timed_out(Stage::Download, &format!("RETR {path}"))),
        };
        sink.expect(announced);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let read = match timeout(wait, stream.read(&mut buf)).await {
                Ok(Ok(read)) => read,
                Ok(Err(err)) => {
                    return Err(self.broken(BookError::transient(Stage::Download, format!("{path}: {err}"))))
                }
                Err(_) => return Err(self.timed_out(Stage::Download, &format!("transfer of {path} stalled"))),
            };
            if read == 0 {
                break;
            }
            if let Err(err) = sink.write(&buf[..read]).await {
                // The server is still sending: this connection is out of step.
                return Err(self.broken(err));
            }
        }
        // Only the server's 226 after the data connection closes says the file
        // is complete. Some servers (libunftp) answer RETR of a missing file
        // with 150, send nothing, and only then say 550.
        match timeout(wait, stream.finish()).await {
            Ok(Ok(())) => {}
            Ok(Err(FtpError::UnexpectedResponse(reply))) if reply.status.code() == 550 && sink.written() == 0 => {
                return Ok(None)
            }
            Ok(Err(err)) => return Err(self.failed(Stage::Download, &format!("RETR {path}"), err)),
            Err(_) => return Err(self.timed_out(Stage::Download, &format!("confirmation of {path}"))),
        }
        // A server may confirm a transfer whose data connection broke early;
        // the size it announced in its 150 reply tells.
        if let Some(announced) = announced.filter(|&size| size != sink.written()) {
            let message = format!("{path}: transfer ended after {} of the {announced} bytes announced", sink.written());
            return Err(BookError::transient(Stage::Download, message));
        }
        sink.finish().await.map(Some)
    }

    /// SIZE: whether `path` is a file, and its size; no data connection needed.
    pub async fn stat(&mut self, path: &str) -> Result<Option<Option<u64>>, BookError> {
        let path = format!("{}{path}", self.pool.endpoint.root);
        let wait = self.pool.timeout;
        let conn = self.conn().await?;
        match timeout(wait, conn.size(&path)).await {
            Ok(Ok(size)) => Ok(Some(Some(size as u64))),
            Ok(Err(FtpError::UnexpectedResponse(reply))) if reply.status.code() == 550 => Ok(None),
            Ok(Err(err)) => Err(self.failed(Stage::Resolve, &format!("SIZE {path}"), err)),
            Err(_) => Err(self.timed_out(Stage::Resolve, &format!("SIZE {path}"))),
        }
    }

    pub fn url_of(&self, path: &str) -> String {
        self.pool.endpoint.url_of(path)
    }

    /// Turns a suppaftp error into a book error. A server reply leaves the
    /// connection usable; anything else means it is dropped.
    fn failed(&mut self, stage: Stage, what: &str, err: FtpError) -> BookError {
        let message = format!("{what}: {}", describe(&err));
        match &err {
            FtpError::UnexpectedResponse(reply) if reply.status.code() >= 500 => BookError::permanent(stage, message),
            // 421: the server is closing this connection (too many users, idle timeout).
            FtpError::UnexpectedResponse(_) if is_busy(&err) => {
                self.broken(BookError::transient(stage, message).busy(None))
            }
            FtpError::UnexpectedResponse(_) => BookError::transient(stage, message),
            _ => self.broken(BookError::transient(stage, message)),
        }
    }

    fn timed_out(&mut self, stage: Stage, what: &str) -> BookError {
        let message = format!("{what}: no answer for {:?}", self.pool.timeout);
        self.broken(BookError::transient(stage, message))
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
