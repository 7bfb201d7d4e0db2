//! The local Partner Center emulator for tests: started in process on
//! 127.0.0.1:0 (on the caller's runtime, or on a runtime of its own for
//! tests that drive the real binary from plain threads), client configs and
//! clients signed in to one of its tenants, and the `csp-consolidate.toml`
//! that points the binary's accounts at it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use csp_consolidate::api::{Client, ClientConfig, Cloud, Credential, Secret, Timer};
use csp_consolidate::emulator::{
    self, EmulatorConfig, EmulatorHandle, Realism, TenantCounters, World,
};

/// The bundled example world (`fixtures/emulator/seed.json`).
pub fn example() -> World {
    emulator::load_world(None, None).unwrap_or_else(|e| panic!("seed: {e}"))
}

/// Start an emulator on `world` (listening on 127.0.0.1:0); `tweak` adjusts
/// its config first. Purchases are the kind ones ([`Realism::kind`]:
/// instant provisioning, legacy offers sold, no attestation needed) unless
/// `tweak` sets `config.realism` (see [`start_realistic`]).
pub async fn start(world: World, tweak: impl FnOnce(&mut EmulatorConfig)) -> EmulatorHandle {
    let mut config = EmulatorConfig::new(world);
    config.realism = Realism::kind();
    tweak(&mut config);
    emulator::spawn(config)
        .await
        .unwrap_or_else(|e| panic!("spawn emulator: {e}"))
}

/// [`start`] with the emulator's realistic purchases (pending orders
/// provisioned after `provisioning_ms`, legacy offers refused, attestation
/// required), then `tweak`.
pub async fn start_realistic(
    world: World,
    provisioning_ms: u64,
    tweak: impl FnOnce(&mut EmulatorConfig),
) -> EmulatorHandle {
    start(world, |c| {
        c.realism = Realism {
            provisioning_delay_ms: provisioning_ms,
            ..Realism::default()
        };
        tweak(c);
    })
    .await
}

/// An emulator on a runtime of its own (the runtime outlives the handle),
/// for tests without an async runtime.
pub struct Background {
    pub handle: EmulatorHandle,
    _rt: tokio::runtime::Runtime,
}

impl Background {
    /// [`start`] on a new one-worker runtime.
    pub fn start(world: World, tweak: impl FnOnce(&mut EmulatorConfig)) -> Background {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        let handle = rt.block_on(start(world, tweak));
        Background { handle, _rt: rt }
    }
}

/// A client config for `tenant` with app `app`, both URLs at `base`.
pub fn client_config(base: &str, tenant: &str, app: &str, credential: Credential) -> ClientConfig {
    let mut config = ClientConfig::new(Cloud::Global, tenant, app, credential);
    config.api_url = Some(base.to_owned());
    config.token_url = Some(base.to_owned());
    config
}

/// The seed's app-only sign-in for emulator tenant `name`
/// (`{name}-app` / `{name}-secret`).
pub fn seed_config(emu: &EmulatorHandle, name: &str) -> ClientConfig {
    client_config(
        &emu.base_url(),
        name,
        &format!("{name}-app"),
        Credential::ClientSecret(Secret::new(format!("{name}-secret"))),
    )
}

/// A client over `config` whose clock and sleeps are `timer`.
pub fn client(config: ClientConfig, timer: Arc<dyn Timer>) -> Client {
    Client::builder(config)
        .timer(timer)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// The emulator's counters for tenant `name` (zero if untouched).
pub fn counters(emu: &EmulatorHandle, name: &str) -> TenantCounters {
    emu.counters()
        .tenants
        .get(name)
        .cloned()
        .unwrap_or_default()
}

/// Write `dir/csp-consolidate.toml` with one account per `(tenant, secret
/// variable)` pointing at `base`; the secrets stay in the environment.
pub fn accounts_toml(dir: &Path, base: &str, accounts: &[(&str, &str)]) -> PathBuf {
    let toml: Vec<String> = accounts
        .iter()
        .map(|(name, var)| {
            format!(
                "[accounts.{name}]\ntenant = \"{name}\"\nclient_id = \"{name}-app\"\n\
                 client_secret_env = \"{var}\"\napi_url = \"{base}\"\ntoken_url = \"{base}\"\n"
            )
        })
        .collect();
    let path = dir.join("csp-consolidate.toml");
    std::fs::write(&path, toml.join("\n")).unwrap_or_else(|e| panic!("{e}"));
    path
}
