//! Test helpers for workbooks as data: read every sheet with calamine into
//! an absolute grid, edit it like a reviewer would (approve, sort, retype,
//! rename a header, move a column), write it back as another xlsx writer
//! would, and compare grids cell by cell, reporting the first differing A1
//! cell (never bytes).

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
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
