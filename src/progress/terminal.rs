//! Everything that reaches the terminal goes through here: the one
//! multi-bar on stderr that [`super::Progress`] draws into, the writer every
//! log line passes through (it lifts the bars out of the way and shortens
//! lines to the terminal's width), and the prints of the summary that a
//! closed stdout or stderr must not turn into a panic.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
        // Buffered, 20 draws a second at most, as indicatif's own stderr target.
        (true, _) => ProgressDrawTarget::term_like_with_hz(Box::new(RoomForCtrlC::stderr()), 20),
    };
    TERMINAL.set_draw_target(target);
}

/// stderr for the bars, with the cursor left two columns short of the
/// right edge. indicatif pads every bar line with spaces to the terminal's
/// width and lets the terminal wrap to the next; after the last line the
/// cursor then sits at the edge, where the `^C` a terminal echoes for
/// Ctrl-C wraps onto a line of its own, indicatif clears one line too few,
/// and the top bar stays on screen above the messages that follow. So the
/// bars are laid out two columns narrower, each line's padding gets those
/// two columns back, except the last line's.
#[derive(Debug)]
struct RoomForCtrlC {
    term: console::Term,
    /// Padding written after the last line so far, held until it is known
    /// whether another line follows (`usize::MAX`: none held).
    padding: AtomicUsize,
}

/// The columns kept free at the end of the last bar line.
const CTRL_C_ROOM: usize = 2;

impl RoomForCtrlC {
    fn stderr() -> Self {
        RoomForCtrlC { term: console::Term::buffered_stderr(), padding: AtomicUsize::new(usize::MAX) }
    }

    /// Writes the padding held, plus the room when more follows on the next line.
    fn settle(&self, more_follows: bool) -> std::io::Result<()> {
        match self.padding.swap(usize::MAX, Ordering::Relaxed) {
            usize::MAX => Ok(()),
            held => self.term.write_str(&" ".repeat(held + if more_follows { CTRL_C_ROOM } else { 0 })),
        }
    }
}

impl indicatif::TermLike for RoomForCtrlC {
    fn width(&self) -> u16 {
        self.term.size().1.saturating_sub(CTRL_C_ROOM as u16)
    }

    fn height(&self) -> u16 {
        self.term.size().0
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.settle(true)?;
        self.term.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.settle(true)?;
        self.term.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.settle(true)?;
        self.term.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.settle(true)?;
        self.term.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.settle(true)?;
        self.term.write_line(s)
    }

    /// A run of spaces (or nothing) is a line's padding, held; anything else
    /// is text, after the padding before it.
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.settle(true)?;
        if s.bytes().all(|b| b == b' ') {
            self.padding.store(s.len(), Ordering::Relaxed);
            return Ok(());
        }
        self.term.write_str(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.settle(true)?;
        self.term.clear_line()
    }

    fn flush(&self) -> std::io::Result<()> {
        self.settle(false)?;
        self.term.flush()
    }
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

/// `text` for stdout: on a terminal each line is cut to its width, so a long
/// failure line does not wrap on a narrow screen (the report and a summary
/// written to a file keep every line whole).
pub fn fit_to_stdout(text: String) -> String {
    if !std::io::stdout().is_terminal() {
        return text;
    }
    // A line that fills the last column leaves some terminals waiting to wrap.
    fit_lines(&text, usize::from(console::Term::stdout().size().1.saturating_sub(1)))
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
