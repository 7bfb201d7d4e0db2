//! `csp-consolidate plan W.xlsx [--destination D] [--source S] [--json]`:
//! read the reviewed workbook, validate every edit, check it against the
//! live accounts when they are named, print what push and retire would do.
//!
//! Exit 0 when the plan is clean, 1 when it has blocking problems (all
//! printed), 2 when the file is not a migration workbook (the error says
//! why).

use std::io::Write;

use anyhow::Context;

use super::Outcome;
use super::common::{self, AccountArgs, WorkbookArgs};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  csp-consolidate plan migration.xlsx                                              # the workbook only
  csp-consolidate plan migration.xlsx --destination destination --source source    # and the live accounts
  csp-consolidate plan migration.xlsx --json | jq '.counts'

With --destination, plan reads the destination (per customer: the relationship and the
subscriptions it already holds; one catalog read per target item) and, with --source, the
source subscriptions, then reports: rows already at the destination (adopted: nothing is
bought; write `Adopt <id>` or `Buy anyway` in the reviewer note when it is ambiguous), target
items the catalog does not sell with that term, cycle or seat count, sources changed since the
export, rows whose targets changed after push bought them, and customers still waiting for
the reseller relationship. Without --destination only the workbook is checked, and the plan
says so. Exit 0 clean, 1 blocking problems (all printed), 2 nothing checked (the error says why).")]
pub struct Args {
    #[command(flatten)]
    common: WorkbookArgs,
    #[command(flatten)]
    accounts: AccountArgs,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let plan = common::live_plan(&args.common, &args.accounts)?;
    let text = if args.common.json {
        let mut s = serde_json::to_string_pretty(&plan).context("rendering the plan as JSON")?;
        s.push('\n');
        s
    } else {
        plan.render_human()
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing the plan")?;
    Ok(Outcome::from_clean(plan.is_clean()))
}
