//! Push benchmark: `cargo run --release --example bench_push -- [CUSTOMERS] [OPTIONS]`.
//!
//! Why: DESIGN.md asks push for at most three API calls per customer and a
//! throughput within 10% of the rate limit the API grants, without 429
//! storms. This drives the real engine (`push::engine::push`) through the
//! real client (`api::Client` over loopback HTTP) against an in-process
//! emulator holding `emulator::seed::synthetic(customers, 5, seed)`, with
//! `latency=50ms` and a 500 requests/minute limit on the destination, and
//! reports what the emulator counted.
//!
//! The emulator is the realistic one by default: orders stay pending for
//! `--provisioning-ms` (3000) before their subscriptions exist, and legacy
//! offers cannot be bought (their rows are left out, as a reviewed plan
//! maps them to new commerce). When rows are still `provisioning` after the
//! first run, the bench waits that long and runs push again, and reports
//! the calls of both runs: purchase-path calls (customer read, cart,
//! checkout, order) and provisioning checks (order lookups) per customer.
//! `--kind` runs the old, instant emulator with legacy orders instead.
//!
//! Options (after the customer count, default 2000): `--subs N` (5),
//! `--seed N` (7), `--latency MS` (50), `--rate PER_MINUTE` (500),
//! `--max-concurrency N` (16), `--provisioning-ms MS` (3000), `--kind`.
//! Prints a human summary and, last, one `bench_push {json}` line with
//! every number.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use csp_consolidate::api::{Client, ClientConfig, Cloud, Credential, Secret};
use csp_consolidate::emulator::{self, EmulatorConfig, Faults, Realism};
use csp_consolidate::model::Outcome;
use csp_consolidate::push::adapter::ClientApi;
use csp_consolidate::push::engine::{CustomerPush, PushOptions, PushProgress, push};
use csp_consolidate::push::journal::{Journal, RowOutcome};
use serde_json::json;

#[path = "common/synthetic.rs"]
mod synthetic;
use synthetic::work;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Options {
    customers: usize,
    subs: usize,
    seed: u64,
    latency_ms: u64,
    rate: u32,
    max_concurrency: usize,
    provisioning_ms: u64,
    kind: bool,
}

fn options() -> Res<Options> {
    let mut o = Options {
        customers: 2000,
        subs: 5,
        seed: 7,
        latency_ms: 50,
        rate: 500,
        max_concurrency: 16,
        provisioning_ms: 3000,
        kind: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || -> Res<u64> {
            Ok(args
                .get(i + 1)
                .ok_or_else(|| format!("{} needs a value", args[i]))?
                .parse()?)
        };
        match args[i].as_str() {
            "--kind" => {
                o.kind = true;
                i += 1;
                continue;
            }
            "--provisioning-ms" => o.provisioning_ms = value()?,
            "--subs" => o.subs = usize::try_from(value()?)?,
            "--seed" => o.seed = value()?,
            "--latency" => o.latency_ms = value()?,
            "--rate" => o.rate = u32::try_from(value()?)?,
            "--max-concurrency" => o.max_concurrency = usize::try_from(value()?)?,
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

/// A progress line every 5% of the customers.
struct Progress {
    total: usize,
    done: AtomicUsize,
    started: Instant,
}

impl PushProgress for Progress {
    fn customer_done(&self, _: &str, _: &[RowOutcome], concurrency: usize) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let step = (self.total / 20).max(1);
        if done.is_multiple_of(step) || done == self.total {
            eprintln!(
                "  {done}/{} customers, {:.0} s, concurrency {concurrency}",
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

fn client(base: &str) -> Res<ClientApi> {
    let mut config = ClientConfig::new(
        Cloud::Global,
        "destination",
        "destination-app",
        Credential::ClientSecret(Secret::new("destination-secret")),
    );
    config.api_url = Some(base.to_owned());
    config.token_url = Some(base.to_owned());
    Ok(ClientApi::new(Client::new(config)?))
}

#[tokio::main]
async fn main() -> Res<()> {
    let o = options()?;
    let world = emulator::seed::synthetic(o.customers, o.subs, o.seed);
    let customers = work(&world, o.kind);
    let rows: usize = customers.iter().map(|c| c.cart.len() + c.order.len()).sum();
    let both = customers
        .iter()
        .filter(|c| !c.cart.is_empty() && !c.order.is_empty())
        .count();
    let mut config = EmulatorConfig::new(world);
    config.faults = Faults::parse(&format!("latency={}ms", o.latency_ms))?;
    config.rate_limit_per_minute = o.rate;
    config.realism = if o.kind {
        Realism::kind()
    } else {
        Realism {
            provisioning_delay_ms: o.provisioning_ms,
            ..Realism::default()
        }
    };
    let emu = emulator::spawn(config).await?;
    let api = Arc::new(client(&emu.base_url())?);
    let dir = tempfile::tempdir()?;
    let journal = Arc::new(Journal::open(&dir.path().join("bench.journal"), &[])?);
    let options = PushOptions {
        max_concurrency: o.max_concurrency,
        ..PushOptions::default()
    };
    eprintln!(
        "bench_push: {} customers, {rows} rows ({both} customers with both cart and order lines), latency {} ms, limit {}/min",
        o.customers, o.latency_ms, o.rate
    );
    let started = Instant::now();
    let progress = Arc::new(Progress {
        total: customers.len(),
        done: AtomicUsize::new(0),
        started,
    });
    let mut outcomes = push(
        api.clone(),
        journal.clone(),
        customers.clone(),
        &options,
        progress,
    )
    .await?;
    let wall = started.elapsed().as_secs_f64();
    let first = emu.counters();
    let pending = |o: &[RowOutcome]| {
        o.iter()
            .filter(|r| r.outcome == Outcome::Provisioning)
            .count()
    };
    eprintln!(
        "run 1 done: {} row(s) still provisioning",
        pending(&outcomes)
    );
    let mut runs = 1;
    while pending(&outcomes) > 0 && runs < 4 {
        tokio::time::sleep(std::time::Duration::from_millis(o.provisioning_ms)).await;
        let quiet = Arc::new(Progress {
            total: customers.len(),
            done: AtomicUsize::new(0),
            started: Instant::now(),
        });
        outcomes = push(
            api.clone(),
            journal.clone(),
            customers.clone(),
            &options,
            quiet,
        )
        .await?;
        runs += 1;
        eprintln!(
            "run {runs} done: {} row(s) still provisioning",
            pending(&outcomes)
        );
    }
    report(&o, &first, &customers, &outcomes, rows, wall, &api);
    let all = emu.counters();
    let dest = all.tenants.get("destination").cloned().unwrap_or_default();
    let route = |name: &str| dest.by_route.get(name).copied().unwrap_or(0);
    let n = customers.len().max(1) as f64;
    let purchase = route("GET /v1/customers/{cid}")
        + route("POST /v1/customers/{cid}/carts")
        + route("POST /v1/customers/{cid}/carts/{id}/checkout")
        + route("POST /v1/customers/{cid}/orders");
    let lookups = route("GET /v1/customers/{cid}/orders");
    println!(
        "all {runs} run(s)       {} requests ({} throttled); per customer: {:.2} purchase-path calls, {:.2} provisioning checks",
        dest.requests,
        dest.throttled,
        purchase as f64 / n,
        lookups as f64 / n
    );
    println!(
        "bench_push_runs {}",
        json!({"runs": runs, "requests": dest.requests, "throttled": dest.throttled,
               "purchase_calls_per_customer": purchase as f64 / n,
               "provisioning_checks_per_customer": lookups as f64 / n,
               "by_route": dest.by_route, "realistic": !o.kind,
               "provisioning_ms": o.provisioning_ms})
    );
    emu.shutdown().await?;
    Ok(())
}

fn report(
    o: &Options,
    counters: &emulator::Counters,
    customers: &[CustomerPush],
    outcomes: &[RowOutcome],
    rows: usize,
    wall: f64,
    api: &ClientApi,
) {
    let dest = counters
        .tenants
        .get("destination")
        .cloned()
        .unwrap_or_default();
    let mut by_outcome: BTreeMap<&str, usize> = BTreeMap::new();
    for r in outcomes {
        *by_outcome.entry(r.outcome.token()).or_default() += 1;
    }
    // Calls per customer, grouped by what the customer needed.
    let mut calls: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for c in customers {
        let shape = match (c.cart.is_empty(), c.order.is_empty()) {
            (false, true) => "cart only",
            (true, false) => "order only",
            _ => "cart and order",
        };
        let n = dest.by_customer.get(&c.customer_id).copied().unwrap_or(0);
        calls.entry(shape).or_default().push(n);
    }
    let accepted = dest.requests.saturating_sub(dest.throttled);
    let per_minute = f64::from(o.rate);
    // The bucket starts full: the first `rate` requests are a free burst;
    // after it the best possible pace is `rate` per minute.
    let ideal = accepted.saturating_sub(u64::from(o.rate)) as f64 / (per_minute / 60.0);
    let efficiency = if wall > 0.0 { ideal / wall } else { 0.0 };
    let achieved = accepted as f64 / wall * 60.0;
    let steady = accepted.saturating_sub(u64::from(o.rate)) as f64 / wall * 60.0;
    println!("customers            {}", customers.len());
    println!("rows                 {rows}");
    println!("outcomes             {by_outcome:?}");
    println!("wall                 {wall:.1} s");
    println!(
        "API requests         {} ({} accepted, {} throttled 429)",
        dest.requests, accepted, dest.throttled
    );
    for (shape, v) in &calls {
        let max = v.iter().max().copied().unwrap_or(0);
        let mean = v.iter().sum::<u64>() as f64 / v.len().max(1) as f64;
        let over = v.iter().filter(|n| **n > 3).count();
        println!(
            "calls/customer       {shape}: {} customers, mean {mean:.2}, max {max}, {over} over 3",
            v.len()
        );
    }
    println!(
        "request rate         {achieved:.0}/min overall; {steady:.0}/min after the initial burst of {} = {:.0}% of the {}/min limit",
        o.rate,
        efficiency * 100.0,
        o.rate
    );
    let stats = api.client().stats();
    let summary = json!({
        "customers": customers.len(), "rows": rows, "wall_s": wall,
        "requests": dest.requests, "accepted": accepted, "throttled": dest.throttled,
        "client_tries": stats.tries, "client_retries": stats.retries, "client_429": stats.throttled,
        "efficiency": efficiency, "rate_per_min": achieved, "steady_rate_per_min": steady,
        "outcomes": by_outcome,
        "calls": calls.iter().map(|(k, v)| (k.to_string(), json!({
            "customers": v.len(),
            "mean": v.iter().sum::<u64>() as f64 / v.len().max(1) as f64,
            "max": v.iter().max(),
        }))).collect::<BTreeMap<_, _>>(),
        "latency_ms": o.latency_ms, "limit_per_min": o.rate, "max_concurrency": o.max_concurrency,
    });
    println!("bench_push {summary}");
}
