//! A real HTTP server (axum) on a free loopback port, serving a mirror folder
//! the way nginx does, with switches for the situations a client must handle.
//! Like nginx it sends `ETag` and `Last-Modified` with each file and answers a
//! request whose `If-None-Match` or `If-Modified-Since` still holds with 304.

use super::server_thread::ServerThread;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// How the server behaves.
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    /// Serve folder index pages (nginx `autoindex on`); otherwise 403 for folders.
    pub autoindex: bool,
    /// Paths (like `/4/43/43-0.txt`) answered with a 200 HTML captcha page.
    pub html_instead: Vec<String>,
    /// Requests under this prefix (like `/moved/`) are redirected (301) to the path without it.
    pub moved_prefix: Option<String>,
    /// Answer every request `401 Unauthorized`, as a mirror behind a login does.
    pub login_required: bool,
    /// Send neither `ETag` nor `Last-Modified` (and so never 304), as some
    /// servers do: only the index page's dates and sizes tell versions apart.
    pub no_validators: bool,
}

struct Site {
    root: PathBuf,
    options: HttpOptions,
    requests: Mutex<Vec<String>>,
    answered: Mutex<Vec<Answered>>,
}

/// A file request and how it was answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    pub path: String,
    /// It carried `If-None-Match` or `If-Modified-Since`.
    pub conditional: bool,
    pub status: u16,
}

pub struct HttpServer {
    pub addr: SocketAddr,
    site: Arc<Site>,
    /// Stops the server when dropped.
    _thread: ServerThread,
}

impl HttpServer {
    pub fn start(root: &std::path::Path, options: HttpOptions) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let site = Arc::new(Site {
            root: root.to_owned(),
            options,
            requests: Mutex::new(Vec::new()),
            answered: Mutex::new(Vec::new()),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new().fallback(serve).with_state(Arc::clone(&site));
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        HttpServer { addr, site, _thread: ServerThread::new(stop, thread) }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every path requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.site.requests.lock().unwrap().clone()
    }

    /// Every request for a file, with whether it was conditional and its status.
    pub fn answered(&self) -> Vec<Answered> {
        self.site.answered.lock().unwrap().clone()
    }

    /// The requests whose path starts with `prefix`.
    pub fn requests_under(&self, prefix: &str) -> Vec<String> {
        self.requests().into_iter().filter(|p| p.starts_with(prefix)).collect()
    }
}

async fn serve(State(site): State<Arc<Site>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy().into_owned();
    site.requests.lock().unwrap().push(path.clone());
    if site.options.login_required {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"mirror\"")]).into_response();
    }
    if let Some(rest) = site.options.moved_prefix.as_deref().and_then(|prefix| path.strip_prefix(prefix)) {
        return redirect(&format!("/{rest}"));
    }
    if site.options.html_instead.contains(&path) {
        let page = "<!DOCTYPE html>\n<html><body><h1>Too many requests</h1><p>Solve this captcha.</p></body></html>\n";
        return ([(header::CONTENT_TYPE, "text/html")], page).into_response();
    }
    if path.split('/').any(|segment| segment == "..") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let file = site.root.join(path.trim_start_matches('/'));
    if file.is_dir() {
        if !path.ends_with('/') {
            return redirect(&format!("{path}/"));
        }
        if !site.options.autoindex {
            return StatusCode::FORBIDDEN.into_response();
        }
        return ([(header::CONTENT_TYPE, "text/html")], index_page(&path, &file)).into_response();
    }
    let response = match std::fs::read(&file) {
        Ok(bytes) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("zip") => "application/zip",
                Some("htm" | "html") => "text/html",
                _ => "text/plain",
            };
            let (etag, modified) = validators(&file, &bytes);
            let asked = |name| headers.get(name).and_then(|v: &header::HeaderValue| v.to_str().ok());
            let unchanged = match (asked(header::IF_NONE_MATCH), asked(header::IF_MODIFIED_SINCE)) {
                (Some(tag), _) => tag == etag,
                (None, Some(since)) => since == modified,
                (None, None) => false,
            };
            let sent = [(header::ETAG, etag), (header::LAST_MODIFIED, modified)];
            if site.options.no_validators {
                ([(header::CONTENT_TYPE, kind.to_owned())], Body::from(bytes)).into_response()
            } else if unchanged {
                (StatusCode::NOT_MODIFIED, sent).into_response()
            } else {
                ([(header::CONTENT_TYPE, kind.to_owned())], sent, Body::from(bytes)).into_response()
            }
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    };
    let conditional = headers.contains_key(header::IF_NONE_MATCH) || headers.contains_key(header::IF_MODIFIED_SINCE);
    site.answered.lock().unwrap().push(Answered { path, conditional, status: response.status().as_u16() });
    response
}

/// nginx's validators: an ETag of the file's time and length, and its time as an HTTP date.
fn validators(file: &std::path::Path, bytes: &[u8]) -> (String, String) {
    let modified = std::fs::metadata(file).and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
    let seconds = modified.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    (format!("\"{seconds:x}-{:x}\"", bytes.len()), httpdate::fmt_http_date(modified))
}

fn redirect(location: &str) -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location.to_owned())]).into_response()
}

/// An index page shaped like nginx's autoindex: each entry with its
/// modification time to the minute and, for a file, its size in bytes.
fn index_page(path: &str, dir: &std::path::Path) -> String {
    let mut entries: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = std::fs::metadata(e.path()).unwrap();
            let slash = if meta.is_dir() { "/" } else { "" };
            let size = if meta.is_dir() { "-".to_owned() } else { meta.len().to_string() };
            // "Sun, 06 Nov 1994 08:49:37 GMT" → "06-Nov-1994 08:49"
            let http = httpdate::fmt_http_date(meta.modified().unwrap());
            let w: Vec<&str> = http.split(' ').collect();
            let listed = format!("{}-{}-{} {}  {size}", w[1], w[2], w[3], &w[4][..5]);
            (format!("{}{slash}", e.file_name().to_string_lossy()), listed)
        })
        .collect();
    entries.sort();
    let mut page = format!("<html>\r\n<head><title>Index of {path}</title></head>\r\n<body>\r\n<h1>Index of {path}</h1><hr><pre><a href=\"../\">../</a>\r\n");
    for (name, listed) in entries {
        page.push_str(&format!("<a href=\"{name}\">{name}</a>                 {listed}\r\n"));
    }
    page.push_str("</pre><hr></body>\r\n</html>\r\n");
    page
}
