//! The progress display: owned by the collector, the one place that writes to
//! the terminal while books are in flight.
//!
//! indicatif hides its bars when stderr is not a terminal, so under cron or
//! in CI only the plain lines passed to [`Progress::line`] appear.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(books: usize, enabled: bool) -> Self {
        let target = if enabled { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(books as u64), target);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} books  {msg}  [{elapsed_precise}, eta {eta}]")
                .expect("valid progress template"),
        );
        Progress { bar }
    }

    /// Counts a finished book; `failed` is the running failure count.
    pub fn book_done(&self, failed: usize, bytes: u64) {
        self.bar.inc(1);
        let failed = if failed > 0 { format!(", {failed} failed") } else { String::new() };
        self.bar.set_message(format!("{}{failed}", human_bytes(bytes)));
    }

    /// Prints a log line above the bars without garbling them.
    pub fn line(&self, text: &str) {
        self.bar.suspend(|| eprintln!("{text}"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
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
