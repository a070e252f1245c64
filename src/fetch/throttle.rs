//! How many books may be in flight at once: `--jobs` to start with, lowered
//! when the mirror says it is overloaded (FTP 421, HTTP 429/503), so the run
//! goes on with the connections the mirror accepts instead of failing books,
//! and when the process runs out of file descriptors (EMFILE, ENFILE: each
//! transfer holds a socket and a file or two), so it goes on with the
//! descriptors it has.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Throttle {
    semaphore: Arc<Semaphore>,
    limit: AtomicUsize,
    /// Permits to forget as they come back: the limit was lowered while they were out.
    debt: AtomicUsize,
    /// When the limit was last lowered.
    lowered_at: std::sync::Mutex<Option<std::time::Instant>>,
}

/// The right to have one book in flight.
pub struct Permit {
    permit: Option<OwnedSemaphorePermit>,
    throttle: Arc<Throttle>,
}

impl Throttle {
    pub fn new(jobs: usize) -> Arc<Self> {
        Arc::new(Throttle {
            semaphore: Arc::new(Semaphore::new(jobs)),
            limit: AtomicUsize::new(jobs),
            debt: AtomicUsize::new(0),
            lowered_at: std::sync::Mutex::new(None),
        })
    }

    pub async fn acquire(self: &Arc<Self>) -> Permit {
        let permit = Arc::clone(&self.semaphore).acquire_owned().await.expect("the semaphore is never closed");
        Permit { permit: Some(permit), throttle: Arc::clone(self) }
    }

    /// Books allowed in flight now.
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::SeqCst)
    }

    /// The mirror said it is overloaded: lowers the limit to `to` and says so.
    pub fn lower_for_busy_mirror(&self, to: usize) {
        if let Some(limit) = self.lower_to(to) {
            tracing::warn!("the mirror is busy: now at most {limit} books at once");
        }
    }

    /// A busy answer to a request made at `asked`: halves the limit, unless
    /// the answer belongs to the last lowering. The requests in flight when
    /// it was made all get the same answer, and so do requests made since by
    /// books admitted before it (under a busy CPU a task may send its first
    /// request late): until no more books are in flight than the limit, the
    /// mirror has not seen the lower load. One signal, not one each; checked
    /// and lowered under one lock, so answers arriving together halve once.
    pub fn halve_for_busy_mirror(&self, asked: std::time::Instant) {
        if let Some(limit) = self.halve_once(asked) {
            tracing::warn!("the mirror is busy: now at most {limit} books at once");
        }
    }

    /// A request made at `asked` found no file descriptor free: halves the
    /// limit, once for all the requests of a burst, as for a busy mirror.
    pub fn halve_for_descriptors(&self, asked: std::time::Instant) {
        if let Some(limit) = self.halve_once(asked) {
            tracing::warn!("too many open files (ulimit -n): now at most {limit} books at once");
        }
    }

    fn halve_once(&self, asked: std::time::Instant) -> Option<usize> {
        let mut lowered_at = self.lowered_at.lock().expect("throttle lock");
        if lowered_at.is_some_and(|at| at >= asked) || self.lowering_pending() {
            return None;
        }
        self.lower_locked(self.limit() / 2, &mut lowered_at)
    }

    /// Whether the last lowering has yet to take effect: more books are in
    /// flight than the limit, their permits to be forgotten as they come back.
    fn lowering_pending(&self) -> bool {
        self.debt.load(Ordering::SeqCst) > 0
    }

    /// Lowers the limit to `to` (never below 1). Returns the new limit when it changed.
    pub fn lower_to(&self, to: usize) -> Option<usize> {
        self.lower_locked(to, &mut self.lowered_at.lock().expect("throttle lock"))
    }

    fn lower_locked(&self, to: usize, lowered_at: &mut Option<std::time::Instant>) -> Option<usize> {
        let to = to.max(1);
        let mut current = self.limit();
        loop {
            if to >= current {
                return None;
            }
            match self.limit.compare_exchange(current, to, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => break,
                Err(now) => current = now,
            }
        }
        *lowered_at = Some(std::time::Instant::now());
        let surplus = current - to;
        let forgotten = self.semaphore.forget_permits(surplus);
        self.debt.fetch_add(surplus - forgotten, Ordering::SeqCst);
        Some(to)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else { return };
        let debt = &self.throttle.debt;
        let paid = debt.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| d.checked_sub(1)).is_ok();
        if paid {
            permit.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lowering_takes_effect_as_permits_come_back() {
        let throttle = Throttle::new(4);
        let held: Vec<Permit> = futures_held(&throttle, 3).await;
        assert_eq!(throttle.lower_to(1), Some(1));
        assert_eq!(throttle.lower_to(2), None, "never raised again");
        assert_eq!(throttle.semaphore.available_permits(), 0, "the free permit is gone at once");
        assert!(throttle.lowering_pending(), "three books in flight, the limit 1");
        drop(held);
        assert_eq!(throttle.semaphore.available_permits(), 1, "two returning permits paid the debt");
        assert!(!throttle.lowering_pending());
        let _one = throttle.acquire().await;
        assert_eq!(throttle.semaphore.available_permits(), 0);
        assert_eq!(throttle.lower_to(0), None, "at least one book stays in flight");
    }

    #[tokio::test]
    async fn one_burst_of_busy_answers_halves_the_limit_once() {
        let throttle = Throttle::new(8);
        let held = futures_held(&throttle, 6).await;
        let asked = std::time::Instant::now();
        throttle.halve_for_busy_mirror(asked);
        assert_eq!(throttle.limit(), 4);
        throttle.halve_for_busy_mirror(asked);
        assert_eq!(throttle.limit(), 4, "a request made before the lowering");
        throttle.halve_for_busy_mirror(std::time::Instant::now());
        assert_eq!(throttle.limit(), 4, "a request made since, while six books are still in flight");
        drop(held);
        throttle.halve_for_busy_mirror(std::time::Instant::now());
        assert_eq!(throttle.limit(), 2, "refused again at the lower load: a new signal");
    }

    async fn futures_held(throttle: &Arc<Throttle>, n: usize) -> Vec<Permit> {
        let mut held = Vec::new();
        for _ in 0..n {
            held.push(throttle.acquire().await);
        }
        held
    }
}
