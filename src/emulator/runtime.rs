//! The emulator's mutable core, behind one mutex: the world, the fault
//! dice, the rate limiter, issued tokens, in-flight request ids and the
//! counters. Handlers take the lock briefly and never across an `.await`,
//! so the emulator behaves like one consistent Partner Center while still
//! serving requests concurrently (latency is slept outside the lock).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::changes::apply_change;
use super::faults::{Dice, Faults};
use super::ratelimit::RateLimiter;
use super::realism::{Realism, provision_due};
use super::state::{Tenant, World};

/// An access token the token endpoint issued.
#[derive(Debug, Clone)]
pub struct Token {
    pub tenant: String,
    pub expires: DateTime<Utc>,
}

/// What happened, per tenant: what the benchmarks and tests read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub tenants: BTreeMap<String, TenantCounters>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantCounters {
    /// Authenticated API requests (every attempt, throttled ones included).
    pub requests: u64,
    /// Per route template, e.g. `POST /v1/customers/{cid}/carts`.
    pub by_route: BTreeMap<String, u64>,
    /// Per customer id found in the path.
    pub by_customer: BTreeMap<String, u64>,
    /// 429s sent (rate limit and injected).
    pub throttled: u64,
    pub injected_429: u64,
    pub injected_5xx: u64,
    /// Writes committed whose response was dropped.
    pub dropped: u64,
    /// Writes whose connection was dropped first and that committed later.
    #[serde(default)]
    pub late_commits: u64,
    /// PATCHes answered 202.
    pub accepted_202: u64,
    /// Stored responses replayed for a repeated `MS-RequestId`.
    pub replays: u64,
    /// 409 800060 sent for a replay of a request still in flight.
    pub in_flight_conflicts: u64,
    pub tokens_issued: u64,
    pub first_request: Option<DateTime<Utc>>,
    pub last_request: Option<DateTime<Utc>>,
}

/// All mutable emulator state.
#[derive(Debug)]
pub struct Runtime {
    pub world: World,
    pub initial: World,
    pub faults: Faults,
    pub dice: Dice,
    pub limiter: RateLimiter,
    pub counters: Counters,
    pub tokens: HashMap<String, Token>,
    pub in_flight: HashSet<(String, String)>,
    /// How strictly Partner Center is played (fixed at start).
    pub realism: Realism,
}

impl Runtime {
    pub fn tenant_mut(&mut self, name: &str) -> Option<&mut Tenant> {
        self.world.tenants.iter_mut().find(|t| t.name == name)
    }

    pub fn tenant(&self, name: &str) -> Option<&Tenant> {
        self.world.tenants.iter().find(|t| t.name == name)
    }

    pub fn counters_for(&mut self, tenant: &str) -> &mut TenantCounters {
        self.counters.tenants.entry(tenant.to_owned()).or_default()
    }

    /// Replace the fault settings and re-seed the dice.
    pub fn set_faults(&mut self, faults: Faults) {
        self.dice = Dice::new(faults.seed);
        self.faults = faults;
    }

    /// Apply 202-accepted PATCHes and finish provisioning orders whose
    /// time has come.
    pub fn apply_due(&mut self, tenant: &str, now: DateTime<Utc>) {
        let Some(t) = self.tenant_mut(tenant) else {
            return;
        };
        provision_due(t, now);
        if t.deferred.iter().all(|d| d.due > now) {
            return;
        }
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut t.deferred)
            .into_iter()
            .partition(|d| d.due <= now);
        t.deferred = later;
        for d in due {
            apply_change(t, &d.customer_id, d.subscription, &d.correlation_id, d.due);
        }
    }
}

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub page_size: usize,
    pub token_ttl_secs: u64,
    pub state_path: Option<PathBuf>,
}

/// The shared application state handed to every route.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<(Mutex<Runtime>, Settings)>,
}

impl App {
    pub fn new(runtime: Runtime, settings: Settings) -> Self {
        App {
            inner: Arc::new((Mutex::new(runtime), settings)),
        }
    }

    /// Run `f` with the runtime locked. A poisoned lock (a panic in another
    /// request) still holds consistent data: every change is made in one
    /// step under the lock, so it is used as is.
    pub fn with<R>(&self, f: impl FnOnce(&mut Runtime) -> R) -> R {
        let mut guard = self.inner.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.1
    }
}
