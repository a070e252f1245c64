//! Where a transfer's bytes go: the one place that enforces the size limit,
//! checks that a transfer ends at the size the server gave for the file, and
//! refuses what is not the file asked for (an HTML page served in place of a
//! book, a zip that is not one), whatever the protocol. It also keeps what
//! the copy's provenance needs: the bytes' SHA-256, and what the server said
//! of the file's version.

use std::future::Future;
use std::io;

use sha2::{Digest, Sha256};

use super::error::{BookError, Stage};
use super::version::Validators;
use crate::atomic_file::PartFile;
use crate::html::{looks_like_html, SNIFF_LEN};
use crate::layout::Packing;

/// Progress is reported after the first chunk, then once per this many
/// bytes or this long, whichever comes first: often enough for a small book
/// to show a rate, rarely enough to cost nothing.
const REPORT_EVERY: u64 = 128 * 1024;
const REPORT_AFTER: std::time::Duration = std::time::Duration::from_millis(100);

/// What a transfer tells whoever displays it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferUpdate {
    Started { name: String, expected: Option<u64> },
    Progress { bytes: u64 },
    Finished,
}

/// Where a transfer's updates go (the progress display); `None` for nowhere.
pub type Watcher<'a> = Option<&'a (dyn Fn(TransferUpdate) + Send + Sync)>;

/// Where a body is written: a part file, or memory (in tests).
pub trait Destination: Send {
    fn write_all(&mut self, bytes: &[u8]) -> impl Future<Output = io::Result<()>> + Send;
}

impl Destination for PartFile {
    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        PartFile::write_all(self, bytes).await
    }
}

/// A plain file written in place: only for a single download alone on its
/// own runtime (a `--manifest` URL), where a blocking write holds up nothing.
impl Destination for std::fs::File {
    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(self, bytes)
    }
}

impl Destination for Vec<u8> {
    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// Receives the body of one file.
pub struct BodySink<'a, W> {
    out: &'a mut W,
    written: u64,
    max_size: u64,
    /// The file's size as the server gave it (listing, 150 reply, SIZE,
    /// Content-Length, stat), when it did: the transfer must end there.
    size: Option<u64>,
    packing: Packing,
    /// The start of the body, until it has been checked.
    start: Option<Vec<u8>>,
    name: String,
    watcher: Watcher<'a>,
    /// Told when the server starts sending, before the body.
    on_answer: Option<&'a (dyn Fn() + Sync)>,
    started: bool,
    reported: u64,
    reported_at: Option<std::time::Instant>,
    /// Of every byte written, in order: hashed as it passes, so the raw
    /// copy is never read again for it.
    hash: Sha256,
    version: Validators,
}

/// A whole file, received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub bytes: u64,
    pub sha256: [u8; 32],
    /// What the server said of its version; `size` is always the bytes received.
    pub version: Validators,
}

impl<'a, W: Destination> BodySink<'a, W> {
    /// `packing` says what the body must look like: a text that is not an
    /// HTML page, or a zip.
    pub fn new(out: &'a mut W, max_size: u64, packing: Packing) -> Self {
        BodySink {
            out,
            written: 0,
            max_size,
            size: None,
            packing,
            start: Some(Vec::new()),
            name: String::new(),
            watcher: None,
            on_answer: None,
            started: false,
            reported: 0,
            reported_at: None,
            hash: Sha256::new(),
            version: Validators::default(),
        }
    }

    /// Called by a transport with what the server says identifies the
    /// file's version (response headers, a listing's date, MDTM).
    pub fn version(&mut self, version: Validators) {
        self.version.fill_from(version);
    }

    /// Reports the transfer of `name` to `watcher` as it goes.
    pub fn watched(mut self, name: &str, watcher: Watcher<'a>) -> Self {
        self.name = name.to_owned();
        self.watcher = watcher;
        self
    }

    /// Calls `answered` when the server starts sending the file, so that
    /// whoever waits for the mirror's first answer need not wait for the
    /// whole body.
    pub fn on_answer(mut self, answered: &'a (dyn Fn() + Sync)) -> Self {
        self.on_answer = Some(answered);
        self
    }

    /// Called by a transport before the first byte, with the size the server
    /// announced; a transfer that then ends short or runs long is an error.
    pub fn expect(&mut self, expected: Option<u64>) {
        if let Some(answered) = self.on_answer.take() {
            answered();
        }
        if expected.is_some() {
            self.size = expected;
        }
        if let (Some(watch), false) = (self.watcher, self.started) {
            self.started = true;
            watch(TransferUpdate::Started { name: self.name.clone(), expected });
        }
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), BookError> {
        self.written += chunk.len() as u64;
        if self.written > self.max_size {
            let message = format!("larger than the size limit of {} bytes (--max-size)", self.max_size);
            return Err(BookError::permanent(Stage::Download, message));
        }
        if let Some(size) = self.size.filter(|&size| self.written > size) {
            return Err(wrong_size(self.written, size));
        }
        if let Some(start) = &mut self.start {
            start.extend_from_slice(&chunk[..chunk.len().min(SNIFF_LEN - start.len())]);
            if start.len() >= SNIFF_LEN {
                check_start(start, self.packing)?;
                self.start = None;
            }
        }
        self.hash.update(chunk);
        self.out.write_all(chunk).await.map_err(|err| BookError::permanent(Stage::Write, err.to_string()))?;
        if let Some(watch) = self.watcher {
            let due = self.reported_at.is_none_or(|at| at.elapsed() >= REPORT_AFTER);
            if due || self.written - self.reported >= REPORT_EVERY {
                self.reported = self.written;
                self.reported_at = Some(std::time::Instant::now());
                watch(TransferUpdate::Progress { bytes: self.written });
            }
        }
        Ok(())
    }

    /// Checks a body shorter than the sniffing window. What it wrote is
    /// complete once the destination is committed.
    pub fn finish(mut self) -> Result<Received, BookError> {
        if let Some(size) = self.size.filter(|&size| self.written != size) {
            return Err(wrong_size(self.written, size));
        }
        if self.written == 0 {
            // No Gutenberg text or zip is empty: a server error page of nothing.
            return Err(BookError::transient(Stage::Download, "the server sent an empty file"));
        }
        if let Some(start) = self.start.take() {
            check_start(&start, self.packing)?;
        }
        let mut version = std::mem::take(&mut self.version);
        version.size = Some(self.written);
        let sha256 = std::mem::take(&mut self.hash).finalize().into();
        Ok(Received { bytes: self.written, sha256, version })
    }
}

// A transfer that started ends on the display however it ends: done, failed, or dropped.
impl<W> Drop for BodySink<'_, W> {
    fn drop(&mut self) {
        if let (Some(watch), true) = (self.watcher, self.started) {
            watch(TransferUpdate::Finished);
        }
    }
}

fn check_start(start: &[u8], packing: Packing) -> Result<(), BookError> {
    match packing {
        Packing::Plain if looks_like_html(start) => Err(html_page()),
        Packing::Zip if !looks_like_zip(start) => {
            let message = if looks_like_html(start) { html_page() } else { not_a_zip() };
            Err(message)
        }
        _ => Ok(()),
    }
}

/// A transfer that ended short of the file's known size (a data connection
/// closed early, yet confirmed) or ran past it: never kept, and worth another try.
fn wrong_size(written: u64, size: u64) -> BookError {
    let message = if written < size {
        format!("the transfer ended after {written} of the file's {size} bytes")
    } else {
        format!("the transfer ran past the file's {size} bytes")
    };
    BookError::transient(Stage::Download, message)
}

/// What an HTML page in place of a book says, so that the retry loop can
/// tell the last of them apart (see [`kept_sending_html`]).
const HTML_PAGE: &str = "the mirror answered with an HTML page instead of the file (a rate limit or captcha page?)";

/// Mirrors (Project Gutenberg's among them) answer clients that ask too
/// fast with a captcha or "slow down" page and status 200: a busy signal,
/// like 429. The book is retried after the backoff, and the mirror counts
/// as busy: fewer books at once from now on.
pub fn html_page() -> BookError {
    BookError::transient(Stage::Download, HTML_PAGE).busy(None)
}

/// The error a book fails with when every try got an HTML page.
pub fn kept_sending_html(error: BookError, tries: u32) -> BookError {
    if error.message != HTML_PAGE {
        return error;
    }
    let message = format!(
        "the mirror kept answering with an HTML page ({tries} tries) instead of the file: a rate limit or \
         captcha; try fewer --jobs, or later"
    );
    BookError { message, ..error }
}

fn not_a_zip() -> BookError {
    BookError::permanent(Stage::Download, "the server sent something that is not a zip archive")
}

/// A zip archive opens with a local file header, or is an empty one.
fn looks_like_zip(start: &[u8]) -> bool {
    start.starts_with(b"PK\x03\x04") || start.starts_with(b"PK\x05\x06")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_transfer_must_end_at_the_size_the_server_gave() {
        let mut out = Vec::new();
        let mut sink = BodySink::new(&mut out, 1 << 20, Packing::Plain);
        sink.expect(Some(10));
        sink.write(b"12345").await.unwrap();
        let short = sink.finish().unwrap_err();
        assert_eq!(short.persistence, crate::fetch::Persistence::Transient, "{short}");
        assert!(short.message.contains("ended after 5 of the file's 10 bytes"), "{short}");

        let mut out = Vec::new();
        let mut sink = BodySink::new(&mut out, 1 << 20, Packing::Plain);
        sink.expect(Some(4));
        let long = sink.write(b"12345").await.unwrap_err();
        assert!(long.message.contains("ran past"), "{long}");

        let mut out = Vec::new();
        let mut sink = BodySink::new(&mut out, 1 << 20, Packing::Plain);
        sink.expect(Some(5));
        sink.expect(None);
        sink.write(b"12345").await.unwrap();
        assert_eq!(sink.finish().unwrap().bytes, 5, "a later unknown size keeps the known one");
    }

    #[tokio::test]
    async fn the_size_limit_and_the_html_check_apply_across_chunks() {
        let mut out = Vec::new();
        let mut sink = BodySink::new(&mut out, 10, Packing::Plain);
        sink.write(b"12345").await.unwrap();
        let err = sink.write(b"678901").await.unwrap_err();
        assert!(err.message.contains("size limit"), "{err}");

        let mut out = Vec::new();
        let mut sink = BodySink::new(&mut out, 1 << 20, Packing::Plain);
        sink.write(b"  <!DOC").await.unwrap();
        sink.write(b"TYPE html><p>slow down</p>").await.unwrap();
        let err = sink.finish().unwrap_err();
        assert!(err.busy && err.message.contains("HTML"), "a short HTML body is caught at the end: {err}");
        assert_eq!(err.persistence, crate::fetch::Persistence::Transient, "a busy signal, retried");
        assert!(kept_sending_html(err, 3).message.contains("kept answering with an HTML page (3 tries)"));
    }

    #[tokio::test]
    async fn a_zip_must_start_like_one() {
        let zip = |body: &'static [u8]| async move {
            let mut out = Vec::new();
            let mut sink = BodySink::new(&mut out, 1 << 20, Packing::Zip);
            sink.write(body).await?;
            sink.finish()
        };
        assert_eq!(zip(b"PK\x03\x04 and the rest of an archive").await.unwrap().bytes, 31);
        assert!(zip(b"<html>not found</html>").await.unwrap_err().message.contains("HTML"));
        assert!(zip(b"The Project Gutenberg EBook").await.unwrap_err().message.contains("not a zip"));
    }

    #[tokio::test]
    async fn a_watched_transfer_reports_start_progress_and_end() {
        let updates = std::sync::Mutex::new(Vec::new());
        let watch = |update| updates.lock().unwrap().push(update);
        let mut out = Vec::new();
        let mut sink = BodySink::new(&mut out, 1 << 30, Packing::Plain).watched("418.txt", Some(&watch));
        sink.expect(Some(300_000));
        for _ in 0..300 {
            sink.write(&[b'x'; 1000]).await.unwrap();
        }
        sink.finish().unwrap();
        let updates = updates.into_inner().unwrap();
        assert_eq!(updates[0], TransferUpdate::Started { name: "418.txt".into(), expected: Some(300_000) });
        // The first chunk at once, then every 128 KiB at the latest (time may add more).
        assert_eq!(updates[1], TransferUpdate::Progress { bytes: 1000 });
        let bytes: Vec<u64> = updates[1..updates.len() - 1]
            .iter()
            .map(|u| match u {
                TransferUpdate::Progress { bytes } => *bytes,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(bytes.windows(2).all(|w| w[0] < w[1] && w[1] - w[0] <= 132_000), "{bytes:?}");
        assert!(bytes.len() >= 3, "{bytes:?}");
        assert_eq!(updates.last(), Some(&TransferUpdate::Finished));
    }
}
