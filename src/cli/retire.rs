//! `csp-consolidate retire`: retire the source subscriptions whose
//! destination copy is confirmed. A dry run unless `--execute`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use csp_consolidate::plan::{Plan, RetireStep};
use csp_consolidate::push::engine::{PHASE as PUSH, outcome};
use csp_consolidate::push::journal::{Journal, RowOutcome};
use csp_consolidate::push::retire::{Method, RetireItem, retire};
use csp_consolidate::sheet::report::{ReportCell, ReportTable, write_report};

use super::Outcome;
use super::common;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  csp-consolidate retire migration.xlsx --account source            # dry run
  csp-consolidate retire migration.xlsx --account source --execute

Only rows that push bought, and whose destination copy reads back active, are touched.
Legacy licences are suspended (the same UTC day as the purchase, or a warning says why not).
New-commerce suspension does NOT stop billing: new commerce is cancelled while its
cancellation window is open, else auto-renew is turned off and the date the source term ends
(the double-billing days) is reported. Same journal discipline as push: safe to re-run.")]
pub struct Args {
    /// The reviewed migration workbook.
    workbook: PathBuf,
    /// The source account (a name in csp-consolidate.toml).
    #[arg(long)]
    account: String,
    /// The destination account, to confirm copies (default: the one push used).
    #[arg(long)]
    destination: Option<String>,
    /// Really send requests (without it: a dry run).
    #[arg(long)]
    execute: bool,
    /// The journal push wrote (default: beside the workbook, W.journal).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// The configuration file (default: ./csp-consolidate.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the row outcomes as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Rows bought by push, with how the plan said to retire them.
pub fn retire_items(plan: &Plan, pushed: &[RowOutcome]) -> Vec<RetireItem> {
    let bought: BTreeMap<&str, &RowOutcome> = pushed
        .iter()
        .filter(|o| o.outcome == outcome::BOUGHT)
        .map(|o| (o.source_subscription_id.as_str(), o))
        .collect();
    plan.line_items()
        .filter_map(|item| {
            let o = bought.get(item.source_subscription_id.as_str())?;
            let method = match item.retire {
                RetireStep::Suspend => Method::Suspend,
                RetireStep::Cancel { .. } => Method::Cancel,
                RetireStep::StopAutoRenew { .. } => Method::StopAutoRenew,
                RetireStep::DecideAtRetire => Method::Decide,
                RetireStep::Nothing => return None,
            };
            Some(RetireItem {
                customer_id: item.customer_tenant_id.clone(),
                source_subscription_id: item.source_subscription_id.clone(),
                destination_subscription_id: o.destination_subscription_id.clone()?,
                method,
            })
        })
        .collect()
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let plan = common::clean_plan(&args.workbook)?;
    let journal_path = common::journal_path(args.journal.as_deref(), &args.workbook);
    if !journal_path.exists() {
        anyhow::bail!(
            "{}: no push journal: run `csp-consolidate push --execute` first",
            journal_path.display()
        );
    }
    let journal = Arc::new(Journal::open(
        &journal_path,
        &[("source_account", args.account.as_str())],
    )?);
    let items = retire_items(&plan, &journal.row_outcomes(PUSH)?);
    if !args.execute {
        for i in &items {
            println!(
                "{} {}: {:?} (copy {})",
                i.customer_id, i.source_subscription_id, i.method, i.destination_subscription_id
            );
        }
        println!(
            "dry run: {} source subscription(s) would be retired; nothing was sent (add --execute)",
            items.len()
        );
        return Ok(Outcome::Clean);
    }
    let destination = match &args.destination {
        Some(d) => d.clone(),
        None => journal.identity("destination_account")?.context(
            "the journal does not say which destination account push used; pass --destination",
        )?,
    };
    let source_api = common::account_client(args.config.as_deref(), &args.account)?;
    let dest_api = common::account_client(args.config.as_deref(), &destination)?;
    let rt = common::runtime()?;
    let today = Utc::now().date_naive();
    let rows = rt.block_on(async {
        common::preflight(&source_api, &args.account).await?;
        common::preflight(&dest_api, &destination).await?;
        retire(&source_api, &dest_api, &journal, &items, today)
            .await
            .map_err(anyhow::Error::from)
    })?;
    let results = common::results_path(&args.workbook, "retire");
    write_report(&results, &[table(&rows)])?;
    let mut clean = true;
    for r in &rows {
        let ok = matches!(
            r.outcome.as_str(),
            "suspended" | "cancelled" | "auto_renew_off"
        );
        clean &= ok;
        if let Some(msg) = r
            .error_message
            .as_deref()
            .filter(|m| !ok || m.starts_with("WARNING") || m.contains("double billing"))
        {
            eprintln!("{}: {}: {msg}", r.source_subscription_id, r.outcome);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "retire: {} row(s) handled; results in {}",
            rows.len(),
            results.display()
        );
    }
    Ok(Outcome::from_clean(clean))
}

pub fn table(rows: &[RowOutcome]) -> ReportTable {
    let headers = [
        "Source subscription ID",
        "Destination subscription ID",
        "Outcome",
        "Error code",
        "Note",
        "Time (UTC)",
    ];
    ReportTable::new(
        "Retire results",
        &headers,
        rows.iter()
            .map(|r| {
                vec![
                    ReportCell::from(r.source_subscription_id.as_str()),
                    ReportCell::from(r.destination_subscription_id.clone()),
                    ReportCell::from(r.outcome.as_str()),
                    ReportCell::from(r.error_code.clone()),
                    ReportCell::from(r.error_message.clone()),
                    ReportCell::from(r.at.as_str()),
                ]
            })
            .collect(),
    )
}
