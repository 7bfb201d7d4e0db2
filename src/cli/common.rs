//! Glue shared by the commands that talk to Partner Center: the flags they
//! share (one flattened struct each), accounts, and reading the reviewed
//! workbook into a plan.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use csp_consolidate::api::Client;
use csp_consolidate::config::Config;
use csp_consolidate::ops;
use csp_consolidate::ops::refresh::{Accounts, RefreshProgress, read_journal, refresh_plan};
use csp_consolidate::plan::{Plan, make_plan};
use csp_consolidate::push::adapter::ClientApi;
use csp_consolidate::push::port::Attestation;
use csp_consolidate::sheet;

/// The flags every command working on a reviewed workbook shares.
#[derive(Debug, clap::Args)]
pub struct WorkbookArgs {
    /// The reviewed migration workbook.
    pub workbook: PathBuf,
    /// The journal push and retire write (default: beside the workbook, W.journal).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// The configuration file (default: ./csp-consolidate.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the row outcomes as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

impl WorkbookArgs {
    /// The journal path: `--journal`, else beside the workbook.
    pub fn journal_path(&self) -> PathBuf {
        ops::journal_path(self.journal.as_deref(), &self.workbook)
    }

    /// The client for account `name` of the configuration file.
    pub fn client(&self, name: &str) -> anyhow::Result<ClientApi> {
        account_client(self.config.as_deref(), name)
    }

    /// The `[attestation]` details push may attest with (when enabled).
    pub fn attestation(&self) -> anyhow::Result<Option<Attestation>> {
        Ok(Config::load(self.config.as_deref())?
            .attestation
            .and_then(|a| a.to_attestation()))
    }
}

/// Which accounts a command talks to: names in csp-consolidate.toml.
#[derive(Debug, clap::Args)]
pub struct AccountArgs {
    /// The source account (the partner tenant being retired).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// The destination account (the partner tenant that buys).
    #[arg(long, value_name = "NAME")]
    pub destination: Option<String>,
}

impl AccountArgs {
    /// The source account name, or an error naming the flag.
    pub fn source(&self, command: &str) -> anyhow::Result<&str> {
        self.source.as_deref().with_context(|| {
            format!("{command} needs the source account: pass --source NAME (a name in csp-consolidate.toml)")
        })
    }

    /// The destination account name, or an error naming the flag.
    pub fn destination(&self, command: &str) -> anyhow::Result<&str> {
        self.destination.as_deref().with_context(|| {
            format!("{command} needs the destination account: pass --destination NAME (a name in csp-consolidate.toml)")
        })
    }
}

/// `--execute`: without it, commands that change accounts only say what
/// they would do.
#[derive(Debug, clap::Args)]
pub struct ExecuteArgs {
    /// Really send requests (without it: a dry run).
    #[arg(long)]
    pub execute: bool,
}

/// The client for account `name` of the configuration file.
pub fn account_client(config: Option<&Path>, name: &str) -> anyhow::Result<ClientApi> {
    let client_config = Config::load(config)?.client_config(name)?;
    let client = Client::new(client_config).with_context(|| format!("account {name:?}"))?;
    Ok(ClientApi::new(client))
}

/// Check the account answers before any work starts (exit 2 otherwise).
pub async fn preflight(api: &ClientApi, name: &str) -> anyhow::Result<()> {
    api.preflight()
        .await
        .with_context(|| format!("account {name:?} is not reachable or refused our credentials"))
}

/// The reviewed workbook planned, and checked against the live accounts
/// when a destination is named (its config, account and credentials are
/// validated: any failure is an error, exit 2). Reads the journal's push
/// record when the journal exists; never creates one.
pub fn live_plan(common: &WorkbookArgs, accounts: &AccountArgs) -> anyhow::Result<Plan> {
    let book = sheet::read_workbook(&common.workbook)?;
    let mut plan = make_plan(&book);
    let Some(dest_name) = accounts.destination.as_deref() else {
        return Ok(plan);
    };
    let destination = Arc::new(common.client(dest_name)?);
    let source = match accounts.source.as_deref() {
        Some(name) => Some((Arc::new(common.client(name)?), name.to_owned())),
        None => None,
    };
    let (_, journal) = read_journal(&common.journal_path())?;
    let live = Accounts {
        destination: destination.clone(),
        destination_name: dest_name.to_owned(),
        source: source.clone(),
    };
    let progress = ReadProgress::new();
    runtime()?.block_on(async {
        preflight(&destination, dest_name).await?;
        if let Some((api, name)) = &source {
            preflight(api, name).await?;
        }
        refresh_plan(&mut plan, &live, &journal, 8, &progress)
            .await
            .context("reading the accounts for the plan")
    })?;
    progress.finish();
    Ok(plan)
}

/// Refresh progress on a terminal (quiet when piped).
struct ReadProgress {
    bar: Option<indicatif::ProgressBar>,
}

impl ReadProgress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "reading accounts {pos}/{len} customers [{bar:25}]",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        ReadProgress { bar }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl RefreshProgress for ReadProgress {
    fn read(&self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }
}

/// Read the reviewed workbook and plan it; refuse when the plan has
/// blocking problems (nothing may be sent then).
pub fn clean_plan(workbook: &Path) -> anyhow::Result<Plan> {
    let book = sheet::read_workbook(workbook)?;
    refuse_unclean(workbook, make_plan(&book))
}

/// The plan when it has no blocking problem; otherwise print it and stop
/// (nothing may be sent).
pub fn refuse_unclean(workbook: &Path, plan: Plan) -> anyhow::Result<Plan> {
    if !plan.is_clean() {
        eprint!("{}", plan.render_human());
        anyhow::bail!(
            "{}: the plan has {} blocking problem(s); fix them in the workbook (see `csp-consolidate plan`), nothing was sent",
            workbook.display(),
            plan.counts.blocking
        );
    }
    Ok(plan)
}

/// A tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    ops::runtime().context("cannot start the async runtime")
}
