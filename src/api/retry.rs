//! When to retry a Partner Center call, and how long to wait.
//!
//! The rule is the Azure SDK's, sharpened for writes: retry only what cannot
//! do harm. A request that never left ([`TryOutcome::NotSent`]) is retried
//! whatever it is. One that may have been applied (timeout, 408, 429, 5xx)
//! is retried if it is a read or a write carrying an idempotency key (the
//! same `MS-RequestId` on every try; the client never changes it). Other 4xx
//! are business answers and are never retried. `Retry-After` (seconds or an
//! HTTP date) is honoured on 429/503; otherwise the wait is exponential with
//! jitter. Time is injected through [`Timer`] so tests never sleep, and
//! [`ClientStats`] counts 429s so the push engine can adapt its concurrency.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// What kind of request is being retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// GET (and the token request, which changes nothing).
    Read,
    /// A write carrying a caller-chosen `MS-RequestId`, resent unchanged.
    KeyedWrite,
    /// A write without a stable key: retried only when it was never sent.
    UnkeyedWrite,
}

/// One failed try, as the retry policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryOutcome {
    /// Connect/DNS failure: nothing reached the server.
    NotSent,
    /// Sent, but no complete response (timeout, reset).
    NoResponse,
    /// A non-2xx status.
    Status(u16),
}

/// Bounded retries with exponential backoff and jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first included (the SDK does 1 + 3).
    pub max_attempts: u32,
    /// First backoff; doubles each retry (0.5 s, 1 s, 2 s …).
    pub base_delay: Duration,
    /// Cap on one backoff wait.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the 429 is
    /// returned so the caller can decide (e.g. slow the whole run down).
    pub max_retry_after: Duration,
    /// Randomise each backoff in [d/2, d] so clients do not retry in step.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry (one try only).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// May a request of `kind` that failed with `outcome` be tried again?
    pub fn is_retryable(kind: RequestKind, outcome: TryOutcome) -> bool {
        let maybe_applied = match outcome {
            TryOutcome::NotSent => return true,
            TryOutcome::NoResponse => true,
            TryOutcome::Status(s) => matches!(s, 408 | 429 | 500..=599),
        };
        maybe_applied && kind != RequestKind::UnkeyedWrite
    }

    /// The wait before the next try, or `None` to give up. `tries` is the
    /// number of tries made so far (≥ 1); `retry_after` is the response's.
    pub fn next_delay(
        &self,
        kind: RequestKind,
        outcome: TryOutcome,
        tries: u32,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if tries >= self.max_attempts || !Self::is_retryable(kind, outcome) {
            return None;
        }
        let backoff = self.backoff(tries);
        match (outcome, retry_after) {
            (_, Some(ra)) if ra > self.max_retry_after => None,
            // On 429 the server said exactly when: waiting longer wastes
            // throughput, waiting less earns another 429.
            (TryOutcome::Status(429), Some(ra)) => Some(ra),
            (_, Some(ra)) => Some(ra.max(backoff)),
            (_, None) => Some(backoff),
        }
    }

    /// Backoff before retry number `retry` (1-based): base·2^(retry-1),
    /// capped, jittered into [d/2, d].
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let full = self.base_delay.saturating_mul(factor).min(self.max_delay);
        if !self.jitter {
            return full;
        }
        let half = full / 2;
        let spread = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(fastrand::u64(0..=spread))
    }
}

/// Parse a `Retry-After` value: delta-seconds (`"30"`, also `"1.5"`) or an
/// HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, relative to `now`; a date
/// in the past means "now"). Anything else is `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (0.0..1e9)
            .contains(&secs)
            .then(|| Duration::from_secs_f64(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let at = SystemTime::from(at.with_timezone(&chrono::Utc));
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A boxed, sendable future (what [`Timer::sleep`] returns).
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The clock and the sleeper, injectable so tests do not wait.
pub trait Timer: Send + Sync {
    /// Wall-clock now (token expiry, `Retry-After` dates, audit windows).
    fn now(&self) -> SystemTime;
    /// Wait `d`.
    fn sleep(&self, d: Duration) -> SleepFuture;
}

/// The real clock and `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemTimer;

impl Timer for SystemTimer {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, d: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A fake timer: `sleep` returns at once, records the delay and advances
/// the clock by it; [`ManualTimer::advance`] moves time forward by hand.
#[derive(Debug)]
pub struct ManualTimer {
    now: Mutex<SystemTime>,
    sleeps: Mutex<Vec<Duration>>,
}

impl ManualTimer {
    /// A timer whose clock starts at `start`.
    pub fn new(start: SystemTime) -> Self {
        ManualTimer {
            now: Mutex::new(start),
            sleeps: Mutex::new(Vec::new()),
        }
    }

    /// Move the clock forward.
    pub fn advance(&self, d: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += d;
    }

    /// Every delay passed to `sleep`, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Timer for ManualTimer {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sleep(&self, d: Duration) -> SleepFuture {
        self.sleeps
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(d);
        self.advance(d);
        Box::pin(std::future::ready(()))
    }
}

/// A 429 the client saw (given to the throttle hook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttled {
    /// `METHOD /path` of the throttled request.
    pub op: String,
    pub retry_after: Option<Duration>,
}

/// Counters shared by every clone of a client.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub tries: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    pub token_fetches: AtomicU64,
}

/// A snapshot of `Counters` (see `Client::stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP tries sent to the API (token requests excluded).
    pub tries: u64,
    /// Of those, how many were retries.
    pub retries: u64,
    /// 429 responses seen (API and token endpoint).
    pub throttled: u64,
    /// Token requests made (cache misses and renewals).
    pub token_fetches: u64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> ClientStats {
        ClientStats {
            tries: self.tries.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            token_fetches: self.token_fetches.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::RequestKind::{KeyedWrite, Read, UnkeyedWrite};
    use super::TryOutcome::{NoResponse, NotSent, Status};
    use super::*;

    #[test]
    fn retry_table() {
        // (kind, outcome, retried?)
        let table = [
            (Read, NotSent, true),
            (KeyedWrite, NotSent, true),
            (UnkeyedWrite, NotSent, true),
            (Read, NoResponse, true),
            (KeyedWrite, NoResponse, true),
            (UnkeyedWrite, NoResponse, false),
            (Read, Status(408), true),
            (Read, Status(429), true),
            (KeyedWrite, Status(429), true),
            (UnkeyedWrite, Status(429), false),
            (Read, Status(500), true),
            (KeyedWrite, Status(500), true),
            (KeyedWrite, Status(503), true),
            (UnkeyedWrite, Status(502), false),
            (Read, Status(400), false),
            (KeyedWrite, Status(400), false),
            (Read, Status(401), false),
            (Read, Status(403), false),
            (Read, Status(404), false),
            (KeyedWrite, Status(409), false),
            (KeyedWrite, Status(412), false),
        ];
        for (kind, outcome, want) in table {
            assert_eq!(
                RetryPolicy::is_retryable(kind, outcome),
                want,
                "{kind:?} {outcome:?}"
            );
        }
    }

    fn fixed() -> RetryPolicy {
        RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn attempts_are_bounded_and_backoff_doubles() {
        let p = fixed();
        let d: Vec<_> = (1..=4)
            .map(|t| p.next_delay(Read, Status(503), t, None))
            .collect();
        assert_eq!(
            d,
            [
                Some(Duration::from_millis(500)),
                Some(Duration::from_millis(1000)),
                Some(Duration::from_millis(2000)),
                None
            ]
        );
        assert_eq!(p.backoff(40), p.max_delay);
        assert_eq!(RetryPolicy::none().next_delay(Read, NotSent, 1, None), None);
    }

    #[test]
    fn retry_after_wins_on_429_and_is_capped() {
        let p = fixed();
        let ra = Some(Duration::from_secs(7));
        assert_eq!(p.next_delay(Read, Status(429), 1, ra), ra);
        let tiny = Some(Duration::from_millis(1));
        assert_eq!(p.next_delay(Read, Status(429), 1, tiny), tiny);
        // On 503 Retry-After is a floor under the backoff.
        assert_eq!(
            p.next_delay(Read, Status(503), 1, tiny),
            Some(Duration::from_millis(500))
        );
        let huge = Some(Duration::from_secs(3600));
        assert_eq!(p.next_delay(Read, Status(429), 1, huge), None);
    }

    #[test]
    fn jitter_stays_in_range() {
        let p = RetryPolicy::default();
        for retry in 1..6 {
            let full = fixed().backoff(retry);
            for _ in 0..50 {
                let d = p.backoff(retry);
                assert!(d >= full / 2 && d <= full, "{d:?} vs {full:?}");
            }
        }
    }

    #[test]
    fn retry_after_parsing() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_400); // 2015-10-21 07:26:40Z
        assert_eq!(parse_retry_after("30", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(80))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "soon", "-5", "NaN", "inf"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn manual_timer_records_and_advances() -> crate::TestResult {
        let t = ManualTimer::new(SystemTime::UNIX_EPOCH);
        futures_block(t.sleep(Duration::from_secs(3)))?;
        t.advance(Duration::from_secs(2));
        assert_eq!(t.sleeps(), vec![Duration::from_secs(3)]);
        assert_eq!(t.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(5));
        Ok(())
    }

    fn futures_block(f: SleepFuture) -> std::io::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread().build()?;
        rt.block_on(f);
        Ok(())
    }
}
