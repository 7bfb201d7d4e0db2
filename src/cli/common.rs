//! Glue shared by the commands that talk to Partner Center: accounts,
//! reading the reviewed workbook into a plan, journal and result paths.

use std::path::{Path, PathBuf};

use anyhow::Context;
use csp_consolidate::api::Client;
use csp_consolidate::config::Config;
use csp_consolidate::plan::{Plan, make_plan};
use csp_consolidate::push::adapter::ClientApi;
use csp_consolidate::sheet;

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

/// Read the reviewed workbook and plan it; refuse when the plan has
/// blocking problems (nothing may be sent then).
pub fn clean_plan(workbook: &Path) -> anyhow::Result<Plan> {
    let book = sheet::read_workbook(workbook)?;
    let plan = make_plan(&book);
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

/// The journal given with `--journal`, else `migration.xlsx` →
/// `migration.journal` beside the workbook.
pub fn journal_path(given: Option<&Path>, workbook: &Path) -> PathBuf {
    given.map_or_else(|| workbook.with_extension("journal"), Path::to_path_buf)
}

/// `migration.xlsx` → `migration.results.xlsx` beside it.
pub fn results_path(workbook: &Path, what: &str) -> PathBuf {
    let stem = workbook
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "migration".into());
    workbook.with_file_name(format!("{stem}.{what}.xlsx"))
}

/// A tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
