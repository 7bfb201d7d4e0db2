//! Per-tenant rate limit: a token bucket holding `per_minute` requests and
//! refilling at `per_minute / 60` per second. Partner Center documents
//! 500 requests/minute per tenant for customers, subscriptions and orders;
//! a bucket lets a client burst and then holds it to the rate, and tells
//! it exactly how long to wait (`Retry-After`).

use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// One bucket per tenant. `per_minute == 0` switches the limit off.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            buckets: HashMap::new(),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Change the limit; buckets start full again.
    pub fn set_per_minute(&mut self, per_minute: u32) {
        self.per_minute = per_minute;
        self.buckets.clear();
    }

    /// Take one token for `tenant`: `Ok(())`, or `Err(seconds to wait)`.
    pub fn take(&mut self, tenant: &str, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0;
        let bucket = self.buckets.entry(tenant.to_owned()).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / rate).ceil();
            // ok: wait is positive and at most 60 s for any limit ≥ 1/min.
            Err((wait as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_then_throttles_then_refills() {
        let mut rl = RateLimiter::new(6); // one token every 10 s
        let t0 = Instant::now();
        for _ in 0..6 {
            assert!(rl.take("a", t0).is_ok());
        }
        assert_eq!(rl.take("a", t0), Err(10));
        assert!(rl.take("b", t0).is_ok(), "tenants are independent");
        assert!(rl.take("a", t0 + Duration::from_secs(10)).is_ok());
        let mut off = RateLimiter::new(0);
        assert!((0..10_000).all(|_| off.take("a", t0).is_ok()));
    }
}
