//! `csp-consolidate build`: read Partner Center exports and write the
//! migration workbook.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime, Utc};
use csp_consolidate::ingest::IngestSpec;
use csp_consolidate::ops::build::{BuildError, BuildReport, BuildSettings, build_reviewed};
use csp_consolidate::review::ReviewOptions;
use indicatif::{ProgressBar, ProgressStyle};

use super::Outcome;

/// Issues printed on stderr before the rest are left to the Issues sheet.
const MAX_PRINTED_ISSUES: usize = 50;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  csp-consolidate build exports/ --customers Customers.csv --activity activity.csv --out migration.xlsx
  csp-consolidate build contoso.xlsx fabrikam.csv --offer-map offer-map.csv --out migration.xlsx
  csp-consolidate build exports/ --customers Customers.csv --review-from migration.xlsx --out migration-2.xlsx

Inputs may be any mix of .xlsx, .xls and .csv files and folders (read recursively). Each file's
kind (subscription export, customer list, activity log, batch-migration subscriptions.csv) is
recognised by its header row in any Partner Center UI language; --customers and --activity only
make it explicit. A per-customer export is attributed by a tenant-ID column, else by its file or
folder name matched against the customer list (tenant ID, primary domain or company name).

The review is never lost. build refuses to replace an --out file that holds review work (an
edited review cell, an edited locked cell, a deleted row, a column reviewers added) or that is
not a migration workbook: exit 2, the file untouched. --review-from carries the review of an
earlier workbook into the new one, row by row by Source subscription ID: review cells and added
columns as typed when the row's source facts are unchanged; when they changed (seats, status,
offer, term …), the reviewers' targets and note are kept, Approved is reset to No and the row
is warned `changed since review: Seats 12 → 15`. New rows are warned `new since the review`;
rows gone from the exports are listed in Issues. A Changes sheet counts new, changed, gone,
not carried and unchanged rows per customer. A row whose locked cells were edited in the
earlier workbook is reported and its review not carried. With --force, or --review-from naming
the --out file itself, the old file is first kept beside it as NAME.bak1.xlsx (then .bak2 …).

Every problem is reported as `file: Sheet!C17: severity: message` on stderr and in the Issues
sheet; the workbook is still written. Exit codes: 0 clean (info notes only, such as a totals
line left out), 1 written with errors or warnings, 2 nothing written.")]
pub struct Args {
    /// Export files or folders (.xlsx, .xls, .csv).
    #[arg(required = true, value_name = "EXPORT")]
    exports: Vec<PathBuf>,
    /// The customer list (Partner Center "Export customers", Customers.csv).
    #[arg(long, value_name = "FILE")]
    customers: Option<PathBuf>,
    /// An activity-log export (repeatable).
    #[arg(long, value_name = "FILE")]
    activity: Vec<PathBuf>,
    /// CSV mapping a source offer ID or product name to the destination
    /// catalog item (see templates/offer-map.example.csv).
    #[arg(long, value_name = "FILE")]
    offer_map: Option<PathBuf>,
    /// The workbook to write.
    #[arg(long, short, value_name = "FILE", default_value = "migration.xlsx")]
    out: PathBuf,
    /// When the exports were taken (UTC, `YYYY-MM-DD[ HH:MM[:SS]]`);
    /// default: the workbook's creation time, else the file's time.
    #[arg(long, value_name = "WHEN")]
    exported_at: Option<String>,
    /// Read ambiguous dates like 03/04/2026 as day/month.
    #[arg(long, conflicts_with = "month_first")]
    day_first: bool,
    /// Read ambiguous dates like 03/04/2026 as month/day.
    #[arg(long)]
    month_first: bool,
    /// The day to compute cancellation windows and double-billing days
    /// from (`YYYY-MM-DD`); default today (UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Carry the review of this earlier workbook into the new one (row by
    /// row, by Source subscription ID; see below).
    #[arg(long, value_name = "OLD.xlsx")]
    review_from: Option<PathBuf>,
    /// Replace an --out file that holds review work or is not a migration
    /// workbook, after keeping it as NAME.bak1.xlsx (.bak2 … when taken).
    #[arg(long)]
    force: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let settings = settings(&args)?;
    let bar = progress_bar();
    let review = ReviewOptions {
        from: args.review_from.clone(),
        force: args.force,
    };
    let result = build_reviewed(&settings, &review, &|done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = match result {
        Ok(report) => report,
        Err(BuildError::NothingUsable { issues }) => {
            print_issues(&issues);
            anyhow::bail!(
                "nothing written: no subscriptions could be read from the inputs ({} issue(s) above)",
                issues.len()
            );
        }
        Err(err) => return Err(err).context("build failed, nothing written"),
    };
    print_issues(&report.issues);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", summary(&report));
    }
    Ok(Outcome::from_clean(report.is_clean()))
}

fn settings(args: &Args) -> anyhow::Result<BuildSettings> {
    let now = Utc::now().naive_utc();
    let as_of = match &args.as_of {
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .with_context(|| format!("--as-of {s:?}: expected YYYY-MM-DD"))?,
        None => now.date(),
    };
    let exported_at = args.exported_at.as_deref().map(parse_when).transpose()?;
    let day_first = match (args.day_first, args.month_first) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    Ok(BuildSettings {
        ingest: IngestSpec {
            exports: args.exports.clone(),
            customers: args.customers.clone(),
            activity: args.activity.clone(),
            exported_at,
            day_first,
        },
        offer_map: args.offer_map.clone(),
        out: args.out.clone(),
        as_of,
        now,
    })
}

/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD[T ]HH:MM:SS`.
fn parse_when(s: &str) -> anyhow::Result<NaiveDateTime> {
    let t = s.trim().trim_end_matches('Z').replace('T', " ");
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&t, fmt) {
            return Ok(dt);
        }
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
        .with_context(|| format!("--exported-at {s:?}: expected YYYY-MM-DD[ HH:MM[:SS]]"))
}

fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    let style =
        ProgressStyle::with_template("{spinner} reading exports {pos}/{len} [{bar:30}] {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    Some(bar)
}

fn print_issues(issues: &[csp_consolidate::model::Issue]) {
    for issue in issues.iter().take(MAX_PRINTED_ISSUES) {
        eprintln!("{issue}");
    }
    if issues.len() > MAX_PRINTED_ISSUES {
        eprintln!(
            "… and {} more issue(s), all listed in the Issues sheet",
            issues.len() - MAX_PRINTED_ISSUES
        );
    }
}

fn summary(r: &BuildReport) -> String {
    let count = |k: &str| r.by_action.get(k).copied().unwrap_or(0);
    let mut extra = String::new();
    if let Some(c) = &r.carried {
        extra.push_str(&format!(
            "review carried from {}: {} unchanged, {} changed (approval reset), {} new, {} gone, {} not carried (see the Changes sheet)\n",
            c.from, c.unchanged, c.changed, c.new, c.gone, c.not_carried
        ));
    }
    if let Some(b) = &r.backup {
        extra.push_str(&format!("kept the old file as {}\n", b.display()));
    }
    format!(
        "{customers} customers, {subs} subscriptions from {files} file(s)\n\
         Recreate {recreate} ({seats} seats to move), Microsoft support {ms}, Skip {skip}\n\
         {issues} issue(s): {errors} error(s), {warnings} warning(s), {notes} note(s)\n\
         {extra}wrote {out}",
        customers = r.customers,
        subs = r.subscriptions,
        files = r.files_read,
        recreate = count("Recreate"),
        seats = r.seats_to_move,
        ms = count("Microsoft support"),
        skip = count("Skip"),
        issues = r.issues.len(),
        errors = r.errors,
        warnings = r.warnings,
        notes = r.notes,
        out = r.out.display(),
    )
}
