//! Contract tests: the REAL Partner Center client (`api::Client`) against
//! the REAL local emulator over HTTP on loopback, for every client endpoint.
//!
//! Why: the client's unit tests use a scripted server and the emulator's
//! tests use raw HTTP, so neither proves the two agree on the wire format,
//! paging, error codes, idempotent replays or retry timing. These tests do,
//! and they assert on what the client returns *and* on the emulator's own
//! state and counters (one purchase, one replay, one 429 …).
//!
//! Time: the client gets a [`HookTimer`] (a manual clock whose `sleep`
//! returns at once), so retries, `Retry-After` and 202 polling cost no
//! real time; a hook on each sleep lets a test change the emulator "while
//! the client waits" (clear a fault, let a 202 change land).
//!
//! Split by area: `reads` (paging, customers, subscriptions, audit,
//! relationship URL), `purchases` (orders, carts, replays, PATCH, 202),
//! `faults` (429, 5xx, dropped responses), `auth` (renewal, bad secrets).

mod auth;
mod faults;
mod patch;
mod purchases;
mod quirks;
mod reads;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use csp_consolidate::api::{Client, ClientConfig, Credential, Secret, Timer};
use csp_consolidate::api::{ManualTimer, retry::SleepFuture};
use csp_consolidate::emulator::{self, EmulatorConfig, EmulatorHandle, TenantCounters};

use crate::support::emu;

/// Contoso Lab: reseller at both partners, three subscriptions at the source.
pub const CONTOSO: &str = "8e1c0a55-0000-4000-8000-00000000c001";
/// Blue Yonder Airlines: has not accepted the destination's relationship.
pub const BLUE_YONDER: &str = "8e1c0a55-0000-4000-8000-00000000c00c";
/// Contoso Lab's active NCE Business Basic at the source (12 seats, inside
/// its cancellation window).
pub const CONTOSO_BASIC: &str = "a1000000-0000-4000-8000-000000000051";
/// New-commerce Microsoft 365 Business Basic.
pub const BASIC: &str = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
/// A legacy offer (bought with an order, not a cart).
pub const LEGACY_E3: &str = "796B6B5F-613C-4E24-A17C-EBA730D49C02";

/// Which partner tenant of the example seed a client signs in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partner {
    Source,
    Destination,
}

impl Partner {
    /// Emulator tenant name (counters and state are keyed by it).
    pub fn name(self) -> &'static str {
        match self {
            Partner::Source => "source",
            Partner::Destination => "destination",
        }
    }

    /// The tenant as an operator would configure it (an alias: a domain).
    pub fn domain(self) -> &'static str {
        match self {
            Partner::Source => "contoso-emea.onmicrosoft.com",
            Partner::Destination => "contoso-central.onmicrosoft.com",
        }
    }

    fn app(self) -> &'static str {
        match self {
            Partner::Source => "source-app",
            Partner::Destination => "destination-app",
        }
    }

    /// The seed's (fake) client secret for this partner.
    pub fn secret(self) -> Secret {
        Secret::new(format!("{}-secret", self.name()))
    }
}

/// Called before each client sleep returns: `(index of the sleep, delay)`.
pub type SleepHook = Box<dyn Fn(usize, Duration) + Send + Sync>;

/// A manual clock for the client: `sleep` records the delay, advances the
/// clock by it, runs the hook and returns at once.
pub struct HookTimer {
    clock: ManualTimer,
    hook: Mutex<Option<SleepHook>>,
}

impl HookTimer {
    /// Starts at the real now, so audit windows agree with the emulator.
    pub fn new() -> Arc<Self> {
        Arc::new(HookTimer {
            clock: ManualTimer::new(SystemTime::now()),
            hook: Mutex::new(None),
        })
    }

    /// Run `hook` on every later sleep.
    pub fn on_sleep(&self, hook: impl Fn(usize, Duration) + Send + Sync + 'static) {
        *self.hook.lock().unwrap() = Some(Box::new(hook));
    }

    /// Every delay the client slept, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.clock.sleeps()
    }

    /// Move the client's clock forward without a sleep.
    pub fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }
}

impl Timer for HookTimer {
    fn now(&self) -> SystemTime {
        self.clock.now()
    }

    fn sleep(&self, d: Duration) -> SleepFuture {
        let index = self.clock.sleeps().len();
        let done = self.clock.sleep(d);
        if let Some(hook) = self.hook.lock().unwrap().as_ref() {
            hook(index, d);
        }
        done
    }
}

/// Start an emulator on the example world; `tweak` adjusts its config.
pub async fn start(tweak: impl FnOnce(&mut EmulatorConfig)) -> Arc<EmulatorHandle> {
    Arc::new(emu::start(emu::example(), tweak).await)
}

/// A client config for `partner` at the emulator, with test-sized polling.
pub fn config(emu: &EmulatorHandle, partner: Partner, credential: Credential) -> ClientConfig {
    let mut c = emu::client_config(&emu.base_url(), partner.domain(), partner.app(), credential);
    c.timeout = Duration::from_secs(20);
    c.poll.interval = Duration::from_secs(5);
    c.poll.max_interval = Duration::from_secs(5);
    c.poll.attempts = 5;
    c
}

/// An app-only client for `partner` with a fresh [`HookTimer`].
pub fn client(emu: &EmulatorHandle, partner: Partner) -> (Client, Arc<HookTimer>) {
    client_with(config(
        emu,
        partner,
        Credential::ClientSecret(partner.secret()),
    ))
}

/// A client from `config` with a fresh [`HookTimer`].
pub fn client_with(config: ClientConfig) -> (Client, Arc<HookTimer>) {
    let timer = HookTimer::new();
    (emu::client(config, timer.clone()), timer)
}

/// The emulator's counters for one partner tenant (zero if untouched).
pub fn counters(emu: &EmulatorHandle, partner: Partner) -> TenantCounters {
    emu::counters(emu, partner.name())
}

/// How often the emulator served `METHOD /route/{template}` to `partner`.
pub fn route_hits(emu: &EmulatorHandle, partner: Partner, route: &str) -> u64 {
    counters(emu, partner)
        .by_route
        .get(route)
        .copied()
        .unwrap_or(0)
}

/// A partner tenant as the emulator holds it right now.
pub fn tenant_state(emu: &EmulatorHandle, partner: Partner) -> emulator::state::Tenant {
    let world = emu.state_snapshot();
    world
        .tenants
        .into_iter()
        .find(|t| t.name == partner.name())
        .unwrap()
}

/// A customer as the emulator holds it right now.
pub fn customer_state(
    emu: &EmulatorHandle,
    partner: Partner,
    id: &str,
) -> emulator::state::Customer {
    tenant_state(emu, partner).customer(id).unwrap().clone()
}
