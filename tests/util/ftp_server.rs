//! A real FTP server (libunftp over the local filesystem) on a free loopback
//! port, counting what clients do to it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use libunftp::notification::{DataEvent, DataListener, EventMeta, PresenceEvent, PresenceListener};
use libunftp::ServerBuilder;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};
use unftp_sbe_fs::Filesystem;

/// What the server saw, counted on the server side.
#[derive(Debug, Default)]
pub struct Counts {
    logins: AtomicUsize,
    logouts: AtomicUsize,
    retrievals: AtomicUsize,
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
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FtpServer {
    /// Serves `root` to anonymous users on a free loopback port.
    pub fn anonymous(root: &Path) -> Self {
        Self::start(root.to_owned(), "127.0.0.1:0", None)
    }

    /// Serves `root` to anonymous users at `addr`.
    #[allow(dead_code)] // used by examples/serve_mirror.rs, which includes this file
    pub fn anonymous_at(root: &Path, addr: &str) -> Self {
        Self::start(root.to_owned(), addr, None)
    }

    /// Serves `root` only to `user` with `password`.
    pub fn with_login(root: &Path, user: &str, password: &str) -> Self {
        Self::start(root.to_owned(), "127.0.0.1:0", Some((user.to_owned(), password.to_owned())))
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

    fn start(root: PathBuf, bind: &str, login: Option<(String, String)>) -> Self {
        // Bound here (port 0 for tests) so the port is known before any client connects.
        let listener = std::net::TcpListener::bind(bind).unwrap_or_else(|e| panic!("cannot listen on {bind}: {e}"));
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let counts = Arc::new(Counts::default());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let server_counts = Arc::clone(&counts);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(accept_loop(listener, root, Arc::new(Login(login)), server_counts, stopped));
        });
        FtpServer { addr, counts, stop: Some(stop), thread: Some(thread) }
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    root: PathBuf,
    login: Arc<Login>,
    counts: Arc<Counts>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = &mut stopped => return,
        };
        // libunftp's `service` takes the server by value: build one per connection.
        let root = root.clone();
        let server = ServerBuilder::with_authenticator(
            Box::new(move || Filesystem::new(root.clone()).expect("fixture root exists")),
            Arc::clone(&login) as Arc<dyn Authenticator + Send + Sync>,
        )
        .notify_presence(Listener(Arc::clone(&counts)))
        .notify_data(Listener(Arc::clone(&counts)))
        .passive_host([127, 0, 0, 1])
        .build()
        .expect("a valid FTP server configuration");
        tokio::spawn(server.service(stream));
    }
}

impl Drop for FtpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
