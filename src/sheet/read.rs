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

use calamine::{Data, DataRef, Range, Reader, ReaderRef, Sheets, open_workbook_auto};
use chrono::NaiveDate;

use super::cells::{CellValue, Grid, apply, blank_row, normalise, plain};
use super::layout::{Col, MIGRATION, MIGRATION_SHEET, header_key, key_of, spec_by_header, spec_of};
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
    let not_ours = |reason: String| SheetError::NotMigrationWorkbook {
        path: path.to_owned(),
        reason,
    };
    let read_err = |error| SheetError::Read {
        path: path.to_owned(),
        error,
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
    // xlsx/xlsb: borrowed cells, so shared strings are not copied into
    // every cell. calamine has no borrowed reader for xls/ods.
    let owned;
    let borrowed;
    let sheet = if matches!(wb, Sheets::Xlsx(_) | Sheets::Xlsb(_)) {
        borrowed = wb.worksheet_range_ref(MIGRATION_SHEET).map_err(read_err)?;
        Sheet::new(Cells::Borrowed(&borrowed))
    } else {
        owned = wb.worksheet_range(MIGRATION_SHEET).map_err(read_err)?;
        Sheet::new(Cells::Owned(&owned))
    };
    let (header_row, columns) = find_columns(&sheet).map_err(not_ours)?;
    let mut book = ReviewedBook {
        file: path.display().to_string(),
        meta,
        columns,
        rows: Vec::new(),
        problems: Vec::new(),
    };
    read_rows(&sheet, header_row, &mut book);
    Ok(book)
}

/// A calamine range seen with absolute positions (1-based rows, 0-based
/// columns), converting one cell at a time: no second copy of a
/// 25,000-row sheet.
struct Sheet<'a, 'b> {
    cells: Cells<'a, 'b>,
    rows: std::ops::RangeInclusive<u32>,
    cols: std::ops::RangeInclusive<u32>,
}

enum Cells<'a, 'b> {
    Owned(&'a Range<Data>),
    Borrowed(&'a Range<DataRef<'b>>),
}

impl<'a, 'b> Sheet<'a, 'b> {
    fn new(cells: Cells<'a, 'b>) -> Self {
        let (start, end) = match &cells {
            Cells::Owned(r) => (r.start(), r.end()),
            Cells::Borrowed(r) => (r.start(), r.end()),
        };
        let (rows, cols) = match (start, end) {
            (Some((r0, c0)), Some((r1, c1))) => (r0 + 1..=r1 + 1, c0..=c1),
            #[allow(clippy::reversed_empty_ranges)] // deliberately empty
            _ => (1..=0, 1..=0),
        };
        Sheet { cells, rows, cols }
    }

    fn get(&self, row: u32, col: u32) -> CellValue {
        let Some(r) = row.checked_sub(1) else {
            return CellValue::Empty;
        };
        match &self.cells {
            Cells::Owned(range) => range
                .get_value((r, col))
                .map_or(CellValue::Empty, cell_value),
            Cells::Borrowed(range) => range
                .get_value((r, col))
                .map_or(CellValue::Empty, cell_value_ref),
        }
    }

    fn row_numbers(&self) -> std::ops::RangeInclusive<u32> {
        self.rows.clone()
    }

    fn col_numbers(&self) -> std::ops::RangeInclusive<u32> {
        self.cols.clone()
    }
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

pub(super) fn cell_value_ref(data: &DataRef<'_>) -> CellValue {
    match data {
        DataRef::SharedString(s) => CellValue::Text((*s).to_owned()),
        DataRef::String(s) => CellValue::Text(s.clone()),
        DataRef::Int(i) => CellValue::Number(*i as f64),
        DataRef::Float(f) => CellValue::Number(*f),
        DataRef::Bool(b) => CellValue::Bool(*b),
        DataRef::DateTime(dt) => cell_value(&Data::DateTime(*dt)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => CellValue::Text(s.clone()),
        DataRef::Error(e) => CellValue::Text(format!("#{e:?}")),
        DataRef::Empty => CellValue::Empty,
    }
}

pub(super) fn cell_value(data: &Data) -> CellValue {
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
fn find_columns(grid: &Sheet<'_, '_>) -> Result<(u32, BTreeMap<Col, u32>), String> {
    let key = header_key(spec_of(Col::SourceSubscriptionId).header);
    let header_row = grid
        .row_numbers()
        .take(HEADER_SEARCH_ROWS as usize)
        .find(|&r| grid.col_numbers().any(|c| header_key(&plain(&grid.get(r, c))) == key))
        .ok_or_else(|| {
            format!(
                "the {MIGRATION_SHEET} sheet has no \"Source subscription ID\" header in its first {HEADER_SEARCH_ROWS} rows"
            )
        })?;
    let mut columns = BTreeMap::new();
    for c in grid.col_numbers() {
        let Some(spec) = spec_by_header(&plain(&grid.get(header_row, c))) else {
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
fn read_rows(grid: &Sheet<'_, '_>, header_row: u32, book: &mut ReviewedBook) {
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in book.meta.rows.iter().enumerate() {
        by_key.entry(m.key()).or_default().push(i);
    }
    let mut matched = vec![false; book.meta.rows.len()];
    for r in grid.row_numbers().filter(|&r| r > header_row) {
        let Some((texts, raw)) = read_cells(grid, r, &book.columns) else {
            continue;
        };
        let key = key_of(texts.get(Col::SourceSubscriptionId));
        if key.is_empty() {
            book.problems.push(Issue::error(
                book_cell(book, r, Col::SourceSubscriptionId),
                "this row has no Source subscription ID: plan cannot tell which subscription it is",
            ));
            continue;
        }
        let mut reviewed = parse_row(r, &texts, raw);
        if let Some(i) = pick_meta(&book.meta, &by_key, &matched, &key, &texts) {
            matched[i] = true;
            check_locked(&mut reviewed, &book.meta.rows[i], &texts);
        }
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

/// A row's canonical cell texts, indexed by column; `None` for a column the
/// sheet does not have (an optional column deleted).
struct Texts(Vec<Option<String>>);

impl Texts {
    fn get(&self, col: Col) -> &str {
        self.0
            .get(col as usize)
            .and_then(Option::as_deref)
            .unwrap_or("")
    }

    fn found(&self, col: Col) -> Option<&str> {
        self.0.get(col as usize).and_then(Option::as_deref)
    }
}

/// The canonical texts and raw review texts of one sheet row; `None` when
/// every known cell of the row is empty.
fn read_cells(
    grid: &Sheet<'_, '_>,
    r: u32,
    columns: &BTreeMap<Col, u32>,
) -> Option<(Texts, ReviewRaw)> {
    let mut texts = vec![None; MIGRATION.len()];
    let mut raw = ReviewRaw::default();
    let mut any = false;
    for (col, c) in columns {
        let value = grid.get(r, *c);
        any |= !matches!(value, CellValue::Empty);
        let slot = match col {
            Col::TargetCatalogItem => Some(&mut raw.target_catalog_item),
            Col::TargetSeats => Some(&mut raw.target_seats),
            Col::TargetBillingCycle => Some(&mut raw.target_billing_cycle),
            Col::TargetTerm => Some(&mut raw.target_term),
            Col::Approved => Some(&mut raw.approved),
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = plain(&value);
        }
        if let Some(t) = texts.get_mut(*col as usize) {
            *t = Some(normalise(spec_of(*col).kind, &value));
        }
    }
    any.then_some((Texts(texts), raw))
}

fn parse_row(sheet_row: u32, texts: &Texts, raw: ReviewRaw) -> ReviewedRow {
    let mut row = blank_row();
    for spec in MIGRATION {
        if let Some(text) = texts.found(spec.col) {
            apply(&mut row, spec.col, text);
        }
    }
    ReviewedRow {
        row,
        sheet_row,
        raw,
        locked_edits: Vec::new(),
        meta_row: None,
    }
}

/// Whether a locked cell still holds its original (a column the sheet no
/// longer has counts as unchanged).
fn unchanged(texts: &Texts, col: Col, original: &str) -> bool {
    texts.found(col).is_none_or(|now| now == original)
}

/// The unmatched Meta row for this key, preferring an untouched one.
fn pick_meta(
    meta: &Meta,
    by_key: &HashMap<String, Vec<usize>>,
    matched: &[bool],
    key: &str,
    texts: &Texts,
) -> Option<usize> {
    let mut free = by_key
        .get(key)?
        .iter()
        .copied()
        .filter(|&i| !matched.get(i).copied().unwrap_or(true));
    let first = free.next()?;
    let untouched = |i: &usize| {
        meta.rows[*i]
            .originals
            .iter()
            .all(|(col, was)| unchanged(texts, *col, was))
    };
    Some(
        std::iter::once(first)
            .chain(free)
            .find(untouched)
            .unwrap_or(first),
    )
}

fn check_locked(reviewed: &mut ReviewedRow, meta: &MetaRow, texts: &Texts) {
    reviewed.meta_row = Some(meta.meta_row);
    for (col, was) in &meta.originals {
        if !unchanged(texts, *col, was) {
            reviewed.locked_edits.push(LockedEdit {
                col: *col,
                original: was.clone(),
                found: texts.get(*col).to_owned(),
            });
        }
    }
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
