//! `csp-consolidate retire`: retire the source subscriptions whose
//! destination copy is confirmed. A dry run unless `--execute`.

use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use csp_consolidate::ops::{self, retire as op};
use csp_consolidate::push::engine::PHASE as PUSH;
use csp_consolidate::push::journal::Journal;
use csp_consolidate::push::retire::retire;
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

Only rows that push bought, and whose destination copy reads back active, are touched.
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
        for i in &items {
            println!(
                "{} {}: {} (copy {})",
                i.customer_id,
                i.source_subscription_id,
                i.method.describe(None),
                i.destination_subscription_id
            );
        }
        println!(
            "dry run: {} source subscription(s) would be retired; nothing was sent (add --execute)",
            items.len()
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
    let rows = rt.block_on(async {
        common::preflight(&source_api, source).await?;
        common::preflight(&dest_api, &destination).await?;
        retire(&source_api, &dest_api, &journal, &items, today)
            .await
            .map_err(anyhow::Error::from)
    })?;
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
            "retire: {}; results in {}",
            ops::outcome_counts_text(&counts),
            results.display()
        );
    }
    Ok(Outcome::from_clean(
        rows.iter().all(|r| r.outcome.is_retired()),
    ))
}
