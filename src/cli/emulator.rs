//! `csp-consolidate emulator`: run a local Partner Center until Ctrl-C or
//! SIGTERM. The first stdout line is `listening on http://ADDR` (flushed),
//! so scripts and tests can start it on port 0 and read where it went.
//! With `--state F` the world is loaded from F when it exists and saved
//! back to F (atomically) on shutdown, so a rehearsal survives a restart.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use csp_consolidate::emulator::{self, EmulatorConfig, Faults, Realism};

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Seed file (JSON); default: the bundled example seed.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// State file: loaded at start when it exists, saved on shutdown.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Fault spec, e.g. "429=0.05,5xx=0.02,drop=0.05,latency=50ms,lag=2s,patch202=0.5,seed=7".
    #[arg(long, default_value = "")]
    faults: String,
    /// Requests per minute per partner tenant (0 = unlimited).
    #[arg(long, default_value_t = 500)]
    rate_limit: u32,
    /// Default page size of customer and audit-record pages (max 500).
    #[arg(long, default_value_t = 500)]
    page_size: usize,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// How long a new order stays `pending` before its subscriptions are
    /// provisioned, in milliseconds (0 = at once).
    #[arg(long, default_value_t = 3000)]
    provisioning_ms: u64,
    /// How long a cart can be checked out after its creation, in seconds.
    #[arg(long, default_value_t = 7 * 24 * 3600)]
    cart_ttl: u64,
    /// The old, kinder Partner Center: instant provisioning, legacy offers
    /// sold through orders, no customer-agreement attestation needed.
    #[arg(long)]
    kind: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let faults = Faults::parse(&args.faults)?;
    let world = emulator::load_world(args.seed.as_deref(), args.state.as_deref())?;
    let mut config = EmulatorConfig::new(world);
    config.listen = args.listen;
    config.state_path = args.state;
    config.faults = faults;
    config.rate_limit_per_minute = args.rate_limit;
    config.page_size = args.page_size;
    config.token_ttl_secs = args.token_ttl;
    config.realism = if args.kind {
        Realism::kind()
    } else {
        Realism {
            provisioning_delay_ms: args.provisioning_ms,
            cart_ttl_secs: args.cart_ttl,
            ..Realism::default()
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        // Listen for the stop signals before announcing the address: a
        // SIGTERM sent right after the first line must still save state.
        let stop = stop_signal()?;
        let handle = emulator::spawn(config).await?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", handle.base_url())?;
        out.flush()?;
        drop(out);
        stop.await;
        handle.shutdown().await?;
        Ok(Outcome::Clean)
    })
}

/// A future resolving on Ctrl-C, or SIGTERM on Unix; the handlers are
/// installed when this returns, not when the future is first polled.
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?
    };
    let ctrl_c = tokio::signal::ctrl_c();
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    })
}
