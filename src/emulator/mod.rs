//! A faithful local Partner Center for tests, demos and rehearsals.
//!
//! Why: the push engine must be proven exactly-once against the failures
//! the real API produces (429s, 5xx, lost responses, 202 PATCHes,
//! read-after-write lag, partial checkouts, replays) without touching a
//! real partner account. This module serves the documented wire format
//! (`partner-center-api.md` §12) from an axum server, for several partner
//! tenants at once, selected by bearer token.
//!
//! In process: [`spawn`] a server from an [`EmulatorConfig`] and drive it
//! through the [`EmulatorHandle`]. From the command line:
//! `csp-consolidate emulator --seed F`. Seeds: [`seed`]; faults: [`faults`].

mod changes;
pub mod dates;
pub mod errors;
pub mod faults;
pub mod quirks;
pub mod ratelimit;
pub mod realism;
mod routes;
pub mod runtime;
pub mod seed;
pub mod state;
mod wire;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use errors::{ApiError, EmulatorError};
pub use faults::{FaultScope, Faults};
pub use realism::Realism;
pub use runtime::{Counters, TenantCounters};
pub use state::World;

use faults::Dice;
use ratelimit::RateLimiter;
use runtime::{App, Runtime, Settings};

/// How to run an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    pub world: World,
    /// Where to save state on shutdown (and on `POST /_admin/save`).
    pub state_path: Option<PathBuf>,
    pub faults: Faults,
    /// Requests per minute per tenant; 0 = unlimited. Default 500.
    pub rate_limit_per_minute: u32,
    /// Page size when a request gives none (max 500). Default 500.
    pub page_size: usize,
    /// `expires_in` of issued tokens. Default 3600.
    pub token_ttl_secs: u64,
    /// How strictly Partner Center is played; default realistic.
    pub realism: Realism,
}

impl EmulatorConfig {
    /// Defaults: 127.0.0.1:0, no faults, 500 req/min, pages of 500, 1 h
    /// tokens, realistic purchases ([`Realism::default`]).
    pub fn new(world: World) -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            world,
            state_path: None,
            faults: Faults::default(),
            rate_limit_per_minute: 500,
            page_size: 500,
            token_ttl_secs: 3600,
            realism: Realism::default(),
        }
    }
}

/// The world to start from: the saved state when `state` exists, else the
/// seed file, else the bundled example seed.
pub fn load_world(seed: Option<&Path>, state: Option<&Path>) -> Result<World, EmulatorError> {
    match (state, seed) {
        (Some(state), _) if state.exists() => seed::load(state),
        (_, Some(seed)) => seed::load(seed),
        _ => seed::parse(seed::EXAMPLE_SEED, "fixtures/emulator/seed.json"),
    }
}

/// A running emulator.
#[derive(Debug)]
pub struct EmulatorHandle {
    addr: SocketAddr,
    app: App,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Start an emulator on the current tokio runtime.
pub async fn spawn(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
    let runtime = Runtime {
        initial: config.world.clone(),
        world: config.world,
        dice: Dice::new(config.faults.seed),
        faults: config.faults,
        limiter: RateLimiter::new(config.rate_limit_per_minute),
        counters: Counters::default(),
        tokens: HashMap::new(),
        in_flight: HashSet::new(),
        realism: config.realism,
    };
    let settings = Settings {
        page_size: config.page_size.clamp(1, 500),
        token_ttl_secs: config.token_ttl_secs.max(1),
        state_path: config.state_path,
    };
    let app = App::new(runtime, settings);
    let router = routes::router(app.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(EmulatorHandle {
        addr,
        app,
        stop: Some(stop),
        task: Some(task),
    })
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash: both the API base URL
    /// and the token authority (`{base}/{tenant}/oauth2/token`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A copy of the whole world as it is now.
    pub fn state_snapshot(&self) -> World {
        self.app.with(|rt| rt.world.clone())
    }

    /// Read or change the world directly (tests, demo set-up).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        self.app.with(|rt| f(&mut rt.world))
    }

    pub fn counters(&self) -> Counters {
        self.app.with(|rt| rt.counters.clone())
    }

    pub fn faults(&self) -> Faults {
        self.app.with(|rt| rt.faults.clone())
    }

    pub fn set_faults(&self, faults: Faults) {
        self.app.with(|rt| rt.set_faults(faults));
    }

    pub fn set_rate_limit(&self, per_minute: u32) {
        self.app.with(|rt| rt.limiter.set_per_minute(per_minute));
    }

    /// Save the state file now (no-op without a state path).
    pub fn save(&self) -> Result<(), EmulatorError> {
        routes::admin::save(&self.app)
    }

    /// Stop serving, wait for open requests, save the state file.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.save()
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
