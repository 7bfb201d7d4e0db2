//! The hidden, protected `Meta` sheet: what build knew when it wrote the
//! workbook, so `plan` can check the reviewed copy against it.
//!
//! Three sections, each introduced by a marker in column A, every value
//! written as a string (so no program re-types it on re-save):
//!
//! ```text
//! [workbook]   format_version | 1     (then tool_version, built_at, as_of)
//! [inputs]     path | kind | sha256 | bytes | rows
//! [rows]       Source subscription ID | Fingerprint | <every locked header…>
//! ```
//!
//! The `[rows]` section holds, per Migration row, the canonical text of each
//! locked cell as build wrote it and a fingerprint over them. Columns in
//! `[rows]` are found by header like the Migration sheet's.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{CellValue, Grid, normalise, plain, render};
use super::fingerprint::fingerprint;
use super::layout::{Col, ColumnSpec, key_of, locked_columns, spec_by_header};
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
const INPUT_HEADERS: [&str; 5] = ["path", "kind", "sha256", "bytes", "rows"];

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
pub fn write_meta(ws: &mut Worksheet, book: &MigrationBook) -> Result<(), XlsxError> {
    ws.set_name(META_SHEET)?;
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
    ];
    ws.write_string(r, 0, WORKBOOK)?;
    for (k, v) in pairs {
        r += 1;
        ws.write_string(r, 0, k)?;
        ws.write_string(r, 1, v)?;
    }
    r += 2;
    ws.write_string(r, 0, INPUTS)?;
    r += 1;
    write_strings(ws, r, INPUT_HEADERS.iter().map(|h| h.to_string()))?;
    for f in &book.inputs {
        r += 1;
        let cells = [&f.path, &f.kind, &f.sha256, &f.bytes.to_string(), &f.rows.to_string()];
        write_strings(ws, r, cells.into_iter().cloned())?;
    }
    r += 2;
    ws.write_string(r, 0, ROWS)?;
    r += 1;
    let headers = [KEY_HEADER, FINGERPRINT_HEADER]
        .into_iter()
        .chain(locked_columns().map(|s| s.header));
    write_strings(ws, r, headers.map(str::to_owned))?;
    for row in &book.rows {
        r += 1;
        let values = locked_values(row);
        let fp = fingerprint(values.iter().map(|(_, v)| v.as_str()));
        let cells = [row.source_subscription_id.clone(), fp]
            .into_iter()
            .chain(values.into_iter().map(|(_, v)| v));
        write_strings(ws, r, cells)?;
    }
    ws.set_column_width(0, 40)?;
    ws.set_hidden(true);
    ws.protect();
    Ok(())
}

fn write_strings(
    ws: &mut Worksheet,
    row: u32,
    cells: impl Iterator<Item = String>,
) -> Result<(), XlsxError> {
    for (c, v) in cells.enumerate() {
        if !v.is_empty() {
            ws.write_string(row, c as u16, v)?;
        }
    }
    Ok(())
}

/// Read the meta sheet. `Err` says why the workbook is not one we wrote.
pub fn parse_meta(grid: &Grid) -> Result<Meta, String> {
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
    let format_version: u32 = version_text
        .parse()
        .map_err(|_| format!("the {META_SHEET} sheet has no readable format_version (found {version_text:?})"))?;
    if format_version != FORMAT_VERSION {
        return Err(format!(
            "workbook format version {format_version}; this csp-consolidate ({}) reads version {FORMAT_VERSION}",
            crate::TOOL_VERSION
        ));
    }
    Ok(Meta {
        format_version,
        tool_version: value("tool_version").unwrap_or_default(),
        built_at: value("built_at")
            .and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S").ok()),
        as_of: value("as_of").and_then(|t| t.parse().ok()),
        inputs: parse_inputs(grid, inputs_at + 2, rows_at),
        rows: parse_rows(grid, rows_at + 1)?,
    })
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

fn parse_rows(grid: &Grid, header_row: u32) -> Result<Vec<MetaRow>, String> {
    let mut key_col = None;
    let mut fp_col = None;
    let mut locked: Vec<(&'static ColumnSpec, u32)> = Vec::new();
    for c in grid.col_numbers() {
        let h = plain(grid.get(header_row, c));
        if h == FINGERPRINT_HEADER {
            fp_col = Some(c);
        } else if h == KEY_HEADER && key_col.is_none() {
            key_col = Some(c);
        } else if let Some(spec) = spec_by_header(&h).filter(|s| !s.review) {
            locked.push((spec, c));
        }
    }
    let (Some(key_col), Some(fp_col)) = (key_col, fp_col) else {
        return Err(format!("the {META_SHEET} sheet's [rows] section has no key or fingerprint column"));
    };
    if let Some(missing) = locked_columns().find(|s| !locked.iter().any(|(l, _)| l.col == s.col)) {
        return Err(format!(
            "the {META_SHEET} sheet's [rows] section has no column {:?}",
            missing.header
        ));
    }
    locked.sort_by_key(|(s, _)| s.col);
    let rows = grid
        .row_numbers()
        .filter(|&r| r > header_row)
        .filter(|&r| !matches!(grid.get(r, key_col), CellValue::Empty))
        .map(|r| MetaRow {
            id: plain(grid.get(r, key_col)),
            fingerprint: plain(grid.get(r, fp_col)),
            originals: locked
                .iter()
                .map(|(s, c)| (s.col, normalise(s.kind, grid.get(r, *c))))
                .collect(),
            meta_row: r,
        })
        .collect();
    Ok(rows)
}
