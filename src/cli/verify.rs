//! `csp-consolidate verify`: reconcile both accounts against the plan and
//! write a reconciliation workbook. Reads only.

use std::path::PathBuf;

use csp_consolidate::model::Phase;
use csp_consolidate::ops::{self, verify as op};
use csp_consolidate::push::journal::Journal;
use csp_consolidate::push::verify::verify;
use csp_consolidate::sheet::report::write_report;

use super::Outcome;
use super::common::{self, AccountArgs, WorkbookArgs};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Example:
  csp-consolidate verify migration.xlsx --source source --destination destination --out reconciliation.xlsx

For every approved row: exactly one active copy at the destination with the target seats, and
the source in the state retire left it (suspended, cancelled, auto-renew off), or still active
if not retired yet. Exit 1 on any mismatch, with every mismatch listed.")]
pub struct Args {
    #[command(flatten)]
    common: WorkbookArgs,
    #[command(flatten)]
    accounts: AccountArgs,
    /// The reconciliation workbook (default: W.reconciliation.xlsx).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let (source_name, dest_name) = (
        args.accounts.source("verify")?,
        args.accounts.destination("verify")?,
    );
    let plan = common::clean_plan(&args.common.workbook)?;
    let journal_path = args.common.journal_path();
    let (pushed, retired) = if journal_path.exists() {
        let journal = Journal::open(&journal_path, &[])?;
        (
            journal.row_outcomes(Phase::Push)?,
            journal.row_outcomes(Phase::Retire)?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let items = op::verify_items(&plan, &pushed, &retired);
    let source = args.common.client(source_name)?;
    let destination = args.common.client(dest_name)?;
    let rt = common::runtime()?;
    let rows = rt.block_on(async {
        common::preflight(&source, source_name).await?;
        common::preflight(&destination, dest_name).await?;
        verify(&source, &destination, &items)
            .await
            .map_err(anyhow::Error::from)
    })?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| ops::results_path(&args.common.workbook, "reconciliation"));
    write_report(&out, &[op::table(&rows)])?;
    let bad: Vec<_> = op::mismatches(&rows).collect();
    for r in &bad {
        eprintln!(
            "{} ({}): {}",
            r.source_subscription_id,
            r.customer,
            r.problems.join("; ")
        );
    }
    if args.common.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "verify: {}; reconciliation in {}",
            op::tally_text(&op::tally(&rows)),
            out.display()
        );
    }
    Ok(Outcome::from_clean(bad.is_empty()))
}
