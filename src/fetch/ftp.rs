//! FTP transport: a pool of logged-in control connections, each used by one
//! book at a time through an [`FtpSession`].
//!
//! A login costs several round trips, so connections are made once and
//! reused across books; the pool never holds more connections than books in
//! flight, because each session is taken under the fetch stage's semaphore.
//! [`FtpPool::close`] ends every connection with QUIT.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use suppaftp::tokio::AsyncFtpStream;
use suppaftp::types::FileType;
use suppaftp::{FtpError, Mode};
use tokio::io::{AsyncReadExt, AsyncWrite};
use tokio::time::timeout;

use super::error::{BookError, Stage};
use super::sink::BodySink;
use super::Listing;
use crate::mirror::FtpEndpoint;
use crate::terminal_safe::terminal_safe;

/// Logged-in control connections waiting for their next book.
pub struct FtpPool {
    endpoint: FtpEndpoint,
    /// For connecting, each reply, and each read of a transfer.
    timeout: Duration,
    idle: Mutex<Vec<AsyncFtpStream>>,
    logins: AtomicUsize,
}

impl FtpPool {
    pub fn new(endpoint: FtpEndpoint, timeout: Duration) -> Arc<Self> {
        Arc::new(FtpPool { endpoint, timeout, idle: Mutex::new(Vec::new()), logins: AtomicUsize::new(0) })
    }

    pub fn endpoint(&self) -> &FtpEndpoint {
        &self.endpoint
    }

    /// How many times this pool has logged in.
    pub fn logins(&self) -> usize {
        self.logins.load(Ordering::Relaxed)
    }

    /// A session on an idle connection, or on a new one when none is idle.
    pub async fn session(self: &Arc<Self>) -> Result<FtpSession, BookError> {
        let idle = self.idle.lock().expect("ftp pool lock").pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        Ok(FtpSession { pool: Arc::clone(self), conn: Some(conn) })
    }

    /// Says QUIT on every idle connection. Called once, when all books are done.
    pub async fn close(&self) {
        let conns = std::mem::take(&mut *self.idle.lock().expect("ftp pool lock"));
        for mut conn in conns {
            // A failed QUIT only means the server hung up first.
            let _ = timeout(self.timeout, conn.quit()).await;
        }
    }

    async fn connect(&self) -> Result<AsyncFtpStream, BookError> {
        let e = &self.endpoint;
        let connecting = async {
            let addr = tokio::net::lookup_host((e.host.as_str(), e.port))
                .await
                .map_err(|err| format!("cannot resolve {}: {err}", e.host))?
                .next()
                .ok_or_else(|| format!("{} has no address", e.host))?;
            let mut conn = AsyncFtpStream::connect(addr).await.map_err(|err| describe(&err))?;
            conn.login(e.user.as_str(), e.password.as_str())
                .await
                .map_err(|err| format!("login: {}", describe(&err)))?;
            conn.transfer_type(FileType::Binary).await.map_err(|err| format!("TYPE I: {}", describe(&err)))?;
            // EPSV is the only passive form IPv6 has. For PASV, the NAT
            // workaround connects to the control connection's address whatever
            // PASV announces: it fixes servers behind NAT and refuses to be
            // sent anywhere else.
            conn.set_mode(if addr.is_ipv6() { Mode::ExtendedPassive } else { Mode::Passive });
            conn.set_passive_nat_workaround(true);
            Ok::<_, String>(conn)
        };
        // One deadline over connect, greeting and login: a server whose listen
        // backlog overflowed accepts the connection but never greets.
        let conn = timeout(self.timeout, connecting)
            .await
            .map_err(|_| {
                BookError::transient(Stage::Resolve, format!("connecting to {}:{} timed out", e.host, e.port))
            })?
            .map_err(|message| BookError::transient(Stage::Resolve, format!("{}:{}: {message}", e.host, e.port)))?;
        self.logins.fetch_add(1, Ordering::Relaxed);
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
    pub async fn list(&mut self, folder: &str) -> Result<Listing, BookError> {
        let path = format!("{}{}", self.pool.endpoint.root, folder.trim_end_matches('/'));
        let conn = self.conn.as_mut().expect("session holds a connection");
        match timeout(self.pool.timeout, conn.nlst(Some(&path))).await {
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
        let conn = self.conn.as_mut().expect("session holds a connection");
        let mut stream = match timeout(wait, conn.retr_as_stream(&path)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(FtpError::UnexpectedResponse(reply))) if reply.status.code() == 550 => return Ok(None),
            Ok(Err(err)) => return Err(self.failed(Stage::Download, &format!("RETR {path}"), err)),
            Err(_) => return Err(self.timed_out(Stage::Download, &format!("RETR {path}"))),
        };
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
        sink.finish().await.map(Some)
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
            FtpError::UnexpectedResponse(_) => BookError::transient(stage, message),
            _ => self.broken(BookError::transient(stage, message)),
        }
    }

    fn timed_out(&mut self, stage: Stage, what: &str) -> BookError {
        let message = format!("{what}: no answer for {:?}", self.pool.timeout);
        self.broken(BookError::transient(stage, message))
    }

    /// Forgets the connection: its state is unknown, so it must not serve another book.
    fn broken(&mut self, error: BookError) -> BookError {
        self.conn = None;
        error
    }
}

impl Drop for FtpSession {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.idle.lock().expect("ftp pool lock").push(conn);
        }
    }
}

/// A one-line description of an FTP error, safe to print.
fn describe(err: &FtpError) -> String {
    let text = match err {
        FtpError::UnexpectedResponse(reply) => {
            let body = String::from_utf8_lossy(&reply.body);
            let body = body.trim();
            let code = reply.status.code().to_string();
            // The body usually starts with the code already.
            if body.starts_with(&code) {
                body.to_owned()
            } else {
                format!("{code} {body}")
            }
        }
        other => other.to_string(),
    };
    terminal_safe(&text).into_owned()
}
