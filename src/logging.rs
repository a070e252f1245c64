//! Log lines on stderr with `tracing`: `-v`/`-vv`, `--quiet` and `RUST_LOG`
//! choose how many; they are written through [`crate::progress`] so they never
//! garble the progress bars.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::{OutputArgs, ProgressWhen};
use crate::progress;

/// Sets up logging and the progress display for the run.
pub fn init(args: &OutputArgs) {
    let terminal = std::io::stderr().is_terminal();
    let bars = match args.progress {
        ProgressWhen::Auto => terminal && !args.quiet,
        ProgressWhen::Always => true,
        ProgressWhen::Never => false,
    };
    progress::draw_on_stderr(bars, args.progress == ProgressWhen::Always);

    // Warnings (retries, texts without markers, guessed encodings) and errors
    // (failed books) by default, with a few progress lines when there are no
    // bars; -v adds a line per book, -vv the libraries' own debugging.
    let level = match (args.quiet, args.verbose) {
        (true, _) => "error",
        (false, 0) => "warn,gutenfetch=info",
        (false, 1) => "warn,gutenfetch=debug",
        (false, _) => "debug,gutenfetch=trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| progress::LogWriter)
        .with_target(args.verbose >= 2)
        .with_ansi(terminal);
    // A terminal user knows when; a cron or CI log needs the time on each line.
    let installed = if terminal { builder.without_time().try_init() } else { builder.try_init() };
    // Only fails if a subscriber is already set (in-process tests): keep that one.
    let _ = installed;
}
