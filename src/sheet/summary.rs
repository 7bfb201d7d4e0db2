//! The read-only sheets beside Migration: Customers, Summary (totals by
//! action and product, with a chart of seats by product), Issues and
//! Activity. `plan` never reads them back; they exist so people see
//! everything build knew while they review.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Chart, Format, FormatBorder, Table, TableColumn, TableStyle, Worksheet, XlsxError,
};

use super::cells::{CellValue, Clipped, ClippedCell, MAX_CELL_CHARS, clip_issue, write_value};
use crate::model::{Action, ChangesSince, Issue, MigrationBook};

const TEXT: &str = "@";
const INT: &str = "#,##0";
const STAMP: &str = "yyyy-mm-dd hh:mm";

/// A column of a plain table sheet: header, number format, width.
type Column = (&'static str, &'static str, f64);

fn text(s: &str) -> CellValue {
    if s.is_empty() {
        CellValue::Empty
    } else {
        // Cut (and the cut noted) when written, where the cell is known.
        CellValue::Text(s.to_owned())
    }
}

fn num(n: impl Into<f64>) -> CellValue {
    CellValue::Number(n.into())
}

fn changes(c: &Option<ChangesSince>) -> CellValue {
    c.as_ref().map_or(CellValue::Empty, |c| num(c.count))
}

/// Write a sheet holding one Excel table with autofilter and frozen header.
/// How a sheet's rows are offered for filtering.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// An Excel table (banded, named, structured references).
    Table,
    /// A plain autofilter: what a sheet with tens of thousands of rows
    /// gets, because rust_xlsxwriter keeps a map entry per table cell.
    AutoFilter,
}

/// Write a sheet holding one Excel table (or an autofiltered range) with a
/// frozen header.
fn write_table(
    ws: &mut Worksheet,
    name: &'static str,
    columns: &[Column],
    rows: impl ExactSizeIterator<Item = Vec<CellValue>>,
    (filter, clipped): (Filter, &Clipped),
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9D9D9);
    let formats: Vec<Format> = columns
        .iter()
        .map(|(_, f, _)| Format::new().set_num_format(*f))
        .collect();
    let mut table_cols = Vec::new();
    for (c, (h, _, width)) in columns.iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
        ws.set_column_format(c as u16, &formats[c])?;
        table_cols.push(TableColumn::new().set_header(*h).set_header_format(&header));
    }
    // The header first: these sheets are written in constant-memory mode,
    // where rows can only be written in order.
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX).max(1);
    let last_col = (columns.len() - 1) as u16;
    match filter {
        Filter::Table => {
            let table = Table::new()
                .set_name(format!("{name}Table"))
                .set_style(TableStyle::Light1)
                .set_columns(&table_cols);
            ws.add_table(0, 0, last, last_col, &table)?;
        }
        Filter::AutoFilter => {
            for (c, (h, _, _)) in columns.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &header)?;
            }
            ws.autofilter(0, 0, last, last_col)?;
        }
    }
    for (i, row) in rows.enumerate() {
        let r = i as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            // Text needs no cell format (the column's covers what is typed
            // later): skipping the format lookup halves the time per cell.
            match v {
                CellValue::Empty => {}
                CellValue::Text(s) => {
                    ws.write_string(r, c as u16, clipped.cell(name, r, c as u16, s))?;
                }
                _ => write_value(ws, r, c as u16, v, &formats[c])?,
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

pub fn write_customers(
    ws: &mut Worksheet,
    book: &MigrationBook,
    clipped: &Clipped,
) -> Result<(), XlsxError> {
    const COLUMNS: &[Column] = &[
        ("Customer", TEXT, 28.0),
        ("Customer tenant ID", TEXT, 38.0),
        ("Primary domain", TEXT, 28.0),
        ("Relationship", TEXT, 14.0),
        ("Subscriptions", INT, 13.0),
        ("Seats to move", INT, 13.0),
        ("Azure subscriptions", INT, 13.0),
        ("Changes since export", INT, 13.0),
        ("Last activity", STAMP, 17.0),
        ("Issues", INT, 9.0),
    ];
    let rows = book.customers.iter().map(|c| {
        vec![
            text(&c.company_name),
            text(&c.tenant_id),
            text(c.primary_domain.as_deref().unwrap_or("")),
            text(c.relationship.as_ref().map_or("", |r| r.as_str())),
            num(c.subscriptions),
            num(c.seats_to_move as f64),
            num(c.azure_subscriptions),
            changes(&c.changes_since_export),
            c.last_activity.map_or(CellValue::Empty, CellValue::Date),
            num(c.issues),
        ]
    });
    write_table(ws, "Customers", COLUMNS, rows, (Filter::Table, clipped))
}

/// Every issue build found.
/// The Issues sheet: the book's issues, then `more` (cells other sheets
/// cut), then a warning for each of its own cells cut (its rows are known
/// before it is written, so those warnings can be listed in it too).
pub fn write_issues(
    ws: &mut Worksheet,
    book: &MigrationBook,
    more: &[Issue],
    (file, clipped): (&str, &Clipped),
) -> Result<(), XlsxError> {
    const COLUMNS: &[Column] = &[
        ("Severity", TEXT, 10.0),
        ("File", TEXT, 40.0),
        ("Place", TEXT, 24.0),
        ("Message", TEXT, 90.0),
    ];
    let cells = |i: &Issue| {
        [
            i.severity.as_str().to_owned(),
            i.location.file.to_string(),
            i.location.place_text(),
            i.message.clone(),
        ]
    };
    let listed: Vec<&Issue> = book.issues.iter().chain(more).collect();
    let own: Vec<Issue> = listed
        .iter()
        .enumerate()
        .flat_map(|(i, issue)| {
            cells(issue)
                .into_iter()
                .enumerate()
                .map(|(c, t)| (c, t.chars().count()))
                .filter(|(_, n)| *n > MAX_CELL_CHARS)
                .map(move |(c, chars)| ClippedCell {
                    sheet: "Issues",
                    row: i as u32 + 1,
                    col: c as u16,
                    chars,
                })
                .collect::<Vec<_>>()
        })
        .map(|c| clip_issue(file, &c))
        .collect();
    let rows = listed
        .into_iter()
        .chain(&own)
        .map(|i| cells(i).iter().map(|t| text(t)).collect::<Vec<_>>())
        .collect::<Vec<_>>();
    write_table(
        ws,
        "Issues",
        COLUMNS,
        rows.into_iter(),
        (Filter::Table, clipped),
    )
}

/// The activity log, folded per customer and action.
pub fn write_activity(
    ws: &mut Worksheet,
    book: &MigrationBook,
    clipped: &Clipped,
) -> Result<(), XlsxError> {
    const COLUMNS: &[Column] = &[
        ("Customer", TEXT, 28.0),
        ("Customer tenant ID", TEXT, 38.0),
        ("Action", TEXT, 30.0),
        ("Kind", TEXT, 18.0),
        ("Count", INT, 9.0),
        ("First", STAMP, 17.0),
        ("Last", STAMP, 17.0),
        ("Last actor", TEXT, 28.0),
    ];
    let rows = book.activity.iter().map(|a| {
        vec![
            text(&a.customer_name),
            text(a.customer_tenant_id.as_deref().unwrap_or("")),
            text(&a.action),
            text(a.kind.as_str()),
            num(a.count as f64),
            CellValue::Date(a.first),
            CellValue::Date(a.last),
            text(a.last_actor.as_deref().unwrap_or("")),
        ]
    });
    write_table(ws, "Activity", COLUMNS, rows, (Filter::AutoFilter, clipped))
}

/// Totals per product: rows, seats, seats to recreate.
fn by_product(book: &MigrationBook) -> Vec<(String, u64, u64, u64)> {
    let mut map: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for r in &book.rows {
        let e = map.entry(r.product.as_str()).or_default();
        let seats = u64::from(r.seats.unwrap_or(0));
        e.0 += 1;
        e.1 += seats;
        if r.action == Action::Recreate {
            e.2 += seats;
        }
    }
    let mut out: Vec<_> = map
        .into_iter()
        .map(|(p, (n, s, m))| (p.to_owned(), n, s, m))
        .collect();
    out.sort_by(|a, b| b.3.cmp(&a.3).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    out
}

/// Totals per action text (Skip reasons grouped as "Skip").
fn by_action(book: &MigrationBook) -> Vec<(String, u64, u64)> {
    let mut map: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in &book.rows {
        let name = match &r.action {
            Action::Skip(_) => "Skip".to_owned(),
            other => other.text(),
        };
        let e = map.entry(name).or_default();
        e.0 += 1;
        e.1 += u64::from(r.seats.unwrap_or(0));
    }
    map.into_iter().map(|(a, (n, s))| (a, n, s)).collect()
}

/// The Summary sheet: build facts, totals by action and by product, and a
/// column chart of seats to recreate by product (the 15 largest).
pub fn write_summary(
    ws: &mut Worksheet,
    book: &MigrationBook,
    clipped: &Clipped,
) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    let bold = Format::new().set_bold();
    let int = Format::new().set_num_format(INT);
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 14)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 16)?;
    let facts = [
        (
            "Built at (UTC)",
            book.built_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        ),
        ("As of", book.as_of.to_string()),
        ("Tool version", crate::TOOL_VERSION.to_owned()),
        ("Rows", book.rows.len().to_string()),
        ("Customers", book.customers.len().to_string()),
        ("Issues", book.issues.len().to_string()),
    ];
    for (i, (k, v)) in facts.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, *k, &bold)?;
        ws.write_string(i as u32, 1, clipped.cell("Summary", i as u32, 1, v))?;
    }
    let mut r = facts.len() as u32 + 1;
    for (c, h) in ["Action", "Rows", "Seats"].iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &bold)?;
    }
    for (a, n, s) in by_action(book) {
        r += 1;
        ws.write_string(r, 0, clipped.cell("Summary", r, 0, &a))?;
        ws.write_number_with_format(r, 1, n as f64, &int)?;
        ws.write_number_with_format(r, 2, s as f64, &int)?;
    }
    r += 2;
    let product_header = r;
    for (c, h) in ["Product", "Rows", "Seats", "Seats to recreate"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, &bold)?;
    }
    let products = by_product(book);
    for (p, n, s, m) in &products {
        r += 1;
        ws.write_string(r, 0, clipped.cell("Summary", r, 0, p))?;
        ws.write_number_with_format(r, 1, *n as f64, &int)?;
        ws.write_number_with_format(r, 2, *s as f64, &int)?;
        ws.write_number_with_format(r, 3, *m as f64, &int)?;
    }
    chart(ws, product_header, products.len())
}

/// A column chart of seats to recreate for the first (largest) 15
/// products listed under `header` (0-based row).
fn chart(ws: &mut Worksheet, header: u32, products: usize) -> Result<(), XlsxError> {
    if products == 0 {
        return Ok(());
    }
    let last = header + products.min(15) as u32;
    let mut chart = Chart::new_column();
    chart.title().set_name("Seats to recreate by product");
    chart.legend().set_hidden();
    chart
        .add_series()
        .set_name("Seats to recreate")
        .set_categories(("Summary", header + 1, 0, last, 0))
        .set_values(("Summary", header + 1, 3, last, 3));
    ws.insert_chart(1, 5, &chart)?;
    Ok(())
}
