//! When to try a failed request again, and how long to wait first: one small
//! policy for every transport, after cargo's (`util/network/retry.rs`).
//!
//! Transient failures (dropped connections, timeouts, HTTP 5xx and 429, HTML
//! pages in place of a file, FTP 4xx replies, transfers of the wrong size)
//! are retried with exponential backoff and jitter, up to a bound; a server's
//! `Retry-After` is honoured; permanent failures (404, FTP 550, no text in
//! the folder) never are.

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
        // "Equal jitter": half the backoff for sure, half at random, so
        // clients that failed together do not come back together.
        let backoff = self.base.saturating_mul(1 << (retry - 1).min(16)).min(self.cap);
        Some(backoff / 2 + backoff.mul_f64(jitter.clamp(0.0, 1.0) / 2.0))
    }
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
