//! Crash-test seam: kill the process at a chosen journal moment.
//!
//! Why: exactly-once rests on what the journal holds when the process dies.
//! The crash tests (`tests/it/crash.rs`) run the real binary with
//! `CSP_CONSOLIDATE_CRASH_AT=<point>:<n>` and the process SIGKILLs itself
//! when it reaches the `n`-th occurrence (1-based, counted over the whole
//! process) of `point`:
//!
//! - `intent`: an intent is committed to the journal; the request is not
//!   sent yet;
//! - `answer`: the API answered (or the call failed); the answer is not
//!   journalled yet;
//! - `settled`: the answer is journalled; the next step has not started.
//!
//! The push engine, the settling of in-doubt purchases and retire call
//! [`reached`] at those moments. Without the variable (the normal case) a
//! call is one atomic load. An unreadable value is ignored with a warning:
//! this is a test seam, never a way to stop a real run.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that arms the seam.
pub const CRASH_ENV: &str = "CSP_CONSOLIDATE_CRASH_AT";

/// A journal moment at which a crash can be requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// Intent committed, request not sent.
    Intent,
    /// Answer received, not journalled.
    Answer,
    /// Answer journalled, next step not started.
    Settled,
}

impl Point {
    /// Every point, in the order they happen for one request.
    pub const ALL: [Point; 3] = [Point::Intent, Point::Answer, Point::Settled];

    /// The spelling used in [`CRASH_ENV`].
    pub fn as_str(self) -> &'static str {
        match self {
            Point::Intent => "intent",
            Point::Answer => "answer",
            Point::Settled => "settled",
        }
    }

    fn parse(s: &str) -> Option<Point> {
        Point::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Parse `<point>:<n>` (n ≥ 1).
fn parse(spec: &str) -> Option<(Point, u64)> {
    let (point, n) = spec.trim().split_once(':')?;
    let n: u64 = n.trim().parse().ok().filter(|n| *n >= 1)?;
    Some((Point::parse(point.trim())?, n))
}

fn armed() -> Option<(Point, u64)> {
    static ARMED: OnceLock<Option<(Point, u64)>> = OnceLock::new();
    *ARMED.get_or_init(|| {
        let spec = std::env::var(CRASH_ENV).ok()?;
        let parsed = parse(&spec);
        if parsed.is_none() {
            tracing::warn!("{CRASH_ENV}={spec:?} is not <intent|answer|settled>:<n>; ignored");
        }
        parsed
    })
}

/// Occurrences seen so far of the armed point.
static SEEN: AtomicU64 = AtomicU64::new(0);

/// Mark that `point` was reached; dies here if this is the armed
/// occurrence. Does nothing when the seam is not armed.
pub fn reached(point: Point) {
    let Some((armed_point, n)) = armed() else {
        return;
    };
    if armed_point == point && SEEN.fetch_add(1, Ordering::SeqCst) + 1 == n {
        die();
    }
}

/// SIGKILL ourselves: no destructors, no flushes, no unwinding, exactly
/// like a power cut as far as our process is concerned.
fn die() -> ! {
    let pid = std::process::id().to_string();
    // `kill` is POSIX; spawning it avoids an unsafe libc call here.
    let _ = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status();
    // Only reached if `kill` could not run: abort is the next most abrupt.
    std::process::abort()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_strictly() {
        assert_eq!(parse("intent:1"), Some((Point::Intent, 1)));
        assert_eq!(parse(" settled : 12 "), Some((Point::Settled, 12)));
        assert_eq!(parse("answer:0"), None);
        assert_eq!(parse("answer"), None);
        assert_eq!(parse("checkout:3"), None);
        assert_eq!(parse("intent:-1"), None);
    }
}
