//! The migration workbook: the contract between the tool and the people who
//! review it. One layout ([`layout::MIGRATION`]) drives both the writer and
//! the reader, so they cannot disagree about a column.
//!
//! - [`write_workbook`] writes a [`MigrationBook`] (rust_xlsxwriter only).
//! - [`write_workbook_with`] also writes what a rebuild carries from a
//!   review ([`changes`]); [`read_earlier`] streams that review in.
//! - [`read_workbook`] reads a reviewed copy back (calamine only), as saved
//!   by Excel, LibreOffice or any xlsx writer: columns are found by header,
//!   rows by Source subscription ID, locations are absolute A1 cells, and
//!   each row is checked against the hidden Meta sheet's originals.
//!
//! [`MigrationBook`]: crate::model::MigrationBook

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::model::{Location, MigrationRow};

pub mod cells;
pub mod changes;
pub mod earlier;
pub mod fingerprint;
pub mod layout;
pub mod meta;
mod read;
pub mod report;
mod summary;
mod write;

pub use changes::{Additions, CHANGES_SHEET};
pub use earlier::{EarlierReview, EarlierRow, Trust, read_earlier};
pub use layout::{Col, MIGRATION, MIGRATION_SHEET};
pub use meta::{FORMAT_VERSION, META_SHEET, Meta, MetaRow};
pub use read::read_workbook;
pub use write::{write_workbook, write_workbook_with};

/// Why a workbook could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The file is a spreadsheet, but not one `build` wrote (or it was
    /// damaged: Meta sheet deleted, a required header renamed …).
    #[error("{path}: not a migration workbook: {reason}")]
    NotMigrationWorkbook { path: PathBuf, reason: String },
    /// The file could not be opened or parsed as a spreadsheet.
    /// (calamine's message already holds its causes, so it is not chained
    /// as a source: the one-line error would repeat them.)
    #[error("{path}: cannot read the workbook: {error}")]
    Read {
        path: PathBuf,
        error: calamine::Error,
    },
    /// The workbook could not be assembled (a value beyond Excel's limits).
    #[error("{path}: cannot write the workbook: {error}")]
    Write {
        path: PathBuf,
        error: rust_xlsxwriter::XlsxError,
    },
    /// The file could not be written or renamed into place.
    #[error("{path}: cannot write")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A locked cell whose value differs from what build wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedEdit {
    pub col: Col,
    /// Canonical text build wrote.
    pub original: String,
    /// Canonical text found in the reviewed workbook.
    pub found: String,
}

/// The review cells as the reviewer left them (display text, trimmed), so
/// `plan` can quote what it could not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewRaw {
    pub target_catalog_item: String,
    pub target_seats: String,
    pub target_billing_cycle: String,
    pub target_term: String,
    pub approved: String,
}

/// One Migration row as reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedRow {
    /// The row parsed leniently: a review value that does not parse is left
    /// empty here and kept verbatim in `raw`.
    pub row: MigrationRow,
    /// 1-based sheet row (absolute, as Excel shows it).
    pub sheet_row: u32,
    pub raw: ReviewRaw,
    /// Locked cells edited since build (empty when untouched).
    pub locked_edits: Vec<LockedEdit>,
    /// The Meta sheet row this row was matched to; `None` when the row's
    /// key is not in the Meta sheet (added by hand, or a duplicate).
    pub meta_row: Option<u32>,
}

/// A reviewed workbook read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedBook {
    /// The path as the user gave it (used in every location).
    pub file: String,
    pub meta: Meta,
    /// Absolute 0-based column of each header found.
    pub columns: BTreeMap<Col, u32>,
    pub rows: Vec<ReviewedRow>,
    /// Located problems found while reading: deleted rows (warnings), rows
    /// without a key, an edited Meta sheet (errors).
    pub problems: Vec<crate::model::Issue>,
}

impl ReviewedBook {
    /// The absolute location of one cell of a row.
    pub fn cell(&self, row: &ReviewedRow, col: Col) -> Location {
        match self.columns.get(&col) {
            Some(c) => Location::cell(self.file.as_str(), MIGRATION_SHEET, row.sheet_row, *c),
            None => Location::row(self.file.as_str(), MIGRATION_SHEET, row.sheet_row),
        }
    }
}
