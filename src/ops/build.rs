//! `build`: exports → migration workbook.
//!
//! Glue between the readers ([`crate::ingest`]), the decisions
//! ([`crate::model::classify`]) and the writer ([`crate::sheet`]). It owns
//! the one rule that spans them: a workbook is written only when something
//! usable was read, and then always, with every issue inside it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};

use crate::ingest::{self, IngestError, IngestSpec};
use crate::model::classify::classify;
use crate::model::{Action, Issue, Location, MigrationBook, MigrationRow, OfferMap, Severity};
use crate::review::{self, CarrySummary, ReviewError, ReviewOptions};
use crate::sheet::cells::MAX_CELL_CHARS;
use crate::sheet::{self, SheetError};

/// Everything `build` needs, validated by the caller.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    pub ingest: IngestSpec,
    pub offer_map: Option<PathBuf>,
    pub out: PathBuf,
    /// The day taken as "today" for cancellation windows and double-billing
    /// days.
    pub as_of: NaiveDate,
    /// When the build runs (UTC), recorded in the workbook.
    pub now: NaiveDateTime,
}

impl BuildReport {
    /// Nothing a person must act on: no error or warning (info notes are
    /// fine).
    pub fn is_clean(&self) -> bool {
        self.errors == 0 && self.warnings == 0
    }
}

/// What a build did, for the summary line and `--json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildReport {
    pub out: PathBuf,
    pub files_read: usize,
    pub customers: usize,
    pub subscriptions: usize,
    /// Rows per action (`Recreate`, `Microsoft support`, `Skip`).
    pub by_action: BTreeMap<String, usize>,
    pub seats_to_move: u64,
    pub errors: usize,
    pub warnings: usize,
    /// Info-level notes (rows deliberately left out, such as totals lines).
    pub notes: usize,
    #[serde(skip)]
    pub issues: Vec<Issue>,
    /// What `--review-from` carried, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried: Option<CarrySummary>,
    /// Where the file `out` replaced was kept, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// Nothing written, to protect a review (or `--review-from` unreadable).
    #[error(transparent)]
    Review(#[from] ReviewError),
    /// No subscription could be read from any input.
    #[error("no subscriptions could be read from the inputs ({} issue(s); first: {})", .issues.len(), first_issue(.issues))]
    NothingUsable { issues: Vec<Issue> },
}

fn first_issue(issues: &[Issue]) -> String {
    issues
        .first()
        .map_or_else(|| "none".to_owned(), Issue::to_string)
}

/// Read, decide, write.
///
/// # Errors
/// [`BuildError::Ingest`] when an input path does not exist or cannot be
/// listed, [`BuildError::NothingUsable`] when no subscription was read
/// (nothing is written then), [`BuildError::Sheet`] when the workbook cannot
/// be written.
pub fn build(
    settings: &BuildSettings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BuildReport, BuildError> {
    build_reviewed(settings, &ReviewOptions::default(), progress)
}

/// [`build`], carrying the review in `review.from` forward and replacing
/// an output file that holds review work only with `review.force` (see
/// [`crate::review`]).
///
/// # Errors
/// As [`build`]; [`BuildError::Review`] when the output file holds review
/// work or is no migration workbook (nothing written, the file untouched),
/// or when `review.from` cannot be read.
pub fn build_reviewed(
    settings: &BuildSettings,
    review: &ReviewOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BuildReport, BuildError> {
    // The earlier workbooks are read beside the exports: they are small
    // once read, and reading them alone would add their time to the build.
    let (early, book) = std::thread::scope(|scope| {
        let early = scope.spawn(|| -> Result<_, ReviewError> {
            let pending = review::check(&settings.out, review)?;
            let earlier = review
                .from
                .as_deref()
                .map(sheet::read_earlier)
                .transpose()
                .map_err(ReviewError::ReviewFrom)?;
            Ok((pending, earlier))
        });
        let book = build_book(settings, progress);
        (early.join(), book)
    });
    let (pending, earlier) = early.unwrap_or_else(|_| {
        Err(ReviewError::ReviewFrom(SheetError::NotMigrationWorkbook {
            path: settings.out.clone(),
            reason: "the reader stopped unexpectedly".to_owned(),
        }))
    })?;
    let mut book = book?;
    let carried = earlier.map(|e| review::carry(&mut book, e));
    let backup = pending.settle(&book)?;
    // The summary first: writing consumes the book.
    let mut report = report(&book, &settings.out);
    let (additions, summary) = carried.unzip();
    report.carried = summary;
    report.backup = backup;
    // The writer reports texts it had to cut on any sheet; those on the
    // Migration sheet were already found (at their input row) above.
    let cut = sheet::write_workbook_with(book, additions, &settings.out)?;
    for issue in cut {
        if !report.issues.iter().any(|i| i.location == issue.location) {
            match issue.severity {
                Severity::Error => report.errors += 1,
                Severity::Warning => report.warnings += 1,
                Severity::Info => report.notes += 1,
            }
            report.issues.push(issue);
        }
    }
    Ok(report)
}

/// Read and decide, without writing: the workbook's content.
///
/// # Errors
/// As [`build`], less the writing.
pub fn build_book(
    settings: &BuildSettings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<MigrationBook, BuildError> {
    let mut inputs = ingest::read_all(&settings.ingest, progress)?;
    let mut offer_map = OfferMap::default();
    if let Some(path) = &settings.offer_map {
        let (map, issues, file) = ingest::read_offer_map(path)?;
        offer_map = map;
        inputs.issues.extend(issues);
        inputs.files.push(file);
    }
    if inputs.subscriptions.is_empty() {
        let mut issues = inputs.issues;
        issues.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(BuildError::NothingUsable { issues });
    }
    let classified = classify(&mut inputs, &offer_map, settings.as_of);
    let clipped = clipped_cells(&classified.rows, &classified.sources);
    let mut issues = inputs.issues;
    issues.extend(classified.issues);
    issues.extend(clipped);
    // Files are read in parallel: sort so the Issues sheet and stderr are
    // stable from run to run.
    issues.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then_with(|| a.message.cmp(&b.message))
    });
    Ok(MigrationBook {
        rows: classified.rows,
        customers: classified.customers,
        activity: inputs.activity.aggregates,
        issues,
        inputs: inputs.files,
        built_at: settings.now,
        as_of: settings.as_of,
    })
}

/// A text longer than Excel allows in one cell is cut when written: say so,
/// at the input row it came from, rather than lose the end silently.
fn clipped_cells(rows: &[MigrationRow], sources: &[Location]) -> Vec<Issue> {
    let len = |s: &str| s.chars().count();
    let opt = |s: &Option<String>| s.as_deref().map_or(0, len);
    // Joined with one separator between items, as the writer joins them.
    let joined = |lens: Vec<usize>| lens.iter().sum::<usize>() + lens.len().saturating_sub(1);
    let mut issues = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let texts = [
            ("Customer", len(&row.customer)),
            ("Product", len(&row.product)),
            ("Source offer ID", opt(&row.source_offer_id)),
            ("Nickname", opt(&row.nickname)),
            ("Reseller", opt(&row.reseller)),
            ("Term", opt(&row.term)),
            (
                "Warnings",
                joined(row.warnings.iter().map(|w| len(w)).collect()),
            ),
            (
                "Other input columns",
                joined(
                    row.extras
                        .iter()
                        .map(|(k, v)| len(k) + 2 + len(v))
                        .collect(),
                ),
            ),
        ];
        for (header, chars) in texts.into_iter().filter(|(_, n)| *n > MAX_CELL_CHARS) {
            let at = sources.get(i).cloned().unwrap_or_default();
            issues.push(Issue::warning(
                at,
                format!(
                    "{header}: {chars} characters, more than the {MAX_CELL_CHARS} an Excel cell holds: cut in the workbook"
                ),
            ));
        }
    }
    issues
}

/// The summary of a book.
pub fn report(book: &MigrationBook, out: &std::path::Path) -> BuildReport {
    let mut by_action = BTreeMap::new();
    let mut seats_to_move = 0u64;
    for row in &book.rows {
        let key = match &row.action {
            Action::Skip(_) => "Skip".to_owned(),
            other => other.text(),
        };
        *by_action.entry(key).or_insert(0) += 1;
        if row.action == Action::Recreate {
            seats_to_move += u64::from(row.seats.unwrap_or(0));
        }
    }
    let count = |s: Severity| book.issues.iter().filter(|i| i.severity == s).count();
    BuildReport {
        out: out.to_owned(),
        files_read: book.inputs.len(),
        customers: book.customers.len(),
        subscriptions: book.rows.len(),
        by_action,
        seats_to_move,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        notes: count(Severity::Info),
        issues: book.issues.clone(),
        carried: None,
        backup: None,
    }
}
