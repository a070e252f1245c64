//! An HTTP mirror that misbehaves on purpose: a raw HTTP/1.1 front on a free
//! loopback port that answers scripted or random requests with a fault
//! (a 503 with `Retry-After`, a reset mid-body, a stall, a short or endless
//! body, a hostile index page) and hands every other request to the real
//! [`HttpServer`] behind it.
//!
//! Each response of the front closes its connection, so every request is a
//! fresh connection and no fault can leak into the next request.
//!
//! The front logs every request as it arrives; [`FaultyHttp::wait_for`] lets a
//! test synchronise on that log (say, "the stalled book has been asked for")
//! instead of sleeping, and [`FaultyHttp::open_gate`] lets it decide when the
//! transfers it holds go on.

use super::server_thread::ServerThread;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{HttpOptions, HttpServer};

/// What the front does instead of serving a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpFault {
    /// This status with an empty body, and a `Retry-After` header when given
    /// (`date+N`: the HTTP date N seconds after the answer is sent).
    Status { code: u16, retry_after: Option<String> },
    /// [`HttpFault::Status`], answered only once `of` requests with this
    /// fault have arrived: one burst, however the client's tasks happen to
    /// be scheduled. Every `Burst` of a server must have the same `of`.
    Burst { code: u16, retry_after: Option<String>, of: usize },
    /// The headers (whole file's Content-Length) and `after` bytes, then a TCP reset.
    Reset { after: usize },
    /// The headers (whole file's Content-Length) and `after` bytes, then a clean close.
    Short { after: usize },
    /// The headers and `after` bytes, then nothing more until the server is dropped.
    Stall { after: usize },
    /// The headers and `after` bytes, then the rest once the test opens the
    /// gate ([`FaultyHttp::open_gate`]): a transfer held mid-body for as long
    /// as the test needs, however slow the machine.
    Gated { after: usize },
    /// A 200 text/plain body that never ends (no Content-Length).
    Endless,
    /// A 200 text/html page with these contents (e.g. an index with hostile links).
    Page(String),
    /// A 200 with this body, `Content-Type` and, when given, `Content-Encoding`
    /// (an HTML page labelled text/plain, a body gzipped unasked).
    Served { content_type: &'static str, content_encoding: Option<&'static str>, body: Vec<u8> },
}

/// A fault for the first `times` requests of `path` (like `/4/43/43-0.txt`).
#[derive(Clone, Debug)]
pub struct PathFault {
    pub path: String,
    pub fault: HttpFault,
    pub times: usize,
    /// Requests of the path served before the faults start.
    pub after: usize,
}

impl PathFault {
    pub fn new(path: &str, fault: HttpFault, times: usize) -> Self {
        PathFault { path: path.to_owned(), fault, times, after: 0 }
    }

    /// The same faults, once `served` requests of the path were served well.
    pub fn after(self, served: usize) -> Self {
        PathFault { after: served, ..self }
    }
}

/// Fails about `rate` of all requests with a reset mid-body, a 500/502/504 or
/// a stall mid-body. Whether the n-th request of a path fails depends only on
/// the seed, the path and n, never on the order requests happen to arrive in.
#[derive(Clone, Copy, Debug)]
pub struct RandomFaults {
    pub seed: u64,
    pub rate: f64,
}

struct Front {
    root: PathBuf,
    backend: SocketAddr,
    faults: Vec<PathFault>,
    random: Option<RandomFaults>,
    /// Every request as it arrived (decoded path) with the fault it got.
    log: Mutex<Vec<(String, Option<HttpFault>)>>,
    arrived: Condvar,
    /// Where the requests of a [`HttpFault::Burst`] wait for each other.
    burst: tokio::sync::Barrier,
    /// Where [`HttpFault::Gated`] transfers wait: true once the test opens it.
    gate: tokio::sync::watch::Sender<bool>,
}

pub struct FaultyHttp {
    pub addr: SocketAddr,
    front: Arc<Front>,
    /// Stops the server when dropped.
    _thread: ServerThread,
    // Dropped after the front's thread has stopped.
    _backend: HttpServer,
}

impl FaultyHttp {
    /// Serves `root` like [`HttpServer`] with `options`, with `faults` scripted
    /// per path and, optionally, random faults on top.
    pub fn start(root: &Path, options: HttpOptions, faults: Vec<PathFault>, random: Option<RandomFaults>) -> Self {
        let backend = HttpServer::start(root, options);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let front = Arc::new(Front {
            root: root.to_owned(),
            backend: backend.addr,
            random,
            burst: tokio::sync::Barrier::new(burst_size(&faults)),
            faults,
            gate: tokio::sync::watch::Sender::new(false),
            log: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
        });
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = Arc::clone(&front);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    tokio::select! {
                        accepted = listener.accept() => if let Ok((stream, _)) = accepted {
                            tokio::spawn(handle(Arc::clone(&serving), stream));
                        },
                        _ = &mut stopped => break,
                    }
                }
            });
            // Dropping the runtime ends every connection, stalled ones included.
            runtime.shutdown_background();
        });
        FaultyHttp { addr, front, _thread: ServerThread::new(stop, thread), _backend: backend }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every path requested so far, in order of arrival.
    pub fn requests(&self) -> Vec<String> {
        self.front.log.lock().unwrap().iter().map(|(path, _)| path.clone()).collect()
    }

    /// How many requests of `path` there were.
    pub fn count(&self, path: &str) -> usize {
        self.front.log.lock().unwrap().iter().filter(|(p, _)| p == path).count()
    }

    /// How many requests got a fault.
    pub fn faults_served(&self) -> usize {
        self.front.log.lock().unwrap().iter().filter(|(_, fault)| fault.is_some()).count()
    }

    /// Lets every [`HttpFault::Gated`] transfer, held or still to come, send
    /// the rest of its file.
    pub fn open_gate(&self) {
        self.front.gate.send_replace(true);
    }

    /// Blocks until `done` holds for the request log. The bound only keeps a
    /// broken test from hanging forever; nothing is timed.
    pub fn wait_for(&self, what: &str, done: impl Fn(&[String]) -> bool) {
        let mut log = self.front.log.lock().unwrap();
        loop {
            let paths: Vec<String> = log.iter().map(|(path, _)| path.clone()).collect();
            if done(&paths) {
                return;
            }
            let (next, timeout) = self.front.arrived.wait_timeout(log, Duration::from_secs(60)).unwrap();
            assert!(!timeout.timed_out(), "waited a minute for {what}; requests: {paths:?}");
            log = next;
        }
    }
}

/// How many requests of a [`HttpFault::Burst`] are answered together.
fn burst_size(faults: &[PathFault]) -> usize {
    faults.iter().find_map(|f| if let HttpFault::Burst { of, .. } = f.fault { Some(of) } else { None }).unwrap_or(1)
}

/// The fault the `nth` (0-based) request of `path` gets, if any.
fn fault_for(front: &Front, path: &str, nth: usize) -> Option<HttpFault> {
    if let Some(scripted) = front.faults.iter().find(|f| f.path == path) {
        return (scripted.after..scripted.after + scripted.times).contains(&nth).then(|| scripted.fault.clone());
    }
    let random = front.random?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (random.seed, path, nth).hash(&mut hasher);
    let mut rng = fastrand::Rng::with_seed(hasher.finish());
    if rng.f64() >= random.rate {
        return None;
    }
    let size = std::fs::metadata(front.root.join(path.trim_start_matches('/'))).map_or(0, |m| m.len() as usize);
    let after = if size > 1 { rng.usize(1..size) } else { 0 };
    Some(match rng.u8(0..3) {
        0 => HttpFault::Reset { after },
        1 => HttpFault::Status { code: [500, 502, 504][rng.usize(0..3)], retry_after: None },
        _ => HttpFault::Stall { after },
    })
}

async fn handle(front: Arc<Front>, mut client: TcpStream) {
    let Some((target, path)) = read_request(&mut client).await else { return };
    let fault = {
        let mut log = front.log.lock().unwrap();
        let nth = log.iter().filter(|(p, _)| *p == path).count();
        let fault = fault_for(&front, &path, nth);
        log.push((path.clone(), fault.clone()));
        front.arrived.notify_all();
        fault
    };
    let _ = match fault {
        None => relay(&front, &target, &mut client).await,
        Some(fault) => misbehave(&front, &path, fault, client).await,
    };
}

/// Reads a request head; returns the raw target and its decoded path.
async fn read_request(client: &mut TcpStream) -> Option<(String, String)> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = client.read(&mut buf).await.ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.lines().next()?.split(' ').nth(1)?.to_owned();
    let path = target.split('?').next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
    Some((target, path))
}

/// Passes the request to the real server, asking it to close afterwards.
async fn relay(front: &Front, target: &str, client: &mut TcpStream) -> std::io::Result<()> {
    let mut backend = TcpStream::connect(front.backend).await?;
    let request = format!("GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", front.backend);
    backend.write_all(request.as_bytes()).await?;
    tokio::io::copy(&mut backend, client).await?;
    client.shutdown().await
}

async fn misbehave(front: &Front, path: &str, fault: HttpFault, mut client: TcpStream) -> std::io::Result<()> {
    let file = std::fs::read(front.root.join(path.trim_start_matches('/'))).ok();
    let partial = matches!(
        fault,
        HttpFault::Reset { .. } | HttpFault::Short { .. } | HttpFault::Stall { .. } | HttpFault::Gated { .. }
    );
    if file.is_none() && partial {
        // No file to send part of: the connection fails before any response
        // (a 200 with an empty body would be a valid empty file).
        if let HttpFault::Stall { .. } = fault {
            std::future::pending::<()>().await;
        }
        client.set_zero_linger()?;
        return Ok(());
    }
    let file = file.unwrap_or_default();
    let head = |status: &str, kind: &str, length: Option<usize>| {
        let length = length.map(|n| format!("Content-Length: {n}\r\n")).unwrap_or_default();
        format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n{length}Connection: close\r\n\r\n")
    };
    match fault {
        HttpFault::Burst { code, retry_after, .. } => {
            front.burst.wait().await;
            Box::pin(misbehave(front, path, HttpFault::Status { code, retry_after }, client)).await
        }
        HttpFault::Status { code, retry_after } => {
            let retry_after =
                retry_after.map(|value| format!("Retry-After: {}\r\n", header_value(&value))).unwrap_or_default();
            let response = format!(
                "HTTP/1.1 {code} Injected\r\n{retry_after}Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            client.write_all(response.as_bytes()).await?;
            client.shutdown().await
        }
        HttpFault::Reset { after } => {
            client.write_all(head("200 OK", "text/plain", Some(file.len())).as_bytes()).await?;
            client.write_all(&file[..after.min(file.len())]).await?;
            client.flush().await?;
            client.set_zero_linger()?;
            drop(client);
            Ok(())
        }
        HttpFault::Short { after } => {
            client.write_all(head("200 OK", "text/plain", Some(file.len())).as_bytes()).await?;
            client.write_all(&file[..after.min(file.len())]).await?;
            client.shutdown().await
        }
        HttpFault::Stall { after } => {
            client.write_all(head("200 OK", "text/plain", Some(file.len())).as_bytes()).await?;
            client.write_all(&file[..after.min(file.len())]).await?;
            client.flush().await?;
            // Hold the connection open, sending nothing, until the server is dropped.
            std::future::pending::<()>().await;
            Ok(())
        }
        HttpFault::Gated { after } => {
            let after = after.min(file.len());
            client.write_all(head("200 OK", "text/plain", Some(file.len())).as_bytes()).await?;
            client.write_all(&file[..after]).await?;
            client.flush().await?;
            let _ = front.gate.subscribe().wait_for(|open| *open).await;
            client.write_all(&file[after..]).await?;
            client.shutdown().await
        }
        HttpFault::Endless => {
            client.write_all(head("200 OK", "text/plain", None).as_bytes()).await?;
            let line = [b"All work and no play makes Jack a dull boy.\r\n".as_slice(); 1024].concat();
            loop {
                client.write_all(&line).await?;
            }
        }
        HttpFault::Served { content_type, content_encoding, body } => {
            let mut head = head("200 OK", content_type, Some(body.len()));
            if let Some(encoding) = content_encoding {
                head = head.replacen("\r\n", &format!("\r\nContent-Encoding: {encoding}\r\n"), 1);
            }
            client.write_all(head.as_bytes()).await?;
            client.write_all(&body).await?;
            client.shutdown().await
        }
        HttpFault::Page(html) => {
            client.write_all(head("200 OK", "text/html", Some(html.len())).as_bytes()).await?;
            client.write_all(html.as_bytes()).await?;
            client.shutdown().await
        }
    }
}

/// Counts the requests of each path, for assertions on what was asked twice.
pub fn per_path(requests: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for path in requests {
        *counts.entry(path.clone()).or_insert(0) += 1;
    }
    counts
}

/// A `Retry-After` value as the fault gives it; `date+N` becomes the date N
/// seconds from now, so how long the client took to ask does not shorten it.
fn header_value(value: &str) -> String {
    match value.strip_prefix("date+").and_then(|secs| secs.parse().ok()) {
        Some(secs) => httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(secs)),
        None => value.to_owned(),
    }
}
