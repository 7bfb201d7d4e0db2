//! The library side of each command, one module per command (xsv style):
//! what `build`, `push`, `retire`, `verify` and `demo` do, minus argument
//! parsing and printing, which stay in `cli`.
//!
//! Each module turns a plan (or exports) plus what the journal and the API
//! say into typed results and report tables; `cli` and `demo` call these
//! and only print.

use std::path::{Path, PathBuf};

pub mod build;
pub mod demo;
pub mod push;
pub mod refresh;
pub mod retire;
pub mod verify;

/// How a command ended, when it ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done and clean: exit 0.
    Clean,
    /// Done, with issues or rejected rows that were all reported: exit 1.
    Issues,
}

impl Exit {
    /// `Clean` when nothing was left to report, else `Issues`.
    pub fn from_clean(clean: bool) -> Self {
        if clean { Exit::Clean } else { Exit::Issues }
    }
}

/// The journal given with `--journal`, else `migration.xlsx` →
/// `migration.journal` beside the workbook.
pub fn journal_path(given: Option<&Path>, workbook: &Path) -> PathBuf {
    given.map_or_else(|| workbook.with_extension("journal"), Path::to_path_buf)
}

/// `migration.xlsx` → `migration.<what>.xlsx` beside it.
pub fn results_path(workbook: &Path, what: &str) -> PathBuf {
    let stem = workbook
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "migration".into());
    workbook.with_file_name(format!("{stem}.{what}.xlsx"))
}

/// A multi-threaded tokio runtime for one command's API work.
///
/// # Errors
/// When the operating system refuses the runtime's threads.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Rows per outcome, in the outcome's display order.
pub fn count_outcomes(
    outcomes: impl IntoIterator<Item = crate::model::Outcome>,
) -> Vec<(crate::model::Outcome, usize)> {
    let mut counts: std::collections::BTreeMap<crate::model::Outcome, usize> =
        std::collections::BTreeMap::new();
    for o in outcomes {
        *counts.entry(o).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

/// `bought 12, waiting for the customer 3`: outcome counts in words.
pub fn outcome_counts_text(counts: &[(crate::model::Outcome, usize)]) -> String {
    let parts: Vec<String> = counts.iter().map(|(o, n)| format!("{o} {n}")).collect();
    if parts.is_empty() {
        "nothing to do".to_owned()
    } else {
        parts.join(", ")
    }
}
