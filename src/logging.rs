//! Log lines on stderr with `tracing`: `-v`/`-vv`, `--quiet` and `RUST_LOG`
//! choose how many; they are written through [`crate::progress`] so they never
//! garble the progress bars.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::EnvFilter;

use crate::cli::{OutputArgs, ProgressWhen};
use crate::progress;

/// Whether failed books and bad rows are named in the log as they happen.
static FAILURES_IN_LOG: AtomicBool = AtomicBool::new(false);

/// Whether the log names each failed book and bad row as it happens (a log
/// read as a file: not quiet, no bars). Otherwise the summary names them
/// (at most ten), so each is printed once, never in both places.
pub fn failures_in_log() -> bool {
    FAILURES_IN_LOG.load(Ordering::Relaxed)
}

/// Sets up logging and the progress display for the run.
pub fn init(args: &OutputArgs) {
    let terminal = std::io::stderr().is_terminal();
    let bars = draws_bars(args.progress, args.quiet, terminal);
    FAILURES_IN_LOG.store(!args.quiet && !bars, Ordering::Relaxed);
    progress::draw_on_stderr(bars, args.progress == ProgressWhen::Always);

    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level(args)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Redacting(progress::LogWriter))
        // Its own report of a failed write is an `eprintln!`, which panics
        // when stderr is a closed pipe: the writer drops such errors itself.
        .log_internal_errors(false)
        .with_target(args.verbose >= 2)
        .with_ansi(terminal);
    // A terminal user knows when; a cron or CI log needs the time on each line.
    let installed = if terminal { builder.without_time().try_init() } else { builder.with_timer(Rfc3339).try_init() };
    // Only fails if a subscriber is already set (in-process tests): keep that one.
    let _ = installed;
    tracing::debug!("log level {:?}, progress bars {}", level(args), if bars { "on" } else { "off" });
}

/// Each line's time as the report and the summary write theirs: RFC 3339,
/// UTC, to the millisecond.
struct Rfc3339;

impl tracing_subscriber::fmt::time::FormatTime for Rfc3339 {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        w.write_str(&crate::run_record::timestamp(std::time::SystemTime::now()))
    }
}

/// Log output with every secret hidden ([`crate::redact`]): gutenfetch's
/// own lines name URLs without passwords, but the libraries' trace lines
/// (suppaftp's `PASS …`) are written here too. tracing-subscriber formats an
/// event whole and writes it at once, so a secret is never split between
/// two writes.
struct Redacting<W>(W);

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::redact::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Whether to draw bars. `--quiet` wins over `--progress always`: quiet
/// promises errors and the summary only, so a cron line with `-q` stays clean
/// even if an alias adds `--progress always`.
fn draws_bars(when: ProgressWhen, quiet: bool, terminal: bool) -> bool {
    !quiet
        && match when {
            ProgressWhen::Auto => terminal,
            ProgressWhen::Always => true,
            ProgressWhen::Never => false,
        }
}

/// The log filter for the flags, when `RUST_LOG` does not say otherwise.
/// Warnings (retries, texts without markers, guessed encodings) and errors
/// (failed books, bad rows) by default, with a few progress lines when there
/// are no bars; -v adds a line per book and gutenfetch's debugging lines
/// (settings, manifest, selection); -vv gutenfetch's traces (each skipped
/// row) and the libraries' own debugging.
fn level(args: &OutputArgs) -> &'static str {
    match (args.quiet, args.verbose) {
        (true, _) => "error",
        (false, 0) => "warn,gutenfetch=info",
        (false, 1) => "warn,gutenfetch=debug",
        (false, _) => "debug,gutenfetch=trace",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_wins_over_progress_always() {
        assert!(!draws_bars(ProgressWhen::Always, true, true));
        assert!(!draws_bars(ProgressWhen::Auto, true, true));
        assert!(draws_bars(ProgressWhen::Always, false, false), "always draws without a terminal");
        assert!(draws_bars(ProgressWhen::Auto, false, true));
        assert!(!draws_bars(ProgressWhen::Auto, false, false));
        assert!(!draws_bars(ProgressWhen::Never, false, true));
    }
}
