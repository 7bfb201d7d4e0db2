//! Workbooks as data: read every sheet with calamine into an absolute grid,
//! edit it like a reviewer would (approve, sort, retype, rename a header,
//! move a column), write it back as another xlsx writer would, read cells
//! as the text a person sees (records by header, the Issues sheet), and
//! compare grids or whole workbooks cell by cell, reporting the first
//! differing A1 cell (never bytes).

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, Reader, SheetVisible, WorkbookProperties, open_workbook_auto};
use chrono::{Duration, NaiveDate};
use csp_consolidate::model::col_letters;
use rust_xlsxwriter::{Format, Workbook};

/// A sheet's cells; `cells[0]` is sheet row 1, `cells[r][0]` column A.
pub type Cells = Vec<Vec<Data>>;

/// Every sheet of a workbook, in order, with absolute positions.
pub fn read_sheets(path: &Path) -> Vec<(String, Cells)> {
    let mut wb = open_workbook_auto(path).expect("open workbook");
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("read sheet");
            let mut cells: Cells = Vec::new();
            if let Some((r0, c0)) = range.start() {
                for (i, row) in range.rows().enumerate() {
                    let mut line = vec![Data::Empty; c0 as usize];
                    line.extend(row.iter().cloned());
                    while cells.len() < r0 as usize + i {
                        cells.push(Vec::new());
                    }
                    cells.push(line);
                }
            }
            (name, cells)
        })
        .collect()
}

/// One sheet by name.
pub fn sheet(path: &Path, name: &str) -> Cells {
    read_sheets(path)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// Write sheets back with plain cells (no table, no styles): how a generic
/// xlsx writer would save the workbook. Sheets named in `hidden` are hidden.
pub fn write_sheets(path: &Path, sheets: &[(String, Cells)], hidden: &[&str]) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, cells) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("name");
        for (r, row) in cells.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    Data::Empty => None,
                    Data::String(s) => Some(ws.write_string(r, c, s)),
                    Data::Float(f) => Some(ws.write_number(r, c, *f)),
                    Data::Int(i) => Some(ws.write_number(r, c, *i as f64)),
                    Data::Bool(b) => Some(ws.write_boolean(r, c, *b)),
                    Data::DateTime(d) => Some(ws.write_number_with_format(r, c, d.as_f64(), &date)),
                    other => Some(ws.write_string(r, c, other.to_string())),
                }
                .transpose()
                .expect("write cell");
            }
        }
        if hidden.contains(&name.as_str()) {
            ws.set_hidden(true);
        }
    }
    wb.save(path).expect("save");
}

/// Read `src`, let `edit` change the sheets, write them to `dst`.
pub fn rewrite(src: &Path, dst: &Path, edit: impl FnOnce(&mut Vec<(String, Cells)>)) {
    let mut sheets = read_sheets(src);
    edit(&mut sheets);
    write_sheets(dst, &sheets, &["Meta"]);
}

/// The named sheet among `sheets`, mutable.
pub fn named<'a>(sheets: &'a mut [(String, Cells)], name: &str) -> &'a mut Cells {
    sheets
        .iter_mut()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// 0-based column of a header in row 1.
pub fn col(cells: &Cells, header: &str) -> usize {
    cells[0]
        .iter()
        .position(|d| matches!(d, Data::String(s) if s == header))
        .unwrap_or_else(|| panic!("no header {header}"))
}

/// 0-based row index of a subscription (by the Source subscription ID column).
pub fn row_of(cells: &Cells, subscription: &str) -> usize {
    let c = col(cells, "Source subscription ID");
    cells
        .iter()
        .position(|r| {
            r.get(c)
                .is_some_and(|d| matches!(d, Data::String(s) if s == subscription))
        })
        .unwrap_or_else(|| panic!("no row for {subscription}"))
}

/// Set the cell of `subscription`'s row under `header`.
pub fn set(cells: &mut Cells, subscription: &str, header: &str, value: Data) {
    let (r, c) = (row_of(cells, subscription), col(cells, header));
    let row = &mut cells[r];
    if row.len() <= c {
        row.resize(c + 1, Data::Empty);
    }
    row[c] = value;
}

/// A cell as text, numbers without a trailing `.0`.
pub fn text(d: &Data) -> String {
    match d {
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::DateTime(dt) => format!("{}", dt.as_f64()),
        other => other.to_string(),
    }
}

/// Compare two grids as text; `Err` names the first differing cell.
pub fn grid_eq(a: &Cells, b: &Cells) -> Result<(), String> {
    let rows = a.len().max(b.len());
    for r in 0..rows {
        let (ra, rb) = (a.get(r), b.get(r));
        let cols = ra.map_or(0, Vec::len).max(rb.map_or(0, Vec::len));
        for c in 0..cols {
            let get =
                |row: Option<&Vec<Data>>| row.and_then(|x| x.get(c)).map(text).unwrap_or_default();
            let (va, vb) = (get(ra), get(rb));
            if va != vb {
                return Err(format!(
                    "{}{}: {va:?} != {vb:?}",
                    col_letters(c as u32),
                    r + 1
                ));
            }
        }
    }
    Ok(())
}

/// A workbook's meaning: its document properties and, in order, each
/// sheet's name, visibility and typed cells.
#[derive(Debug, PartialEq)]
pub struct Contents {
    pub properties: WorkbookProperties,
    pub sheets: Vec<(String, SheetVisible, Cells)>,
}

/// Read everything [`Contents`] holds.
pub fn contents(path: &Path) -> Contents {
    let mut wb = open_workbook_auto(path).expect("open workbook");
    let properties = wb.workbook_properties().expect("workbook properties");
    let visible: Vec<SheetVisible> = wb.sheets_metadata().iter().map(|m| m.visible).collect();
    let sheets = read_sheets(path)
        .into_iter()
        .zip(visible)
        .map(|((name, cells), v)| (name, v, cells))
        .collect();
    Contents { properties, sheets }
}

/// Compare two workbooks by meaning: same properties, same sheets in the
/// same order with the same visibility, and every cell of the same type and
/// value. `Err` names the first difference (sheet and A1 cell).
pub fn same_workbook(a: &Path, b: &Path) -> Result<(), String> {
    let (a, b) = (contents(a), contents(b));
    if a.properties != b.properties {
        return Err(format!(
            "document properties: {:?} != {:?}",
            a.properties, b.properties
        ));
    }
    let names = |c: &Contents| -> Vec<(String, SheetVisible)> {
        c.sheets.iter().map(|(n, v, _)| (n.clone(), *v)).collect()
    };
    if names(&a) != names(&b) {
        return Err(format!("sheets: {:?} != {:?}", names(&a), names(&b)));
    }
    for ((name, _, ca), (_, _, cb)) in a.sheets.iter().zip(&b.sheets) {
        typed_grid_eq(ca, cb).map_err(|e| format!("{name}!{e}"))?;
    }
    Ok(())
}

/// Compare two grids cell by cell, types included (an empty cell and a
/// missing one are the same); `Err` names the first differing cell.
pub fn typed_grid_eq(a: &Cells, b: &Cells) -> Result<(), String> {
    let rows = a.len().max(b.len());
    for r in 0..rows {
        let (ra, rb) = (a.get(r), b.get(r));
        let cols = ra.map_or(0, Vec::len).max(rb.map_or(0, Vec::len));
        for c in 0..cols {
            let get = |row: Option<&Vec<Data>>| {
                row.and_then(|x| x.get(c)).cloned().unwrap_or(Data::Empty)
            };
            let (va, vb) = (get(ra), get(rb));
            if va != vb {
                return Err(format!(
                    "{}{}: {va:?} != {vb:?}",
                    col_letters(c as u32),
                    r + 1
                ));
            }
        }
    }
    Ok(())
}

/// A cell as the text a person reads: whole numbers without `.0`, dates as
/// `YYYY-MM-DD` (with the time when it is not midnight).
pub fn show(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// An Excel serial (1900 system) as `YYYY-MM-DD[ HH:MM:SS]`.
fn excel_date(serial: f64) -> String {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch");
    let secs = (serial * 86_400.0).round() as i64;
    let dt = base.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(secs);
    if secs % 86_400 == 0 {
        dt.format("%Y-%m-%d").to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// A sheet as rows of shown text, trailing empty cells dropped.
pub fn shown(cells: &Cells) -> Vec<Vec<String>> {
    cells
        .iter()
        .map(|row| {
            let mut r: Vec<String> = row.iter().map(show).collect();
            while r.last().is_some_and(String::is_empty) {
                r.pop();
            }
            r
        })
        .collect()
}

/// A data row of a sheet: header → shown text.
pub type Record = BTreeMap<String, String>;

/// The Migration sheet's data rows as records.
pub fn migration_rows(book: &Path) -> Vec<Record> {
    records(&sheet(book, "Migration"))
}

/// A sheet whose row 1 is a header, as one record per data row.
pub fn records(cells: &Cells) -> Vec<Record> {
    let headers: Vec<String> = cells[0].iter().map(show).collect();
    cells[1..]
        .iter()
        .map(|row| {
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), row.get(i).map(show).unwrap_or_default()))
                .collect()
        })
        .collect()
}

/// The one Migration record of `subscription`.
pub fn record_of<'a>(rows: &'a [Record], subscription: &str) -> &'a Record {
    rows.iter()
        .find(|r| r["Source subscription ID"] == subscription)
        .unwrap_or_else(|| panic!("no Migration row for {subscription}"))
}

/// The Issues sheet as (severity, file, place, message).
pub fn issues_sheet(book: &Path) -> Vec<[String; 4]> {
    let cells = sheet(book, "Issues");
    let c = |h: &str| col(&cells, h);
    let (s, f, p, m) = (c("Severity"), c("File"), c("Place"), c("Message"));
    cells[1..]
        .iter()
        .map(|r| {
            let g = |i: usize| r.get(i).map(show).unwrap_or_default();
            [g(s), g(f), g(p), g(m)]
        })
        .collect()
}

/// The Issues-sheet row for `file` at `place` whose message contains
/// `part`; panics listing the sheet when there is none.
pub fn issue_row(book: &Path, file: &str, place: &str, part: &str) -> [String; 4] {
    let all = issues_sheet(book);
    all.iter()
        .find(|i| i[1] == file && i[2] == place && i[3].contains(part))
        .cloned()
        .unwrap_or_else(|| panic!("no Issues row {file} | {place} | …{part}…\n{all:#?}"))
}
