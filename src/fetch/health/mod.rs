//! The mirror's health, which is the run's and not any one book's: whether
//! the mirror has answered yet, whether an outage is being waited out, and
//! whether the run must stop. Only this decides that the run stops.
//!
//! Books ask it before they start ([`Health::admit`]) and tell it what each
//! request gave ([`Health::answered`], [`Health::wait_out`]):
//! - until the mirror has answered once, one book at a time goes ahead (the
//!   scout), so a dead mirror costs a few probes rather than a try per book,
//!   and an FTP login is made once before any other connection is opened;
//! - when requests fail at the connection level, no book starts; one of the
//!   failed requests is tried again with backoff (the probe) while the others
//!   wait, uncharged; the first answer ends the outage;
//! - the wait is bounded: by [`Budgets::start`] for a mirror that never
//!   answered (exit 2), by [`Budgets::outage`] once it had (exit 1).
//!
//! A refused login or a root that is not a Gutenberg tree stops the run at
//! once ([`Health::stop`]).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
// tokio's clock, so the tests can run it paused.
use tokio::time::Instant;

use super::error::BookError;
use crate::exit_code::ExitCode;

/// The first probe of an outage waits this long; each next one twice as long…
const PROBE_FIRST: Duration = Duration::from_millis(250);
/// …up to this, so a mirror that comes back is noticed within seconds.
const PROBE_CAP: Duration = Duration::from_secs(5);

/// A mirror that has never answered is given this long from the run's start:
/// with a connection attempt that times out (`--timeout`, 30 s by default)
/// counted from before the deadline, and the report written after it, a run
/// against a dead mirror still ends within about 30 s.
const START_BUDGET: Duration = Duration::from_secs(25);

/// How long the mirror is waited for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// A mirror that has never answered, counted from the run's start.
    pub start: Duration,
    /// An outage after the mirror has answered.
    pub outage: Duration,
}

impl Budgets {
    /// [`START_BUDGET`] for a mirror that never answered (less when the
    /// outage budget is shorter), `outage` for an outage mid-run.
    pub fn new(outage: Duration) -> Self {
        Budgets { start: outage.min(START_BUDGET), outage }
    }
}

/// Why the run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopKind {
    /// The mirror never answered.
    Unreachable,
    /// It refused the login.
    Credentials,
    /// Its root is not a Gutenberg tree.
    WrongRoot,
    /// It stopped answering for longer than the outage budget.
    OutageTooLong,
}

/// The run stops: the books not yet started are reported with `reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    pub kind: StopKind,
    /// One line, for the log, the summary and the report.
    pub reason: String,
}

impl Stop {
    pub fn new(kind: StopKind, reason: impl Into<String>) -> Self {
        Stop { kind, reason: reason.into() }
    }

    /// The run could not start (2), or it did and was cut short (1).
    pub fn exit_code(&self) -> ExitCode {
        match self.kind {
            StopKind::OutageTooLong => ExitCode::BooksFailed,
            StopKind::Unreachable | StopKind::Credentials | StopKind::WrongRoot => ExitCode::Fatal,
        }
    }
}

pub struct Health {
    /// `HOST:PORT`, for messages.
    address: String,
    budgets: Budgets,
    /// When the run began: a mirror that never answered has until `started + budgets.start`.
    started: Instant,
    state: Mutex<State>,
    /// Woken when the mirror answers, a scout ends, or the run stops.
    changed: Notify,
}

#[derive(Default)]
struct State {
    /// When the mirror last answered anything; `None` until it first does.
    last_answer: Option<Instant>,
    /// A book is out before the mirror has answered.
    scouting: bool,
    outage: Option<Outage>,
    /// A book is waiting to probe (its request will be the probe).
    probing: bool,
    stop: Option<Stop>,
    /// A book's file was found: the root is right.
    found_a_book: bool,
    root_checked: bool,
}

struct Outage {
    since: Instant,
    deadline: Instant,
    probes: u32,
    /// The last failure's cause.
    cause: String,
}

/// How a connection-level failure was handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waited {
    /// The outage was waited out (or is being probed): try again, uncharged.
    Out,
    /// The mirror answered others meanwhile: an ordinary failure of this request.
    Not,
}

/// The right to start a book; a scout's gives its turn to the next book when dropped.
pub struct Admitted {
    scout: Option<Arc<Health>>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if let Some(health) = self.scout.take() {
            health.lock().scouting = false;
            health.changed.notify_waiters();
        }
    }
}

/// Clears the probing mark if the probe is given up before its request.
struct Probing<'h>(&'h Health);

impl Drop for Probing<'_> {
    fn drop(&mut self) {
        self.0.lock().probing = false;
    }
}

impl Health {
    pub fn new(address: String, budgets: Budgets) -> Arc<Self> {
        let started = Instant::now();
        Arc::new(Health { address, budgets, started, state: Mutex::new(State::default()), changed: Notify::new() })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("health lock")
    }

    /// Waits until a book may start: the mirror has answered and is not in an
    /// outage, or it has not answered yet and no other book is out. `Err`
    /// when the run has stopped.
    pub async fn admit(self: &Arc<Self>) -> Result<Admitted, Stop> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before looking, so a change meanwhile is not missed.
            changed.as_mut().enable();
            {
                let mut state = self.lock();
                if let Some(stop) = &state.stop {
                    return Err(stop.clone());
                }
                if state.outage.is_none() {
                    if state.last_answer.is_some() {
                        return Ok(Admitted { scout: None });
                    }
                    if !state.scouting {
                        state.scouting = true;
                        return Ok(Admitted { scout: Some(Arc::clone(self)) });
                    }
                }
            }
            changed.await;
        }
    }

    /// The mirror answered a request (any reply, even an error status).
    pub fn answered(&self) {
        let mut state = self.lock();
        let first = state.last_answer.is_none();
        state.last_answer = Some(Instant::now());
        let ended = state.outage.take();
        if let Some(outage) = &ended {
            if !first {
                let after = outage.since.elapsed().as_secs_f64();
                tracing::warn!("the mirror {} answers again after {after:.1} s: books start again", self.address);
            }
        }
        if first || ended.is_some() {
            self.changed.notify_waiters();
        }
    }

    /// A book's file was found on the mirror.
    pub fn found_a_book(&self) {
        self.lock().found_a_book = true;
    }

    /// Whether to look at the mirror's root now: true once, for the first
    /// book not found, unless a book has been found before it.
    pub fn root_check_due(&self) -> bool {
        let mut state = self.lock();
        let due = !state.found_a_book && !state.root_checked;
        state.root_checked = true;
        due
    }

    /// Why the run stopped, if it did.
    pub fn stopped(&self) -> Option<Stop> {
        self.lock().stop.clone()
    }

    /// Stops the run (the first reason wins, and is logged once); returns the reason that holds.
    pub fn stop(&self, stop: Stop) -> Stop {
        self.stop_locked(&mut self.lock(), stop)
    }

    fn stop_locked(&self, state: &mut State, stop: Stop) -> Stop {
        if let Some(first) = &state.stop {
            return first.clone();
        }
        tracing::error!("{}", stop.reason);
        state.stop = Some(stop.clone());
        self.changed.notify_waiters();
        stop
    }

    /// A request made at `asked` failed at the connection level. Returns
    /// when it should be made again: [`Waited::Out`] (not charged to the
    /// book) after a backoff if this book probes, or when the mirror answers
    /// the probe of another; [`Waited::Not`] at once if the mirror has
    /// answered others since the request was made: then the failure is the
    /// book's own, for its retry policy (a mirror that refuses some
    /// connections is not hammered). `Err` when the run stops.
    pub async fn wait_out(&self, error: &BookError, asked: Instant) -> Result<Waited, Stop> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let (probe, deadline) = {
                let mut state = self.lock();
                if let Some(stop) = &state.stop {
                    return Err(stop.clone());
                }
                if state.outage.is_none() && state.last_answer.is_some_and(|at| at > asked) {
                    return Ok(Waited::Not);
                }
                let now = Instant::now();
                let probing = state.probing;
                let outage = self.outage(&mut state, cause_of(&error.message), now);
                let deadline = outage.deadline;
                if probing {
                    (None, deadline)
                } else {
                    // The last probe is made at the deadline; a failure after it ends the run.
                    let delay = probe_delay(outage.probes).min(deadline.saturating_duration_since(now));
                    if delay.is_zero() {
                        return Err(self.give_up(&mut state));
                    }
                    outage.probes += 1;
                    state.probing = true;
                    (Some(delay), deadline)
                }
            };
            match probe {
                Some(delay) => {
                    let _probing = Probing(self);
                    tokio::time::sleep(delay).await;
                    return Ok(Waited::Out);
                }
                // The deadline too: should the probing book be dropped, a waiter takes over.
                None => {
                    let _ = tokio::time::timeout_at(deadline, changed).await;
                }
            }
        }
    }

    /// The outage going on, or one starting now with this failure.
    fn outage<'s>(&self, state: &'s mut State, cause: String, now: Instant) -> &'s mut Outage {
        let answered_before = state.last_answer.is_some();
        let outage = state.outage.get_or_insert_with(|| {
            // Before the first answer the budget runs from the run's start, so
            // a first attempt that timed out has already spent its share.
            let deadline = if answered_before { now + self.budgets.outage } else { self.started + self.budgets.start };
            if answered_before {
                tracing::warn!(
                    "the mirror {} does not answer ({cause}): no book starts until it does, for at most {} s",
                    self.address,
                    self.budgets.outage.as_secs()
                );
            }
            Outage { since: now, deadline, probes: 0, cause: String::new() }
        });
        outage.cause = cause;
        outage
    }

    fn give_up(&self, state: &mut State) -> Stop {
        let outage = state.outage.as_ref().expect("an outage is going on");
        let stop = if state.last_answer.is_none() {
            Stop::new(StopKind::Unreachable, format!("cannot reach the mirror {}: {}", self.address, outage.cause))
        } else {
            let reason = format!(
                "the mirror {} has not answered for {} s, the outage budget ({}): \
                 the books not started are left for the next run",
                self.address,
                self.budgets.outage.as_secs(),
                outage.cause,
            );
            Stop::new(StopKind::OutageTooLong, reason)
        };
        self.stop_locked(state, stop)
    }
}

/// The wait before probe number `probes` (0 for the first) of an outage.
fn probe_delay(probes: u32) -> Duration {
    PROBE_FIRST.saturating_mul(1 << probes.min(16)).min(PROBE_CAP)
}

/// The innermost cause in an error's message (`GET x: error sending request:
/// tcp connect error: Connection refused` → `Connection refused`).
fn cause_of(message: &str) -> String {
    let cause = message.rsplit(": ").next().unwrap_or(message).trim();
    if cause.is_empty() {
        message.to_owned()
    } else {
        cause.to_owned()
    }
}

#[cfg(test)]
mod tests;
