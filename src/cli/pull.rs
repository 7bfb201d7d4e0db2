//! `csp-consolidate pull --account NAME --out DIR`: fetch an account's
//! customers, subscriptions and activity log over the API into CSV files
//! `build` reads like any export. Resumable: re-run after an interruption
//! and it fetches only what is missing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use csp_consolidate::api::Client;
use csp_consolidate::config::DEFAULT_CONFIG;
use csp_consolidate::pull::{self, Progress, PullReport, PullSettings};
use indicatif::{ProgressBar, ProgressStyle};

use super::Outcome;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  csp-consolidate pull --account source --out pulled/
  csp-consolidate pull --account source --out pulled/ --since 2025-05-01
  csp-consolidate build pulled/ --out migration.xlsx

Writes DIR/customers.csv, DIR/subscriptions.csv and DIR/activity.csv (UTF-8),
rebuilt from a cache in DIR/.pull/. Run it again after an interruption: it
fetches only what the cache lacks (add --fresh to start over). Customers the
account cannot read (403/404) are reported, listed in DIR/pull-issues.txt
and skipped; the exit code is then 1.

The account is a [accounts.NAME] section of csp-consolidate.toml; its secret
is read from the environment variable the section names.")]
pub struct Args {
    /// The account to read: a [accounts.NAME] section of the configuration.
    #[arg(long, value_name = "NAME")]
    account: String,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Configuration file.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// First day of the activity log to pull (YYYY-MM-DD, UTC), at most 90
    /// days back. Default: 90 days back.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    since: Option<NaiveDate>,
    /// Ignore what earlier runs cached and fetch everything again.
    #[arg(long)]
    fresh: bool,
    /// Most requests in flight (fewer while the API answers 429).
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=64))]
    max_concurrency: u16,
    /// Customers and activity records per page (the API allows up to 500).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=500))]
    page_size: Option<u32>,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a YYYY-MM-DD date"))
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let config =
        csp_consolidate::config::Config::load(Some(&args.config))?.client_config(&args.account)?;
    let api = config
        .api_url
        .clone()
        .unwrap_or_else(|| config.cloud.api_url().to_owned());
    let mut settings = PullSettings::new(&args.out, format!("tenant {} at {api}", config.tenant));
    settings.since = args.since;
    settings.fresh = args.fresh;
    settings.page_size = args.page_size;
    settings.max_concurrency = usize::from(args.max_concurrency);
    settings.initial_concurrency = settings.initial_concurrency.min(settings.max_concurrency);
    let client = Client::new(config).with_context(|| format!("account {:?}", args.account))?;
    let bar = progress_bar();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(pull::pull(&client, &settings, reporter(bar.clone())));
    bar.finish_and_clear();
    let report = report?;
    print_report(&report, &args.out);
    Ok(Outcome::from_clean(report.issues.is_empty()))
}

/// A progress bar on a terminal; hidden otherwise.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message("listing customers");
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn reporter(bar: ProgressBar) -> pull::ProgressFn {
    Arc::new(move |p: &Progress| match p {
        Progress::Customers { count, cached } => {
            let from = if *cached { " (cached)" } else { "" };
            bar.set_message(format!("{count} customers{from}"));
        }
        Progress::Planned { to_fetch, cached } => {
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} requests ({eta} left) {msg}",
            ) {
                bar.set_style(style);
            }
            bar.set_length(u64::try_from(*to_fetch).unwrap_or(u64::MAX));
            bar.set_message(format!("{cached} from cache"));
        }
        Progress::Fetched {
            done, concurrency, ..
        } => {
            bar.set_position(u64::try_from(*done).unwrap_or(u64::MAX));
            bar.set_message(format!("{concurrency} in flight"));
        }
        Progress::Writing => bar.set_message("writing files"),
    })
}

fn print_report(r: &PullReport, out: &Path) {
    for issue in &r.issues {
        eprintln!("csp-consolidate: pull: {issue}");
    }
    let window = match (r.since, r.until) {
        (Some(a), Some(b)) => format!(" ({a} to {b})"),
        _ => String::new(),
    };
    println!(
        "pulled {} customers, {} subscriptions, {} activity records{window} into {}",
        r.customers,
        r.subscriptions,
        r.activity_records,
        out.display()
    );
    println!(
        "{} fetched, {} from cache; {} requests, {} retries, {} throttled (429)",
        r.fetched, r.cached, r.stats.tries, r.stats.retries, r.stats.throttled
    );
    if !r.issues.is_empty() {
        println!(
            "{} item(s) skipped or not fetched: see {}",
            r.issues.len(),
            out.join(pull::ISSUES_TXT).display()
        );
    }
}
