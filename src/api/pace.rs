//! Client-side pacing: send no faster than the API grants, so a rate limit
//! costs a few 429s per minute instead of a storm.
//!
//! Why: Partner Center limits requests per partner tenant (documented as
//! 500 per minute for customers, subscriptions and orders) and answers 429
//! with `Retry-After` when the budget is spent. Retrying each request on
//! its own keeps every worker knocking at once (most requests end as 429s,
//! and some give up). Instead, every clone of a client shares one pacer:
//!
//! - **persistence first**: an isolated 429 (a blip: the request that got
//!   it waits its own `Retry-After`, see `retry.rs`) changes nothing for
//!   the other requests; only when 429s persist — [`STRIKES`] within
//!   [`PERSIST`] — is the limit taken to be reached. Cutting on every blip
//!   would drop a client meeting a few percent of stray 429s to a fraction
//!   of its grant;
//! - a **gate**: once 429s persist, no request of this client is sent
//!   before their `Retry-After` has passed (the server said so for all of
//!   them);
//! - a **pace** (AIMD on the request rate), switched on by the first
//!   persistent 429s: cut to 70% of the rate recently accepted, grown by 1%
//!   per accepted request (back to the granted rate within a few dozen
//!   requests). Requests take evenly spaced slots, so the service sees a
//!   steady stream just under its limit; a token bucket on the server turns
//!   the sawtooth into full use of the limit.
//!
//! Until 429s first persist nothing is paced. Time comes from the client's
//! [`super::retry::Timer`], so tests with a manual clock never wait.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How far back accepted requests count towards the rate estimate.
const WINDOW: Duration = Duration::from_secs(10);
/// Multiplicative decrease on a fresh 429.
const CUT: f64 = 0.7;
/// Multiplicative increase per accepted request.
const GROW: f64 = 1.01;
/// 429s within [`PERSIST`] that mean the limit is reached (fewer are blips).
pub(crate) const STRIKES: usize = 3;
/// The window in which 429s count together.
pub(crate) const PERSIST: Duration = Duration::from_secs(3);
/// Never pace below one request per second, nor bother above 1000.
const MIN_RATE: f64 = 1.0;
const MAX_RATE: f64 = 1000.0;
/// The gate when a 429 gives no `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
struct State {
    /// No request before this (the latest `Retry-After`).
    resume_at: Option<SystemTime>,
    /// Requests per second; `None` until the first 429.
    rate: Option<f64>,
    /// The next free send slot when paced.
    next_slot: Option<SystemTime>,
    /// Bumped on every cut: a 429 for a slot taken before the latest cut
    /// is an echo of the same overload and does not cut again, and a
    /// request whose slot predates a cut takes a new one.
    epoch: u64,
    /// Send times of accepted requests within [`WINDOW`].
    recent: VecDeque<SystemTime>,
    /// Times of fresh 429s within [`PERSIST`].
    strikes: VecDeque<SystemTime>,
}

/// The shared pacer of a client and its clones.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    state: Mutex<State>,
}

fn later(a: SystemTime, b: SystemTime) -> SystemTime {
    a.max(b)
}

fn until(now: SystemTime, t: SystemTime) -> Duration {
    t.duration_since(now).unwrap_or(Duration::ZERO)
}

impl Pacer {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means a panic elsewhere; the numbers are
        // still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Take a send slot at `now`: how long to wait for it, and the epoch
    /// it was taken in (see [`Pacer::current`]).
    pub fn reserve(&self, now: SystemTime) -> (Duration, u64) {
        let mut s = self.state();
        let mut at = s.resume_at.map_or(now, |r| later(r, now));
        if let Some(rate) = s.rate {
            let slot = s.next_slot.map_or(at, |n| later(n, at));
            s.next_slot = Some(slot + Duration::from_secs_f64(1.0 / rate));
            at = slot;
        }
        (until(now, at), s.epoch)
    }

    /// The current epoch: if it moved on while a request waited for its
    /// slot, the pace was cut meanwhile and the request takes a new slot.
    pub fn current(&self) -> u64 {
        self.state().epoch
    }

    /// A request sent at `sent` was accepted (any answer but 429).
    pub fn accepted(&self, sent: SystemTime) {
        let mut s = self.state();
        s.recent.push_back(sent);
        while s
            .recent
            .front()
            .is_some_and(|t| sent.duration_since(*t).unwrap_or_default() > WINDOW)
        {
            s.recent.pop_front();
        }
        if let Some(rate) = s.rate {
            s.rate = Some((rate * GROW).min(MAX_RATE));
        }
    }

    /// A request whose slot was taken in `epoch` got a 429 at `now`.
    pub fn throttled(&self, epoch: u64, now: SystemTime, retry_after: Option<Duration>) {
        let mut s = self.state();
        let resume = now + retry_after.unwrap_or(DEFAULT_PAUSE);
        if epoch < s.epoch {
            // An echo of the overload that caused the latest cut.
            s.resume_at = Some(s.resume_at.map_or(resume, |r| later(r, resume)));
            return;
        }
        s.strikes.push_back(now);
        while s
            .strikes
            .front()
            .is_some_and(|t| now.duration_since(*t).unwrap_or_default() > PERSIST)
        {
            s.strikes.pop_front();
        }
        if s.strikes.len() < STRIKES {
            return;
        }
        s.strikes.clear();
        s.resume_at = Some(s.resume_at.map_or(resume, |r| later(r, resume)));
        let span = s
            .recent
            .front()
            .and_then(|first| now.duration_since(*first).ok())
            .unwrap_or_default()
            .max(Duration::from_secs(1));
        let accepted = s.recent.len() as f64 / span.as_secs_f64();
        let base = s.rate.map_or(accepted, |r| r.min(accepted.max(MIN_RATE)));
        s.rate = Some((base * CUT).clamp(MIN_RATE, MAX_RATE));
        s.epoch += 1;
        // Slots restart after the gate at the new pace.
        s.next_slot = Some(resume);
    }

    /// The current pace (requests per second), if any.
    #[cfg(test)]
    fn rate(&self) -> Option<f64> {
        self.state().rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
    }

    /// Three 429s in quick succession: the limit is reached.
    fn overload(p: &Pacer, epoch: u64, ms: u64, retry_after: Option<Duration>) {
        for i in 0..STRIKES as u64 {
            p.throttled(epoch, at(ms + i), retry_after);
        }
    }

    #[test]
    fn unpaced_until_429s_persist_then_gated_and_spaced() {
        let p = Pacer::default();
        for i in 0..100 {
            assert_eq!(p.reserve(at(i * 10)), (Duration::ZERO, 0));
            p.accepted(at(i * 10));
        }
        // 100 accepted in ~1 s, then 429s saying "wait 1 s".
        overload(&p, 0, 1000, Some(Duration::from_secs(1)));
        let rate = p.rate().unwrap_or_default();
        assert!((60.0..80.0).contains(&rate), "cut to ~70% of 100/s: {rate}");
        // Everyone waits for the gate; then slots are 1/rate apart.
        let (first, epoch) = p.reserve(at(1002));
        assert_eq!(epoch, 1);
        assert!(first <= Duration::from_secs(1) && first > Duration::from_millis(990));
        let (second, _) = p.reserve(at(1002));
        let gap = second.saturating_sub(first);
        assert!(
            gap > Duration::from_millis(12) && gap < Duration::from_millis(17),
            "{gap:?}"
        );
        assert_eq!(p.current(), 1);
    }

    #[test]
    fn an_isolated_429_neither_gates_nor_cuts() {
        let p = Pacer::default();
        for i in 0..100 {
            p.accepted(at(i * 10));
        }
        p.throttled(0, at(1000), Some(Duration::from_secs(5)));
        assert_eq!(p.rate(), None, "one blip does not switch pacing on");
        assert_eq!(
            p.reserve(at(1001)),
            (Duration::ZERO, 0),
            "nor gate the others"
        );
        // Two blips far apart are still blips.
        p.throttled(0, at(5000), None);
        p.throttled(0, at(9000), None);
        assert_eq!(p.rate(), None);
        assert_eq!(p.current(), 0);
    }

    #[test]
    fn echoes_of_one_overload_cut_once_and_success_grows_the_pace_back_fast() {
        let p = Pacer::default();
        for i in 0..80 {
            p.accepted(at(i * 100));
        }
        // 10 requests/s accepted, then the limit.
        overload(&p, 0, 8000, None);
        let cut = p.rate().unwrap_or_default();
        assert!((6.0..8.0).contains(&cut), "{cut}");
        // Slots taken before the cut: the same overload, no second cut.
        overload(&p, 0, 8100, None);
        assert_eq!(p.rate(), Some(cut));
        // Back to the rate granted before the cut within ~40 requests.
        for i in 0..40 {
            p.accepted(at(10_000 + i * 120));
        }
        assert!(p.rate().unwrap_or_default() >= cut / CUT, "{:?}", p.rate());
        // Persistent 429s on slots taken after the cut cut again.
        let (_, epoch) = p.reserve(at(20_000));
        overload(&p, epoch, 20_000, None);
        assert!(p.rate().unwrap_or_default() < cut / CUT);
        assert_eq!(p.current(), 2);
    }
}
