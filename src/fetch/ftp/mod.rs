//! FTP transport: a pool of logged-in control connections, each used by one
//! book at a time through an [`FtpSession`].
//!
//! Round trips are what an FTP book costs, so each is counted:
//! - a login costs several, so connections are made once and reused across
//!   books; the pool never holds more connections than books in flight,
//!   because each session is taken under the fetch stage's semaphore;
//! - a folder is listed with `STAT <folder>`, which answers on the control
//!   connection in one round trip, where NLST needs a data connection;
//!   servers that refuse STAT get NLST;
//! - the data connection of each transfer is opened a round trip early (see
//!   [`data`]), so a book costs its listing and its RETR.
//!
//! When the server refuses another connection (421) while others are open,
//! a book waits for one of those instead of failing. [`FtpPool::close`] ends
//! every connection with QUIT.

mod data;
mod replies;
mod session;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use suppaftp::tokio::AsyncFtpStream;
use suppaftp::types::FileType;
use suppaftp::Status;
use tokio::sync::Notify;
use tokio::time::timeout;

use super::error::{BookError, MirrorFault, Stage};
use super::throttle::Throttle;
use crate::mirror::FtpEndpoint;
use crate::terminal_safe::terminal_safe;
use data::DataLink;
use replies::{describe, Refusal};
pub use session::FtpSession;

/// The longest wait for a server's answer to QUIT: a courtesy, which a
/// server that stopped answering must not turn into a wait at the end of
/// every run (the whole `--timeout`).
const QUIT_WAIT: Duration = Duration::from_secs(2);

/// A logged-in control connection, with the data connection opened ahead
/// for its next transfer.
struct Conn {
    ftp: AsyncFtpStream,
    /// The server's address: data connections go to it.
    peer: SocketAddr,
    ahead: Option<DataLink>,
}

/// Logged-in control connections waiting for their next book.
pub struct FtpPool {
    endpoint: FtpEndpoint,
    /// For connecting, each reply, and each read of a transfer.
    timeout: Duration,
    idle: Mutex<Vec<Conn>>,
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
    /// Data connections are opened ahead (assumed until the server shows it
    /// mishandles that).
    ahead: AtomicBool,
    /// A data connection is opened ahead at login, for the first transfer;
    /// not where most books will need none (`--update`, `--dry-run`).
    ahead_at_login: AtomicBool,
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
            ahead: AtomicBool::new(true),
            ahead_at_login: AtomicBool::new(true),
            logins: AtomicUsize::new(0),
        })
    }

    /// Opens no data connection before a transfer needs one.
    pub fn no_data_connections_ahead_of_need(&self) {
        self.ahead_at_login.store(false, Ordering::Relaxed);
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
        FtpSession::new(Arc::clone(self))
    }

    /// Says QUIT on every idle connection. Called once, when all books are done.
    /// All at once: one after the other would add a round trip per connection
    /// to the end of every run.
    pub async fn close(&self) {
        let conns = std::mem::take(&mut *self.idle.lock().expect("ftp pool lock"));
        let mut quits = tokio::task::JoinSet::new();
        for mut conn in conns {
            let wait = self.timeout.min(QUIT_WAIT);
            quits.spawn(async move {
                drop(conn.ahead.take());
                // A failed QUIT only means the server hung up first.
                let _ = timeout(wait, conn.ftp.quit()).await;
            });
        }
        while quits.join_next().await.is_some() {
            self.open.fetch_sub(1, Ordering::SeqCst);
            self.claimed.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Closes every idle connection (each holds a socket, and one more for
    /// the data connection opened ahead): the process ran out of file
    /// descriptors, and books that need one for their file come first.
    pub fn shed_idle(&self) {
        let conns = std::mem::take(&mut *self.idle.lock().expect("ftp pool lock"));
        for conn in conns {
            drop(conn);
            self.give_up();
        }
    }

    /// An idle connection, a new one, or, when the server allows no more, the
    /// next one another book gives back.
    async fn checkout(&self) -> Result<Conn, BookError> {
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

    fn checkin(&self, conn: Conn) {
        self.idle.lock().expect("ftp pool lock").push(conn);
        self.returned.notify_one();
    }

    /// A connection was dropped in an unknown state.
    fn give_up(&self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
        self.claimed.fetch_sub(1, Ordering::SeqCst);
        self.returned.notify_one();
    }

    async fn connect(&self) -> Result<Conn, BookError> {
        let e = &self.endpoint;
        let connecting = async {
            let addr = tokio::net::lookup_host((e.host.as_str(), e.port))
                .await
                .map_err(|err| (format!("cannot resolve {}: {err}", e.host), Refusal::Unreachable))?
                .next()
                .ok_or_else(|| (format!("{} has no address", e.host), Refusal::Unreachable))?;
            let mut conn =
                AsyncFtpStream::connect(addr).await.map_err(|err| (describe(&err), Refusal::of_connect(&err)))?;
            conn.login(e.user.as_str(), e.password.as_str())
                .await
                .map_err(|err| (format!("login: {}", describe(&err)), Refusal::of_login(&err)))?;
            let ahead = self
                .binary_mode(&mut conn, addr)
                .await
                .map_err(|err| (format!("TYPE I: {}", describe(&err)), Refusal::of(&err)))?;
            Ok::<_, (String, Refusal)>(Conn { ftp: conn, peer: addr, ahead })
        };
        // One deadline over connect, greeting and login: a server whose listen
        // backlog overflowed accepts the connection but never greets.
        let conn = timeout(self.timeout, connecting)
            .await
            .map_err(|_| {
                BookError::transient(Stage::Resolve, format!("connecting to {}:{} timed out", e.host, e.port))
                    .mirror(MirrorFault::Unreachable)
            })?
            .map_err(|(message, kind)| {
                let message = format!("{}:{}: {message}", e.host, e.port);
                match kind {
                    Refusal::Busy => BookError::transient(Stage::Resolve, message).busy(None),
                    Refusal::Passing => BookError::transient(Stage::Resolve, message),
                    Refusal::Unreachable => {
                        BookError::transient(Stage::Resolve, message).mirror(MirrorFault::Unreachable)
                    }
                    Refusal::Login => BookError::permanent(Stage::Resolve, self.login_refused(&message))
                        .mirror(MirrorFault::Credentials),
                    Refusal::NoDescriptors => BookError::transient(Stage::Resolve, message).lacking_descriptors(),
                    // An unknown user or a server refusing us does not get better.
                    Refusal::Final => BookError::permanent(Stage::Resolve, message),
                }
            })?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        self.open.fetch_add(1, Ordering::SeqCst);
        Ok(conn)
    }

    /// What to say when the server refused the login: who, and how to pass a password.
    fn login_refused(&self, reply: &str) -> String {
        let user = terminal_safe(&self.endpoint.user);
        if self.endpoint.user == "anonymous" {
            format!(
                "the FTP server refused the anonymous login ({reply}): name a user in the URL \
                 (ftp://USER@host/) and pass the password with GUTENFETCH_FTP_PASSWORD or --ftp-password"
            )
        } else {
            format!(
                "the FTP server refused the login of user {user:?} ({reply}): check the user, and pass the \
                 password with GUTENFETCH_FTP_PASSWORD or --ftp-password"
            )
        }
    }

    /// TYPE I, and with it the passive port of the first transfer: one round
    /// trip for both.
    async fn binary_mode(
        &self,
        conn: &mut AsyncFtpStream,
        peer: SocketAddr,
    ) -> Result<Option<DataLink>, suppaftp::FtpError> {
        if !self.ahead.load(Ordering::Relaxed) || !self.ahead_at_login.load(Ordering::Relaxed) {
            conn.transfer_type(FileType::Binary).await?;
            return Ok(None);
        }
        data::send_passive(conn, "TYPE I\r\n", peer).await?;
        let typed = conn.read_response_in(&[Status::CommandOk]).await;
        // Read the passive reply whatever TYPE said, so nothing is left unread.
        let ahead = data::read_armed(conn, peer, self.timeout).await?;
        typed.map(|_| ahead)
    }
}
