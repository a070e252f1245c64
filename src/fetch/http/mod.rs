//! HTTP(S) transport: one reqwest client for the whole run, so connections
//! are kept alive and reused across books.
//!
//! Timeouts are a connect timeout and a stall (read) timeout, never a total
//! deadline: a large book on a slow link is fine as long as bytes keep coming.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use anyhow::Context;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use reqwest::{Response, StatusCode};

use super::error::{BookError, MirrorFault, Stage};
use super::sink::{html_page, BodySink, Destination};
use super::version::Validators;
use super::{Got, Listing};
use errors::{classify, content_encoding, encoded_body, overloaded, transport_error};
use index::index_entries;

mod errors;
mod index;
use crate::redact::redact;
use crate::terminal_safe::terminal_safe;

/// A folder listing larger than this is not a Gutenberg book folder.
const MAX_LISTING_BYTES: usize = 4 << 20;

pub struct HttpMirror {
    client: reqwest::Client,
    base: url::Url,
    listings: Listings,
}

/// What this mirror has shown of its folder listings, so that a mirror that
/// refuses them is not asked again for every book, and a 404 for a folder
/// can be trusted to mean "no such folder" once listings are known to work.
struct Listings(AtomicU8);

const UNKNOWN: u8 = 0;
const SERVED: u8 = 1;
const REFUSED: u8 = 2;

impl Listings {
    fn get(&self) -> u8 {
        self.0.load(Ordering::Relaxed)
    }

    /// The first answer decides; a mirror that served one listing serves them.
    fn learn(&self, what: u8) {
        let _ = self.0.compare_exchange(UNKNOWN, what, Ordering::Relaxed, Ordering::Relaxed);
        if what == SERVED {
            self.0.store(SERVED, Ordering::Relaxed);
        }
    }
}

impl HttpMirror {
    pub fn new(base: url::Url, timeout: Duration, jobs: usize) -> anyhow::Result<Self> {
        // The file's own bytes, never a compressed rendering of them: `raw/`
        // keeps what the mirror holds, and the size checks mean the file's.
        let identity = HeaderMap::from_iter([(ACCEPT_ENCODING, HeaderValue::from_static("identity"))]);
        let client = reqwest::Client::builder()
            .user_agent(concat!("gutenfetch/", env!("CARGO_PKG_VERSION")))
            .default_headers(identity)
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .pool_max_idle_per_host(jobs)
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .context("building the HTTP client")?;
        Ok(HttpMirror { client, base, listings: Listings(AtomicU8::new(UNKNOWN)) })
    }

    /// The URL of `path` as reports and logs show it: without the password.
    pub fn url_of(&self, path: &str) -> String {
        let url = self.resolve(path).map_or_else(|_| format!("{}{path}", self.base), String::from);
        redact(&url).into_owned()
    }

    /// Reads the folder's index page when the server makes one (nginx
    /// autoindex, Apache Indexes). Without one the names are probed, so a
    /// refusal here means "unavailable", not failure; once the mirror has
    /// refused, it is not asked again.
    pub async fn list(&self, folder: &str) -> Result<Listing, BookError> {
        Ok(match self.index(folder).await? {
            Index::Page(html) => Listing::Names(index_entries(&html).into_iter().map(|(name, _)| name).collect()),
            Index::Unavailable => Listing::Unavailable,
            Index::Missing => Listing::Missing,
        })
    }

    /// The folder's files with the size and date its index page shows;
    /// `None` when the server makes no index page for it.
    pub async fn list_versions(&self, folder: &str) -> Result<Option<Vec<(String, Validators)>>, BookError> {
        Ok(match self.index(folder).await? {
            Index::Page(html) => Some(index_entries(&html)),
            Index::Unavailable | Index::Missing => None,
        })
    }

    async fn index(&self, folder: &str) -> Result<Index, BookError> {
        if self.listings.get() == REFUSED {
            return Ok(Index::Unavailable);
        }
        let response = self.request(Stage::Resolve, folder).await?;
        let status = response.status();
        self.check_login(Stage::Resolve, status)?;
        if matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE) {
            // Where listings work, a folder without one does not exist. Elsewhere
            // a 404 may be how the server refuses listings: probe the names.
            return Ok(if self.listings.get() == SERVED { Index::Missing } else { Index::Unavailable });
        }
        if !status.is_success() {
            return match classify(status) {
                None => {
                    self.listings.learn(REFUSED);
                    Ok(Index::Unavailable)
                }
                Some(error) => {
                    Err(overloaded(error(Stage::Resolve, format!("listing {folder}: HTTP {status}")), &response))
                }
            };
        }
        if !is_html(&response) {
            self.listings.learn(REFUSED);
            return Ok(Index::Unavailable);
        }
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(|err| transport_error(Stage::Resolve, folder, &err))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_LISTING_BYTES {
                return Ok(Index::Unavailable);
            }
        }
        self.listings.learn(SERVED);
        Ok(Index::Page(String::from_utf8_lossy(&body).into_owned()))
    }

    /// Streams the file into `sink`; absent on 404 or 410.
    pub async fn get(&self, path: &str, sink: BodySink<'_, impl Destination>) -> Result<Got, BookError> {
        let response = self.request(Stage::Download, path).await?;
        self.check_login(Stage::Download, response.status())?;
        receive(path, response, sink).await
    }

    /// A GET that sends what is known of the copy on disk (`If-None-Match`,
    /// `If-Modified-Since`): `Ok(None)` when the server answers 304 Not
    /// Modified, else what [`HttpMirror::get`] gives and the response's
    /// `ETag` and `Last-Modified`, to send next time.
    pub async fn get_if_changed(
        &self,
        path: &str,
        known: &Validators,
        sink: BodySink<'_, impl Destination>,
    ) -> Result<Option<Got>, BookError> {
        let response =
            self.send(self.client.get(self.url(Stage::Download, path)?).headers(conditions(known)), path).await?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        self.check_login(Stage::Download, response.status())?;
        Ok(Some(receive(path, response, sink).await?))
    }

    /// HEAD: whether `path` exists, and its Content-Length.
    pub async fn stat(&self, path: &str) -> Result<Option<Option<u64>>, BookError> {
        Ok(self.head(path, &Validators::default()).await?.map(|head| head.size))
    }

    /// HEAD, sending what is known of a copy (`If-None-Match`,
    /// `If-Modified-Since`): what the server says of the file's version now
    /// (`Content-Length`, `ETag`, `Last-Modified`); `None` when there is no
    /// such file. A 304 gives `known` back.
    pub async fn head(&self, path: &str, known: &Validators) -> Result<Option<Validators>, BookError> {
        let response =
            self.send(self.client.head(self.url(Stage::Resolve, path)?).headers(conditions(known)), path).await?;
        let status = response.status();
        self.check_login(Stage::Resolve, status)?;
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Some(known.clone()));
        }
        if matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE) {
            return Ok(None);
        }
        if !status.is_success() {
            let error = classify(status).unwrap_or(BookError::permanent);
            return Err(error(Stage::Resolve, format!("HEAD {path}: HTTP {status}")));
        }
        if is_html(&response) {
            return Err(html_page());
        }
        // `content_length()` measures the (empty) body of a HEAD response: read the header.
        let size = response.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
        Ok(Some(Validators { size, ..version_of(&response) }))
    }

    fn url(&self, stage: Stage, path: &str) -> Result<url::Url, BookError> {
        self.resolve(path).map_err(|err| BookError::permanent(stage, format!("{path}: {err}")))
    }

    async fn send(&self, request: reqwest::RequestBuilder, path: &str) -> Result<Response, BookError> {
        request.send().await.map_err(|err| transport_error(Stage::Download, path, &err))
    }

    /// 401 and 407 are the same for every book: the login is missing or
    /// wrong, and the run stops rather than asking again for each.
    fn check_login(&self, stage: Stage, status: StatusCode) -> Result<(), BookError> {
        let who = match self.base.username() {
            "" => "no user".to_owned(),
            user => format!("user {:?}", terminal_safe(user)),
        };
        let message = match status {
            StatusCode::UNAUTHORIZED => format!(
                "the mirror asks for a login (HTTP {status}; the URL names {who}): give the user and password \
                 in the URL, --mirror https://USER:PASSWORD@host/path/ (or GUTENFETCH_MIRROR, kept out of the \
                 process list)"
            ),
            StatusCode::PROXY_AUTHENTICATION_REQUIRED => format!(
                "the proxy asks for a login (HTTP {status}): give it in the proxy's URL, \
                 HTTPS_PROXY=http://USER:PASSWORD@proxy:port"
            ),
            _ => return Ok(()),
        };
        Err(BookError::permanent(stage, message).mirror(MirrorFault::Credentials))
    }

    async fn request(&self, stage: Stage, path: &str) -> Result<Response, BookError> {
        let url = self.resolve(path).map_err(|err| BookError::permanent(stage, format!("{path}: {err}")))?;
        self.client.get(url).send().await.map_err(|err| transport_error(stage, path, &err))
    }

    fn resolve(&self, path: &str) -> Result<url::Url, url::ParseError> {
        self.base.join(path)
    }
}

/// The answer to a GET of `path`, streamed into `sink`; absent on 404 or 410.
async fn receive(
    path: &str,
    mut response: Response,
    mut sink: BodySink<'_, impl Destination>,
) -> Result<Got, BookError> {
    let status = response.status();
    if matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE) {
        return Ok(Got::Absent(format!("HTTP {status}")));
    }
    if !status.is_success() {
        let error = classify(status).unwrap_or(BookError::permanent);
        return Err(overloaded(error(Stage::Download, format!("HTTP {status}")), &response));
    }
    if is_html(&response) && (path.ends_with(".txt") || path.ends_with(".zip")) {
        return Err(html_page());
    }
    if let Some(encoding) = content_encoding(&response) {
        return Err(encoded_body(&encoding));
    }
    sink.version(version_of(&response));
    sink.expect(response.content_length());
    // A body cut short of its Content-Length is an error from `chunk`.
    while let Some(chunk) = response.chunk().await.map_err(|err| transport_error(Stage::Download, path, &err))? {
        sink.write(&chunk).await?;
    }
    sink.finish().map(Got::File)
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// What a folder's index page gave.
enum Index {
    Page(String),
    Unavailable,
    Missing,
}

/// The headers that make a request conditional on the copy `known` describes.
fn conditions(known: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = |text: &str| HeaderValue::from_str(text).ok();
    if let Some(etag) = known.etag.as_deref().and_then(value) {
        headers.insert(IF_NONE_MATCH, etag);
    }
    if let Some(date) = known.last_modified.as_deref().and_then(value) {
        headers.insert(IF_MODIFIED_SINCE, date);
    }
    headers
}

/// The response's `ETag` and `Last-Modified`.
fn version_of(response: &Response) -> Validators {
    let header = |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
    Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED), ..Validators::default() }
}
