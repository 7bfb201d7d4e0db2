//! `csp-consolidate plan W.xlsx [--json]`: read the reviewed workbook,
//! validate every edit, print what push and retire would do.
//!
//! Exit 0 when the plan is clean, 1 when it has blocking problems (all
//! printed), 2 when the file is not a migration workbook (the error says
//! why).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::Outcome;
use csp_consolidate::plan::make_plan;
use csp_consolidate::sheet::read_workbook;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The reviewed migration workbook.
    pub workbook: PathBuf,
    /// Print the plan as JSON (for push and other programs).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let book = read_workbook(&args.workbook)?;
    let plan = make_plan(&book);
    let text = if args.json {
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
