//! Plain report workbooks: the push/retire results (`W.results.xlsx`) and
//! the verify reconciliation. One Excel table per sheet, frozen header,
//! autofilter, text written as text (never formulas), numbers as numbers.
//! Written atomically, like the migration workbook.

use std::path::Path;

use rust_xlsxwriter::{Format, Table, Workbook, XlsxError};

use super::SheetError;

/// A cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportCell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for ReportCell {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            ReportCell::Empty
        } else {
            ReportCell::Text(s.to_owned())
        }
    }
}

impl From<String> for ReportCell {
    fn from(s: String) -> Self {
        ReportCell::from(s.as_str())
    }
}

impl From<Option<String>> for ReportCell {
    fn from(s: Option<String>) -> Self {
        s.map_or(ReportCell::Empty, ReportCell::from)
    }
}

impl From<Option<u32>> for ReportCell {
    fn from(n: Option<u32>) -> Self {
        n.map_or(ReportCell::Empty, |n| ReportCell::Number(f64::from(n)))
    }
}

impl From<u32> for ReportCell {
    fn from(n: u32) -> Self {
        ReportCell::Number(f64::from(n))
    }
}

/// One sheet: a header row and data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<ReportCell>>,
}

impl ReportTable {
    pub fn new(sheet: &str, headers: &[&str], rows: Vec<Vec<ReportCell>>) -> Self {
        ReportTable {
            sheet: sheet.to_owned(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows,
        }
    }
}

/// Write `tables` as one workbook at `path`, atomically.
///
/// # Errors
/// [`SheetError`] when the workbook cannot be built or written.
pub fn write_report(path: &Path, tables: &[ReportTable]) -> Result<(), SheetError> {
    let wrap = |error| SheetError::Write {
        path: path.to_owned(),
        error,
    };
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for t in tables {
        build_sheet(book.add_worksheet(), t, &header, &text).map_err(wrap)?;
    }
    super::write::save(&mut book, path)
}

fn build_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    t: &ReportTable,
    header: &Format,
    text: &Format,
) -> Result<(), XlsxError> {
    ws.set_name(&t.sheet)?;
    for (c, h) in t.headers.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, h, header)?;
        let width = t
            .rows
            .iter()
            .map(|r| cell_width(r.get(c)))
            .max()
            .unwrap_or(0)
            .max(h.chars().count());
        ws.set_column_width(col, (width.min(60) + 2) as f64)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let Ok(r) = u32::try_from(r + 1) else { break };
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                ReportCell::Text(s) => {
                    ws.write_string_with_format(r, col, s, text)?;
                }
                ReportCell::Number(n) => {
                    ws.write_number(r, col, *n)?;
                }
                ReportCell::Empty => {}
            }
        }
    }
    if !t.headers.is_empty() {
        let last_row = u32::try_from(t.rows.len()).unwrap_or(u32::MAX).max(1);
        let last_col = u16::try_from(t.headers.len() - 1).unwrap_or(u16::MAX);
        ws.add_table(0, 0, last_row, last_col, &Table::new())?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn cell_width(cell: Option<&ReportCell>) -> usize {
    match cell {
        Some(ReportCell::Text(s)) => s.chars().count(),
        Some(ReportCell::Number(_)) => 8,
        _ => 0,
    }
}
