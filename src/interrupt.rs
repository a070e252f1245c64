//! Signals that end a run early: SIGINT (Ctrl-C), SIGTERM (schedulers,
//! `timeout`, `kill`), SIGHUP (a closed terminal or session) and SIGQUIT.
//!
//! The first asks the run to stop starting books; those in flight are
//! abandoned (their temporary files removed) and the report is written. The
//! report is never skipped, because signals come in bursts: `timeout -s TERM`
//! sends one to the process and one to its group, a cron daemon a TERM and
//! then another. So a later signal only *hurries* the run (no polite QUIT to
//! the mirror, no cleaning of books still queued) until the report is on
//! disk; from then on, any signal ends the process at once.
//!
//! The watch runs on the run's tokio runtime, which lives until the report
//! and the summary are written, so it works at every step of a run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::watch;

/// Whether the run was asked to stop; cheap to clone, one per stage.
pub type Interrupted = watch::Receiver<bool>;

/// Set by a second signal: finish with the report as soon as possible.
static HURRY: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::channel(false).0);

/// The report is on disk: nothing is lost by ending the process at once.
static REPORT_WRITTEN: AtomicBool = AtomicBool::new(false);

/// The signals a run handles.
struct Signals {
    int: Signal,
    term: Signal,
    hup: Signal,
    quit: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    /// The next signal, by name.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
            _ = self.hup.recv() => "SIGHUP",
            _ = self.quit.recv() => "SIGQUIT",
        }
    }
}

/// Starts watching for the signals on `runtime`. The handlers are in place
/// when this returns, so no signal sent afterwards is missed.
pub fn watch(runtime: &tokio::runtime::Runtime) -> Interrupted {
    let (tx, rx) = watch::channel(false);
    HURRY.send_replace(false);
    REPORT_WRITTEN.store(false, Ordering::SeqCst);
    let _context = runtime.enter();
    match Signals::new() {
        Ok(signals) => {
            runtime.spawn(stop_then_hurry(signals, tx));
        }
        Err(err) => tracing::warn!("cannot watch for signals ({err}): a signal ends the run without a report"),
    }
    rx
}

/// Whether a second signal asked to finish as soon as possible.
pub fn hurried() -> bool {
    *HURRY.borrow()
}

/// Resolves once a second signal has asked to finish as soon as possible.
pub async fn hurry() {
    let mut hurry = HURRY.subscribe();
    let _ = hurry.wait_for(|hurry| *hurry).await;
}

/// Says the report is on disk: a signal from now on ends the process at once.
pub fn report_written() {
    REPORT_WRITTEN.store(true, Ordering::SeqCst);
}

/// The first signal stops the run; later ones hurry it, or end the process
/// once the report is written.
async fn stop_then_hurry(mut signals: Signals, interrupted: watch::Sender<bool>) {
    let mut first = true;
    loop {
        let name = signals.next().await;
        if REPORT_WRITTEN.load(Ordering::SeqCst) {
            // The one exit outside main, as the user asked for it: the report
            // is written and every file is complete under its final name.
            std::process::exit(crate::ExitCode::Interrupted.code());
        }
        if first {
            first = false;
            tracing::warn!(
                "{name}: starting no more books, abandoning those in flight, then writing the report \
                 (a second signal skips the rest and quits once the report is written)"
            );
            let _ = interrupted.send(true);
        } else if !HURRY.send_replace(true) {
            tracing::warn!("{name} again: quitting as soon as the report is written");
        }
    }
}
