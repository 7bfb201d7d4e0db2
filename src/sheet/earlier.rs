//! Read an earlier, reviewed workbook for a rebuild (`build --review-from`)
//! and for the overwrite guard, one row at a time.
//!
//! [`super::read_workbook`] holds the whole Migration sheet as a calamine
//! range (some 160 MB for 25,000 rows); a rebuild needs far less of it, and
//! reads it beside a build that already peaks near its memory target. So
//! this reader streams both sheets (xlsx through calamine's cell reader;
//! other formats through a range, they are small in practice), checks each
//! row's locked cells against its Meta entry as `plan` does (a fingerprint
//! over their canonical texts; only rows whose fingerprint differs are
//! read again, to name the edited cells; a column deleted counts as
//! unchanged), and keeps per row only what a rebuild uses: the review cells
//! as typed, the columns reviewers added, and a few of build's values.
//!
//! The columns, header matching and canonical texts are the layout's, so
//! this reader and [`super::read_workbook`] agree on what a row holds.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use calamine::{Reader, Sheets, open_workbook_auto};

use super::LockedEdit;
use super::SheetError;
use super::cells::{CellValue, Grid, normalise, plain};
use super::fingerprint::fingerprint;
use super::layout::{
    Col, MIGRATION, MIGRATION_SHEET, header_key, key_of, locked_columns, spec_by_header, spec_of,
};
use super::meta::{META_SHEET, MetaRow, RowsSection, is_rows_marker, parse_head};
use super::read::{cell_value, cell_value_ref};
use crate::model::{Location, col_letters};

/// How many rows from the top the Migration header row may be.
const HEADER_SEARCH_ROWS: u32 = 20;

/// Build's values a rebuild compares or quotes, kept per row (in this
/// order): the customer and the source facts.
pub const KEPT: [Col; 14] = [
    Col::Customer,
    Col::TenantId,
    Col::Product,
    Col::SourceOfferId,
    Col::Status,
    Col::Seats,
    Col::BillingType,
    Col::Commerce,
    Col::BillingCycle,
    Col::Term,
    Col::TermEnd,
    Col::AutoRenew,
    Col::Reseller,
    Col::Action,
];

/// Whether a row's review can be trusted, as the Meta sheet tells.
#[derive(Debug, Clone, PartialEq)]
pub enum Trust {
    /// Every locked cell still holds what build wrote.
    Untouched,
    /// Locked cells were edited (their review is not carried).
    LockedEdits(Vec<LockedEdit>),
    /// No Meta entry for the row's subscription ID (a row added by hand).
    NoMeta,
    /// The Meta entry's fingerprint no longer matches its originals.
    MetaEdited,
    /// The subscription ID appears more than once (in the sheet or Meta).
    Duplicate,
}

/// One Migration row of the earlier workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierRow {
    /// Source subscription ID as written.
    pub id: String,
    /// 1-based sheet row.
    pub sheet_row: u32,
    /// Canonical text of the [`KEPT`] columns as build wrote them (from
    /// the Meta originals when the row has an entry, else from the sheet),
    /// joined by unit separators (U+001F): one allocation per row.
    pub kept: String,
    /// The non-empty review cells, as typed.
    pub review: Vec<(Col, CellValue)>,
    /// One cell per added column (see [`EarlierReview::added_headers`]);
    /// empty when the row has none filled.
    pub added: Vec<CellValue>,
    pub trust: Trust,
}

impl EarlierRow {
    /// The row's key (normalised source subscription ID).
    pub fn key(&self) -> String {
        key_of(&self.id)
    }

    /// Build's canonical text for one of the [`KEPT`] columns ("" for
    /// another column).
    pub fn kept(&self, col: Col) -> &str {
        KEPT.iter()
            .position(|c| *c == col)
            .and_then(|i| self.kept.split('\u{1f}').nth(i))
            .unwrap_or("")
    }

    /// The review cell as typed, if any.
    pub fn review_cell(&self, col: Col) -> Option<&CellValue> {
        self.review.iter().find(|(c, _)| *c == col).map(|(_, v)| v)
    }
}

/// An earlier workbook reduced to what a rebuild uses.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierReview {
    /// The path as the user gave it (used in every location).
    pub file: String,
    /// Absolute 0-based column of each layout header found.
    pub columns: BTreeMap<Col, u32>,
    /// Headers of the columns reviewers added, in sheet order.
    pub added_headers: Vec<String>,
    pub rows: Vec<EarlierRow>,
    /// Meta entries no sheet row matched (rows deleted by reviewers), as
    /// (subscription ID, Meta sheet row).
    pub deleted: Vec<(String, u32)>,
}

impl EarlierReview {
    /// The absolute location of one cell of a row.
    pub fn cell(&self, row: &EarlierRow, col: Col) -> Location {
        match self.columns.get(&col) {
            Some(c) => Location::cell(self.file.as_str(), MIGRATION_SHEET, row.sheet_row, *c),
            None => Location::row(self.file.as_str(), MIGRATION_SHEET, row.sheet_row),
        }
    }
}

/// Read an earlier workbook.
///
/// # Errors
/// [`SheetError::Read`] when the file is not a readable spreadsheet;
/// [`SheetError::NotMigrationWorkbook`] when it is not a migration workbook
/// this version can check (the reason says why).
pub fn read_earlier(path: &Path) -> Result<EarlierReview, SheetError> {
    let file = path.display().to_string();
    let not_ours = |reason: String| SheetError::NotMigrationWorkbook {
        path: file.clone().into(),
        reason,
    };
    let read_err = |error| SheetError::Read {
        path: file.clone().into(),
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
    let mut rows = MigrationRows::default();
    each_row(&mut wb, MIGRATION_SHEET, |r, cells| rows.take(r, cells)).map_err(|e| match e {
        Stop::Read(error) => read_err(error),
        Stop::NotOurs(reason) => not_ours(reason),
    })?;
    let header = rows.header.ok_or_else(|| {
        not_ours(format!(
            "the {MIGRATION_SHEET} sheet has no \"Source subscription ID\" header in its first {HEADER_SEARCH_ROWS} rows"
        ))
    })?;
    let mut sheet = SheetRows::new(rows.rows);
    let mut meta = MetaRows {
        head: Vec::new(),
        marker: None,
        section: None,
        sheet: &mut sheet,
        deleted: Vec::new(),
    };
    each_row(&mut wb, META_SHEET, |r, cells| meta.take(r, cells)).map_err(|e| match e {
        Stop::Read(error) => read_err(error),
        Stop::NotOurs(reason) => not_ours(reason),
    })?;
    if meta.section.is_none() {
        // A Meta sheet that ends before its [rows] header.
        parse_head(&meta.head_grid()).map_err(not_ours)?;
    }
    let deleted = std::mem::take(&mut meta.deleted);
    if !sheet.suspect.is_empty() {
        each_row(&mut wb, MIGRATION_SHEET, |r, cells| {
            sheet.settle_suspect(r, &header.columns, cells);
            Ok(())
        })
        .map_err(|e| match e {
            Stop::Read(error) => read_err(error),
            Stop::NotOurs(reason) => not_ours(reason),
        })?;
    }
    Ok(EarlierReview {
        file,
        columns: header.columns,
        added_headers: header.added.into_iter().map(|(_, h)| h).collect(),
        rows: sheet.finish(),
        deleted,
    })
}

/// Why streaming a sheet stopped.
enum Stop {
    Read(calamine::Error),
    NotOurs(String),
}

/// Call `f` with every non-empty row of a sheet: its 1-based number and
/// its cells indexed by absolute 0-based column.
fn each_row<RS: std::io::Read + std::io::Seek>(
    wb: &mut Sheets<RS>,
    sheet: &str,
    mut f: impl FnMut(u32, &[CellValue]) -> Result<(), String>,
) -> Result<(), Stop> {
    let mut cells: Vec<CellValue> = Vec::new();
    let mut current: Option<u32> = None;
    let mut flush = |row: Option<u32>, cells: &mut Vec<CellValue>| -> Result<(), Stop> {
        if let Some(r) = row {
            f(r + 1, cells).map_err(Stop::NotOurs)?;
        }
        cells.clear();
        Ok(())
    };
    let put = |pos: (u32, u32), value: CellValue, cells: &mut Vec<CellValue>| {
        let c = pos.1 as usize;
        if cells.len() <= c {
            cells.resize(c + 1, CellValue::Empty);
        }
        cells[c] = value;
    };
    if let Sheets::Xlsx(xlsx) = wb {
        let mut reader = xlsx
            .worksheet_cells_reader(sheet)
            .map_err(|e| Stop::Read(calamine::Error::Xlsx(e)))?;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| Stop::Read(calamine::Error::Xlsx(e)))?
        {
            let pos = cell.get_position();
            if current != Some(pos.0) {
                flush(current, &mut cells)?;
                current = Some(pos.0);
            }
            put(pos, cell_value_ref(cell.get_value()), &mut cells);
        }
    } else {
        let range = wb.worksheet_range(sheet).map_err(Stop::Read)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, value) in range.used_cells() {
            let pos = (r0 + r as u32, c0 + c as u32);
            if current != Some(pos.0) {
                flush(current, &mut cells)?;
                current = Some(pos.0);
            }
            put(pos, cell_value(value), &mut cells);
        }
    }
    flush(current, &mut cells)
}

/// A Migration row as streamed, before the Meta sheet is read.
struct RawRow {
    id: String,
    sheet_row: u32,
    /// Fingerprint over the canonical texts of the locked columns the
    /// sheet has (equal to the Meta one when none was edited).
    fingerprint: String,
    /// The [`KEPT`] columns as found in the sheet, joined.
    kept: String,
    review: Vec<(Col, CellValue)>,
    added: Vec<CellValue>,
}

/// The Migration header as found.
struct Header {
    columns: BTreeMap<Col, u32>,
    /// (absolute column, header) of each added column.
    added: Vec<(u32, String)>,
}

#[derive(Default)]
struct MigrationRows {
    header: Option<Header>,
    rows: Vec<RawRow>,
}

impl MigrationRows {
    fn take(&mut self, r: u32, cells: &[CellValue]) -> Result<(), String> {
        let Some(header) = &self.header else {
            if r <= HEADER_SEARCH_ROWS {
                self.header = find_header(cells)?;
            }
            return Ok(());
        };
        let get = |col: Col| {
            header
                .columns
                .get(&col)
                .and_then(|c| cells.get(*c as usize))
                .unwrap_or(&CellValue::Empty)
        };
        let id = normalise(
            spec_of(Col::SourceSubscriptionId).kind,
            get(Col::SourceSubscriptionId),
        );
        let known = header
            .columns
            .values()
            .chain(header.added.iter().map(|(c, _)| c));
        let any = known
            .into_iter()
            .any(|c| !matches!(cells.get(*c as usize), None | Some(CellValue::Empty)));
        if !any {
            return Ok(());
        }
        let found = locked_texts(&header.columns, cells);
        let fingerprint = fingerprint(found.iter().map(|(_, t)| t.as_str()));
        let kept = kept_of(&found);
        let mut review: Vec<(Col, CellValue)> = MIGRATION
            .iter()
            .filter(|s| s.review)
            .map(|s| (s.col, get(s.col)))
            .filter(|(_, v)| !is_blank(v))
            .map(|(c, v)| (c, v.clone()))
            .collect();
        // Kept for the whole build: no spare capacity.
        review.shrink_to_fit();
        let added: Vec<CellValue> = header
            .added
            .iter()
            .map(|(c, _)| cells.get(*c as usize).cloned().unwrap_or(CellValue::Empty))
            .collect();
        let added = if added.iter().all(is_blank) {
            Vec::new()
        } else {
            added
        };
        self.rows.push(RawRow {
            id,
            sheet_row: r,
            fingerprint,
            kept,
            review,
            added,
        });
        Ok(())
    }
}

/// Canonical texts of the locked columns the sheet has, in layout order.
fn locked_texts(columns: &BTreeMap<Col, u32>, cells: &[CellValue]) -> Vec<(Col, String)> {
    locked_columns()
        .filter_map(|s| {
            let c = columns.get(&s.col)?;
            let v = cells.get(*c as usize).unwrap_or(&CellValue::Empty);
            Some((s.col, normalise(s.kind, v)))
        })
        .collect()
}

/// The [`KEPT`] columns among `texts`, joined.
fn kept_of<S: AsRef<str>>(texts: &[(Col, S)]) -> String {
    join(KEPT.iter().map(|col| {
        texts
            .iter()
            .find(|(c, _)| c == col)
            .map_or("", |(_, v)| v.as_ref())
    }))
}

fn is_blank(v: &CellValue) -> bool {
    match v {
        CellValue::Empty => true,
        CellValue::Text(t) => t.trim().is_empty(),
        _ => false,
    }
}

/// The header row, if this is it: every layout header found, and the
/// added ones (named, not a layout header, the first of their name).
fn find_header(cells: &[CellValue]) -> Result<Option<Header>, String> {
    let key = header_key(spec_of(Col::SourceSubscriptionId).header);
    if !cells.iter().any(|v| header_key(&plain(v)) == key) {
        return Ok(None);
    }
    let mut columns = BTreeMap::new();
    let mut added: Vec<(u32, String)> = Vec::new();
    for (c, v) in cells.iter().enumerate() {
        let c = c as u32;
        let text = plain(v);
        match spec_by_header(&text) {
            Some(spec) => {
                if let Some(first) = columns.insert(spec.col, c) {
                    return Err(format!(
                        "the {MIGRATION_SHEET} sheet has the header {:?} twice (columns {} and {})",
                        spec.header,
                        col_letters(first),
                        col_letters(c)
                    ));
                }
            }
            None if !text.is_empty()
                && !added
                    .iter()
                    .any(|(_, h)| header_key(h) == header_key(&text)) =>
            {
                added.push((c, text));
            }
            None => {}
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
    Ok(Some(Header { columns, added }))
}

/// The Meta sheet as streamed: its head kept as a grid until the `[rows]`
/// header, then one row at a time, checked against the sheet row of the
/// same key and dropped.
struct MetaRows<'a> {
    head: Vec<(u32, Vec<CellValue>)>,
    marker: Option<u32>,
    section: Option<RowsSection>,
    sheet: &'a mut SheetRows,
    deleted: Vec<(String, u32)>,
}

impl MetaRows<'_> {
    fn head_grid(&self) -> Grid {
        let first = self.head.first().map_or(1, |(r, _)| *r);
        let last = self.head.last().map_or(0, |(r, _)| *r);
        let mut rows = vec![Vec::new(); (last + 1).saturating_sub(first) as usize];
        for (r, cells) in &self.head {
            if let Some(slot) = rows.get_mut((r - first) as usize) {
                slot.clone_from(cells);
            }
        }
        Grid {
            first_row: first,
            first_col: 0,
            rows,
        }
    }

    fn take(&mut self, r: u32, cells: &[CellValue]) -> Result<(), String> {
        if let Some(section) = &self.section {
            let refs: Vec<&CellValue> = cells.iter().collect();
            if let Some(meta) = section.parse_row(r, &refs)? {
                let at = (meta.id.clone(), meta.meta_row);
                if !self.sheet.check(meta) {
                    self.deleted.push(at);
                }
            }
            return Ok(());
        }
        if self.marker.is_none() && cells.first().is_some_and(is_rows_marker) {
            self.marker = Some(r);
        }
        self.head.push((r, cells.to_vec()));
        if self.marker.is_some_and(|m| r > m) {
            let (_, section) = parse_head(&self.head_grid())?;
            self.section = Some(section);
            self.head = Vec::new();
        }
        Ok(())
    }
}

/// The Migration rows with their keys, waiting for their Meta entries.
struct SheetRows {
    rows: Vec<RawRow>,
    /// Key → index of its first row; a key seen twice is a duplicate.
    by_key: HashMap<String, usize>,
    /// Per row: its trust, once its entry is read.
    trust: Vec<Option<Trust>>,
    /// Rows whose fingerprint differs from their entry's, with the
    /// entry's originals: the sheet is read again for them alone.
    suspect: HashMap<u32, (usize, Vec<(Col, String)>)>,
}

impl SheetRows {
    fn new(rows: Vec<RawRow>) -> Self {
        let mut by_key = HashMap::with_capacity(rows.len());
        let mut trust = vec![None; rows.len()];
        for (i, r) in rows.iter().enumerate() {
            if let Some(first) = by_key.insert(key_of(&r.id), i) {
                trust[first] = Some(Trust::Duplicate);
                trust[i] = Some(Trust::Duplicate);
            }
        }
        SheetRows {
            rows,
            by_key,
            trust,
            suspect: HashMap::new(),
        }
    }

    /// Check a Meta entry against its sheet row; `false` when no sheet row
    /// has its key (the row was deleted).
    fn check(&mut self, meta: MetaRow) -> bool {
        let Some(&i) = self.by_key.get(&meta.key()) else {
            return false;
        };
        let row = &mut self.rows[i];
        let trust = match &self.trust[i] {
            // A second entry for the key: build wrote the ID twice.
            Some(_) => Trust::Duplicate,
            None if !meta.is_consistent() => Trust::MetaEdited,
            None if meta.fingerprint == row.fingerprint => Trust::Untouched,
            None => {
                row.kept = kept_of(&meta.originals);
                self.suspect.insert(row.sheet_row, (i, meta.originals));
                // Settled once the sheet is read again.
                Trust::LockedEdits(Vec::new())
            }
        };
        self.trust[i] = Some(trust);
        true
    }

    /// Name the edited cells of the suspect rows, from a second reading
    /// of their sheet rows.
    fn settle_suspect(&mut self, r: u32, columns: &BTreeMap<Col, u32>, cells: &[CellValue]) {
        let Some((i, originals)) = self.suspect.remove(&r) else {
            return;
        };
        let found = locked_texts(columns, cells);
        let edits: Vec<LockedEdit> = found
            .into_iter()
            .filter_map(|(col, now)| {
                let (_, was) = originals.iter().find(|(c, _)| *c == col)?;
                (*was != now).then(|| LockedEdit {
                    col,
                    original: was.clone(),
                    found: now,
                })
            })
            .collect();
        // No edit among the columns the sheet has: a deleted locked column
        // counts as unchanged, as in plan.
        self.trust[i] = Some(if edits.is_empty() {
            Trust::Untouched
        } else {
            Trust::LockedEdits(edits)
        });
    }

    fn finish(self) -> Vec<EarlierRow> {
        self.rows
            .into_iter()
            .zip(self.trust)
            .map(|(r, trust)| EarlierRow {
                id: r.id,
                sheet_row: r.sheet_row,
                kept: r.kept,
                review: r.review,
                added: r.added,
                trust: trust.unwrap_or(Trust::NoMeta),
            })
            .collect()
    }
}

/// Texts joined with unit separators (none holds one: canonical texts of
/// cells).
fn join<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, t) in texts.enumerate() {
        if i > 0 {
            out.push('\u{1f}');
        }
        out.push_str(t);
    }
    out
}
