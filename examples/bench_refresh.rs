//! Refresh benchmark: `cargo run --release --example bench_refresh -- [CUSTOMERS] [--rate N] [--latency MS]`.
//!
//! Why: the live plan (`plan --destination --source`, and every push) reads
//! both accounts before deciding anything; its cost must stay at two reads
//! per customer on the destination, one on the source, plus one catalog
//! read per distinct target item, and run at the rate limit. This drives
//! the real refresh (`ops::refresh::refresh`) through the real client over
//! loopback against an in-process emulator holding
//! `emulator::seed::synthetic(customers, 5, 7)` with a per-tenant rate
//! limit, and prints what it read and how much of the limit it used.

use std::sync::Arc;
use std::time::Instant;

use csp_consolidate::api::{Client, ClientConfig, Cloud, Credential, Secret};
use csp_consolidate::emulator::{self, EmulatorConfig, Faults, World};
use csp_consolidate::model::{Retirement, SubStatus};
use csp_consolidate::ops::refresh::{Accounts, refresh};
use csp_consolidate::plan::{CustomerPlan, LineCells, LineItem, Plan, PurchasePath};
use csp_consolidate::push::adapter::ClientApi;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn arg(name: &str, default: u64) -> Res<u64> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(args.get(i + 1).ok_or("missing value")?.parse()?),
        None => Ok(default),
    }
}

/// Every source subscription of every customer as an approved line item.
fn plan(world: &World) -> Plan {
    let mut plan = Plan {
        workbook: "bench".into(),
        tool_version: String::new(),
        built_at: None,
        as_of: None,
        customers: Vec::new(),
        workbook_problems: Vec::new(),
        counts: Default::default(),
        live: Default::default(),
    };
    let Some(source) = world.tenants.iter().find(|t| t.name == "source") else {
        return plan;
    };
    for c in &source.customers {
        let items = c
            .subscriptions
            .iter()
            .map(|s| LineItem {
                customer_tenant_id: c.id.clone(),
                customer_name: c.company_name.clone(),
                source_subscription_id: s.id.clone(),
                catalog_item: s.offer_id.clone(),
                path: if s.offer_id.contains(':') {
                    PurchasePath::Cart
                } else {
                    PurchasePath::Order
                },
                seats: u32::try_from(s.quantity.max(1)).unwrap_or(1),
                billing_cycle: Some(s.billing_cycle.clone()),
                term: s.term_duration.clone(),
                friendly_name: Some(s.friendly_name.clone()),
                source_product: s.offer_name.clone(),
                source_status: Some(SubStatus::parse(&s.status).as_str().to_owned()),
                source_term_end: None,
                retire: Retirement::DecideAtRetire,
                double_billing_days: None,
                row: String::new(),
                source_seats: u32::try_from(s.quantity).ok(),
                decision: None,
                cells: LineCells::default(),
                at_destination: None,
            })
            .collect();
        plan.customers.push(CustomerPlan {
            tenant_id: c.id.clone(),
            name: c.company_name.clone(),
            line_items: items,
            problems: Vec::new(),
            waiting: None,
        });
    }
    plan
}

fn client(base: &str, tenant: &str) -> Res<Arc<ClientApi>> {
    let mut config = ClientConfig::new(
        Cloud::Global,
        tenant,
        format!("{tenant}-app"),
        Credential::ClientSecret(Secret::new(format!("{tenant}-secret"))),
    );
    config.api_url = Some(base.to_owned());
    config.token_url = Some(base.to_owned());
    Ok(Arc::new(ClientApi::new(Client::new(config)?)))
}

#[tokio::main]
async fn main() -> Res<()> {
    let customers = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let rate = u32::try_from(arg("--rate", 500)?)?;
    let latency = arg("--latency", 50)?;
    let world = emulator::seed::synthetic(customers, 5, 7);
    let plan = plan(&world);
    let mut config = EmulatorConfig::new(world);
    config.faults = Faults::parse(&format!("latency={latency}ms"))?;
    config.rate_limit_per_minute = rate;
    let emu = emulator::spawn(config).await?;
    let base = emu.base_url();
    let accounts = Accounts {
        destination: client(&base, "destination")?,
        destination_name: "destination".into(),
        source: Some((client(&base, "source")?, "source".into())),
    };
    eprintln!(
        "bench_refresh: {customers} customers, limit {rate}/min per tenant, latency {latency} ms"
    );
    let started = Instant::now();
    let state = refresh(&plan, &accounts, 16, &()).await?;
    let wall = started.elapsed().as_secs_f64();
    let counters = emu.counters();
    let served = |t: &str| {
        counters
            .tenants
            .get(t)
            .map_or(0, |c| c.requests.saturating_sub(c.throttled))
    };
    let r = state.reads;
    let dest_calls = served("destination");
    // The emulator's bucket starts full (`rate` requests of burst), then
    // refills at rate/60 per second: the share counts what came after it.
    let limit_share = |calls: u64| {
        calls.saturating_sub(u64::from(rate)) as f64 / (wall * f64::from(rate) / 60.0) * 100.0
    };
    println!(
        "customers {customers}: destination {} reads ({:.2}/customer) + {} catalog, source {} reads ({:.2}/customer); wall {wall:.1} s; destination served {dest_calls} requests = {:.0}% of the limit after the initial burst, source {:.0}%",
        r.destination,
        r.destination as f64 / customers as f64,
        r.catalog,
        r.source,
        r.source as f64 / customers as f64,
        limit_share(dest_calls),
        limit_share(served("source")),
    );
    emu.shutdown().await?;
    Ok(())
}
