//! Where a transfer's bytes go: the one place that enforces the size limit
//! and refuses what is not the file asked for (an HTML page served in place
//! of a book, a zip that is not one), whatever the protocol.

use std::future::Future;
use std::io;

use super::error::{BookError, Stage};
use crate::atomic_file::PartFile;
use crate::layout::Packing;

/// How many leading bytes are kept to recognise an HTML page.
const SNIFF_LEN: usize = 512;

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
    packing: Packing,
    /// The start of the body, until it has been checked.
    start: Option<Vec<u8>>,
    name: String,
    watcher: Watcher<'a>,
    started: bool,
    reported: u64,
    reported_at: Option<std::time::Instant>,
}

impl<'a, W: Destination> BodySink<'a, W> {
    /// `packing` says what the body must look like: a text that is not an
    /// HTML page, or a zip.
    pub fn new(out: &'a mut W, max_size: u64, packing: Packing) -> Self {
        BodySink {
            out,
            written: 0,
            max_size,
            packing,
            start: Some(Vec::new()),
            name: String::new(),
            watcher: None,
            started: false,
            reported: 0,
            reported_at: None,
        }
    }

    /// Reports the transfer of `name` to `watcher` as it goes.
    pub fn watched(mut self, name: &str, watcher: Watcher<'a>) -> Self {
        self.name = name.to_owned();
        self.watcher = watcher;
        self
    }

    /// Called by a transport before the first byte, with the size the server announced.
    pub fn expect(&mut self, expected: Option<u64>) {
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
        if let Some(start) = &mut self.start {
            start.extend_from_slice(&chunk[..chunk.len().min(SNIFF_LEN - start.len())]);
            if start.len() >= SNIFF_LEN {
                check_start(start, self.packing)?;
                self.start = None;
            }
        }
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
    pub fn finish(mut self) -> Result<u64, BookError> {
        if self.written == 0 {
            // No Gutenberg text or zip is empty: a server error page of nothing.
            return Err(BookError::transient(Stage::Download, "the server sent an empty file"));
        }
        if let Some(start) = self.start.take() {
            check_start(&start, self.packing)?;
        }
        Ok(self.written)
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

/// Mirrors serve captcha and error pages with 200 when they throttle. Asking
/// again at once would only be more of what made them throttle, so the book
/// fails (the next run tries it again), and the mirror counts as busy: fewer
/// books at once from now on.
pub fn html_page() -> BookError {
    BookError::permanent(
        Stage::Download,
        "the server sent an HTML page instead of the file (a captcha or an error page?)",
    )
    .busy(None)
}

fn not_a_zip() -> BookError {
    BookError::permanent(Stage::Download, "the server sent something that is not a zip archive")
}

/// A zip archive opens with a local file header, or is an empty one.
fn looks_like_zip(start: &[u8]) -> bool {
    start.starts_with(b"PK\x03\x04") || start.starts_with(b"PK\x05\x06")
}

/// Whether a body starts like an HTML document. A Gutenberg text never does.
pub fn looks_like_html(start: &[u8]) -> bool {
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let first = start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len());
    let head: Vec<u8> = start[first..].iter().take(16).map(u8::to_ascii_lowercase).collect();
    ["<!doctype html", "<html", "<head", "<body", "<?xml"].iter().any(|tag| head.starts_with(tag.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_pages_are_recognised_and_texts_are_not() {
        assert!(looks_like_html(b"\r\n  <!DOCTYPE html>\n<html>"));
        assert!(looks_like_html(b"\xEF\xBB\xBF<HTML><body>captcha"));
        assert!(!looks_like_html(b"The Project Gutenberg eBook of <Title>"));
        assert!(!looks_like_html(b"\xEF\xBB\xBFThe Project Gutenberg"));
        assert!(!looks_like_html(b"<<THIS ELECTRONIC VERSION OF THE COMPLETE WORKS"));
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
    }

    #[tokio::test]
    async fn a_zip_must_start_like_one() {
        let zip = |body: &'static [u8]| async move {
            let mut out = Vec::new();
            let mut sink = BodySink::new(&mut out, 1 << 20, Packing::Zip);
            sink.write(body).await?;
            sink.finish()
        };
        assert_eq!(zip(b"PK\x03\x04 and the rest of an archive").await.unwrap(), 31);
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
