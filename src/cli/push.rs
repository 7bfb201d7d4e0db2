//! `csp-consolidate push`: re-create the approved rows at the destination,
//! exactly once. A dry run unless `--execute`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use csp_consolidate::plan::{Plan, PurchasePath};
use csp_consolidate::push::engine::{CustomerPush, PushOptions, PushProgress, outcome, push};
use csp_consolidate::push::journal::{Journal, RowOutcome};
use csp_consolidate::push::port::BuyLine;
use csp_consolidate::sheet::report::{ReportCell, ReportTable, write_report};
use indicatif::{ProgressBar, ProgressStyle};

use super::Outcome;
use super::common;

const RELATIONSHIP_TEMPLATE: &str =
    include_str!("../../templates/messages/relationship-request.txt");

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  csp-consolidate push migration.xlsx --account destination            # dry run: what would be sent
  csp-consolidate push migration.xlsx --account destination --execute  # buy

Per customer, at most three calls: one read (is the customer there, with a reseller
relationship?), one cart with all its new-commerce lines and one checkout, or one order for
legacy offers (a customer with both skips the read: the cart answers it). Every request is
journalled (SQLite, beside the workbook) before it is sent; run push again after any failure or
crash and it settles what was in doubt first and never buys twice. Customers that have not
accepted the reseller relationship are reported as waiting, with the invitation text.

Results go to W.results.xlsx; the reviewed workbook is never changed. Exit codes: 0 every row
bought, 1 some rows waiting, failed or in doubt (all reported), 2 nothing done.")]
pub struct Args {
    /// The reviewed migration workbook.
    workbook: PathBuf,
    /// The destination account (a name in csp-consolidate.toml).
    #[arg(long)]
    account: String,
    /// Really send requests (without it: a dry run).
    #[arg(long)]
    execute: bool,
    /// The journal (default: beside the workbook, W.journal).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// The configuration file (default: ./csp-consolidate.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Most customers worked on at once (adapts down on 429s).
    #[arg(long, default_value_t = 16)]
    max_concurrency: usize,
    /// Print the row outcomes as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// The plan's line items as the engine's per-customer work.
pub fn customer_pushes(plan: &Plan) -> Vec<CustomerPush> {
    plan.customers
        .iter()
        .filter(|c| !c.line_items.is_empty())
        .map(|c| {
            let mut push = CustomerPush {
                customer_id: c.tenant_id.clone(),
                customer_name: c.name.clone(),
                cart: Vec::new(),
                order: Vec::new(),
            };
            for item in &c.line_items {
                let line = BuyLine {
                    source_subscription_id: item.source_subscription_id.clone(),
                    catalog_item: item.catalog_item.clone(),
                    quantity: item.seats,
                    billing_cycle: item.billing_cycle.clone(),
                    term: item.term.clone(),
                    friendly_name: item.friendly_name.clone(),
                };
                match item.path {
                    PurchasePath::Cart => push.cart.push(line),
                    PurchasePath::Order => push.order.push(line),
                }
            }
            push
        })
        .collect()
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let plan = common::clean_plan(&args.workbook)?;
    let customers = customer_pushes(&plan);
    if !args.execute {
        print_dry_run(&customers);
        return Ok(Outcome::Clean);
    }
    let api = Arc::new(common::account_client(
        args.config.as_deref(),
        &args.account,
    )?);
    let journal_path = common::journal_path(args.journal.as_deref(), &args.workbook);
    let journal = Arc::new(Journal::open(
        &journal_path,
        &[("destination_account", args.account.as_str())],
    )?);
    let options = PushOptions {
        max_concurrency: args.max_concurrency.max(1),
        relationship_message: RELATIONSHIP_TEMPLATE.to_owned(),
        ..PushOptions::default()
    };
    let progress = Arc::new(Progress::new(customers.len()));
    let rt = common::runtime()?;
    let rows = rt.block_on(async {
        common::preflight(&api, &args.account).await?;
        push(
            api.clone(),
            journal.clone(),
            customers,
            &options,
            progress.clone(),
        )
        .await
        .map_err(anyhow::Error::from)
    })?;
    progress.finish();
    let results = common::results_path(&args.workbook, "results");
    write_report(&results, &[results_table(&plan, &rows)])?;
    report(&rows, &results, args.json)
}

fn print_dry_run(customers: &[CustomerPush]) {
    let mut calls = 0;
    for c in customers {
        println!("{} ({})", c.customer_name, c.customer_id);
        println!("  GET  customer (relationship check)");
        calls += 1;
        if !c.cart.is_empty() {
            println!(
                "  POST cart with {} line(s), then POST checkout",
                c.cart.len()
            );
            calls += 2;
            for l in &c.cart {
                println!(
                    "       {} × {} {}",
                    l.quantity,
                    l.catalog_item,
                    l.term.as_deref().unwrap_or("")
                );
            }
        }
        if !c.order.is_empty() {
            println!("  POST order with {} line(s)", c.order.len());
            calls += 1;
            for l in &c.order {
                println!("       {} × {}", l.quantity, l.catalog_item);
            }
        }
    }
    println!(
        "dry run: {} customer(s), {} call(s) would be made; nothing was sent (add --execute)",
        customers.len(),
        calls
    );
}

fn report(rows: &[RowOutcome], results: &std::path::Path, json: bool) -> anyhow::Result<Outcome> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *counts.entry(r.outcome.as_str()).or_insert(0) += 1;
        if r.outcome != outcome::BOUGHT {
            eprintln!(
                "{}: {}: {}",
                r.source_subscription_id,
                r.outcome,
                r.error_message
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            );
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(rows)?);
    } else {
        let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "push: {}; results in {}",
            summary.join(", "),
            results.display()
        );
    }
    let clean = rows.iter().all(|r| r.outcome == outcome::BOUGHT);
    Ok(Outcome::from_clean(clean))
}

pub fn results_table(plan: &Plan, rows: &[RowOutcome]) -> ReportTable {
    let by_row: BTreeMap<&str, &RowOutcome> = rows
        .iter()
        .map(|r| (r.source_subscription_id.as_str(), r))
        .collect();
    let headers = [
        "Customer",
        "Customer tenant ID",
        "Source subscription ID",
        "Target catalog item",
        "Target seats",
        "Outcome",
        "Destination order ID",
        "Destination subscription ID",
        "Error code",
        "Error message",
        "Time (UTC)",
        "Workbook row",
    ];
    let table_rows = plan
        .line_items()
        .map(|item| {
            let o = by_row.get(item.source_subscription_id.as_str());
            vec![
                ReportCell::from(item.customer_name.as_str()),
                ReportCell::from(item.customer_tenant_id.as_str()),
                ReportCell::from(item.source_subscription_id.as_str()),
                ReportCell::from(item.catalog_item.as_str()),
                ReportCell::from(item.seats),
                ReportCell::from(o.map_or("not attempted", |o| o.outcome.as_str())),
                ReportCell::from(o.and_then(|o| o.destination_order_id.clone())),
                ReportCell::from(o.and_then(|o| o.destination_subscription_id.clone())),
                ReportCell::from(o.and_then(|o| o.error_code.clone())),
                ReportCell::from(o.and_then(|o| o.error_message.clone())),
                ReportCell::from(o.map(|o| o.at.clone())),
                ReportCell::from(item.row.as_str()),
            ]
        })
        .collect();
    ReportTable::new("Push results", &headers, table_rows)
}

/// A progress bar on a terminal; a log line per customer otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    bought: AtomicU64,
    waiting: AtomicU64,
    failed: AtomicU64,
}

impl Progress {
    fn new(customers: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(customers as u64);
            let style =
                ProgressStyle::with_template("{spinner} customers {pos}/{len} [{bar:25}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style.progress_chars("=> "));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            bought: AtomicU64::new(0),
            waiting: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl PushProgress for Progress {
    fn customer_done(&self, customer_id: &str, rows: &[RowOutcome], concurrency: usize) {
        for r in rows {
            let counter = match r.outcome.as_str() {
                outcome::BOUGHT => &self.bought,
                outcome::WAITING => &self.waiting,
                _ => &self.failed,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let (b, w, f) = (
            self.bought.load(Ordering::Relaxed),
            self.waiting.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        );
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(format!(
                    "bought {b}, waiting {w}, failed/in doubt {f}, {concurrency} at once, {:.1} rows/s",
                    b as f64 / secs
                ));
            }
            None => eprintln!(
                "{{\"event\":\"customer_done\",\"customer\":\"{customer_id}\",\"rows\":{},\"bought\":{b},\"waiting\":{w},\"failed\":{f},\"concurrency\":{concurrency}}}",
                rows.len()
            ),
        }
    }
}
