//! The terminal while books are in flight: progress bars drawn by indicatif
//! (the writer every log line goes through, so it never garbles them, and the
//! prints that survive a closed pipe, are in [`terminal`]).
//!
//! The collector owns [`Progress`]; nothing else draws. The bars tick on
//! their own (elapsed time, rates and the ETA move while a long transfer
//! runs), count bytes as they arrive (transfers in flight included), and
//! fit the terminal's width: every line's variable part is a `wide_*` field
//! that indicatif sizes (and truncates) to the width at each draw, so a
//! resize re-fits them. Without bars (stderr not a terminal, `--quiet`,
//! `--progress never`) a plain progress line is logged every few seconds
//! instead, with no control codes.
//!
//! Sizes are in decimal units everywhere (kB, MB), in the bars as in
//! [`human_bytes`], the summary and the dry run.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{FormattedDuration, ProgressBar, ProgressState, ProgressStyle};

use crate::ebook::EbookNumber;
use crate::fetch::TransferUpdate;
use crate::outcome::{BookOutcome, Status};

mod terminal;

pub use terminal::{draw_on_stderr, fit_to_stdout, print_err, print_out, print_out_within, stop_drawing, LogWriter};
use terminal::{TERMINAL, TICKING};

/// How often a plain progress line is logged when there are no bars.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// How often the bars redraw on their own.
const TICK: Duration = Duration::from_millis(200);

/// A transfer's name is shortened to this many columns in its bar.
const NAME_COLUMNS: usize = 14;

/// What the bars' own keys read between events (they are drawn by ticks).
#[derive(Default)]
struct Shared {
    /// Bytes downloaded so far, transfers in flight included.
    bytes: AtomicU64,
    /// The run's bytes as estimated from the sizes known so far; 0 when none is.
    expected: AtomicU64,
}

/// A transfer in flight.
struct Transfer {
    bar: ProgressBar,
    bytes: u64,
    expected: Option<u64>,
}

/// Counts for the display of a fetch.
pub struct Progress {
    books: ProgressBar,
    transfers: ProgressBar,
    cleaning: ProgressBar,
    shared: Arc<Shared>,
    started: Instant,
    last_log: Instant,
    drawn: bool,
    total: usize,
    done: usize,
    failed: usize,
    /// Downloads completed: their bytes and how many.
    fetched_bytes: u64,
    fetched: usize,
    cleaned: usize,
    cleaned_bytes: u64,
    clean_seconds: f64,
    in_flight: HashMap<EbookNumber, Transfer>,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        let shared = Arc::new(Shared::default());
        let eta_shared = Arc::clone(&shared);
        let eta = move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let (bytes, expected) =
                (eta_shared.bytes.load(Ordering::Relaxed), eta_shared.expected.load(Ordering::Relaxed));
            if let Some(left) = eta_from_bytes(bytes, expected, state.elapsed()) {
                let _ = write!(w, ", eta {}", FormattedDuration(left));
            }
        };
        let style = |template: &str| ProgressStyle::with_template(template).expect("valid progress template");
        // There from the first moment, at 0/N.
        let books = TERMINAL.add(ProgressBar::new(total as u64));
        books.set_style(
            style("{wide_bar:.cyan/blue} {pos}/{len} books, {elapsed_precise}{eta}{msg}")
                .with_key("eta", eta)
                .progress_chars("=> "),
        );
        // Its position is the bytes so far, so indicatif keeps the rate.
        let transfers = TERMINAL.add(ProgressBar::new(0));
        transfers.set_style(style("  downloaded {decimal_bytes}, {decimal_bytes_per_sec}{wide_msg}"));
        let cleaning = TERMINAL.add(ProgressBar::new_spinner());
        // The last line, and short (never padded to the width): a Ctrl-C
        // echoed as `^C` after it then stays on its line, and clearing the
        // bars clears it too.
        cleaning.set_style(style("  {msg}"));
        let now = Instant::now();
        let drawn = !TERMINAL.is_hidden();
        if drawn {
            books.enable_steady_tick(TICK);
            transfers.enable_steady_tick(TICK);
            if let Ok(mut ticking) = TICKING.lock() {
                ticking.extend([books.clone(), transfers.clone(), cleaning.clone()]);
            }
        }
        let progress = Progress {
            books,
            transfers,
            cleaning,
            shared,
            started: now,
            last_log: now,
            drawn,
            total,
            done: 0,
            failed: 0,
            fetched_bytes: 0,
            fetched: 0,
            cleaned: 0,
            cleaned_bytes: 0,
            clean_seconds: 0.0,
            in_flight: HashMap::new(),
        };
        progress.redraw_lines();
        progress
    }

    /// A download finished with `bytes`.
    pub fn downloaded(&mut self, bytes: u64) {
        self.fetched_bytes += bytes;
        self.fetched += 1;
        self.update_bytes();
    }

    /// Follows each transfer as its bytes arrive, with a bar under the others while it runs.
    pub fn transfer(&mut self, ebook: EbookNumber, update: TransferUpdate) {
        match update {
            TransferUpdate::Started { name, expected } => {
                let bar = self.transfer_bar(&name, expected);
                let started = Transfer { bar, bytes: 0, expected };
                if let Some(old) = self.in_flight.insert(ebook, started) {
                    TERMINAL.remove(&old.bar);
                }
            }
            TransferUpdate::Progress { bytes } => {
                if let Some(transfer) = self.in_flight.get_mut(&ebook) {
                    transfer.bytes = bytes;
                    transfer.bar.set_position(bytes);
                }
            }
            TransferUpdate::Finished => {
                if let Some(transfer) = self.in_flight.remove(&ebook) {
                    transfer.bar.finish_and_clear();
                    TERMINAL.remove(&transfer.bar);
                }
            }
        }
        self.update_bytes();
    }

    fn transfer_bar(&self, name: &str, expected: Option<u64>) -> ProgressBar {
        if !self.drawn {
            return ProgressBar::hidden();
        }
        let bar = TERMINAL.insert_before(&self.cleaning, ProgressBar::new(expected.unwrap_or(0)));
        let template = if expected.is_some() {
            "  {prefix} {wide_bar:.green/white} {decimal_bytes:>9}/{decimal_total_bytes:<9} {decimal_bytes_per_sec:>11}"
        } else {
            "  {prefix} {spinner} {decimal_bytes:>9} {decimal_bytes_per_sec:>11}{wide_msg}"
        };
        bar.set_style(ProgressStyle::with_template(template).expect("valid progress template").progress_chars("=> "));
        let name = console::pad_str(name, NAME_COLUMNS, console::Alignment::Left, Some("…")).into_owned();
        bar.set_prefix(crate::terminal_safe::terminal_safe(&name).into_owned());
        bar
    }

    pub fn book_done(&mut self, outcome: &BookOutcome) {
        self.done += 1;
        match outcome.status {
            Status::Failed => self.failed += 1,
            Status::Ok | Status::Updated => {
                self.cleaned += 1;
                self.cleaned_bytes += outcome.raw_bytes;
                self.clean_seconds += outcome.clean_seconds;
            }
            Status::Skipped | Status::NotStarted | Status::Unchanged | Status::GoneUpstream => {}
        }
        self.books.inc(1);
        if self.failed > 0 {
            self.books.set_message(console::style(format!(", {} failed", self.failed)).red().to_string());
        }
        self.update_bytes();
        self.redraw_lines();
    }

    /// The bytes so far and the run's expected bytes, for the bars' ticks;
    /// without bars, a log line every few seconds.
    fn update_bytes(&mut self) {
        let in_flight = self.in_flight.values().map(|t| (t.bytes, t.expected));
        let bytes = self.fetched_bytes + self.in_flight.values().map(|t| t.bytes).sum::<u64>();
        let not_started = self.total.saturating_sub(self.done + self.in_flight.len());
        let expected = estimate_total(self.fetched_bytes, self.fetched, in_flight, not_started).unwrap_or(0);
        self.shared.bytes.store(bytes, Ordering::Relaxed);
        self.shared.expected.store(expected, Ordering::Relaxed);
        self.transfers.set_position(bytes);
        let flying = self.in_flight.len();
        self.transfers.set_message(if flying > 0 { format!(", {flying} in flight") } else { String::new() });
        if !self.drawn && self.last_log.elapsed() >= LOG_EVERY && self.done < self.total {
            self.last_log = Instant::now();
            tracing::info!(
                "progress: {}/{} books, {} failed, {} downloaded ({} in flight) in {:.0} s",
                self.done,
                self.total,
                self.failed,
                human_bytes(bytes),
                counted(flying, "transfer"),
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    fn redraw_lines(&self) {
        if !self.drawn {
            return;
        }
        let clean_rate = if self.clean_seconds > 0.0 {
            format!(", {}/s per core", human_bytes((self.cleaned_bytes as f64 / self.clean_seconds) as u64))
        } else {
            String::new()
        };
        self.cleaning.set_message(format!("cleaned {}{clean_rate}", counted(self.cleaned, "book")));
    }

    pub fn finish(&self) {
        let transfers = self.in_flight.values().map(|t| &t.bar);
        for bar in [&self.books, &self.transfers, &self.cleaning].into_iter().chain(transfers) {
            bar.finish_and_clear();
            TERMINAL.remove(bar);
        }
    }
}

/// The run's bytes, estimated: what is done, what is in flight (its
/// announced size, or what came so far), and for each book not started the
/// average of those whose size is known. `None` until some size is known.
fn estimate_total(
    fetched_bytes: u64,
    fetched: usize,
    in_flight: impl Iterator<Item = (u64, Option<u64>)>,
    not_started: usize,
) -> Option<u64> {
    let (mut flying, mut known, mut known_count) = (0, fetched_bytes, fetched as u64);
    for (bytes, expected) in in_flight {
        flying += expected.unwrap_or(bytes).max(bytes);
        if let Some(size) = expected {
            known += size;
            known_count += 1;
        }
    }
    let average = known.checked_div(known_count)?;
    Some(fetched_bytes + flying + average * not_started as u64)
}

/// Time left at the average rate so far, once the expected bytes are known.
fn eta_from_bytes(bytes: u64, expected: u64, elapsed: Duration) -> Option<Duration> {
    if expected == 0 || bytes == 0 {
        return None;
    }
    let left = expected.saturating_sub(bytes) as f64;
    Some(Duration::from_secs_f64(left * elapsed.as_secs_f64() / bytes as f64))
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
    use super::*;

    #[test]
    fn human_bytes_uses_decimal_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(242_634), "242.6 kB");
        assert_eq!(human_bytes(2_086_969), "2.1 MB");
    }

    #[test]
    fn the_total_is_estimated_from_the_sizes_known() {
        assert_eq!(estimate_total(0, 0, std::iter::empty(), 10), None, "nothing known yet");
        assert_eq!(estimate_total(0, 0, [(10, None)].into_iter(), 10), None, "no size announced yet");
        // One done (300), one in flight of 500 announced: 400 a book for the 3 not started.
        assert_eq!(estimate_total(300, 1, [(100, Some(500))].into_iter(), 3), Some(300 + 500 + 3 * 400));
        assert_eq!(estimate_total(300, 1, [(700, Some(500))].into_iter(), 0), Some(1000), "more than announced");
    }

    #[test]
    fn the_eta_follows_the_rate_so_far() {
        assert_eq!(eta_from_bytes(0, 100, Duration::from_secs(5)), None);
        assert_eq!(eta_from_bytes(50, 0, Duration::from_secs(5)), None);
        assert_eq!(eta_from_bytes(25, 100, Duration::from_secs(10)), Some(Duration::from_secs(30)));
    }
}
