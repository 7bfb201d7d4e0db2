//! Stand before the output file: never write over review work.
//!
//! An existing `--out` file is read as an earlier review. When every review
//! cell still holds what build wrote, no locked cell was edited, no row was
//! deleted and no column added, nothing would be lost: it is replaced.
//! Otherwise, and when the file is not a migration workbook at all, build
//! refuses (exit 2, the file untouched) and says how to go on: carry the
//! review with `--review-from`, or `--force`, which first keeps the old
//! file as a numbered backup beside it (`migration.bak1.xlsx`, then
//! `migration.bak2.xlsx` …: the `.xlsx` stays last so Excel still opens
//! it). Rebuilding in place (`--review-from F --out F`) carries the review
//! and keeps a backup too, since gone and untrusted rows are not carried.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::defaults::{canonical, written};
use super::{ReviewError, ReviewOptions};
use crate::model::{MigrationBook, MigrationRow};
use crate::sheet::cells::{normalise, render};
use crate::sheet::layout::{Col, MIGRATION, row_key, spec_of};
use crate::sheet::{EarlierReview, MIGRATION_SHEET, Trust, read_earlier};

/// How many review edits the refusal names before "and N more".
const NAMED: usize = 3;

/// What [`check`] decided before the build; [`Pending::settle`] finishes
/// it once the rebuilt book is known.
#[derive(Debug)]
pub struct Pending {
    out: PathBuf,
    state: State,
}

#[derive(Debug)]
enum State {
    /// No file, or one that holds nothing to lose.
    Free,
    /// Replace it, keeping a backup first.
    Keep,
    /// Review cells whose original only the rebuilt row can tell.
    Resolve(Vec<Unknown>),
}

/// A filled review cell build may or may not have written.
#[derive(Debug)]
struct Unknown {
    key: String,
    place: String,
    col: Col,
    value: String,
}

/// Check `out` before a build writes it: refuse at once when it holds
/// review work that needs no rebuilt row to tell.
///
/// # Errors
/// [`ReviewError::HoldsReview`] and [`ReviewError::NotAWorkbook`] when the
/// file must not be replaced without `--force`.
pub fn check(out: &Path, options: &ReviewOptions) -> Result<Pending, ReviewError> {
    let pending = |state| Pending {
        out: out.to_owned(),
        state,
    };
    if !out.exists() {
        return Ok(pending(State::Free));
    }
    let in_place = options
        .from
        .as_deref()
        .is_some_and(|from| same_file(from, out));
    if options.force || in_place {
        return Ok(pending(State::Keep));
    }
    let earlier = read_earlier(out).map_err(|e| ReviewError::NotAWorkbook {
        path: out.display().to_string(),
        reason: e.to_string(),
        backup: backup_name(out).display().to_string(),
    })?;
    let (found, unknown) = review_work(&earlier);
    if !found.is_empty() {
        return Err(holds_review(out, found));
    }
    Ok(pending(State::Resolve(unknown)))
}

impl Pending {
    /// Finish the check against the rebuilt book, and keep the backup when
    /// one is due. `Ok(Some(backup))` when the old file was kept.
    ///
    /// # Errors
    /// [`ReviewError::HoldsReview`] when a review cell differs from what
    /// build writes for its row; [`ReviewError::Backup`] when the backup
    /// cannot be made.
    pub fn settle(self, fresh: &MigrationBook) -> Result<Option<PathBuf>, ReviewError> {
        match self.state {
            State::Free => Ok(None),
            State::Keep => keep_backup(&self.out).map(Some),
            State::Resolve(unknown) if unknown.is_empty() => Ok(None),
            State::Resolve(unknown) => {
                let by_key: HashMap<String, &MigrationRow> =
                    fresh.rows.iter().map(|r| (row_key(r), r)).collect();
                let found: Vec<String> = unknown
                    .into_iter()
                    .filter(|u| {
                        by_key.get(&u.key).is_none_or(|row| {
                            normalise(spec_of(u.col).kind, &render(row, u.col)) != u.value
                        })
                    })
                    .map(|u| format!("{} {} edited", u.place, spec_of(u.col).header))
                    .collect();
                if found.is_empty() {
                    Ok(None)
                } else {
                    Err(holds_review(&self.out, found))
                }
            }
        }
    }
}

fn holds_review(out: &Path, found: Vec<String>) -> ReviewError {
    let mut text: Vec<String> = found.iter().take(NAMED).cloned().collect();
    if found.len() > NAMED {
        text.push(format!("and {} more", found.len() - NAMED));
    }
    ReviewError::HoldsReview {
        path: out.display().to_string(),
        found: text.join("; "),
        backup: backup_name(out).display().to_string(),
    }
}

/// The review work in `earlier`, located as a person reads it, and the
/// filled review cells whose original only the rebuilt row can tell.
fn review_work(earlier: &EarlierReview) -> (Vec<String>, Vec<Unknown>) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for row in &earlier.rows {
        for spec in MIGRATION.iter().filter(|s| s.review) {
            if !earlier.columns.contains_key(&spec.col) {
                continue;
            }
            let place = earlier.cell(row, spec.col).place_text();
            let now = canonical(spec.col, row.review_cell(spec.col));
            match written(spec.col, row, None) {
                Some(was) if was == now => {}
                Some(_) => found.push(format!("{place} {} edited", spec.header)),
                None if now.is_empty() => {}
                None => unknown.push(Unknown {
                    key: row.key(),
                    place,
                    col: spec.col,
                    value: now,
                }),
            }
        }
        if let Trust::LockedEdits(edits) = &row.trust {
            for e in edits {
                found.push(format!(
                    "{} {} edited",
                    earlier.cell(row, e.col).place_text(),
                    spec_of(e.col).header
                ));
            }
        }
        if row.trust == Trust::NoMeta {
            let at = earlier.cell(row, Col::SourceSubscriptionId).place_text();
            found.push(format!("{at} a row added by hand"));
        }
    }
    if earlier.rows.iter().any(|r| !r.added.is_empty()) {
        found.push(format!(
            "columns added by reviewers: {}",
            earlier.added_headers.join(", ")
        ));
    }
    if !earlier.deleted.is_empty() {
        found.push(format!(
            "{} row(s) deleted from the {MIGRATION_SHEET} sheet",
            earlier.deleted.len()
        ));
    }
    (found, unknown)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `migration.xlsx` → the first free `migration.bakN.xlsx` beside it.
pub fn backup_name(path: &Path) -> PathBuf {
    let stem = path.file_stem().map_or_else(
        || "workbook".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (1u32..)
        .map(|n| path.with_file_name(format!("{stem}.bak{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.with_file_name(format!("{stem}.bak{ext}")))
}

/// Copy `path` to its backup name (the original stays in place until the
/// new workbook is renamed over it).
fn keep_backup(path: &Path) -> Result<PathBuf, ReviewError> {
    let backup = backup_name(path);
    // Copied under a temporary name, then renamed: a backup is whole or
    // absent.
    let tmp = backup.with_file_name(format!(
        ".{}.{}.tmp",
        backup
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        std::process::id()
    ));
    let copied = std::fs::copy(path, &tmp).and_then(|_| std::fs::rename(&tmp, &backup));
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&tmp); // best effort: the copy's error matters
        return Err(ReviewError::Backup {
            path: path.display().to_string(),
            backup: backup.display().to_string(),
            error,
        });
    }
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_numbered_and_keep_the_extension() -> crate::TestResult {
        let dir = std::env::temp_dir().join(format!("csp-guard-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let out = dir.join("migration.xlsx");
        std::fs::write(&out, b"reviewed")?;
        assert_eq!(backup_name(&out), dir.join("migration.bak1.xlsx"));
        assert_eq!(keep_backup(&out)?, dir.join("migration.bak1.xlsx"));
        assert_eq!(keep_backup(&out)?, dir.join("migration.bak2.xlsx"));
        assert_eq!(std::fs::read(dir.join("migration.bak2.xlsx"))?, b"reviewed");
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
