//! A real FTP server (libunftp over the local filesystem) on a free loopback
//! port, counting what clients do to it, with switches for the ways real
//! servers misbehave ([`FtpOptions`]): a connection limit past which clients
//! are greeted with 421, transfers aborted, cut short or stalled mid-file,
//! hostile listings, and vsftpd-style sizes in 150 replies.
//!
//! Clients talk to a small relay in front of libunftp's control connection:
//! it counts live connections (and refuses those past the limit) and can add
//! the size to 150 replies. Data connections go straight to libunftp.

use super::server_thread::ServerThread;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use libunftp::notification::{DataEvent, DataListener, EventMeta, PresenceEvent, PresenceListener};
use libunftp::ServerBuilder;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, ReadBuf};
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, DefaultUser, Principal};
use unftp_core::storage::{Fileinfo, StorageBackend};
use unftp_sbe_fs::Filesystem;

/// How a transfer of a file goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FtpFaultKind {
    /// `after` bytes, then a read error: libunftp closes the data connection
    /// and replies 451 instead of 226.
    Abort { after: usize },
    /// `after` bytes, then a clean end: libunftp confirms with 226, so only a
    /// size announced in the 150 reply shows that bytes are missing.
    Truncate { after: usize },
    /// `after` bytes, then nothing, until the server is dropped.
    Stall { after: usize },
}

/// A fault for the first `times` transfers (RETR) of `path` (like `4/43/43-0.txt`).
#[derive(Clone, Debug)]
pub struct FtpFault {
    pub path: String,
    pub kind: FtpFaultKind,
    pub times: usize,
}

impl FtpFault {
    pub fn new(path: &str, kind: FtpFaultKind, times: usize) -> Self {
        FtpFault { path: path.trim_start_matches('/').to_owned(), kind, times }
    }
}

/// How the server misbehaves; the default is a well-behaved server.
#[derive(Clone, Debug, Default)]
pub struct FtpOptions {
    /// Live control connections allowed; the next ones are greeted with
    /// `421 Too many users` and closed.
    pub max_connections: Option<usize>,
    /// Say the file's size in the 150 reply to RETR, as vsftpd does.
    pub announce_sizes: bool,
    pub faults: Vec<FtpFault>,
    /// Fails about this fraction of all transfers (abort, stall, or a
    /// truncation when sizes are announced), decided by (seed, path, n).
    pub random: Option<(u64, f64)>,
    /// Folder (like `4/1/418`) → the names NLST and STAT answer instead of its entries.
    pub listings: Vec<(String, Vec<String>)>,
    /// Forget a PASV once another command comes between it and its RETR or
    /// NLST, answering that one `425 Use PORT or PASV first.`, as some
    /// servers do.
    pub forgets_passive: bool,
    /// The server goes down for a while, as [`FtpOutage`] says.
    pub outage: Option<FtpOutage>,
    /// Never answer QUIT, keeping the connection open: a server that
    /// stopped answering once the books were done.
    pub ignores_quit: bool,
}

/// The server goes down, as a restarting or crashed server does: when
/// transfer number `after + 1` is asked for, every control connection is
/// dropped (that transfer included), and the next `refused` connections are
/// closed before the greeting; then it serves again. With `after: 0` it is
/// down from the start. Counted in connections, not time, so a test waits
/// on events only.
#[derive(Clone, Copy, Debug)]
pub struct FtpOutage {
    pub after: usize,
    pub refused: usize,
}

/// Where an outage stands.
#[derive(Debug)]
struct Down {
    /// Connections still to close before the greeting.
    refused_left: AtomicUsize,
    /// Connections closed before the greeting so far.
    hung_up: AtomicUsize,
    /// Bumped to drop every live control connection.
    kill: tokio::sync::watch::Sender<u32>,
}

impl Down {
    fn new(outage: Option<FtpOutage>) -> Self {
        let at_start = outage.filter(|o| o.after == 0).map_or(0, |o| o.refused);
        Down {
            refused_left: AtomicUsize::new(at_start),
            hung_up: AtomicUsize::new(0),
            kill: tokio::sync::watch::channel(0).0,
        }
    }

    /// Transfer number `nth` (0-based) is asked for: the outage begins when its turn comes.
    fn transfer(&self, outage: Option<FtpOutage>, nth: usize) -> bool {
        let Some(outage) = outage.filter(|o| o.after > 0 && o.after == nth) else { return false };
        self.refused_left.store(outage.refused, Ordering::SeqCst);
        self.kill.send_modify(|generation| *generation += 1);
        true
    }

    /// Whether to close a new connection before the greeting.
    fn refuses(&self) -> bool {
        let refused = self.refused_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if refused {
            self.hung_up.fetch_add(1, Ordering::SeqCst);
        }
        refused
    }
}

/// What the server saw of transfers, for tests to wait on and count.
#[derive(Debug, Default)]
struct Transfers {
    /// Every RETR of the storage backend (path without leading `/`), in order.
    log: Mutex<Vec<String>>,
    arrived: Condvar,
}

/// What the server saw, counted on the server side.
#[derive(Debug, Default)]
pub struct Counts {
    /// The first word of every command, in the order each connection sent them.
    commands: Mutex<Vec<String>>,
    logins: AtomicUsize,
    logouts: AtomicUsize,
    retrievals: AtomicUsize,
    /// Control connections open now, the most at once, and those refused with 421.
    live: AtomicUsize,
    peak: AtomicUsize,
    refused: AtomicUsize,
}

#[derive(Clone, Debug)]
struct Listener(Arc<Counts>);

#[async_trait]
impl PresenceListener for Listener {
    async fn receive_presence_event(&self, event: PresenceEvent, _: EventMeta) {
        match event {
            PresenceEvent::LoggedIn => self.0.logins.fetch_add(1, Ordering::SeqCst),
            PresenceEvent::LoggedOut => self.0.logouts.fetch_add(1, Ordering::SeqCst),
        };
    }
}

#[async_trait]
impl DataListener for Listener {
    async fn receive_data_event(&self, event: DataEvent, _: EventMeta) {
        if let DataEvent::Got { .. } = event {
            self.0.retrievals.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Accepts one user name and password, or anyone when `None`.
#[derive(Debug)]
struct Login(Option<(String, String)>);

#[async_trait]
impl Authenticator for Login {
    async fn authenticate(&self, username: &str, creds: &Credentials) -> Result<Principal, AuthenticationError> {
        match &self.0 {
            Some((user, password)) if user != username || creds.password.as_deref() != Some(password.as_str()) => {
                Err(AuthenticationError::BadPassword)
            }
            _ => Ok(Principal { username: username.to_owned() }),
        }
    }
}

/// An FTP server running until dropped.
pub struct FtpServer {
    pub addr: SocketAddr,
    counts: Arc<Counts>,
    transfers: Arc<Transfers>,
    down: Arc<Down>,
    /// Stops the server when dropped.
    _thread: ServerThread,
}

impl FtpServer {
    /// Serves `root` to anonymous users on a free loopback port.
    pub fn anonymous(root: &Path) -> Self {
        Self::start(root.to_owned(), "127.0.0.1:0", None, FtpOptions::default())
    }

    /// Serves `root` to anonymous users, misbehaving as `options` say.
    pub fn faulty(root: &Path, options: FtpOptions) -> Self {
        Self::start(root.to_owned(), "127.0.0.1:0", None, options)
    }

    /// Serves `root` to anonymous users at `addr`.
    #[allow(dead_code)] // used by examples/serve_mirror.rs, which includes this file
    pub fn anonymous_at(root: &Path, addr: &str) -> Self {
        Self::start(root.to_owned(), addr, None, FtpOptions::default())
    }

    /// Serves `root` only to `user` with `password`.
    pub fn with_login(root: &Path, user: &str, password: &str) -> Self {
        let login = Some((user.to_owned(), password.to_owned()));
        Self::start(root.to_owned(), "127.0.0.1:0", login, FtpOptions::default())
    }

    pub fn url(&self) -> String {
        format!("ftp://{}/", self.addr)
    }

    pub fn logins(&self) -> usize {
        self.counts.logins.load(Ordering::SeqCst)
    }

    pub fn logouts(&self) -> usize {
        self.counts.logouts.load(Ordering::SeqCst)
    }

    pub fn retrievals(&self) -> usize {
        self.counts.retrievals.load(Ordering::SeqCst)
    }

    /// The first word of every command clients sent (USER, PASV, RETR, …).
    pub fn commands(&self) -> Vec<String> {
        self.counts.commands.lock().unwrap().clone()
    }

    /// How many commands `word` clients sent.
    pub fn count_of(&self, word: &str) -> usize {
        self.commands().iter().filter(|c| *c == word).count()
    }

    /// Control connections open at once, at most, so far.
    pub fn peak_connections(&self) -> usize {
        self.counts.peak.load(Ordering::SeqCst)
    }

    /// Connections refused with 421 so far.
    pub fn refused(&self) -> usize {
        self.counts.refused.load(Ordering::SeqCst)
    }

    /// Connections closed before the greeting during an outage ([`FtpOutage`]).
    pub fn hung_up(&self) -> usize {
        self.down.hung_up.load(Ordering::SeqCst)
    }

    /// Every transfer the storage was asked for (path without leading `/`), in order.
    pub fn gets(&self) -> Vec<String> {
        self.transfers.log.lock().unwrap().clone()
    }

    /// Blocks until `done` holds for the transfer log. The bound only keeps a
    /// broken test from hanging forever; nothing is timed.
    pub fn wait_for(&self, what: &str, done: impl Fn(&[String]) -> bool) {
        let mut log = self.transfers.log.lock().unwrap();
        while !done(&log) {
            let (next, timeout) = self.transfers.arrived.wait_timeout(log, Duration::from_secs(60)).unwrap();
            assert!(!timeout.timed_out(), "waited a minute for {what}; transfers: {:?}", *next);
            log = next;
        }
    }

    fn start(root: PathBuf, bind: &str, login: Option<(String, String)>, options: FtpOptions) -> Self {
        // Bound here (port 0 for tests) so the port is known before any client connects.
        let listener = std::net::TcpListener::bind(bind).unwrap_or_else(|e| panic!("cannot listen on {bind}: {e}"));
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let counts = Arc::new(Counts::default());
        let transfers = Arc::new(Transfers::default());
        let down = Arc::new(Down::new(options.outage));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let site = Site {
            root,
            login: Arc::new(Login(login)),
            counts: Arc::clone(&counts),
            transfers: Arc::clone(&transfers),
            down: Arc::clone(&down),
            options: Arc::new(options),
        };
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(accept_loop(listener, site, stopped));
            // Ends every session, stalled transfers included.
            runtime.shutdown_background();
        });
        FtpServer { addr, counts, transfers, down, _thread: ServerThread::new(stop, thread) }
    }
}

/// Everything a connection needs.
#[derive(Clone)]
struct Site {
    root: PathBuf,
    login: Arc<Login>,
    counts: Arc<Counts>,
    transfers: Arc<Transfers>,
    down: Arc<Down>,
    options: Arc<FtpOptions>,
}

async fn accept_loop(listener: std::net::TcpListener, site: Site, mut stopped: tokio::sync::oneshot::Receiver<()>) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    // libunftp serves the relay's connections on a listener of its own.
    let inner = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let inner_addr = inner.local_addr().unwrap();
    loop {
        let mut client = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = &mut stopped => return,
        };
        if site.down.refuses() {
            // Down: the connection is closed before the greeting.
            drop(client);
            continue;
        }
        let counts = &site.counts;
        let live = counts.live.fetch_add(1, Ordering::SeqCst) + 1;
        if site.options.max_connections.is_some_and(|max| live > max) {
            counts.live.fetch_sub(1, Ordering::SeqCst);
            counts.refused.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let _ = client.write_all(b"421 Too many users, try again later.\r\n").await;
                let _ = client.shutdown().await;
            });
            continue;
        }
        counts.peak.fetch_max(live, Ordering::SeqCst);
        let Ok(upstream) = tokio::net::TcpStream::connect(inner_addr).await else { continue };
        let Ok((served, _)) = inner.accept().await else { continue };
        // libunftp's `service` takes the server by value: build one per connection.
        let (root, options, transfers) = (site.root.clone(), Arc::clone(&site.options), Arc::clone(&site.transfers));
        let down = Arc::clone(&site.down);
        let server = ServerBuilder::with_authenticator(
            Box::new(move || FaultyFs {
                inner: Filesystem::new(root.clone()).expect("fixture root exists"),
                root: root.clone(),
                options: Arc::clone(&options),
                transfers: Arc::clone(&transfers),
                down: Arc::clone(&down),
            }),
            Arc::clone(&site.login) as Arc<dyn Authenticator + Send + Sync>,
        )
        .notify_presence(Listener(Arc::clone(counts)))
        .notify_data(Listener(Arc::clone(counts)))
        .passive_host([127, 0, 0, 1])
        .build()
        .expect("a valid FTP server configuration");
        tokio::spawn(server.service(served));
        tokio::spawn(relay(client, upstream, site.clone()));
    }
}

/// Copies one control connection both ways, line by line, until either side
/// hangs up, logging each command; adds the size to 150 replies to RETR and
/// forgets PASVs when asked to.
async fn relay(client: tokio::net::TcpStream, server: tokio::net::TcpStream, site: Site) {
    let (client_read, client_write) = client.into_split();
    let (server_read, mut server_write) = server.into_split();
    // Both directions answer the client: the relay itself, when it refuses a command.
    let client_write = Arc::new(tokio::sync::Mutex::new(client_write));
    let to_client = Arc::clone(&client_write);
    let retrieving: Arc<Mutex<Option<String>>> = Arc::default();
    let asked = Arc::clone(&retrieving);
    let (counts, forgets) = (Arc::clone(&site.counts), site.options.forgets_passive);
    let ignores_quit = site.options.ignores_quit;
    let commands = async move {
        let mut lines = tokio::io::BufReader::new(client_read);
        let mut line = Vec::new();
        let mut previous = String::new();
        while lines.read_until(b'\n', &mut line).await.is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line);
            let word = text.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            counts.commands.lock().unwrap().push(word.clone());
            if ignores_quit && word == "QUIT" {
                line.clear();
                continue;
            }
            let data_command = word == "RETR" || word == "NLST";
            if forgets && data_command && previous != "PASV" {
                let refusal = b"425 Use PORT or PASV first.\r\n";
                if to_client.lock().await.write_all(refusal).await.is_err() {
                    break;
                }
                previous = word;
                line.clear();
                continue;
            }
            *asked.lock().unwrap() = text.strip_prefix("RETR ").map(|path| path.trim_end().to_owned());
            if server_write.write_all(&line).await.is_err() {
                break;
            }
            previous = word;
            line.clear();
        }
    };
    let replies = async move {
        let mut lines = tokio::io::BufReader::new(server_read);
        let mut line = Vec::new();
        while lines.read_until(b'\n', &mut line).await.is_ok_and(|n| n > 0) {
            let path = retrieving.lock().unwrap().clone();
            if let Some(path) = path.filter(|_| site.options.announce_sizes && line.starts_with(b"150 ")) {
                let file = site.root.join(path.trim_start_matches('/'));
                if let Ok(meta) = std::fs::metadata(file) {
                    let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                    line = format!("{text} ({} bytes).\r\n", meta.len()).into_bytes();
                }
            }
            if client_write.lock().await.write_all(&line).await.is_err() {
                break;
            }
            line.clear();
        }
    };
    // An outage drops every control connection at once.
    let mut kill = site.down.kill.subscribe();
    tokio::select! { _ = commands => {}, _ = replies => {}, _ = kill.changed() => {} }
    site.counts.live.fetch_sub(1, Ordering::SeqCst);
}

/// libunftp's filesystem backend, with the faults of [`FtpOptions`] on top.
#[derive(Debug)]
struct FaultyFs {
    inner: Filesystem,
    root: PathBuf,
    options: Arc<FtpOptions>,
    transfers: Arc<Transfers>,
    down: Arc<Down>,
}

/// A fault of a transfer: one of [`FtpFaultKind`], or the server going down.
enum Fault {
    Kind(FtpFaultKind),
    Outage,
}

impl FaultyFs {
    /// Logs the transfer of `path` and picks its fault, if any.
    fn fault_for(&self, path: &str) -> Option<Fault> {
        let nth = {
            let mut log = self.transfers.log.lock().unwrap();
            if self.down.transfer(self.options.outage, log.len()) {
                log.push(path.to_owned());
                self.transfers.arrived.notify_all();
                return Some(Fault::Outage);
            }
            let nth = log.iter().filter(|p| *p == path).count();
            log.push(path.to_owned());
            self.transfers.arrived.notify_all();
            nth
        };
        if let Some(scripted) = self.options.faults.iter().find(|f| f.path == path) {
            return (nth < scripted.times).then_some(Fault::Kind(scripted.kind));
        }
        let (seed, rate) = self.options.random?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (seed, path, nth).hash(&mut hasher);
        let mut rng = fastrand::Rng::with_seed(hasher.finish());
        if rng.f64() >= rate {
            return None;
        }
        let size = std::fs::metadata(self.root.join(path)).map_or(0, |m| m.len() as usize);
        let after = if size > 1 { rng.usize(1..size) } else { 0 };
        let kinds = if self.options.announce_sizes { 3 } else { 2 };
        Some(Fault::Kind(match rng.u8(0..kinds) {
            0 => FtpFaultKind::Abort { after },
            1 => FtpFaultKind::Stall { after },
            _ => FtpFaultKind::Truncate { after },
        }))
    }
}

type Meta = <Filesystem as StorageBackend<DefaultUser>>::Metadata;
type Reader = Box<dyn AsyncRead + Send + Sync + Unpin>;

#[async_trait]
impl StorageBackend<DefaultUser> for FaultyFs {
    type Metadata = Meta;

    fn enter(&mut self, user: &DefaultUser) -> std::io::Result<()> {
        StorageBackend::<DefaultUser>::enter(&mut self.inner, user)
    }

    fn supported_features(&self) -> u32 {
        StorageBackend::<DefaultUser>::supported_features(&self.inner)
    }

    async fn metadata<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> unftp_core::storage::Result<Meta> {
        self.inner.metadata(user, path).await
    }

    async fn list<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> unftp_core::storage::Result<Vec<Fileinfo<PathBuf, Meta>>> {
        self.inner.list(user, path).await
    }

    // STAT with a path answers with these lines (`ls -l` form).
    async fn list_vec<P>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> std::result::Result<Vec<String>, unftp_core::storage::Error>
    where
        P: AsRef<Path> + Send + std::fmt::Debug,
    {
        let folder = path.as_ref().to_string_lossy().trim_matches('/').to_owned();
        if let Some((_, names)) = self.options.listings.iter().find(|(f, _)| f.trim_matches('/') == folder) {
            // A name that is a file here gets its real size, as a server's listing would.
            let size = |name: &str| std::fs::metadata(self.root.join(&folder).join(name)).map_or(100, |m| m.len());
            return Ok(names
                .iter()
                .map(|name| format!("-rw-r--r-- 1 0 0 {} Nov 22 03:12 {name}", size(name)))
                .collect());
        }
        self.inner.list_vec(user, path).await
    }

    async fn nlst<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> std::io::Result<std::io::Cursor<Vec<u8>>> {
        let folder = path.as_ref().to_string_lossy().trim_matches('/').to_owned();
        if let Some((_, names)) = self.options.listings.iter().find(|(f, _)| f.trim_matches('/') == folder) {
            let body: String = names.iter().map(|name| format!("{name}\r\n")).collect();
            return Ok(std::io::Cursor::new(body.into_bytes()));
        }
        self.inner.nlst(user, path).await
    }

    async fn get<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
        start_pos: u64,
    ) -> unftp_core::storage::Result<Reader> {
        let name = path.as_ref().to_string_lossy().trim_start_matches('/').to_owned();
        let fault = self.fault_for(&name);
        if let Some(Fault::Outage) = fault {
            return Err(std::io::Error::other("injected: the server is going down").into());
        }
        let reader = self.inner.get(user, path, start_pos).await?;
        Ok(match fault {
            Some(Fault::Kind(kind)) => Box::new(FaultyReader { inner: reader, kind, sent: 0 }),
            _ => reader,
        })
    }

    async fn put<P: AsRef<Path> + Send + std::fmt::Debug, R: AsyncRead + Send + Sync + Unpin + 'static>(
        &self,
        user: &DefaultUser,
        input: R,
        path: P,
        start_pos: u64,
    ) -> unftp_core::storage::Result<u64> {
        self.inner.put(user, input, path, start_pos).await
    }

    async fn del<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        self.inner.del(user, path).await
    }

    async fn mkd<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        self.inner.mkd(user, path).await
    }

    async fn rename<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        from: P,
        to: P,
    ) -> unftp_core::storage::Result<()> {
        self.inner.rename(user, from, to).await
    }

    async fn rmd<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        self.inner.rmd(user, path).await
    }

    async fn cwd<P: AsRef<Path> + Send + std::fmt::Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> unftp_core::storage::Result<()> {
        self.inner.cwd(user, path).await
    }
}

/// A file's reader that fails as its [`FtpFaultKind`] says.
struct FaultyReader {
    inner: Reader,
    kind: FtpFaultKind,
    sent: usize,
}

impl AsyncRead for FaultyReader {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let after = match self.kind {
            FtpFaultKind::Abort { after } | FtpFaultKind::Truncate { after } | FtpFaultKind::Stall { after } => after,
        };
        let left = after.saturating_sub(self.sent);
        if left == 0 {
            return match self.kind {
                FtpFaultKind::Abort { .. } => Poll::Ready(Err(std::io::Error::other("injected: the disk went away"))),
                FtpFaultKind::Truncate { .. } => Poll::Ready(Ok(())),
                // Never woken: the transfer hangs until the runtime is dropped.
                FtpFaultKind::Stall { .. } => Poll::Pending,
            };
        }
        let mut chunk = vec![0u8; left.min(buf.remaining())];
        let mut limited = ReadBuf::new(&mut chunk);
        match Pin::new(&mut self.inner).poll_read(cx, &mut limited) {
            Poll::Ready(Ok(())) => {
                let filled = limited.filled().len();
                buf.put_slice(&chunk[..filled]);
                self.sent += filled;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

/// Counts per path, for assertions on what was transferred twice.
pub fn per_path(gets: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for path in gets {
        *counts.entry(path.clone()).or_insert(0) += 1;
    }
    counts
}
