//! Fault injection: what can go wrong between a client and Partner Center,
//! described by a short spec string so a test, a rehearsal or the CLI can
//! ask for it, and changed at runtime through `/_admin/faults`.
//!
//! Grammar: comma-separated `key=value` pairs, in any order; empty or
//! `none` means no faults.
//!
//! | key | value | effect |
//! |---|---|---|
//! | `429` | probability 0..1 | answer 429 + `Retry-After` before any effect (replays of a stored `MS-RequestId` included) |
//! | `5xx` | probability | answer 503 ApiFault before any effect (replays included) |
//! | `only` | `all`, `writes` or `reads` | the requests `429`, `5xx` and `latency` apply to (default `all`) |
//! | `drop` | probability | writes only: the change commits, then the connection is closed without a response |
//! | `late` | probability | writes only: the connection is closed at once, and the change commits `latedelay` later anyway (a replay meanwhile is answered 409 800060, after it the stored response) |
//! | `latedelay` | duration | how long after the lost answer a late write commits (default 200ms) |
//! | `patch202` | probability | PATCH answers 202 + `Location`; the change shows up `patchdelay` later |
//! | `latency` | duration | added to every API request |
//! | `lag` | duration | new orders and subscriptions stay invisible to GETs this long |
//! | `patchdelay` | duration | how long a 202 PATCH takes to apply (default 500ms) |
//! | `retryafter` | seconds | `Retry-After` of injected 429s (default 1) |
//! | `seed` | integer | seed of the fault dice (default 0): same seed, same faults |
//! | `bom`, `nulllists`, `pascalpatch` | 1 or 0 | wire quirks (see `quirks.rs`) |
//!
//! Durations: `250ms`, `2s`, `1m`, or a bare number of milliseconds.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::errors::EmulatorError;

/// Which requests the `429`, `5xx` and `latency` faults apply to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultScope {
    #[default]
    All,
    Writes,
    Reads,
}

impl FaultScope {
    /// Whether a request (a write or a read) is in scope.
    pub fn covers(self, is_write: bool) -> bool {
        match self {
            FaultScope::All => true,
            FaultScope::Writes => is_write,
            FaultScope::Reads => !is_write,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            FaultScope::All => "all",
            FaultScope::Writes => "writes",
            FaultScope::Reads => "reads",
        }
    }
}

/// Parsed fault settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    pub throttle: f64,
    pub server_error: f64,
    pub drop: f64,
    #[serde(default)]
    pub late: f64,
    #[serde(default = "default_late_delay")]
    pub late_delay_ms: u64,
    #[serde(default)]
    pub only: FaultScope,
    pub patch202: f64,
    pub latency_ms: u64,
    pub lag_ms: u64,
    pub patch_delay_ms: u64,
    pub retry_after_secs: u64,
    pub seed: u64,
    #[serde(default)]
    pub quirks: super::quirks::Quirks,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            throttle: 0.0,
            server_error: 0.0,
            drop: 0.0,
            late: 0.0,
            late_delay_ms: default_late_delay(),
            only: FaultScope::All,
            patch202: 0.0,
            latency_ms: 0,
            lag_ms: 0,
            patch_delay_ms: 500,
            retry_after_secs: 1,
            seed: 0,
            quirks: Default::default(),
        }
    }
}

fn default_late_delay() -> u64 {
    200
}

impl Faults {
    /// Parse a spec such as `429=0.05,5xx=0.02,drop=0.05,latency=50ms,seed=7`.
    pub fn parse(spec: &str) -> Result<Faults, EmulatorError> {
        let mut faults = Faults::default();
        let spec = spec.trim();
        if spec.is_empty() || spec.eq_ignore_ascii_case("none") {
            return Ok(faults);
        }
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| EmulatorError::Faults(format!("`{pair}` is not key=value")))?;
            let value = value.trim();
            if let Some(set) = faults.quirks.set(&key.trim().to_ascii_lowercase(), value) {
                set?;
                continue;
            }
            match key.trim().to_ascii_lowercase().as_str() {
                "429" => faults.throttle = probability(key, value)?,
                "5xx" | "500" | "503" => faults.server_error = probability(key, value)?,
                "drop" => faults.drop = probability(key, value)?,
                "late" => faults.late = probability(key, value)?,
                "latedelay" => faults.late_delay_ms = duration_ms(key, value)?,
                "only" => faults.only = scope(value)?,
                "patch202" | "202" => faults.patch202 = probability(key, value)?,
                "latency" => faults.latency_ms = duration_ms(key, value)?,
                "lag" => faults.lag_ms = duration_ms(key, value)?,
                "patchdelay" => faults.patch_delay_ms = duration_ms(key, value)?,
                "retryafter" => faults.retry_after_secs = integer(key, value)?.max(1),
                "seed" => faults.seed = integer(key, value)?,
                other => {
                    return Err(EmulatorError::Faults(format!(
                        "unknown key `{other}` (known: 429, 5xx, only, drop, late, latedelay, patch202, latency, lag, patchdelay, retryafter, seed, bom, nulllists, pascalpatch)"
                    )));
                }
            }
        }
        Ok(faults)
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms)
    }
}

impl fmt::Display for Faults {
    /// The spec string that parses back to these settings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "429={},5xx={},only={},drop={},late={},latedelay={}ms,patch202={},latency={}ms,lag={}ms,patchdelay={}ms,retryafter={},seed={},{}",
            self.throttle,
            self.server_error,
            self.only.as_str(),
            self.drop,
            self.late,
            self.late_delay_ms,
            self.patch202,
            self.latency_ms,
            self.lag_ms,
            self.patch_delay_ms,
            self.retry_after_secs,
            self.seed,
            self.quirks
        )
    }
}

fn probability(key: &str, value: &str) -> Result<f64, EmulatorError> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(EmulatorError::Faults(format!(
            "`{key}={value}`: expected a probability between 0 and 1"
        ))),
    }
}

fn scope(value: &str) -> Result<FaultScope, EmulatorError> {
    match value.to_ascii_lowercase().as_str() {
        "all" => Ok(FaultScope::All),
        "writes" => Ok(FaultScope::Writes),
        "reads" => Ok(FaultScope::Reads),
        _ => Err(EmulatorError::Faults(format!(
            "`only={value}`: expected all, writes or reads"
        ))),
    }
}

fn integer(key: &str, value: &str) -> Result<u64, EmulatorError> {
    value
        .parse::<u64>()
        .map_err(|_| EmulatorError::Faults(format!("`{key}={value}`: expected a whole number")))
}

fn duration_ms(key: &str, value: &str) -> Result<u64, EmulatorError> {
    let lower = value.to_ascii_lowercase();
    let (digits, factor) = if let Some(d) = lower.strip_suffix("ms") {
        (d, 1)
    } else if let Some(d) = lower.strip_suffix('s') {
        (d, 1000)
    } else if let Some(d) = lower.strip_suffix('m') {
        (d, 60_000)
    } else {
        (lower.as_str(), 1)
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| {
            EmulatorError::Faults(format!(
                "`{key}={value}`: expected a duration such as 250ms, 2s or 1m"
            ))
        })
}

/// Deterministic dice for the faults: one generator, seeded by the spec.
#[derive(Debug)]
pub struct Dice {
    rng: fastrand::Rng,
}

impl Dice {
    pub fn new(seed: u64) -> Self {
        Dice {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// True with probability `p`. Draws a number only when `p > 0`, so a
    /// fault switched off does not shift the sequence of the others.
    pub fn roll(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.f64() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() -> crate::TestResult {
        let f = Faults::parse(
            "429=0.05,5xx=0.02,drop=0.05,latency=50ms,lag=2s,patch202=0.5,seed=7,late=0.1,latedelay=1s,only=writes",
        )?;
        assert_eq!(f.late, 0.1);
        assert_eq!(f.late_delay_ms, 1000);
        assert_eq!(f.only, FaultScope::Writes);
        assert!(!f.only.covers(false) && f.only.covers(true));
        assert_eq!(f.throttle, 0.05);
        assert_eq!(f.server_error, 0.02);
        assert_eq!(f.drop, 0.05);
        assert_eq!(f.latency_ms, 50);
        assert_eq!(f.lag_ms, 2000);
        assert_eq!(f.patch202, 0.5);
        assert_eq!(f.seed, 7);
        assert_eq!(Faults::parse(&f.to_string())?, f);
        Ok(())
    }

    #[test]
    fn rejects_bad_specs() -> crate::TestResult {
        assert!(Faults::parse("429=2").is_err());
        assert!(Faults::parse("bogus=1").is_err());
        assert!(Faults::parse("latency=fast").is_err());
        assert!(Faults::parse("drop").is_err());
        assert!(Faults::parse("only=posts").is_err());
        assert_eq!(Faults::parse(" none ")?, Faults::default());
        Ok(())
    }

    #[test]
    fn dice_are_deterministic() {
        let mut a = Dice::new(7);
        let mut b = Dice::new(7);
        let ra: Vec<bool> = (0..50).map(|_| a.roll(0.3)).collect();
        let rb: Vec<bool> = (0..50).map(|_| b.roll(0.3)).collect();
        assert_eq!(ra, rb);
        assert!(ra.iter().any(|x| *x) && ra.iter().any(|x| !*x));
    }
}
