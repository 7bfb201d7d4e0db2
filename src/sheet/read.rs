//! Read a reviewed migration workbook back with calamine.
//!
//! Whatever program saved it: shared or inline strings, `12` / `12.0` /
//! `"12"`, dates as serials or text, extra, hidden or reordered columns,
//! sorted or filtered rows. Columns are found by header through the layout
//! (never by index), rows are matched to the Meta sheet by Source
//! subscription ID (never by position), and every location is absolute:
//! calamine's ranges start at their first used cell, so `Range::start()` is
//! added back before anything is reported.
//!
//! A file that is not a migration workbook (no Meta sheet, another format
//! version, a required header missing) is refused as a whole with a reason;
//! it is never half read.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use calamine::{Data, Range, Reader, open_workbook_auto};
use chrono::NaiveDate;

use super::cells::{CellValue, Grid, apply, blank_row, normalise, plain};
use super::fingerprint::fingerprint;
use super::layout::{
    Col, MIGRATION, MIGRATION_SHEET, header_key, key_of, locked_columns, spec_by_header, spec_of,
};
use super::meta::{META_SHEET, Meta, MetaRow, parse_meta};
use super::{LockedEdit, ReviewRaw, ReviewedBook, ReviewedRow, SheetError};
use crate::model::{Issue, Location, col_letters};

/// How many rows from the top the header row may be.
const HEADER_SEARCH_ROWS: u32 = 20;

/// Read a reviewed workbook.
///
/// # Errors
/// [`SheetError::Read`] when the file is not a readable spreadsheet;
/// [`SheetError::NotMigrationWorkbook`] when it is one, but not a migration
/// workbook this version can check (the reason says why).
pub fn read_workbook(path: &Path) -> Result<ReviewedBook, SheetError> {
    let file = path.display().to_string();
    let not_ours = |reason: String| SheetError::NotMigrationWorkbook {
        path: file.clone(),
        reason,
    };
    let read_err = |source| SheetError::Read {
        path: file.clone(),
        source,
    };
    let mut wb = open_workbook_auto(path).map_err(read_err)?;
    let names = wb.sheet_names();
    for needed in [META_SHEET, MIGRATION_SHEET] {
        if !names.iter().any(|n| n == needed) {
            return Err(not_ours(format!(
                "it has no {needed} sheet (sheets found: {}); `csp-consolidate build` writes both",
                names.join(", ")
            )));
        }
    }
    let meta_grid = to_grid(&wb.worksheet_range(META_SHEET).map_err(read_err)?);
    let meta = parse_meta(&meta_grid).map_err(not_ours)?;
    let grid = to_grid(&wb.worksheet_range(MIGRATION_SHEET).map_err(read_err)?);
    let (header_row, columns) = find_columns(&grid).map_err(not_ours)?;
    let mut book = ReviewedBook {
        file,
        meta,
        columns,
        rows: Vec::new(),
        problems: Vec::new(),
    };
    read_rows(&grid, header_row, &mut book);
    Ok(book)
}

/// A calamine range as a grid with absolute positions.
fn to_grid(range: &Range<Data>) -> Grid {
    let Some((row0, col0)) = range.start() else {
        return Grid {
            first_row: 1,
            ..Grid::default()
        };
    };
    Grid {
        first_row: row0 + 1,
        first_col: col0,
        rows: range
            .rows()
            .map(|r| r.iter().map(cell_value).collect())
            .collect(),
    }
}

fn cell_value(data: &Data) -> CellValue {
    match data {
        Data::Empty => CellValue::Empty,
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .and_then(|day| day.and_hms_opt(u32::from(hh), u32::from(mm), u32::from(ss)))
                .map_or(CellValue::Number(dt.as_f64()), CellValue::Date)
        }
        Data::DateTime(dt) => CellValue::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Text(format!("#{e:?}")),
    }
}

/// Find the header row (by the key header) and map every known header to
/// its absolute column.
fn find_columns(grid: &Grid) -> Result<(u32, BTreeMap<Col, u32>), String> {
    let key = header_key(spec_of(Col::SourceSubscriptionId).header);
    let header_row = grid
        .row_numbers()
        .take(HEADER_SEARCH_ROWS as usize)
        .find(|&r| grid.col_numbers().any(|c| header_key(&plain(grid.get(r, c))) == key))
        .ok_or_else(|| {
            format!(
                "the {MIGRATION_SHEET} sheet has no \"Source subscription ID\" header in its first {HEADER_SEARCH_ROWS} rows"
            )
        })?;
    let mut columns = BTreeMap::new();
    for c in grid.col_numbers() {
        let Some(spec) = spec_by_header(&plain(grid.get(header_row, c))) else {
            continue;
        };
        if let Some(first) = columns.insert(spec.col, c) {
            return Err(format!(
                "the {MIGRATION_SHEET} sheet has the header {:?} twice (columns {} and {})",
                spec.header,
                col_letters(first),
                col_letters(c)
            ));
        }
    }
    let missing: Vec<String> = MIGRATION
        .iter()
        .filter(|s| s.required && !columns.contains_key(&s.col))
        .map(|s| format!("{:?}", s.header))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the {MIGRATION_SHEET} sheet has no {} column (headers are found by name: was it renamed or deleted?)",
            missing.join(", ")
        ));
    }
    Ok((header_row, columns))
}

/// Read every data row and match it to the Meta sheet.
fn read_rows(grid: &Grid, header_row: u32, book: &mut ReviewedBook) {
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in book.meta.rows.iter().enumerate() {
        by_key.entry(m.key()).or_default().push(i);
    }
    let mut matched = vec![false; book.meta.rows.len()];
    for r in grid.row_numbers().filter(|&r| r > header_row) {
        let cells: Vec<Cell> = book
            .columns
            .iter()
            .map(|(col, c)| {
                let value = grid.get(r, *c);
                (*col, value, normalise(spec_of(*col).kind, value))
            })
            .collect();
        if cells.iter().all(|(_, v, _)| matches!(v, CellValue::Empty)) {
            continue;
        }
        let reviewed = parse_row(r, &cells);
        let key = key_of(&reviewed.row.source_subscription_id);
        if key.is_empty() {
            book.problems.push(Issue::error(
                book_cell(book, r, Col::SourceSubscriptionId),
                "this row has no Source subscription ID: plan cannot tell which subscription it is",
            ));
            continue;
        }
        let current = current_locked(&cells);
        let meta_index = pick_meta(&book.meta, &by_key, &matched, &key, &current);
        let reviewed = match meta_index {
            Some(i) => {
                matched[i] = true;
                check_locked(reviewed, &book.meta.rows[i], &current)
            }
            None => reviewed,
        };
        book.rows.push(reviewed);
    }
    report_meta(book, &matched);
}

fn book_cell(book: &ReviewedBook, row: u32, col: Col) -> Location {
    match book.columns.get(&col) {
        Some(c) => Location::cell(book.file.as_str(), MIGRATION_SHEET, row, *c),
        None => Location::row(book.file.as_str(), MIGRATION_SHEET, row),
    }
}

/// A found column, its cell, and the cell's canonical text.
type Cell<'a> = (Col, &'a CellValue, String);

fn parse_row(sheet_row: u32, cells: &[Cell]) -> ReviewedRow {
    let mut row = blank_row();
    let mut raw = ReviewRaw::default();
    for (col, value, text) in cells {
        apply(&mut row, *col, text);
        let slot = match col {
            Col::TargetCatalogItem => &mut raw.target_catalog_item,
            Col::TargetSeats => &mut raw.target_seats,
            Col::TargetBillingCycle => &mut raw.target_billing_cycle,
            Col::TargetTerm => &mut raw.target_term,
            Col::Approved => &mut raw.approved,
            _ => continue,
        };
        *slot = plain(value);
    }
    ReviewedRow {
        row,
        sheet_row,
        raw,
        locked_edits: Vec::new(),
        meta_row: None,
    }
}

/// Canonical text of the row's locked cells in layout order; `None` for a
/// column the sheet does not have (an optional column deleted).
fn current_locked(cells: &[Cell]) -> Vec<(Col, Option<String>)> {
    locked_columns()
        .map(|s| {
            let text = cells
                .iter()
                .find(|(c, _, _)| *c == s.col)
                .map(|(_, _, t)| t.clone());
            (s.col, text)
        })
        .collect()
}

/// The unmatched Meta row for this key, preferring an untouched one.
fn pick_meta(
    meta: &Meta,
    by_key: &HashMap<String, Vec<usize>>,
    matched: &[bool],
    key: &str,
    current: &[(Col, Option<String>)],
) -> Option<usize> {
    let free: Vec<usize> = by_key
        .get(key)?
        .iter()
        .copied()
        .filter(|&i| !matched.get(i).copied().unwrap_or(true))
        .collect();
    let untouched = free.iter().copied().find(|&i| {
        let m = &meta.rows[i];
        let values = current
            .iter()
            .zip(&m.originals)
            .map(|((_, now), (_, was))| now.as_deref().unwrap_or(was));
        fingerprint(values) == m.fingerprint
    });
    untouched.or_else(|| free.first().copied())
}

fn check_locked(
    mut reviewed: ReviewedRow,
    meta: &MetaRow,
    current: &[(Col, Option<String>)],
) -> ReviewedRow {
    reviewed.meta_row = Some(meta.meta_row);
    for ((col, now), (_, was)) in current.iter().zip(&meta.originals) {
        if let Some(now) = now
            && now != was
        {
            reviewed.locked_edits.push(LockedEdit {
                col: *col,
                original: was.clone(),
                found: now.clone(),
            });
        }
    }
    reviewed
}

/// Warn about Meta rows no sheet row matched (deleted rows) and flag Meta
/// rows whose fingerprint no longer matches their originals.
fn report_meta(book: &mut ReviewedBook, matched: &[bool]) {
    let file = book.file.clone();
    for (m, seen) in book.meta.rows.iter().zip(matched) {
        let at = Location::row(file.as_str(), META_SHEET, m.meta_row);
        if !m.is_consistent() {
            book.problems.push(Issue::error(
                at.clone(),
                format!(
                    "the Meta sheet entry for subscription {} was edited (its fingerprint no longer matches); rebuild the workbook",
                    m.id
                ),
            ));
        }
        if !seen {
            let customer = m
                .originals
                .iter()
                .find(|(c, _)| *c == Col::Customer)
                .map_or("", |(_, v)| v.as_str());
            book.problems.push(Issue::warning(
                at,
                format!(
                    "subscription {} ({customer}) is missing from the {MIGRATION_SHEET} sheet: the row was deleted, so it will not be pushed",
                    m.id
                ),
            ));
        }
    }
}
