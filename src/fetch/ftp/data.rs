//! Data connections, opened a round trip early.
//!
//! Every FTP transfer needs a fresh data connection: PASV (or EPSV), wait for
//! the port, connect, then send the command. When a transfer ends, the PASV
//! for the next one is sent at once, before the server's `226` has even
//! arrived, and the connection to the port it names is made in the
//! background while the next book asks for its folder listing. So the next
//! transfer finds its data connection open, and a book costs the two round
//! trips of its listing and its RETR instead of four.
//!
//! Sending PASV early is pipelining, which RFC 959 allows. It is sent only
//! once the data connection has been read to its end, so no transfer is
//! under way that it could disturb; replies are told apart by their codes,
//! whichever comes first. Should a server still mishandle it (refuse the
//! connection opened ahead, or forget the port), the pool stops doing it for
//! the rest of the run and opens each data connection when it is needed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use suppaftp::tokio::AsyncFtpStream;
use suppaftp::types::Response;
use suppaftp::{FtpError, Status};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::replies::{passive_port, reply_of};
use super::Conn;

/// Replies that open a transfer.
const OPENING: &[Status] = &[Status::AboutToSend, Status::AlreadyOpen];

impl Conn {
    /// Sends a data command (RETR, NLST) over a data connection, the one
    /// opened ahead if there is one, and returns it with the server's
    /// opening reply. `ahead` is the pool's switch for opening ahead.
    pub(super) async fn start(
        &mut self,
        command: &str,
        wait: Duration,
        ahead: &AtomicBool,
    ) -> Result<(TcpStream, Response), FtpError> {
        let had_link = self.ahead.is_some();
        let (early, lacked_descriptors) = match self.ahead.take() {
            Some(link) => match link.open().await {
                Ok(data) => (Some(data), false),
                Err(err) => (None, crate::fetch::error::out_of_descriptors(&err)),
            },
            None => (None, false),
        };
        let opened_early = early.is_some();
        // Running out of descriptors is the process's trouble, not the server's.
        if had_link && !opened_early && !lacked_descriptors {
            // The port opened ahead refused or timed out: open them when needed from now on.
            ahead.store(false, Ordering::Relaxed);
        }
        let data = match early {
            Some(data) => data,
            None => open_now(&mut self.ftp, self.peer, wait).await?,
        };
        match with_timeout(wait, self.ftp.custom_command(command, OPENING)).await {
            // 425: the server dropped the port opened ahead (some forget a
            // PASV once another command comes between): stop opening ahead.
            Err(FtpError::UnexpectedResponse(reply)) if opened_early && reply.status.code() == 425 => {
                ahead.store(false, Ordering::Relaxed);
                drop(data);
                let data = open_now(&mut self.ftp, self.peer, wait).await?;
                let reply = with_timeout(wait, self.ftp.custom_command(command, OPENING)).await?;
                Ok((data, reply))
            }
            started => started.map(|reply| (data, reply)),
        }
    }

    /// Reads the server's reply once the data connection has been read to
    /// its end and dropped, and opens the next data connection ahead: the
    /// PASV goes out before the `226` has arrived, so both replies come in
    /// one round trip. `Err(UnexpectedResponse)` is the server's refusal.
    pub(super) async fn finish(&mut self, wait: Duration, ahead: &AtomicBool) -> Result<(), FtpError> {
        let pipelined = ahead.load(Ordering::Relaxed);
        if pipelined {
            send_passive(&self.ftp, "", self.peer).await?;
        }
        let mut done = with_timeout(wait, reply_of(&mut self.ftp)).await?;
        if pipelined {
            if is_passive(&done) {
                // A server that runs transfers apart from its command loop
                // (libunftp) may answer the PASV first: the codes tell them apart.
                self.ahead = arm(&done, self.peer, wait);
                done = with_timeout(wait, reply_of(&mut self.ftp)).await?;
            } else {
                self.ahead = read_armed(&mut self.ftp, self.peer, wait).await?;
            }
        }
        match done.status {
            Status::ClosingDataConnection | Status::RequestedFileActionOk => Ok(()),
            _ => Err(FtpError::UnexpectedResponse(done)),
        }
    }
}

fn is_passive(reply: &Response) -> bool {
    matches!(reply.status, Status::PassiveMode | Status::ExtendedPassiveMode)
}

/// Starts connecting to the port a passive reply names, if it is one.
fn arm(reply: &Response, peer: SocketAddr, wait: Duration) -> Option<DataLink> {
    let port = is_passive(reply).then(|| passive_port(&reply.body)).flatten()?;
    Some(DataLink::connect(SocketAddr::new(peer.ip(), port), wait))
}

/// `what` within `wait`, a silent server being a broken connection.
pub(super) async fn with_timeout<T>(
    wait: Duration,
    what: impl std::future::Future<Output = Result<T, FtpError>>,
) -> Result<T, FtpError> {
    match timeout(wait, what).await {
        Ok(done) => done,
        Err(_) => Err(FtpError::ConnectionError(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no answer for {wait:?}"),
        ))),
    }
}

/// A data connection being made (or made) in the background for the next
/// data command on its control connection.
pub(super) struct DataLink {
    connecting: JoinHandle<std::io::Result<TcpStream>>,
}

impl DataLink {
    /// Starts connecting to `addr` now.
    fn connect(addr: SocketAddr, wait: Duration) -> DataLink {
        let connecting = tokio::spawn(async move {
            match timeout(wait, TcpStream::connect(addr)).await {
                Ok(connected) => connected,
                Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "data connection timed out")),
            }
        });
        DataLink { connecting }
    }

    /// The open data connection, once connected.
    pub(super) async fn open(mut self) -> std::io::Result<TcpStream> {
        match (&mut self.connecting).await {
            Ok(connected) => connected,
            Err(joined) => Err(std::io::Error::other(joined)),
        }
    }
}

impl Drop for DataLink {
    fn drop(&mut self) {
        self.connecting.abort();
    }
}

/// The passive-mode command for a control connection: EPSV is the only one
/// IPv6 has; PASV everywhere else, because some IPv4 servers lack EPSV.
fn passive_command(peer: SocketAddr) -> &'static str {
    if peer.is_ipv6() {
        "EPSV"
    } else {
        "PASV"
    }
}

/// Asks for a passive port now and connects to it: the plain, unpipelined way.
///
/// The address is always the control connection's own with the port the
/// server names (what suppaftp calls the NAT workaround): it fixes servers
/// behind NAT, and a server can never send the data connection elsewhere.
pub(super) async fn open_now(
    conn: &mut AsyncFtpStream,
    peer: SocketAddr,
    wait: Duration,
) -> Result<TcpStream, FtpError> {
    let passive = &[Status::PassiveMode, Status::ExtendedPassiveMode];
    let reply = with_timeout(wait, conn.custom_command(passive_command(peer), passive)).await?;
    let port = passive_port(&reply.body).ok_or(FtpError::UnexpectedResponse(reply))?;
    let connect =
        async { TcpStream::connect(SocketAddr::new(peer.ip(), port)).await.map_err(FtpError::ConnectionError) };
    with_timeout(wait, connect).await
}

/// Sends `before` (constant command lines, such as `TYPE I\r\n`, or none)
/// and a passive-mode command in one write, without waiting for any reply.
/// The caller reads the replies to `before` and whatever it sent earlier,
/// then [`read_armed`] reads the passive one.
pub(super) async fn send_passive(
    conn: &AsyncFtpStream,
    before: &'static str,
    peer: SocketAddr,
) -> Result<(), FtpError> {
    send_raw(conn, &format!("{before}{}\r\n", passive_command(peer))).await
}

/// Reads the reply to a pipelined passive-mode command and starts connecting
/// to the port it names. `Ok(None)` when the server refused: the next data
/// command opens its connection the plain way.
pub(super) async fn read_armed(
    conn: &mut AsyncFtpStream,
    peer: SocketAddr,
    wait: Duration,
) -> Result<Option<DataLink>, FtpError> {
    let reply = with_timeout(wait, reply_of(conn)).await?;
    Ok(arm(&reply, peer, wait))
}

/// Writes command lines on the control connection without reading a reply:
/// suppaftp sends one command and waits for its answer, which is the round
/// trip pipelining saves. Only constant command words pass here, never a
/// path, so nothing needs the escaping suppaftp gives its own commands.
async fn send_raw(conn: &AsyncFtpStream, lines: &str) -> Result<(), FtpError> {
    let socket = conn.get_ref().await;
    let mut bytes = lines.as_bytes();
    while !bytes.is_empty() {
        socket.writable().await.map_err(FtpError::ConnectionError)?;
        match socket.try_write(bytes) {
            Ok(written) => bytes = &bytes[written..],
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(err) => return Err(FtpError::ConnectionError(err)),
        }
    }
    Ok(())
}
