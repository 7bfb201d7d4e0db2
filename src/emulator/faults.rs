//! Fault injection: what can go wrong between a client and Partner Center,
//! described by a short spec string so a test, a rehearsal or the CLI can
//! ask for it, and changed at runtime through `/_admin/faults`.
//!
//! Grammar: comma-separated `key=value` pairs, in any order; empty or
//! `none` means no faults.
//!
//! | key | value | effect |
//! |---|---|---|
//! | `429` | probability 0..1 | answer 429 + `Retry-After` before any effect |
//! | `5xx` | probability | answer 503 ApiFault before any effect |
//! | `drop` | probability | writes only: the change commits, then the connection is closed without a response |
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

/// Parsed fault settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    pub throttle: f64,
    pub server_error: f64,
    pub drop: f64,
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
                "patch202" | "202" => faults.patch202 = probability(key, value)?,
                "latency" => faults.latency_ms = duration_ms(key, value)?,
                "lag" => faults.lag_ms = duration_ms(key, value)?,
                "patchdelay" => faults.patch_delay_ms = duration_ms(key, value)?,
                "retryafter" => faults.retry_after_secs = integer(key, value)?.max(1),
                "seed" => faults.seed = integer(key, value)?,
                other => {
                    return Err(EmulatorError::Faults(format!(
                        "unknown key `{other}` (known: 429, 5xx, drop, patch202, latency, lag, patchdelay, retryafter, seed, bom, nulllists, pascalpatch)"
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
            "429={},5xx={},drop={},patch202={},latency={}ms,lag={}ms,patchdelay={}ms,retryafter={},seed={},{}",
            self.throttle,
            self.server_error,
            self.drop,
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
        let f =
            Faults::parse("429=0.05,5xx=0.02,drop=0.05,latency=50ms,lag=2s,patch202=0.5,seed=7")?;
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
