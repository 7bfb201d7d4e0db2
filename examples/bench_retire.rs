//! Retire benchmark: `cargo run --example bench_retire -- [CUSTOMERS] [OPTIONS]`.
//!
//! Why: issue 18 asks retire to use at least 90% of the rate limit the API
//! grants (500 requests/minute) with 2% stray 429s and 20% of PATCHes
//! answered 202. This drives the real engine (`push::retire::retire`)
//! through the real client (loopback HTTP) against an in-process emulator
//! holding `emulator::seed::synthetic(customers, 5, seed)`: first a push
//! buys every copy (no limit, no faults: that is not measured), then the
//! limit (a full bucket) and the faults are switched on and every bought
//! row is retired. Numbers come from the emulator's counters for the
//! source tenant, which retire changes (the destination is only listed,
//! once per customer, under its own limit).
//!
//! Options (after the customer count, default 2000): `--subs N` (5),
//! `--seed N` (7), `--latency MS` (50), `--rate PER_MINUTE` (500),
//! `--throttle P` (0.02), `--accept202 P` (0.2), `--max-concurrency N`
//! (16). Prints a summary and, last, one `bench_retire {json}` line.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use csp_consolidate::api::{Client, ClientConfig, Cloud, Credential, Secret};
use csp_consolidate::emulator::{self, EmulatorConfig, Faults, TenantCounters};
use csp_consolidate::model::{Outcome, Retirement};
use csp_consolidate::push::adapter::ClientApi;
use csp_consolidate::push::engine::{PushOptions, push};
use csp_consolidate::push::journal::Journal;
use csp_consolidate::push::retire::{RetireItem, RetireOptions, retire};
use serde_json::json;

#[path = "common/synthetic.rs"]
mod synthetic;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Options {
    customers: usize,
    subs: usize,
    seed: u64,
    latency_ms: u64,
    rate: u32,
    throttle: f64,
    accept202: f64,
    max_concurrency: usize,
}

fn options() -> Res<Options> {
    let mut o = Options {
        customers: 2000,
        subs: 5,
        seed: 7,
        latency_ms: 50,
        rate: 500,
        throttle: 0.02,
        accept202: 0.2,
        max_concurrency: 16,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || -> Res<&str> {
            Ok(args
                .get(i + 1)
                .ok_or_else(|| format!("{} needs a value", args[i]))?)
        };
        match args[i].as_str() {
            "--subs" => o.subs = value()?.parse()?,
            "--seed" => o.seed = value()?.parse()?,
            "--latency" => o.latency_ms = value()?.parse()?,
            "--rate" => o.rate = value()?.parse()?,
            "--throttle" => o.throttle = value()?.parse()?,
            "--accept202" => o.accept202 = value()?.parse()?,
            "--max-concurrency" => o.max_concurrency = value()?.parse()?,
            n => {
                o.customers = n.parse()?;
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    Ok(o)
}

fn client(base: &str, tenant: &str) -> Res<ClientApi> {
    let mut config = ClientConfig::new(
        Cloud::Global,
        tenant,
        format!("{tenant}-app"),
        Credential::ClientSecret(Secret::new(format!("{tenant}-secret"))),
    );
    config.api_url = Some(base.to_owned());
    config.token_url = Some(base.to_owned());
    Ok(ClientApi::new(Client::new(config)?))
}

fn counters(emu: &emulator::EmulatorHandle, tenant: &str) -> TenantCounters {
    emu.counters()
        .tenants
        .get(tenant)
        .cloned()
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> Res<()> {
    let o = options()?;
    let world = emulator::seed::synthetic(o.customers, o.subs, o.seed);
    let customers = synthetic::work(&world, true);
    // Only live sources are retired (a plan migrates nothing else); the
    // synthetic world also holds deleted, expired, pending … ones.
    let live: std::collections::HashSet<String> = world
        .tenants
        .iter()
        .filter(|t| t.name == "source")
        .flat_map(|t| &t.customers)
        .flat_map(|c| &c.subscriptions)
        .filter(|s| s.status == "active")
        .map(|s| s.id.clone())
        .collect();
    // Retire is what is measured: the copies are bought on the instant
    // emulator (no provisioning delay, legacy orders accepted).
    let mut config = EmulatorConfig::new(world);
    config.realism = emulator::Realism::kind();
    let emu = emulator::spawn(config).await?;
    emu.set_rate_limit(0);
    let (source, destination) = (
        Arc::new(client(&emu.base_url(), "source")?),
        Arc::new(client(&emu.base_url(), "destination")?),
    );
    let dir = tempfile::tempdir()?;
    let journal = Arc::new(Journal::open(&dir.path().join("bench.journal"), &[])?);
    eprintln!(
        "bench_retire: buying the copies first ({} customers)",
        o.customers
    );
    let bought = push(
        destination.clone(),
        journal.clone(),
        customers.clone(),
        &PushOptions::default(),
        Arc::new(()),
    )
    .await?;
    let customer_of: BTreeMap<&str, &str> = customers
        .iter()
        .flat_map(|c| {
            c.cart
                .iter()
                .chain(&c.order)
                .map(|l| (l.source_subscription_id.as_str(), c.customer_id.as_str()))
        })
        .collect();
    let items: Vec<RetireItem> = bought
        .iter()
        .filter(|r| r.outcome == Outcome::Bought && live.contains(&r.source_subscription_id))
        .map(|r| RetireItem {
            customer_id: customer_of
                .get(r.source_subscription_id.as_str())
                .copied()
                .unwrap_or_default()
                .to_owned(),
            source_subscription_id: r.source_subscription_id.clone(),
            destination_subscription_id: r.destination_subscription_id.clone(),
            not_ready: None,
            method: Retirement::DecideAtRetire,
        })
        .collect();

    emu.set_faults(Faults::parse(&format!(
        "latency={}ms,429={},patch202={},seed={}",
        o.latency_ms, o.throttle, o.accept202, o.seed
    ))?);
    emu.set_rate_limit(o.rate); // buckets start full
    let before = counters(&emu, "source");
    let before_dest = counters(&emu, "destination");
    eprintln!(
        "bench_retire: retiring {} rows of {} customers at {}/min, 429 {}, 202 {}, latency {} ms",
        items.len(),
        o.customers,
        o.rate,
        o.throttle,
        o.accept202,
        o.latency_ms
    );
    let options = RetireOptions {
        max_concurrency: o.max_concurrency,
        ..RetireOptions::default()
    };
    let started = Instant::now();
    let today = chrono::Utc::now().date_naive();
    let run = retire(
        source.clone(),
        destination,
        &journal,
        &items,
        today,
        &options,
    )
    .await?;
    let wall = started.elapsed().as_secs_f64();
    let after = counters(&emu, "source");
    let dest = counters(&emu, "destination");

    let requests = after.requests - before.requests;
    let throttled = after.throttled - before.throttled;
    let injected = after.injected_429 - before.injected_429;
    let limited = throttled - injected; // 429s of the token bucket itself
    let granted = requests - limited; // requests that took a token
    let useful = requests - throttled;
    let accepted_202 = after.accepted_202 - before.accepted_202;
    let rate = f64::from(o.rate);
    // The bucket starts full: the first `rate` requests are a free burst;
    // after it the best possible pace is `rate` per minute.
    let share = |n: u64| n.saturating_sub(u64::from(o.rate)) as f64 / (rate / 60.0) / wall;
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for r in &run.rows {
        *outcomes.entry(r.outcome.token()).or_default() += 1;
        if !r.outcome.is_retired() {
            let why = format!(
                "{} {}",
                r.outcome.token(),
                r.error_code.as_deref().unwrap_or("")
            );
            *reasons.entry(why).or_default() += 1;
        }
    }
    println!("customers            {}", o.customers);
    println!(
        "rows retired         {} of {} ({outcomes:?})",
        run.changed,
        items.len()
    );
    for (why, n) in &reasons {
        println!("not retired          {n} × {why}");
    }
    println!("wall                 {wall:.1} s");
    println!(
        "source requests      {requests}: {useful} answered, {injected} stray 429s, {limited} rate-limit 429s, {accepted_202} PATCHes answered 202"
    );
    println!(
        "destination requests {} (one listing per customer)",
        dest.requests - before_dest.requests
    );
    println!(
        "share of the limit   {:.1}% (requests that took a token after the initial burst of {}), {:.1}% counting only answered ones; {:.0} requests/min",
        share(granted) * 100.0,
        o.rate,
        share(useful) * 100.0,
        granted as f64 / wall * 60.0
    );
    let summary = json!({
        "customers": o.customers, "rows": items.len(), "changed": run.changed,
        "wall_s": wall, "requests": requests, "answered": useful,
        "stray_429": injected, "limit_429": limited, "accepted_202": accepted_202,
        "share_granted": share(granted), "share_answered": share(useful),
        "outcomes": outcomes, "limit_per_min": o.rate, "latency_ms": o.latency_ms,
        "max_concurrency": o.max_concurrency,
    });
    println!("bench_retire {summary}");
    emu.shutdown().await?;
    Ok(())
}
