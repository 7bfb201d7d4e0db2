//! `csp-consolidate push`: re-create the approved rows at the destination,
//! exactly once. A dry run unless `--execute`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use csp_consolidate::model::Outcome as Row;
use csp_consolidate::ops::{self, push as op};
use csp_consolidate::push::engine::{CustomerPush, PushOptions, PushProgress, push};
use csp_consolidate::push::journal::{Journal, RowOutcome};
use csp_consolidate::sheet::report::write_report;
use indicatif::{ProgressBar, ProgressStyle};

use super::Outcome;
use super::common::{self, AccountArgs, ExecuteArgs, WorkbookArgs};

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("destination", |a| a.visible_alias("account")),
    after_long_help = "\
Examples:
  csp-consolidate push migration.xlsx --destination destination            # dry run: what would be sent
  csp-consolidate push migration.xlsx --destination destination --execute  # buy

Per customer, at most three calls: one read (is the customer there, with a reseller
relationship?), one cart with all its new-commerce lines and one checkout, or one order for
legacy offers (a customer with both skips the read: the cart answers it). Every request is
journalled (SQLite, beside the workbook) before it is sent; run push again after any failure or
crash and it settles what was in doubt first and never buys twice. Customers that have not
accepted the reseller relationship are reported as waiting, with the invitation text.

Results go to W.results.xlsx; the reviewed workbook is never changed. Exit codes: 0 every row
bought, 1 some rows waiting, failed or in doubt (all reported), 2 nothing done."
)]
pub struct Args {
    #[command(flatten)]
    common: WorkbookArgs,
    #[command(flatten)]
    accounts: AccountArgs,
    #[command(flatten)]
    execute: ExecuteArgs,
    /// Most customers worked on at once (adapts down on 429s).
    #[arg(long, default_value_t = 16)]
    max_concurrency: usize,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let plan = common::clean_plan(&args.common.workbook)?;
    let customers = op::customer_pushes(&plan);
    if !args.execute.execute {
        print_dry_run(&customers);
        return Ok(Outcome::Clean);
    }
    let account = args.accounts.destination("push")?;
    let api = Arc::new(args.common.client(account)?);
    let journal = Arc::new(Journal::open(
        &args.common.journal_path(),
        &[("destination_account", account)],
    )?);
    let options = PushOptions {
        max_concurrency: args.max_concurrency.max(1),
        relationship_message: op::RELATIONSHIP_TEMPLATE.to_owned(),
        attestation: args.common.attestation()?,
        ..PushOptions::default()
    };
    let progress = Arc::new(Progress::new(customers.len()));
    let rt = common::runtime()?;
    let rows = rt.block_on(async {
        common::preflight(&api, account).await?;
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
    let results = ops::results_path(&args.common.workbook, "results");
    write_report(&results, &[op::results_table(&plan, &rows)])?;
    report(&rows, &results, args.common.json)
}

fn print_dry_run(customers: &[CustomerPush]) {
    let mut calls = 0;
    for c in customers {
        println!("{} ({})", c.customer_name, c.customer_id);
        println!("  GET  customer (relationship check)");
        if !c.cart.is_empty() {
            println!(
                "  POST cart with {} line(s), then POST checkout",
                c.cart.len()
            );
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
            for l in &c.order {
                println!("       {} × {}", l.quantity, l.catalog_item);
            }
        }
        calls += op::calls_for(c);
    }
    println!(
        "dry run: {} customer(s), {} call(s) would be made; nothing was sent (add --execute)",
        customers.len(),
        calls
    );
}

fn report(rows: &[RowOutcome], results: &std::path::Path, json: bool) -> anyhow::Result<Outcome> {
    for r in rows.iter().filter(|r| r.outcome != Row::Bought) {
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
    if json {
        println!("{}", serde_json::to_string_pretty(rows)?);
    } else {
        let counts = ops::count_outcomes(rows.iter().map(|r| r.outcome));
        println!(
            "push: {}; results in {}",
            ops::outcome_counts_text(&counts),
            results.display()
        );
    }
    Ok(Outcome::from_clean(op::all_bought(rows)))
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
            let counter = match r.outcome {
                Row::Bought => &self.bought,
                Row::Waiting => &self.waiting,
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
