//! A format-neutral grid of cells read from CSV or a workbook sheet.
//!
//! The readers for each file kind work on this grid only, so a CSV export,
//! an xlsx export and an Excel re-save of either are handled by the same
//! code. Each row remembers its absolute 1-based row (sheet) or line (CSV)
//! number and each grid its sheet name, which is all an issue needs to
//! point a person at the right cell.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::{NaiveDate, NaiveDateTime};

use super::headers::{HeaderMap, find_header};
use crate::model::Location;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDateTime),
}

impl Cell {
    /// The cell as text (numbers without a spurious `.0`).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s.as_str()),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                // ok: whole and well inside i64 range, checked above.
                Cow::Owned(format!("{}", *n as i64))
            }
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d %H:%M:%S").to_string()),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// One row and its absolute number (1-based sheet row or CSV line).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: u64,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn get(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }
}

/// The cells of one CSV file or one sheet.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// `None` for CSV.
    pub sheet: Option<String>,
    /// Absolute 0-based column of `cells[0]` (sheets may start at C).
    pub col_offset: u32,
    pub rows: Vec<Row>,
    /// The CSV delimiter (`None` for a sheet): evidence of the number format.
    pub delimiter: Option<u8>,
}

impl Grid {
    /// Where a row is: `Sheet!5:5` or `line 5`.
    pub fn row_loc(&self, file: &str, row: &Row) -> Location {
        match &self.sheet {
            Some(s) => Location::row(file, s, u32::try_from(row.number).unwrap_or(u32::MAX)),
            None => Location::line(file, row.number),
        }
    }

    /// Where a cell is: `Sheet!C5` or `line 5, column 3 (C)`.
    pub fn cell_loc(&self, file: &str, row: &Row, col: usize) -> Location {
        let col = self
            .col_offset
            .saturating_add(u32::try_from(col).unwrap_or(u32::MAX));
        self.row_loc(file, row).with_col(col)
    }

    /// The header row, searched from the top.
    pub fn header(&self) -> Option<HeaderMap> {
        find_header(
            self.rows
                .iter()
                .map(|r| r.cells.iter().map(|c| c.text().into_owned()).collect()),
        )
    }
}

/// Every readable sheet of a workbook.
#[derive(Debug, Default)]
pub struct Workbook {
    pub grids: Vec<Grid>,
    /// `dcterms:created` (else modified) from the document properties.
    pub created: Option<NaiveDateTime>,
    /// Sheets that could not be read: (sheet, message).
    pub sheet_errors: Vec<(String, String)>,
}

/// Read every sheet of a workbook (xlsx, xlsm, xls, xlsb, ods) and its
/// creation (or modification) time. Errors are messages for an issue.
pub fn read_workbook(bytes: &[u8]) -> Result<Workbook, String> {
    // calamine is defensive, but a panic deep in a zip or BIFF parser on a
    // hostile file must still become an issue, never a crash.
    catch_unwind(AssertUnwindSafe(|| read_workbook_inner(bytes)))
        .unwrap_or_else(|_| Err("the workbook is damaged (reader failed)".to_owned()))
}

fn read_workbook_inner(bytes: &[u8]) -> Result<Workbook, String> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("not a readable workbook ({e})"))?;
    let created = wb
        .workbook_properties()
        .ok()
        .and_then(|p| p.created.or(p.modified))
        .and_then(|s| match super::values::scan_date(&s) {
            Some(super::values::RawDate::Exact(d)) => Some(d),
            _ => None,
        });
    let mut out = Workbook {
        created,
        ..Workbook::default()
    };
    for name in wb.sheet_names() {
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                out.sheet_errors
                    .push((name, format!("sheet cannot be read ({e})")));
                continue;
            }
        };
        let Some((row0, col0)) = range.start() else {
            continue;
        };
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, r)| Row {
                number: u64::from(row0) + i as u64 + 1,
                cells: r.iter().map(cell_of).collect(),
            })
            .collect();
        out.grids.push(Grid {
            sheet: Some(name),
            col_offset: col0,
            rows,
            delimiter: None,
        });
    }
    Ok(out)
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(x) if x.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = x.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                .and_then(|date| date.and_hms_opt(u32::from(h), u32::from(mi), u32::from(s)))
                .map_or(Cell::Number(x.as_f64()), Cell::Date)
        }
        Data::DateTime(x) => Cell::Number(x.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e}")),
    }
}

/// The delimiters sniffed, in tie-break order.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Choose the delimiter under which the first lines hold a header with
/// the most recognised columns; else the one splitting the first lines most.
pub fn sniff_delimiter(head: &str) -> u8 {
    let mut best: Option<(usize, u8)> = None;
    for d in DELIMITERS {
        let grid = parse_csv(head, d, 40);
        if let Some(h) = grid.header() {
            let n = h.fields.len();
            if best.is_none_or(|(b, _)| n > b) {
                best = Some((n, d));
            }
        }
    }
    if let Some((_, d)) = best {
        return d;
    }
    // No header: the delimiter splitting the first lines most (a title
    // line above the table splits under none), the first listed on a tie.
    let lines: Vec<&str> = head
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .collect();
    let count = |d: u8| -> usize {
        lines
            .iter()
            .map(|l| l.bytes().filter(|b| *b == d).count())
            .sum()
    };
    DELIMITERS
        .into_iter()
        .rev()
        .max_by_key(|d| count(*d))
        .unwrap_or(b',')
}

/// Parse CSV text into a grid (at most `max_rows` records).
pub fn parse_csv(text: &str, delimiter: u8, max_rows: usize) -> Grid {
    let (tracked, lines) = super::lines::LineTracked::new(text.as_bytes());
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(tracked);
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    while rows.len() < max_rows {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        let number = super::lines::record_line(&lines, rec.position());
        let cells = rec
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f.to_owned())
                }
            })
            .collect();
        rows.push(Row { number, cells });
    }
    Grid {
        sheet: None,
        col_offset: 0,
        rows,
        delimiter: Some(delimiter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_from_the_header() {
        let semi = "Abonnement-ID;Abonnement;Menge\n1;Office, E3;1.000\n";
        assert_eq!(sniff_delimiter(semi), b';');
        let tab = "Subscription ID\tSubscription\tQuantity\n1\tOffice, E3\t1,000\n";
        assert_eq!(sniff_delimiter(tab), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n"), b';');
    }

    #[test]
    fn csv_rows_keep_line_numbers_across_quoted_newlines() {
        let g = parse_csv("title\r\n\"multi\r\nline\",x\r\nlast,y\r\n", b',', 100);
        let numbers: Vec<u64> = g.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![1, 2, 4]);
        assert_eq!(
            g.cell_loc("a.csv", &g.rows[2], 1).to_string(),
            "a.csv: line 4, column 2 (B)"
        );
    }

    #[test]
    fn junk_is_not_a_workbook() {
        assert!(read_workbook(b"PK\x03\x04 truncated").is_err());
        assert!(read_workbook(&[0u8; 10]).is_err());
        assert!(read_workbook(b"").is_err());
    }
}
