//! The review survives a rebuild: `build --review-from` carries reviewers'
//! decisions into a workbook built from fresher exports, and `build` never
//! writes over review work.
//!
//! - [`carry()`] matches the rebuilt rows to the reviewed ones by source
//!   subscription ID and decides, per row, what is carried (everything
//!   when build's source facts are unchanged; targets and note, with the
//!   approval reset and a warning, when they changed), and lists what is
//!   new, gone or could not be trusted.
//! - [`check()`] stands before the output file: a file holding review work,
//!   or one that is no migration workbook, is refused unless `--force`,
//!   and then kept as a numbered backup first.
//!
//! Both read the earlier workbook through [`crate::sheet::read_earlier`],
//! which checks its locked cells against its Meta sheet exactly as `plan`
//! does. No xlsx crate is used here.

use std::path::PathBuf;

mod carry;
mod defaults;
mod guard;

pub use carry::{CarrySummary, carry};
pub use guard::{Pending, backup_name, check};

/// How `build` treats an earlier review and an existing output file.
#[derive(Debug, Clone, Default)]
pub struct ReviewOptions {
    /// The reviewed workbook to carry decisions from.
    pub from: Option<PathBuf>,
    /// Replace an output file that holds review work (after a backup).
    pub force: bool,
}

/// Why `build` wrote nothing to protect a review.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The output file holds review edits.
    #[error(
        "{path} holds review work ({found}); nothing written. Carry it into the rebuild with `--review-from {path} --out NEW.xlsx`, or pass --force to replace it (the old file is kept as {backup})"
    )]
    HoldsReview {
        path: String,
        found: String,
        backup: String,
    },
    /// The output file exists and is not a migration workbook.
    #[error(
        "{path} exists and is not a migration workbook ({reason}); nothing written. Choose another --out, or pass --force to replace it (the old file is kept as {backup})"
    )]
    NotAWorkbook {
        path: String,
        reason: String,
        backup: String,
    },
    /// The backup could not be made.
    #[error("{path}: cannot keep the old file as {backup}: {error}")]
    Backup {
        path: String,
        backup: String,
        error: std::io::Error,
    },
    /// The `--review-from` workbook could not be read.
    #[error("--review-from: {0}")]
    ReviewFrom(crate::sheet::SheetError),
}
