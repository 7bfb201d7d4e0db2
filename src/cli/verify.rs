//! `csp-consolidate verify`: reconcile both accounts against the plan and
//! write a reconciliation workbook. Reads only.

use std::collections::BTreeMap;
use std::path::PathBuf;

use csp_consolidate::plan::Plan;
use csp_consolidate::push::engine::PHASE as PUSH;
use csp_consolidate::push::journal::{Journal, RowOutcome};
use csp_consolidate::push::retire::PHASE as RETIRE;
use csp_consolidate::push::verify::{VerifyItem, VerifyRow, verify};
use csp_consolidate::sheet::report::{ReportCell, ReportTable, write_report};

use super::Outcome;
use super::common;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Example:
  csp-consolidate verify migration.xlsx --source source --destination destination --out reconciliation.xlsx

For every approved row: exactly one active copy at the destination with the target seats, and
the source in the state retire left it (suspended, cancelled, auto-renew off), or still active
if not retired yet. Exit 1 on any mismatch, with every mismatch listed.")]
pub struct Args {
    /// The reviewed migration workbook.
    workbook: PathBuf,
    /// The source account name.
    #[arg(long)]
    source: String,
    /// The destination account name.
    #[arg(long)]
    destination: String,
    /// The reconciliation workbook (default: W.reconciliation.xlsx).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The journal push and retire wrote (default: W.journal).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// The configuration file (default: ./csp-consolidate.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the reconciliation as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// What the plan and the journal say every approved row should look like.
pub fn verify_items(plan: &Plan, pushed: &[RowOutcome], retired: &[RowOutcome]) -> Vec<VerifyItem> {
    let by = |rows: &[RowOutcome]| -> BTreeMap<String, RowOutcome> {
        rows.iter()
            .map(|r| (r.source_subscription_id.clone(), r.clone()))
            .collect()
    };
    let (pushed, retired) = (by(pushed), by(retired));
    plan.line_items()
        .map(|item| VerifyItem {
            customer_id: item.customer_tenant_id.clone(),
            customer_name: item.customer_name.clone(),
            source_subscription_id: item.source_subscription_id.clone(),
            catalog_item: item.catalog_item.clone(),
            target_seats: item.seats,
            destination_subscription_id: pushed
                .get(&item.source_subscription_id)
                .and_then(|o| o.destination_subscription_id.clone()),
            retired_as: retired
                .get(&item.source_subscription_id)
                .map(|o| o.outcome.clone())
                .filter(|o| matches!(o.as_str(), "suspended" | "cancelled" | "auto_renew_off")),
        })
        .collect()
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let plan = common::clean_plan(&args.workbook)?;
    let journal_path = common::journal_path(args.journal.as_deref(), &args.workbook);
    let (pushed, retired) = if journal_path.exists() {
        let journal = Journal::open(&journal_path, &[])?;
        (journal.row_outcomes(PUSH)?, journal.row_outcomes(RETIRE)?)
    } else {
        (Vec::new(), Vec::new())
    };
    let items = verify_items(&plan, &pushed, &retired);
    let source = common::account_client(args.config.as_deref(), &args.source)?;
    let destination = common::account_client(args.config.as_deref(), &args.destination)?;
    let rt = common::runtime()?;
    let rows = rt.block_on(async {
        common::preflight(&source, &args.source).await?;
        common::preflight(&destination, &args.destination).await?;
        verify(&source, &destination, &items)
            .await
            .map_err(anyhow::Error::from)
    })?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| common::results_path(&args.workbook, "reconciliation"));
    write_report(&out, &[table(&rows)])?;
    let bad: Vec<&VerifyRow> = rows.iter().filter(|r| !r.ok).collect();
    for r in &bad {
        eprintln!(
            "{} ({}): {}",
            r.source_subscription_id,
            r.customer,
            r.problems.join("; ")
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "verify: {} row(s), {} mismatch(es); reconciliation in {}",
            rows.len(),
            bad.len(),
            out.display()
        );
    }
    Ok(Outcome::from_clean(bad.is_empty()))
}

pub fn table(rows: &[VerifyRow]) -> ReportTable {
    let headers = [
        "Customer",
        "Customer tenant ID",
        "Source subscription ID",
        "Expected seats",
        "Destination subscription ID",
        "Destination seats",
        "Destination status",
        "Active copies",
        "Source seats",
        "Source status",
        "Source auto-renew",
        "Expected source",
        "Result",
        "Problems",
    ];
    ReportTable::new(
        "Reconciliation",
        &headers,
        rows.iter()
            .map(|r| {
                vec![
                    ReportCell::from(r.customer.as_str()),
                    ReportCell::from(r.customer_tenant_id.as_str()),
                    ReportCell::from(r.source_subscription_id.as_str()),
                    ReportCell::from(r.expected_seats),
                    ReportCell::from(r.destination_subscription_id.as_str()),
                    ReportCell::from(r.destination_seats),
                    ReportCell::from(r.destination_status.as_str()),
                    ReportCell::from(u32::try_from(r.destination_copies).unwrap_or(u32::MAX)),
                    ReportCell::from(r.source_seats),
                    ReportCell::from(r.source_status.as_str()),
                    ReportCell::from(
                        r.source_auto_renew
                            .map(|b| if b { "yes" } else { "no" }.to_owned()),
                    ),
                    ReportCell::from(r.expected_source.as_str()),
                    ReportCell::from(if r.ok { "OK" } else { "MISMATCH" }),
                    ReportCell::from(r.problems.join("; ")),
                ]
            })
            .collect(),
    )
}
