//! What a rebuild that carries a review forward adds to the workbook
//! ([`Additions`]): the review cells as the reviewers typed them, the
//! columns they added, and the Changes sheet, which says per customer and
//! per row what is new, changed, gone or not carried since the review.
//!
//! A plain build has no additions, and its workbook is exactly what it was
//! before this existed: no Changes sheet, no extra column.

use rust_xlsxwriter::{Format, FormatBorder, Worksheet, XlsxError};

use super::cells::{CellValue, clip};
use super::layout::Col;

/// The Changes sheet's name.
pub const CHANGES_SHEET: &str = "Changes";

/// How many columns reviewers added a rebuild carries (the writer needs a
/// static name per column; more is reported, not carried).
pub const MAX_ADDED_COLUMNS: usize = 40;

/// What a rebuild writes beyond the book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Additions {
    /// Per Migration row (book order): review cells written instead of
    /// the ones build renders. Rows past the end have none.
    pub review: Vec<Vec<(Col, CellValue)>>,
    /// Headers of the columns reviewers added, written after the layout's.
    pub added_headers: Vec<String>,
    /// Per Migration row: one cell per added header (or none).
    pub added: Vec<Vec<CellValue>>,
    /// The Changes sheet.
    pub changes: Changes,
}

/// How a row differs from the review it was carried from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// In the new exports, not in the reviewed workbook.
    New,
    /// Source facts changed: review kept, approval reset.
    Changed,
    /// In the reviewed workbook, gone from the new exports.
    Gone,
    /// In both, but its review could not be trusted and was not carried.
    NotCarried,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "New",
            ChangeKind::Changed => "Changed",
            ChangeKind::Gone => "Gone",
            ChangeKind::NotCarried => "Not carried",
        }
    }
}

/// One row of the Changes sheet's list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub kind: ChangeKind,
    pub customer: String,
    pub subscription_id: String,
    pub product: String,
    /// `Seats 12 → 15`, or why the review was not carried.
    pub detail: String,
    /// The Approved cell in the reviewed workbook, as typed ("" if none).
    pub approved_before: String,
}

/// Counts for one customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerChanges {
    pub customer: String,
    pub new: u32,
    pub changed: u32,
    pub gone: u32,
    pub not_carried: u32,
    pub unchanged: u32,
}

/// The Changes sheet's content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// The reviewed workbook the review came from.
    pub from: String,
    pub per_customer: Vec<CustomerChanges>,
    /// Every row that is not unchanged.
    pub rows: Vec<ChangeRow>,
}

/// Write the Changes sheet: a count table per customer, then the rows.
pub fn write_changes(ws: &mut Worksheet, changes: &Changes) -> Result<(), XlsxError> {
    ws.set_name(CHANGES_SHEET)?;
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9D9D9);
    for (c, w) in [28.0, 38.0, 32.0, 12.0, 60.0, 16.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    ws.write_string_with_format(0, 0, "Review carried from", &bold)?;
    ws.write_string(0, 1, clip(&changes.from))?;
    let mut r = 2;
    let counts = [
        "Customer",
        "New",
        "Changed",
        "Gone",
        "Not carried",
        "Unchanged",
    ];
    write_header(ws, r, &counts, &header)?;
    for c in &changes.per_customer {
        r += 1;
        ws.write_string(r, 0, clip(&c.customer))?;
        for (i, n) in [c.new, c.changed, c.gone, c.not_carried, c.unchanged]
            .into_iter()
            .enumerate()
        {
            ws.write_number(r, i as u16 + 1, f64::from(n))?;
        }
    }
    r += 2;
    let list = [
        "Change",
        "Customer",
        "Source subscription ID",
        "Product",
        "What changed",
        "Approved before",
    ];
    write_header(ws, r, &list, &header)?;
    for row in &changes.rows {
        r += 1;
        let cells = [
            row.kind.as_str(),
            &row.customer,
            &row.subscription_id,
            &row.product,
            &row.detail,
            &row.approved_before,
        ];
        for (c, v) in cells.into_iter().enumerate() {
            write_text(ws, r, c as u16, v)?;
        }
    }
    Ok(())
}

fn write_header(ws: &mut Worksheet, r: u32, names: &[&str], f: &Format) -> Result<(), XlsxError> {
    for (c, h) in names.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, f)?;
    }
    Ok(())
}

fn write_text(ws: &mut Worksheet, r: u32, c: u16, v: &str) -> Result<(), XlsxError> {
    if !v.is_empty() {
        ws.write_string(r, c, clip(v))?;
    }
    Ok(())
}

/// The text a reviewer sees in a cell (for "Approved before").
pub fn shown(value: &CellValue) -> String {
    super::cells::plain(value)
}
