//! The terminal while books are in flight: progress bars drawn by indicatif,
//! and the writer every log line goes through so it never garbles them.
//!
//! The collector owns [`Progress`]; nothing else draws. Without bars (stderr
//! not a terminal, `--quiet`, `--progress never`) a plain progress line is
//! logged every few seconds instead, with no control codes.
//!
//! Sizes are in decimal units everywhere (kB, MB), in the bars as in
//! [`human_bytes`], the summary and the dry run.

use std::io::Write;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ebook::EbookNumber;
use crate::fetch::TransferUpdate;
use crate::outcome::{BookOutcome, Status};

/// The one multi-bar on stderr; hidden until [`draw_on_stderr`] says otherwise.
static TERMINAL: LazyLock<MultiProgress> =
    LazyLock::new(|| MultiProgress::with_draw_target(ProgressDrawTarget::hidden()));

/// How often a plain progress line is logged when there are no bars.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// Draws the bars on stderr from now on; `force` draws even when stderr is
/// not a terminal (`--progress always`).
pub fn draw_on_stderr(enabled: bool, force: bool) {
    let target = match (enabled, force) {
        (false, _) => ProgressDrawTarget::hidden(),
        (true, false) => ProgressDrawTarget::stderr(),
        (true, true) => ProgressDrawTarget::term_like(Box::new(console::Term::stderr())),
    };
    TERMINAL.set_draw_target(target);
}

/// Writes log lines to stderr with the bars lifted out of the way.
///
/// A stderr that cannot be written (a closed pipe, as in `2>&1 | head`, or
/// the terminal of a closed session after SIGHUP) loses the log lines, never
/// the run: errors are swallowed here, so no layer above reports or panics on them.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = TERMINAL.suspend(|| std::io::stderr().write_all(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Prints `text` on stdout. A closed stdout (`| head -3`) loses the text,
/// not the run: the report is already written and the exit code still says
/// how the run went, so the error is dropped rather than panicking as
/// `print!` would.
pub fn print_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

/// Prints `text` on stderr, or nothing when stderr is closed.
pub fn print_err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
}

/// Counts for the display of a fetch.
pub struct Progress {
    books: ProgressBar,
    transfers: ProgressBar,
    cleaning: ProgressBar,
    started: Instant,
    last_log: Instant,
    drawn: bool,
    total: usize,
    done: usize,
    failed: usize,
    downloaded: u64,
    cleaned: usize,
    cleaned_bytes: u64,
    clean_seconds: f64,
    /// A short-lived bar for each transfer in flight.
    transfers_in_flight: std::collections::HashMap<EbookNumber, ProgressBar>,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        let books = TERMINAL.add(ProgressBar::new(total as u64));
        books.set_style(
            ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} books{msg}  {elapsed_precise}, eta {eta}")
                .expect("valid progress template")
                .progress_chars("=> "),
        );
        let line = || {
            let bar = TERMINAL.add(ProgressBar::new_spinner());
            bar.set_style(ProgressStyle::with_template("  {msg}").expect("valid progress template"));
            bar
        };
        let (transfers, cleaning) = (line(), line());
        let now = Instant::now();
        let progress = Progress {
            books,
            transfers,
            cleaning,
            started: now,
            last_log: now,
            drawn: !TERMINAL.is_hidden(),
            total,
            done: 0,
            failed: 0,
            downloaded: 0,
            cleaned: 0,
            cleaned_bytes: 0,
            clean_seconds: 0.0,
            transfers_in_flight: std::collections::HashMap::new(),
        };
        progress.redraw_lines();
        progress
    }

    pub fn downloaded(&mut self, bytes: u64) {
        self.downloaded += bytes;
        self.redraw_lines();
    }

    /// Draws a bar under the others for each transfer while it runs.
    pub fn transfer(&mut self, ebook: EbookNumber, update: TransferUpdate) {
        if !self.drawn {
            return;
        }
        match update {
            TransferUpdate::Started { name, expected } => {
                let bar = TERMINAL.add(ProgressBar::new(expected.unwrap_or(0)));
                let template = if expected.is_some() {
                    "  {msg:>16} {bar:20.green/white} {decimal_bytes:>9}/{decimal_total_bytes:<9} {decimal_bytes_per_sec}"
                } else {
                    "  {msg:>16} {spinner} {decimal_bytes:>9} {decimal_bytes_per_sec}"
                };
                bar.set_style(
                    ProgressStyle::with_template(template).expect("valid progress template").progress_chars("=> "),
                );
                bar.set_message(name);
                if let Some(old) = self.transfers_in_flight.insert(ebook, bar) {
                    TERMINAL.remove(&old);
                }
            }
            TransferUpdate::Progress { bytes } => {
                if let Some(bar) = self.transfers_in_flight.get(&ebook) {
                    bar.set_position(bytes);
                }
            }
            TransferUpdate::Finished => {
                if let Some(bar) = self.transfers_in_flight.remove(&ebook) {
                    bar.finish_and_clear();
                    TERMINAL.remove(&bar);
                }
            }
        }
    }

    pub fn book_done(&mut self, outcome: &BookOutcome) {
        self.done += 1;
        match outcome.status {
            Status::Failed => self.failed += 1,
            Status::Ok => {
                self.cleaned += 1;
                self.cleaned_bytes += outcome.raw_bytes;
                self.clean_seconds += outcome.clean_seconds;
            }
            Status::Skipped | Status::NotStarted => {}
        }
        self.books.inc(1);
        if self.failed > 0 {
            self.books.set_message(console::style(format!(", {} failed", self.failed)).red().to_string());
        }
        self.redraw_lines();
        if !self.drawn && self.last_log.elapsed() >= LOG_EVERY && self.done < self.total {
            self.last_log = Instant::now();
            tracing::info!(
                "progress: {}/{} books, {} failed, {} downloaded in {:.0} s",
                self.done,
                self.total,
                self.failed,
                human_bytes(self.downloaded),
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    fn redraw_lines(&self) {
        if !self.drawn {
            return;
        }
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = human_bytes((self.downloaded as f64 / seconds) as u64);
        self.transfers.set_message(format!("downloaded {}, {rate}/s", human_bytes(self.downloaded)));
        let clean_rate = if self.clean_seconds > 0.0 {
            format!(", {}/s per core", human_bytes((self.cleaned_bytes as f64 / self.clean_seconds) as u64))
        } else {
            String::new()
        };
        self.cleaning.set_message(format!("cleaned {} books{clean_rate}", self.cleaned));
    }

    pub fn finish(&self) {
        for bar in [&self.books, &self.transfers, &self.cleaning].into_iter().chain(self.transfers_in_flight.values()) {
            bar.finish_and_clear();
            TERMINAL.remove(bar);
        }
    }
}

/// A count with its noun, for people: `1 book`, `3 books`.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Bytes for people: `1.2 MB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_bytes_uses_decimal_units() {
        assert_eq!(super::human_bytes(999), "999 B");
        assert_eq!(super::human_bytes(242_634), "242.6 kB");
        assert_eq!(super::human_bytes(2_086_969), "2.1 MB");
    }
}
