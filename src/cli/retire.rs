//! `csp-consolidate retire`: retire the source subscriptions whose
//! destination copy is confirmed. A dry run unless `--execute`.

use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use csp_consolidate::ops::{self, retire as op};
use csp_consolidate::push::engine::PHASE as PUSH;
use csp_consolidate::push::journal::Journal;
use csp_consolidate::push::retire::{RetireOptions, retire};
use csp_consolidate::sheet::report::write_report;

use super::Outcome;
use super::common::{self, AccountArgs, ExecuteArgs, WorkbookArgs};

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("source", |a| a.visible_alias("account")),
    after_long_help = "\
Examples:
  csp-consolidate retire migration.xlsx --source source            # dry run
  csp-consolidate retire migration.xlsx --source source --execute

Only rows that push bought, and whose destination copy reads back active, are touched; every
other row is reported as waiting for its copy, with why, and a later run retires it.
Legacy licences are suspended (the same UTC day as the purchase, or a warning says why not).
New-commerce suspension does NOT stop billing: new commerce is cancelled while its
cancellation window is open, else auto-renew is turned off and the date the source term ends
(the double-billing days) is reported. The destination account (to confirm copies) defaults to
the one push used. Same journal discipline as push: safe to re-run."
)]
pub struct Args {
    #[command(flatten)]
    common: WorkbookArgs,
    #[command(flatten)]
    accounts: AccountArgs,
    #[command(flatten)]
    execute: ExecuteArgs,
    /// Customers worked at once, at most (adapted to the API's 429s).
    #[arg(long, default_value_t = 16)]
    max_concurrency: usize,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let plan = common::clean_plan(&args.common.workbook)?;
    let journal_path = args.common.journal_path();
    if !journal_path.exists() {
        anyhow::bail!(
            "{}: no push journal: run `csp-consolidate push --execute` first",
            journal_path.display()
        );
    }
    let source = args.accounts.source("retire")?;
    let journal = Arc::new(Journal::open(&journal_path, &[("source_account", source)])?);
    let items = op::retire_items(&plan, &journal.row_outcomes(PUSH)?);
    if !args.execute.execute {
        let mut ready = 0;
        for i in &items {
            let state = match (&i.not_ready, &i.destination_subscription_id) {
                (Some(why), _) => format!("waiting: {why}"),
                (None, Some(copy)) => {
                    ready += 1;
                    format!("copy {copy}")
                }
                (None, None) => "waiting: no destination subscription id yet".to_owned(),
            };
            println!(
                "{} {}: {} ({state})",
                i.customer_id,
                i.source_subscription_id,
                i.method.describe(None),
            );
        }
        println!(
            "dry run: {ready} source subscription(s) would be retired once their copy reads back active, {} waiting; nothing was sent (add --execute)",
            items.len() - ready
        );
        return Ok(Outcome::Clean);
    }
    let destination = match &args.accounts.destination {
        Some(d) => d.clone(),
        None => journal.identity("destination_account")?.context(
            "the journal does not say which destination account push used; pass --destination",
        )?,
    };
    let source_api = args.common.client(source)?;
    let dest_api = args.common.client(&destination)?;
    let rt = common::runtime()?;
    let today = Utc::now().date_naive();
    let options = RetireOptions {
        max_concurrency: args.max_concurrency.max(1),
        initial_concurrency: RetireOptions::default()
            .initial_concurrency
            .min(args.max_concurrency.max(1)),
    };
    let run = rt.block_on(async {
        common::preflight(&source_api, source).await?;
        common::preflight(&dest_api, &destination).await?;
        retire(
            Arc::new(source_api),
            Arc::new(dest_api),
            &journal,
            &items,
            today,
            &options,
        )
        .await
        .map_err(anyhow::Error::from)
    })?;
    let rows = run.rows;
    let results = ops::results_path(&args.common.workbook, "retire");
    write_report(&results, &[op::table(&rows)])?;
    for r in rows.iter().filter(|r| op::needs_attention(r)) {
        let note = r.error_message.as_deref().unwrap_or("");
        eprintln!("{}: {}: {note}", r.source_subscription_id, r.outcome);
    }
    if args.common.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        let counts = ops::count_outcomes(rows.iter().map(|r| r.outcome));
        println!(
            "retire: {} changed at the source this run (each read back from the service); all rows: {}; results in {}",
            run.changed,
            ops::outcome_counts_text(&counts),
            results.display()
        );
    }
    Ok(Outcome::from_clean(
        rows.iter().all(|r| r.outcome.is_retired()),
    ))
}
