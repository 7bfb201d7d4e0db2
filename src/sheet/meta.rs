//! The hidden, protected `Meta` sheet: what build knew when it wrote the
//! workbook, so `plan` can check the reviewed copy against it.
//!
//! Three sections, each introduced by a marker in column A, every value
//! written as a string (so no program re-types it on re-save):
//!
//! ```text
//! [workbook]   format_version | 1     (then tool_version, built_at, as_of,
//!              locked_columns | ["Customer", "Customer tenant ID", …])
//! [inputs]     path | kind | sha256 | bytes | rows
//! [rows]       Source subscription ID | Fingerprint | Originals
//! ```
//!
//! The `[rows]` section holds, per Migration row, the canonical text of each
//! locked cell as build wrote it (a JSON array in `locked_columns` order)
//! and a fingerprint over them. One JSON cell per row rather than one cell
//! per value keeps the sheet three cells wide, which halves the time to
//! read a 25,000-row workbook back; a JSON text longer than Excel's cell
//! limit continues in the cells to its right.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{CellValue, Clipped, Grid, MAX_CELL_CHARS, normalise, plain, render};
use super::fingerprint::fingerprint;
use super::layout::{Col, key_of, locked_columns, spec_by_header};
use crate::model::{InputFile, MigrationBook, MigrationRow};

/// The Meta sheet's name.
pub const META_SHEET: &str = "Meta";
/// The workbook format this version writes and reads.
pub const FORMAT_VERSION: u32 = 1;

const WORKBOOK: &str = "[workbook]";
const INPUTS: &str = "[inputs]";
const ROWS: &str = "[rows]";
const KEY_HEADER: &str = "Source subscription ID";
const FINGERPRINT_HEADER: &str = "Fingerprint";
const ORIGINALS_HEADER: &str = "Originals";
const INPUT_HEADERS: [&str; 5] = ["path", "kind", "sha256", "bytes", "rows"];
/// Characters per cell for the JSON of originals (under Excel's limit).
const CHUNK_CHARS: usize = MAX_CELL_CHARS - 767;

/// What the meta sheet says about the workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub format_version: u32,
    pub tool_version: String,
    pub built_at: Option<NaiveDateTime>,
    pub as_of: Option<NaiveDate>,
    pub inputs: Vec<InputFile>,
    pub rows: Vec<MetaRow>,
}

/// One Migration row as build wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaRow {
    /// Source subscription ID as written.
    pub id: String,
    pub fingerprint: String,
    /// Canonical text of every locked cell, in layout order.
    pub originals: Vec<(Col, String)>,
    /// 1-based row of the Meta sheet holding this entry.
    pub meta_row: u32,
}

impl MetaRow {
    /// The row's key (normalised source subscription ID).
    pub fn key(&self) -> String {
        key_of(&self.id)
    }

    /// Whether the stored fingerprint still matches the stored originals.
    pub fn is_consistent(&self) -> bool {
        fingerprint(self.originals.iter().map(|(_, v)| v.as_str())) == self.fingerprint
    }
}

/// Canonical text of a row's locked cells, in layout order.
pub fn locked_values(row: &MigrationRow) -> Vec<(Col, String)> {
    locked_columns()
        .map(|s| (s.col, normalise(s.kind, &render(row, s.col))))
        .collect()
}

/// Write the meta sheet for a book.
pub fn write_meta(
    ws: &mut Worksheet,
    book: &MigrationBook,
    clipped: &Clipped,
) -> Result<(), XlsxError> {
    ws.set_name(META_SHEET)?;
    ws.set_column_width(0, 40)?;
    ws.write_string(
        0,
        0,
        "csp-consolidate metadata: do not edit. `plan` uses it to tell review edits from edits of locked cells.",
    )?;
    let mut r = 2;
    let built_at = book.built_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let pairs = [
        ("format_version", FORMAT_VERSION.to_string()),
        ("tool_version", crate::TOOL_VERSION.to_owned()),
        ("built_at", built_at),
        ("as_of", book.as_of.to_string()),
        ("locked_columns", locked_headers_json()),
    ];
    ws.write_string(r, 0, WORKBOOK)?;
    for (k, v) in pairs {
        r += 1;
        write_strings(ws, r, [k, v.as_str()], clipped)?;
    }
    r += 2;
    ws.write_string(r, 0, INPUTS)?;
    r += 1;
    write_strings(ws, r, INPUT_HEADERS, clipped)?;
    for f in &book.inputs {
        r += 1;
        let cells = [
            f.path.as_str(),
            &f.kind,
            &f.sha256,
            &f.bytes.to_string(),
            &f.rows.to_string(),
        ];
        write_strings(ws, r, cells, clipped)?;
    }
    write_rows(ws, r + 2, book, clipped)?;
    ws.set_hidden(true);
    ws.protect();
    Ok(())
}

/// The `[rows]` section from sheet row `r` (0-based) on.
fn write_rows(
    ws: &mut Worksheet,
    mut r: u32,
    book: &MigrationBook,
    clipped: &Clipped,
) -> Result<(), XlsxError> {
    ws.write_string(r, 0, ROWS)?;
    r += 1;
    let headers = [KEY_HEADER, FINGERPRINT_HEADER, ORIGINALS_HEADER];
    write_strings(ws, r, headers, clipped)?;
    for row in &book.rows {
        r += 1;
        let values: Vec<String> = locked_values(row).into_iter().map(|(_, v)| v).collect();
        let fp = fingerprint(values.iter().map(String::as_str));
        // ok: a Vec<String> always serialises.
        let json = serde_json::to_string(&values).unwrap_or_default();
        let cells = [row.source_subscription_id.as_str(), &fp]
            .into_iter()
            .chain(chunks(&json));
        write_strings(ws, r, cells, clipped)?;
    }
    Ok(())
}

fn locked_headers_json() -> String {
    let headers: Vec<&str> = locked_columns().map(|s| s.header).collect();
    // ok: a Vec<&str> always serialises.
    serde_json::to_string(&headers).unwrap_or_default()
}

/// Split text into cell-sized pieces on character boundaries.
fn chunks(text: &str) -> Vec<&str> {
    // Almost every row fits one cell (characters never outnumber bytes).
    if text.len() <= CHUNK_CHARS {
        return vec![text];
    }
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .char_indices()
            .nth(CHUNK_CHARS)
            .map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(end);
        out.push(piece);
        rest = tail;
    }
    out
}

fn write_strings<'a>(
    ws: &mut Worksheet,
    row: u32,
    cells: impl IntoIterator<Item = &'a str>,
    clipped: &Clipped,
) -> Result<(), XlsxError> {
    for (c, v) in cells.into_iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(row, c as u16, clipped.cell(META_SHEET, row, c as u16, v))?;
        }
    }
    Ok(())
}

/// Read the meta sheet. `Err` says why the workbook is not one we wrote.
pub fn parse_meta(grid: &Grid) -> Result<Meta, String> {
    let (mut meta, rows) = parse_head(grid)?;
    let last_col = grid.col_numbers().last().unwrap_or(rows.json_col);
    for r in grid.row_numbers().filter(|&r| r > rows.header_row) {
        let cells: Vec<&CellValue> = (0..=last_col).map(|c| grid.get(r, c)).collect();
        if let Some(row) = rows.parse_row(r, &cells)? {
            meta.rows.push(row);
        }
    }
    Ok(meta)
}

/// Where the `[rows]` section's columns are, and the order of the
/// originals: what reading its rows one at a time needs.
#[derive(Debug, Clone)]
pub(super) struct RowsSection {
    /// 1-based sheet row of the section's header.
    pub header_row: u32,
    key_col: u32,
    fp_col: u32,
    json_col: u32,
    order: Vec<Col>,
}

/// Whether a cell is the `[rows]` marker.
pub(super) fn is_rows_marker(value: &CellValue) -> bool {
    plain(value) == ROWS
}

/// The meta sheet up to and including the `[rows]` header (any rows below
/// it are ignored): the workbook facts and inputs, with no rows yet.
pub(super) fn parse_head(grid: &Grid) -> Result<(Meta, RowsSection), String> {
    let marker = |name: &str| {
        grid.row_numbers()
            .find(|&r| plain(grid.get(r, 0)) == name)
            .ok_or_else(|| format!("the {META_SHEET} sheet has no {name} section"))
    };
    let wb = marker(WORKBOOK)?;
    let inputs_at = marker(INPUTS)?;
    let rows_at = marker(ROWS)?;
    let value = |key: &str| {
        (wb + 1..inputs_at)
            .find(|&r| plain(grid.get(r, 0)) == key)
            .map(|r| plain(grid.get(r, 1)))
    };
    let version_text = value("format_version").unwrap_or_default();
    let format_version: u32 = version_text.parse().map_err(|_| {
        format!("the {META_SHEET} sheet has no readable format_version (found {version_text:?})")
    })?;
    if format_version != FORMAT_VERSION {
        return Err(format!(
            "workbook format version {format_version}; this csp-consolidate ({}) reads version {FORMAT_VERSION}",
            crate::TOOL_VERSION
        ));
    }
    let header_row = rows_at + 1;
    let find = |name: &str| {
        grid.col_numbers()
            .find(|&c| plain(grid.get(header_row, c)) == name)
            .ok_or_else(|| {
                format!("the {META_SHEET} sheet's [rows] section has no {name:?} column")
            })
    };
    let rows = RowsSection {
        header_row,
        key_col: find(KEY_HEADER)?,
        fp_col: find(FINGERPRINT_HEADER)?,
        json_col: find(ORIGINALS_HEADER)?,
        order: locked_order(value("locked_columns"))?,
    };
    let meta = Meta {
        format_version,
        tool_version: value("tool_version").unwrap_or_default(),
        built_at: value("built_at")
            .and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S").ok()),
        as_of: value("as_of").and_then(|t| t.parse().ok()),
        inputs: parse_inputs(grid, inputs_at + 2, rows_at),
        rows: Vec::new(),
    };
    Ok((meta, rows))
}

fn parse_inputs(grid: &Grid, from: u32, to: u32) -> Vec<InputFile> {
    (from..to)
        .filter(|&r| !plain(grid.get(r, 0)).is_empty())
        .map(|r| {
            let cell = |c| plain(grid.get(r, c));
            InputFile {
                path: cell(0),
                kind: cell(1),
                sha256: cell(2),
                bytes: cell(3).parse().unwrap_or(0),
                rows: cell(4).parse().unwrap_or(0),
            }
        })
        .collect()
}

/// The locked columns in the order the originals were written.
fn locked_order(json: Option<String>) -> Result<Vec<Col>, String> {
    let json = json.ok_or_else(|| format!("the {META_SHEET} sheet has no locked_columns entry"))?;
    let headers: Vec<String> = serde_json::from_str(&json)
        .map_err(|e| format!("the {META_SHEET} sheet's locked_columns entry is damaged: {e}"))?;
    let order: Vec<Col> = headers
        .iter()
        .map(|h| {
            spec_by_header(h)
                .filter(|s| !s.review)
                .map(|s| s.col)
                .ok_or_else(|| {
                    format!("the {META_SHEET} sheet names an unknown locked column {h:?}")
                })
        })
        .collect::<Result<_, _>>()?;
    if let Some(missing) = locked_columns().find(|s| !order.contains(&s.col)) {
        return Err(format!(
            "the {META_SHEET} sheet keeps no originals for {:?}",
            missing.header
        ));
    }
    Ok(order)
}

impl RowsSection {
    /// One row of the `[rows]` section from its cells (index = absolute
    /// 0-based column): `None` for a row without a key.
    pub(super) fn parse_row(
        &self,
        r: u32,
        cells: &[&CellValue],
    ) -> Result<Option<MetaRow>, String> {
        let cell = |c: u32| cells.get(c as usize).copied().unwrap_or(&CellValue::Empty);
        if matches!(cell(self.key_col), CellValue::Empty) {
            return Ok(None);
        }
        let json: String = (self.json_col as usize..cells.len())
            .map(|c| cells[c])
            .take_while(|v| !matches!(v, CellValue::Empty))
            .map(|v| match v {
                CellValue::Text(t) => t.clone(),
                other => plain(other),
            })
            .collect();
        let values: Vec<String> = serde_json::from_str(&json)
            .ok()
            .filter(|v: &Vec<String>| v.len() == self.order.len())
            .ok_or_else(|| {
                format!(
                    "the {META_SHEET} sheet's row {r} is damaged (its originals do not read back)"
                )
            })?;
        let mut originals: Vec<(Col, String)> = self.order.iter().copied().zip(values).collect();
        originals.sort_by_key(|(c, _)| *c);
        Ok(Some(MetaRow {
            id: plain(cell(self.key_col)),
            fingerprint: plain(cell(self.fp_col)),
            originals,
            meta_row: r,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_on_characters_and_join_back() {
        assert_eq!(chunks("short"), vec!["short"]);
        assert_eq!(chunks(""), vec![""]);
        // Multi-byte characters: more bytes than the limit, the same count
        // of characters as the pieces hold.
        let text = format!("{}{}", "Ω".repeat(CHUNK_CHARS), "ab€".repeat(5));
        let pieces = chunks(&text);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].chars().count(), CHUNK_CHARS);
        assert_eq!(pieces[1], "ab€".repeat(5));
        assert_eq!(pieces.concat(), text);
        let exact = "x".repeat(2 * CHUNK_CHARS);
        let pieces = chunks(&exact);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| p.len() == CHUNK_CHARS));
    }
}
