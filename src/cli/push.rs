//! `csp-consolidate push`: re-create the approved rows at the destination,
//! exactly once. A dry run unless `--execute`.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use csp_consolidate::model::{Outcome as Row, Phase};
use csp_consolidate::ops::{self, push as op};
use csp_consolidate::push::engine::{PushOptions, PushProgress, push};
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
  csp-consolidate push migration.xlsx --destination destination --json     # the dry run as JSON

Before anything, push checks the plan against the destination as `plan --destination` does
(and the source too with --source): rows the destination already holds are adopted, not bought
again; an unknown target item, a disallowed term or a row changed after purchase stops it
(exit 2, nothing sent). The dry run lists only the calls still needed.

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
    let account = args.accounts.destination("push")?.to_owned();
    let plan = common::live_plan(&args.common, &args.accounts)?;
    let plan = common::refuse_unclean(&args.common.workbook, plan)?;
    let customers = op::customer_pushes(&plan);
    let journal_path = args.common.journal_path();
    if !args.execute.execute {
        let pushed = if journal_path.exists() {
            Journal::open(&journal_path, &[])?.row_outcomes(Phase::Push)?
        } else {
            Vec::new()
        };
        let dry = op::dry_run(&plan, &customers, &pushed);
        if args.common.json {
            println!("{}", serde_json::to_string_pretty(&dry)?);
        } else {
            print_dry_run(&dry);
        }
        return Ok(Outcome::Clean);
    }
    let api = Arc::new(args.common.client(&account)?);
    let journal = Arc::new(Journal::open(
        &journal_path,
        &[("destination_account", account.as_str())],
    )?);
    let adopted = op::record_adopted(&journal, &plan)?;
    let options = PushOptions {
        max_concurrency: args.max_concurrency.max(1),
        relationship_message: op::RELATIONSHIP_TEMPLATE.to_owned(),
        attestation: args.common.attestation()?,
        ..PushOptions::default()
    };
    let progress = Arc::new(Progress::new(customers.len()));
    let rt = common::runtime()?;
    let rows = rt.block_on(async {
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
    let mut decided = progress.decided();
    decided.extend(adopted.into_iter().map(|r| r.source_subscription_id));
    report(&decided, &rows, &results, args.common.json)
}

fn print_dry_run(dry: &op::DryRun) {
    for c in &dry.customers {
        println!("{} ({})", c.customer_name, c.customer_id);
        println!("  GET  customer (relationship check)");
        if let Some(why) = &c.waiting {
            println!("  then nothing: waiting. {why}");
            continue;
        }
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
    }
    println!(
        "dry run: {} customer(s), {} call(s) would be made; {} row(s) already at the destination, {} done by an earlier push; nothing was sent (add --execute)",
        dry.customers.len(),
        dry.calls,
        dry.already_at_destination,
        dry.done_earlier
    );
}

fn report(
    decided: &HashSet<String>,
    rows: &[RowOutcome],
    results: &std::path::Path,
    json: bool,
) -> anyhow::Result<Outcome> {
    let (this_run, earlier) = op::split_runs(rows, decided);
    for r in this_run.iter().filter(|r| !r.outcome.has_copy()) {
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
        let now = ops::count_outcomes(this_run.iter().map(|r| r.outcome));
        let then = ops::count_outcomes(earlier.iter().map(|r| r.outcome));
        println!(
            "push, this run: {}; done earlier: {}; results in {}",
            ops::outcome_counts_text(&now),
            if then.is_empty() {
                "none".to_owned()
            } else {
                ops::outcome_counts_text(&then)
            },
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
    /// Rows the engine decided in this run.
    decided: Mutex<HashSet<String>>,
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
            decided: Mutex::new(HashSet::new()),
        }
    }

    fn decided(&self) -> HashSet<String> {
        self.decided.lock().map(|d| d.clone()).unwrap_or_default()
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl PushProgress for Progress {
    fn customer_done(&self, customer_id: &str, rows: &[RowOutcome], concurrency: usize) {
        if let Ok(mut d) = self.decided.lock() {
            d.extend(rows.iter().map(|r| r.source_subscription_id.clone()));
        }
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
