//! When to try a failed request again, and how long to wait first: one small
//! policy for every transport, after cargo's (`util/network/retry.rs`).
//!
//! Transient failures (dropped connections, timeouts, HTTP 5xx and 429, HTML
//! pages in place of a file, FTP 4xx replies, transfers of the wrong size)
//! are retried with exponential backoff and jitter, up to a bound; a server's
//! `Retry-After` is honoured; permanent failures (404, FTP 550, no text in
//! the folder) never are. Running out of file descriptors is the process's
//! trouble, not the book's: it is waited out apart from the retries.

use std::time::Duration;

use crate::fetch::{BookError, Persistence};

/// The retry schedule of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first try of a request.
    pub retries: u32,
    /// Backoff before the first retry; it doubles with each retry.
    pub base: Duration,
    /// No backoff is longer than this.
    pub cap: Duration,
    /// A server asking for a longer wait than this is not waited for.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    pub fn new(retries: u32) -> Self {
        RetryPolicy {
            retries,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }

    /// The wait before retry number `retry` (1 for the first) of `error`, or
    /// `None` when it must not be retried. `jitter` is uniform in [0, 1).
    pub fn delay(&self, error: &BookError, retry: u32, jitter: f64) -> Option<Duration> {
        if error.persistence == Persistence::Permanent || retry > self.retries {
            return None;
        }
        if let Some(asked) = error.retry_after {
            return (asked <= self.max_retry_after).then_some(asked);
        }
        let backoff = self.base.saturating_mul(1 << (retry - 1).min(16)).min(self.cap);
        Some(with_jitter(backoff, jitter))
    }
}

/// Waits for descriptors are short: transfers end all the time.
const DESCRIPTOR_WAIT_BASE: Duration = Duration::from_millis(50);
pub const DESCRIPTOR_WAIT_CAP: Duration = Duration::from_secs(2);
/// About a minute of waiting in all, once the backoff reaches its cap.
pub const DESCRIPTOR_WAITS: u32 = 36;

/// The wait before try again number `wait` (1 for the first) of a request
/// that failed for lack of file descriptors, or `None` when it has waited
/// enough and must count as a failed try after all. Those waits are not
/// the book's retries: the descriptors are held by other transfers,
/// which end and give them back (a process that cannot open even one
/// file still ends, after [`DESCRIPTOR_WAITS`] waits of at most
/// [`DESCRIPTOR_WAIT_CAP`]).
pub fn descriptor_delay(wait: u32, jitter: f64) -> Option<Duration> {
    if wait > DESCRIPTOR_WAITS {
        return None;
    }
    let backoff = DESCRIPTOR_WAIT_BASE.saturating_mul(1 << (wait - 1).min(16)).min(DESCRIPTOR_WAIT_CAP);
    Some(with_jitter(backoff, jitter))
}

/// Runs `op` (blocking, opening files) again while it fails for lack of
/// file descriptors (`lacking` says), sleeping [`descriptor_delay`] between
/// tries: for threads with nothing else to do meanwhile (the cleaner, the
/// plan), since what they would do next needs descriptors too.
pub fn waiting_for_descriptors<T, E>(
    lacking: impl Fn(&E) -> bool,
    mut op: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    let mut waits = 0;
    loop {
        match op() {
            Err(err) if lacking(&err) => {
                waits += 1;
                let Some(delay) = descriptor_delay(waits, fastrand::f64()) else { return Err(err) };
                std::thread::sleep(delay);
            }
            done => return done,
        }
    }
}

/// "Equal jitter": half the backoff for sure, half at random, so clients
/// that failed together do not come back together.
fn with_jitter(backoff: Duration, jitter: f64) -> Duration {
    backoff / 2 + backoff.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Stage;

    fn transient() -> BookError {
        BookError::transient(Stage::Download, "connection reset")
    }

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy::new(10);
        let delays: Vec<_> = (1..=8).map(|retry| policy.delay(&transient(), retry, 0.0).unwrap()).collect();
        assert_eq!(delays, [250, 500, 1000, 2000, 4000, 8000, 15000, 15000].map(ms));
        assert_eq!(policy.delay(&transient(), 1, 0.999_999).unwrap().as_millis(), 499);
        assert_eq!(policy.delay(&transient(), 3, 0.5).unwrap(), ms(1500));
        assert_eq!(RetryPolicy::new(40).delay(&transient(), 30, 1.0).unwrap(), Duration::from_secs(30));
    }

    #[test]
    fn tries_are_bounded() {
        let policy = RetryPolicy::new(2);
        assert!(policy.delay(&transient(), 2, 0.0).is_some());
        assert!(policy.delay(&transient(), 3, 0.0).is_none());
        assert!(RetryPolicy::new(0).delay(&transient(), 1, 0.0).is_none());
    }

    #[test]
    fn waits_for_descriptors_are_short_bounded_and_apart_from_the_retries() {
        let waits: Vec<_> = (1..=7).map(|wait| descriptor_delay(wait, 0.0).unwrap()).collect();
        assert_eq!(waits, [25, 50, 100, 200, 400, 800, 1000].map(ms));
        assert_eq!(descriptor_delay(DESCRIPTOR_WAITS, 1.0), Some(DESCRIPTOR_WAIT_CAP));
        assert_eq!(descriptor_delay(DESCRIPTOR_WAITS + 1, 0.0), None);
    }

    #[test]
    fn permanent_failures_are_never_retried() {
        let not_found = BookError::permanent(Stage::Resolve, "HTTP 404");
        assert_eq!(RetryPolicy::new(5).delay(&not_found, 1, 0.0), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_limit() {
        let policy = RetryPolicy::new(5);
        let mut busy = transient();
        busy.retry_after = Some(Duration::from_secs(7));
        assert_eq!(policy.delay(&busy, 1, 0.9), Some(Duration::from_secs(7)));
        busy.retry_after = Some(Duration::from_secs(3600));
        assert_eq!(policy.delay(&busy, 1, 0.0), None, "an hour is not waited for");
    }
}
