//! Signals that end a run early: SIGINT (Ctrl-C), SIGTERM (schedulers,
//! `timeout`, `kill`), SIGHUP (a closed terminal or session), SIGQUIT and
//! the others in [`HANDLED`].
//!
//! The first asks the run to stop starting books; those in flight are
//! abandoned (their temporary files removed) and the report is written. The
//! report is never skipped, because signals come in bursts: `timeout -s TERM`
//! sends one to the process and one to its group, a cron daemon a TERM and
//! then another. So a later signal only *hurries* the run (no polite QUIT to
//! the mirror, no cleaning of books still queued, no waiting on a stdout
//! that does not take the summary): it exits as soon as the report is on
//! disk and the summary printed or given up. From then on, any signal ends
//! the process at once.
//!
//! The watch runs on the run's tokio runtime, which lives until the report
//! and the summary are written, so it works at every step of a run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, watch};

/// Whether the run was asked to stop; cheap to clone, one per stage.
pub type Interrupted = watch::Receiver<bool>;

/// Set by a second signal: finish with the report as soon as possible.
static HURRY: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::channel(false).0);

/// The report is on disk: nothing is lost by ending the process at once.
static REPORT_WRITTEN: AtomicBool = AtomicBool::new(false);

/// The signals a run handles: every one whose default action ends the
/// process and that is sent to end it, by a person, a scheduler or a limit
/// (CPU time, file size), so that none leaves a temporary file or skips the
/// report. SIGKILL cannot be handled; the crash signals (SIGSEGV, SIGABRT…)
/// should not be; SIGPIPE is ignored by Rust, so a closed pipe is an error
/// on the write instead.
const HANDLED: [(libc::c_int, &str); 9] = [
    (libc::SIGINT, "SIGINT"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGHUP, "SIGHUP"),
    (libc::SIGQUIT, "SIGQUIT"),
    (libc::SIGUSR1, "SIGUSR1"),
    (libc::SIGUSR2, "SIGUSR2"),
    (libc::SIGALRM, "SIGALRM"),
    (libc::SIGXCPU, "SIGXCPU"),
    (libc::SIGXFSZ, "SIGXFSZ"),
];

/// Installs the handlers now and forwards each signal's name, as it comes,
/// from a task per kind to one channel.
fn forward_signals(runtime: &tokio::runtime::Runtime) -> std::io::Result<mpsc::UnboundedReceiver<&'static str>> {
    let (tx, rx) = mpsc::unbounded_channel();
    for (number, name) in HANDLED {
        let mut signal = signal(SignalKind::from_raw(number))?;
        let tx = tx.clone();
        runtime.spawn(async move { while signal.recv().await.is_some() && tx.send(name).is_ok() {} });
    }
    Ok(rx)
}

/// Starts watching for the signals on `runtime`. The handlers are in place
/// when this returns, so no signal sent afterwards is missed.
pub fn watch(runtime: &tokio::runtime::Runtime) -> Interrupted {
    let (tx, rx) = watch::channel(false);
    HURRY.send_replace(false);
    REPORT_WRITTEN.store(false, Ordering::SeqCst);
    let _context = runtime.enter();
    match forward_signals(runtime) {
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
async fn stop_then_hurry(mut signals: mpsc::UnboundedReceiver<&'static str>, interrupted: watch::Sender<bool>) {
    let mut first = true;
    while let Some(name) = signals.recv().await {
        if REPORT_WRITTEN.load(Ordering::SeqCst) {
            // The one exit outside main, as the user asked for it: the report
            // is written and every file is complete under its final name.
            std::process::exit(crate::ExitCode::Interrupted.code());
        }
        if first {
            first = false;
            // The bars go first, so the messages that follow stand alone.
            crate::progress::stop_drawing();
            tracing::warn!(
                "{name}: starting no more books, abandoning those in flight, then writing the report \
                 (a second signal skips the rest and quits once the report is written)"
            );
            let _ = interrupted.send(true);
        } else if !HURRY.send_replace(true) {
            tracing::warn!("{name}, a second signal: quitting as soon as the report is written");
        }
    }
}
