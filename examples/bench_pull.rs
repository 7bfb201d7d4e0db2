//! Benchmark: `pull` of a large account from the in-process emulator with
//! realistic latency and rate limit, reporting wall time, requests and the
//! achieved request rate against the limit. Not part of `cargo test`.
//!
//! ```sh
//! cargo run --example bench_pull -- [CUSTOMERS] [SUBS_PER_CUSTOMER] [LATENCY_MS] [PER_MINUTE] [FAULTS]
//! cargo run --example bench_pull -- 2000 5 50 500
//! cargo run --example bench_pull -- 2000 5 50 500 429=0.02,patch202=0.2
//! ```
//!
//! `FAULTS` are extra emulator faults (`emulator::Faults` keys), e.g. the
//! 2% stray 429s of issue 18's benchmark. Injected 429s take a token from
//! the bucket like any request that passed the limit, so the share of the
//! limit counts them.
//!
//! The emulator's limit is a token bucket: `PER_MINUTE` requests may burst
//! at once, then it refills at `PER_MINUTE / 60` per second. So the fastest
//! any client can make `N` successful requests is `(N - PER_MINUTE) /
//! (PER_MINUTE / 60)` seconds; the report compares the wall time with that.
//!
//! Measured here (2 shared cores, debug build), 2000 customers x 5
//! subscriptions, latency 50 ms, 500/min: 193.3 s wall for 2,095
//! successful requests (4 customer pages, 2,000 subscription listings, 91
//! activity days), 1.0% over the 191.4 s the bucket allows; 480 answers
//! were 429 (19% of 2,575 requests sent), no job given up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use csp_consolidate::api::{Client, ClientConfig, Cloud, Credential, Secret};
use csp_consolidate::emulator::{self, EmulatorConfig, Faults, seed};
use csp_consolidate::pull::{self, Progress, PullSettings};

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (customers, subs, latency, per_minute) = (arg(1, 2000), arg(2, 5), arg(3, 50), arg(4, 500));
    let mut config = EmulatorConfig::new(seed::synthetic(customers as usize, subs as usize, 1));
    let extra = std::env::args().nth(5).unwrap_or_default();
    config.faults = Faults::parse(&format!("latency={latency}ms,{extra}"))?;
    config.rate_limit_per_minute = u32::try_from(per_minute)?;
    let h = emulator::spawn(config).await?;

    let mut cc = ClientConfig::new(
        Cloud::Global,
        "source",
        "source-app",
        Credential::ClientSecret(Secret::new("source-secret")),
    );
    cc.api_url = Some(h.base_url());
    cc.token_url = Some(h.base_url());
    let client = Client::new(cc)?;
    let out = tempfile::tempdir()?;
    let settings = PullSettings::new(out.path(), "bench");
    let started = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let progress: pull::ProgressFn = Arc::new(move |p: &Progress| {
        if let Progress::Fetched {
            done,
            total,
            concurrency,
        } = p
        {
            let secs = started.elapsed().as_secs();
            if secs >= last.load(Ordering::Relaxed) + 15 || done == total {
                last.store(secs, Ordering::Relaxed);
                eprintln!("{secs:>4} s: {done}/{total} jobs, {concurrency} in flight");
            }
        }
    });
    let report = pull::pull(&client, &settings, progress).await?;
    let wall = started.elapsed().as_secs_f64();

    let counters = h.counters();
    let t = &counters.tenants["source"];
    let ok = t.requests.saturating_sub(t.throttled);
    let floor = (ok.saturating_sub(per_minute) as f64) / (per_minute as f64 / 60.0);
    // Requests that took a token: answered ones and injected 429s.
    let granted = ok + t.injected_429;
    let share = (granted.saturating_sub(per_minute) as f64) / (per_minute as f64 / 60.0) / wall;
    println!(
        "pull: {customers} customers x {subs} subs, latency {latency} ms, limit {per_minute}/min"
    );
    println!(
        "  wrote {} customers, {} subscriptions, {} activity records; {} issues",
        report.customers,
        report.subscriptions,
        report.activity_records,
        report.issues.len()
    );
    println!(
        "  wall {wall:.1} s; requests {} ({} answered 429, {} succeeded); client retries {}",
        t.requests, t.throttled, ok, report.stats.retries
    );
    println!(
        "  achieved {:.0} successful requests/min overall; the bucket allows {per_minute} at once then {per_minute}/min",
        ok as f64 / wall * 60.0
    );
    println!(
        "  fastest possible for {ok} requests under this limit: {floor:.1} s; this run took {:.1}% longer",
        (wall / floor.max(0.001) - 1.0) * 100.0
    );
    println!(
        "  {} stray 429s injected; share of the limit used after the initial burst: {:.1}% ({granted} requests took a token)",
        t.injected_429,
        share * 100.0
    );
    h.shutdown().await?;
    Ok(())
}
