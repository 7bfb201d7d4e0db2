//! Adaptive concurrency: how many customers are worked on at once.
//!
//! Partner Center publishes no fixed limits and tunes them dynamically, so
//! the engine probes: additive increase while calls succeed, multiplicative
//! decrease when the service answers 429 (the client has already waited out
//! `Retry-After`). The decrease is gentle (to 3/4): the client itself paces
//! requests to the rate the API grants (`pace.rs`), so a 429 mostly says
//! the rate is reached, and halving the workers would starve that pace
//! when requests are slow (with 1 s answers, 4 workers send 4 requests/s,
//! half of a 500/minute limit).
//!
//! Push and pull both use it; it lives in `api`, beside the pacer it works
//! with, so that pull does not depend on push.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A semaphore whose size follows AIMD.
#[derive(Debug)]
pub struct Throttle {
    permits: Arc<Semaphore>,
    limit: AtomicUsize,
    max: usize,
    /// Successes since the last change, to grow by one per "round".
    streak: AtomicUsize,
    /// The 429 count last seen, to notice new ones.
    seen_429: AtomicU64,
}

impl Throttle {
    pub fn new(initial: usize, max: usize) -> Arc<Throttle> {
        let max = max.max(1);
        let initial = initial.clamp(1, max);
        Arc::new(Throttle {
            permits: Arc::new(Semaphore::new(initial)),
            limit: AtomicUsize::new(initial),
            max,
            streak: AtomicUsize::new(0),
            seen_429: AtomicU64::new(0),
        })
    }

    /// Wait for a slot.
    pub async fn acquire(&self) -> Option<OwnedSemaphorePermit> {
        self.permits.clone().acquire_owned().await.ok()
    }

    /// The current concurrency limit.
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Relaxed)
    }

    /// Report a finished unit of work and the API's running 429 count.
    pub fn observe(self: &Arc<Self>, throttled_total: u64) {
        let before = self.seen_429.swap(throttled_total, Ordering::Relaxed);
        if throttled_total > before {
            self.decrease();
        } else {
            let streak = self.streak.fetch_add(1, Ordering::Relaxed) + 1;
            let limit = self.limit();
            if streak >= limit && limit < self.max {
                self.streak.store(0, Ordering::Relaxed);
                self.limit.fetch_add(1, Ordering::Relaxed);
                self.permits.add_permits(1);
            }
        }
    }

    /// Cut the limit to 3/4 (never below one). Permits are taken back as
    /// in-flight work finishes.
    fn decrease(self: &Arc<Self>) {
        self.streak.store(0, Ordering::Relaxed);
        let limit = self.limit();
        let target = (limit - limit.div_ceil(4)).max(1);
        let drop = limit - target;
        if drop == 0 {
            return;
        }
        self.limit.store(target, Ordering::Relaxed);
        let permits = self.permits.clone();
        tokio::spawn(async move {
            if let Ok(p) = permits.acquire_many_owned(drop as u32).await {
                p.forget();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn grows_on_success_and_cuts_to_three_quarters_on_429() {
        let t = Throttle::new(4, 8);
        for _ in 0..4 {
            t.observe(0);
        }
        assert_eq!(t.limit(), 5);
        t.observe(3);
        assert_eq!(t.limit(), 3);
        for _ in 0..3 {
            t.observe(3);
        }
        assert_eq!(t.limit(), 4);
        t.observe(4);
        assert_eq!(t.limit(), 3);
        t.observe(5);
        t.observe(6);
        t.observe(7);
        assert_eq!(t.limit(), 1, "never below one");
        t.observe(8);
        assert_eq!(t.limit(), 1);
    }
}
