//! HTTP(S) transport: one reqwest client for the whole run, so connections
//! are kept alive and reused across books.
//!
//! Timeouts are a connect timeout and a stall (read) timeout, never a total
//! deadline: a large book on a slow link is fine as long as bytes keep coming.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use reqwest::{Response, StatusCode};

use super::error::{BookError, MirrorFault, Stage};
use super::sink::{html_page, BodySink, Destination};
use super::version::Validators;
use super::{Got, Listing};
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

/// How a failed status is classified: `None` for "no such thing here".
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

fn classify(status: StatusCode) -> Option<fn(Stage, String) -> BookError> {
    match status {
        StatusCode::NOT_FOUND
        | StatusCode::GONE
        | StatusCode::FORBIDDEN
        | StatusCode::UNAUTHORIZED
        | StatusCode::METHOD_NOT_ALLOWED => None,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => Some(BookError::transient),
        s if s.is_server_error() => Some(BookError::transient),
        _ => Some(BookError::permanent),
    }
}

/// 429 and 503 say the server is overloaded: the error is marked busy (fewer
/// books at once) with the wait the server asked for in `Retry-After`.
fn overloaded(error: BookError, response: &Response) -> BookError {
    match response.status() {
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            error.busy(retry_after(response.headers(), SystemTime::now()))
        }
        _ => error,
    }
}

/// `Retry-After` as seconds or as an HTTP date (a date already past means now).
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

fn transport_error(stage: Stage, path: &str, err: &reqwest::Error) -> BookError {
    // The whole chain says what happened (e.g. "connection reset by peer").
    let mut message = format!("{path}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    // reqwest takes the password out of the URLs it shows, but a redirect
    // may name one: what is shown goes through the one redaction.
    let message = redact(&message).into_owned();
    let error = if err.is_redirect() || err.is_builder() {
        BookError::permanent(stage, message)
    } else if err.is_connect() {
        // Name resolution, refused, unreachable, TLS handshake, connect time-out:
        // the mirror's, not the book's.
        BookError::transient(stage, message).mirror(MirrorFault::Unreachable)
    } else {
        BookError::transient(stage, message)
    };
    // A socket that could not be made for lack of descriptors, say so.
    error.descriptors_from(err)
}

/// A `Content-Encoding` other than identity, which this client never asks for.
fn content_encoding(response: &Response) -> Option<String> {
    let value = response.headers().get(CONTENT_ENCODING)?;
    let value = String::from_utf8_lossy(value.as_bytes()).trim().to_ascii_lowercase();
    (!value.is_empty() && value != "identity").then(|| crate::terminal_safe::terminal_safe(&value).into_owned())
}

/// A body encoded although identity was asked for. Saving it would put
/// compressed bytes in `raw/` and mojibake in the book; decoding what was
/// not asked for would trust a server that already ignored the request.
/// A server that does it once does it every time, so the book fails at once
/// (permanent): the message says why, and the next run asks again.
fn encoded_body(encoding: &str) -> BookError {
    let message = format!(
        "the server sent the file with Content-Encoding: {encoding}, though asked for the file's own bytes \
         (Accept-Encoding: identity): refused"
    );
    BookError::permanent(Stage::Download, message)
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

/// File names linked from an index page, each with the date and size its
/// line shows (nginx: `22-Nov-2026 03:00  242634`; Apache: `2026-11-22
/// 03:00  237K`, a rounded size, not kept). Each name is the last path
/// segment of a relative `href`, percent-decoded. Parent links, absolute
/// links, sort links (`?C=M;O=A`) and fragments are dropped.
fn index_entries(html: &str) -> Vec<(String, Validators)> {
    let lower = html.to_ascii_lowercase();
    let mut names = Vec::new();
    let mut rest = 0;
    while let Some(found) = lower[rest..].find("href=") {
        let start = rest + found + "href=".len();
        rest = start;
        let Some(quote) = html[start..].chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        let value_start = start + 1;
        let Some(len) = html[value_start..].find(quote) else { break };
        let href = &html[value_start..value_start + len];
        rest = value_start + len;
        let href = href.split(['?', '#']).next().unwrap_or("");
        if href.is_empty() || href.starts_with('/') || href.contains("://") || href.starts_with("..") {
            continue;
        }
        let name = href.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy().into_owned();
        if !name.is_empty() && name != "." {
            names.push((name, listed_version(line_after_link(html, &lower, rest))));
        }
    }
    names
}

/// The text of an index line after the link that starts before `from`, tags removed.
fn line_after_link(html: &str, lower: &str, from: usize) -> String {
    let Some(close) = lower[from..].find("</a>") else { return String::new() };
    let start = from + close + "</a>".len();
    let line = &html[start..start + html[start..].find('\n').unwrap_or(html.len() - start)];
    let mut text = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The date (`22-Nov-2026 03:00`, `2026-11-22 03:00`) and an exact size in
/// bytes, when an index line shows them.
fn listed_version(line: String) -> Validators {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some(at) = words.windows(2).position(|pair| {
        let is_day = pair[0].contains('-') && pair[0].bytes().any(|b| b.is_ascii_digit());
        let is_time = pair[1].len() >= 4 && pair[1].bytes().all(|b| b.is_ascii_digit() || b == b':');
        is_day && is_time && pair[1].contains(':')
    }) else {
        return Validators::default();
    };
    let size = words.get(at + 2).and_then(|word| word.parse().ok());
    Validators { listed: Some(format!("{} {}", words[at], words[at + 1])), size, ..Validators::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_pages_of_nginx_and_apache_yield_file_names() {
        let nginx = r#"<html><head><title>Index of /4/1/418/</title></head><body><h1>Index of /4/1/418/</h1><hr><pre><a href="../">../</a>
<a href="418-h/">418-h/</a>                                             09-Jan-2021 10:00       -
<a href="old/">old/</a>                                               09-Jan-2021 10:00       -
<a href="418.txt">418.txt</a>                                           09-Jan-2021 10:00  242634
<a href="418.txt.20030101">418.txt.20030101</a>
</pre><hr></body></html>"#;
        assert_eq!(index_names(nginx), ["418-h", "old", "418.txt", "418.txt.20030101"]);
        let apache = r##"<tr><td><a href="?C=N;O=D">Name</a></td><td><a HREF='/parent/'>Parent</a><a href='418%2D0.txt'>x</a><a href="https://elsewhere/418-0.zip">y</a><a href="#top">t</a>"##;
        assert_eq!(index_names(apache), ["418-0.txt"]);
        let entries = index_entries(nginx);
        let listed = |at: usize| (entries[at].1.listed.as_deref(), entries[at].1.size);
        assert_eq!(listed(2), (Some("09-Jan-2021 10:00"), Some(242634)));
        assert_eq!(listed(1), (Some("09-Jan-2021 10:00"), None));
        assert_eq!(listed(3), (None, None));
        let apache_row = "<tr><td><a href=\"418-0.txt\">418-0.txt</a></td><td align=\"right\">2026-11-22 03:00  </td><td align=\"right\">237K</td></tr>\n";
        assert_eq!(index_entries(apache_row)[0].1.listed.as_deref(), Some("2026-11-22 03:00"));
        assert_eq!(index_entries(apache_row)[0].1.size, None);
    }

    fn index_names(html: &str) -> Vec<String> {
        index_entries(html).into_iter().map(|(name, _)| name).collect()
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let after = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value.parse().unwrap());
            retry_after(&headers, now)
        };
        assert_eq!(after("120"), Some(Duration::from_secs(120)));
        assert_eq!(after(" 0 "), Some(Duration::ZERO));
        assert_eq!(after("Sun, 06 Nov 1994 08:50:07 GMT"), Some(Duration::from_secs(30)));
        assert_eq!(after("Sun, 06 Nov 1994 08:00:00 GMT"), Some(Duration::ZERO), "a date past is now");
        assert_eq!(after("soon"), None);
        assert_eq!(after("-5"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn refusals_to_list_are_not_failures_but_server_errors_are() {
        assert!(classify(StatusCode::FORBIDDEN).is_none());
        assert!(classify(StatusCode::NOT_FOUND).is_none());
        let transient = classify(StatusCode::SERVICE_UNAVAILABLE).unwrap()(Stage::Resolve, String::new());
        assert_eq!(transient.persistence, crate::fetch::Persistence::Transient);
        let permanent = classify(StatusCode::BAD_REQUEST).unwrap()(Stage::Resolve, String::new());
        assert_eq!(permanent.persistence, crate::fetch::Persistence::Permanent);
    }
}
