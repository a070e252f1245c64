//! SIGINT and SIGTERM: the first asks the run to stop starting books, the
//! second ends the process at once.
//!
//! The watch runs on the run's tokio runtime, which lives until the report
//! and the summary are written, so a second Ctrl-C works at every step of a
//! run, the last ones included.

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::watch;

/// Whether the run was asked to stop; cheap to clone, one per stage.
pub type Interrupted = watch::Receiver<bool>;

/// Starts watching for SIGINT and SIGTERM on `runtime`. The handlers are in
/// place when this returns, so no signal sent afterwards is missed.
pub fn watch(runtime: &tokio::runtime::Runtime) -> Interrupted {
    let (tx, rx) = watch::channel(false);
    let _context = runtime.enter();
    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(int), Ok(term)) => {
            runtime.spawn(stop_then_exit(int, term, tx));
        }
        _ => tracing::warn!("cannot watch for SIGINT and SIGTERM: Ctrl-C ends the run without a report"),
    }
    rx
}

/// Sets the flag on the first signal; exits at once on the second.
async fn stop_then_exit(mut int: Signal, mut term: Signal, interrupted: watch::Sender<bool>) {
    tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
    // The bars go first, so the messages that follow stand alone.
    crate::progress::stop_drawing();
    tracing::warn!(
        "interrupted: starting no more books, abandoning those in flight, then writing the report \
         (press Ctrl-C again to quit at once)"
    );
    let _ = interrupted.send(true);
    tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
    // The one exit outside main, as the user asked for it: files are only
    // ever renamed into place complete, so none is left half-written under
    // its final name; stray temporary files are removed by the next run.
    std::process::exit(crate::ExitCode::Interrupted.code());
}
