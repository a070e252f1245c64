//! Everything that reaches the terminal goes through here: the one
//! multi-bar on stderr that [`super::Progress`] draws into, the writer every
//! log line passes through (it lifts the bars out of the way and shortens
//! lines to the terminal's width), and the prints of the summary that a
//! closed stdout or stderr must not turn into a panic.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};

/// The one multi-bar on stderr; hidden until [`draw_on_stderr`] says otherwise.
pub(super) static TERMINAL: LazyLock<MultiProgress> =
    LazyLock::new(|| MultiProgress::with_draw_target(ProgressDrawTarget::hidden()));

/// Whether log lines go to a terminal, where long ones are shortened to its width.
static LOG_TO_TERMINAL: AtomicBool = AtomicBool::new(false);

/// Draws the bars on stderr from now on; `force` draws even when stderr is
/// not a terminal (`--progress always`).
pub fn draw_on_stderr(enabled: bool, force: bool) {
    LOG_TO_TERMINAL.store(std::io::stderr().is_terminal(), Ordering::Relaxed);
    let target = match (enabled, force) {
        (false, _) => ProgressDrawTarget::hidden(),
        (true, false) => ProgressDrawTarget::stderr(),
        (true, true) => ProgressDrawTarget::term_like(Box::new(console::Term::stderr())),
    };
    TERMINAL.set_draw_target(target);
}

/// The bars that tick on their own, to be stopped before the display is cleared.
pub(super) static TICKING: std::sync::Mutex<Vec<ProgressBar>> = std::sync::Mutex::new(Vec::new());

/// Clears the bars and draws no more: after Ctrl-C, so the messages that
/// follow are not mixed with a stale display. The ticks stop first, or one
/// could draw a bar again between the clearing and the hiding.
pub fn stop_drawing() {
    for bar in TICKING.lock().map(|mut bars| std::mem::take(&mut *bars)).unwrap_or_default() {
        bar.disable_steady_tick();
        bar.finish_and_clear();
    }
    let _ = TERMINAL.clear();
    TERMINAL.set_draw_target(ProgressDrawTarget::hidden());
}

/// Writes log lines to stderr with the bars lifted out of the way; on a
/// terminal each line is shortened to its width (the report, and a log
/// written to a file, keep them whole).
///
/// A stderr that cannot be written (a closed pipe, as in `2>&1 | head`, or
/// the terminal of a closed session after SIGHUP) loses the log lines, never
/// the run: errors are swallowed here, so no layer above reports or panics on them.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let fitted = match LOG_TO_TERMINAL.load(Ordering::Relaxed) {
            // A line that fills the last column leaves some terminals waiting to wrap.
            true => fit_lines(&text, usize::from(console::Term::stderr().size().1.saturating_sub(1))),
            false => text.into_owned(),
        };
        let _ = TERMINAL.suspend(|| std::io::stderr().write_all(fitted.as_bytes()));
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

/// [`print_out`], waiting at most `wait` for stdout to take `text`: a
/// stalled reader keeps only the thread printing it, which ends with the
/// process.
pub fn print_out_within(text: String, wait: Duration) {
    let (printed, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        print_out(&text);
        let _ = printed.send(());
    });
    let _ = done.recv_timeout(wait);
}

/// Prints `text` on stderr, or nothing when stderr is closed.
pub fn print_err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
}

/// Each line of `text` cut to `columns` (ANSI colours kept), ending in `…` when cut.
fn fit_lines(text: &str, columns: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |body| (body, "\n"));
        out.push_str(&console::truncate_str(body, columns.max(10), "…"));
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_are_cut_to_the_width_on_a_terminal() {
        let long = format!("{}\nshort\n", "x".repeat(100));
        assert_eq!(fit_lines(&long, 60), format!("{}…\nshort\n", "x".repeat(59)));
        let coloured = format!("\x1b[31m{}\x1b[0m\n", "y".repeat(80));
        assert_eq!(console::measure_text_width(fit_lines(&coloured, 40).trim_end()), 40);
    }
}
