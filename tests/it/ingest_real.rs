//! Exports as people really save them (issue 15): totals lines and
//! footnotes under the table, typographic headers, numbers whose format
//! only the file settles, every clock form of the supported locales, cells
//! beyond Excel's limit, and a generated sweep across locale × encoding ×
//! delimiter × file type × layout noise with known truth.
//!
//! Through the library (`build_book`), which is what decides customer,
//! seats, status and action, except the long-cell test, which runs the
//! binary to see the workbook written and the exit code. Helpers live here
//! so these files need nothing from the other test modules.

#[path = "ingest_real/clock.rs"]
mod clock;
#[path = "ingest_real/headers.rs"]
mod headers;
#[path = "ingest_real/long_cells.rs"]
mod long_cells;
#[path = "ingest_real/not_rows.rs"]
mod not_rows;
#[path = "ingest_real/numbers.rs"]
mod numbers;
#[path = "ingest_real/property.rs"]
mod property;
#[path = "ingest_real/sweep.rs"]
mod sweep;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use csp_consolidate::ingest::IngestSpec;
use csp_consolidate::model::{Issue, MigrationBook, MigrationRow, Severity};
use csp_consolidate::ops::build::{BuildError, BuildSettings, build_book};
use rust_xlsxwriter::Workbook;

/// The export time every test build assumes.
pub fn exported_at() -> NaiveDateTime {
    at(2026, 11, 10, 9, 0, 0)
}

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|x| x.and_hms_opt(h, mi, s))
        .expect("valid test time")
}

/// A GUID made from a number: `n` in the first and last groups.
pub fn guid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

/// Write `bytes` to `dir/name` (folders made), returning the path.
pub fn put(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, bytes).expect("write input");
    path
}

/// `Customers.csv` for (tenant, company name) pairs.
pub fn customers_csv(customers: &[(String, String)]) -> String {
    let mut s = String::from("Microsoft ID,Company name,Primary domain name,Relationship\r\n");
    for (t, n) in customers {
        s.push_str(&format!("{t},\"{n}\",,Cloud Reseller\r\n"));
    }
    s
}

/// What a test build needs: exports, an optional customer list and logs.
#[derive(Default)]
pub struct Inputs {
    pub exports: Vec<PathBuf>,
    pub customers: Option<PathBuf>,
    pub activity: Vec<PathBuf>,
}

/// Read and decide, as `build` does before writing.
pub fn try_build(dir: &Path, inputs: Inputs) -> Result<MigrationBook, BuildError> {
    let settings = BuildSettings {
        ingest: IngestSpec {
            exports: inputs.exports,
            customers: inputs.customers,
            activity: inputs.activity,
            exported_at: Some(exported_at()),
            day_first: None,
        },
        offer_map: None,
        out: dir.join("out.xlsx"),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20).expect("day"),
        now: exported_at(),
    };
    build_book(&settings, &|_, _| {})
}

pub fn build(dir: &Path, inputs: Inputs) -> MigrationBook {
    try_build(dir, inputs).unwrap_or_else(|e| panic!("build failed: {e}"))
}

/// The Migration row of a subscription.
pub fn row<'a>(book: &'a MigrationBook, id: &str) -> &'a MigrationRow {
    book.rows
        .iter()
        .find(|r| r.source_subscription_id == id)
        .unwrap_or_else(|| {
            let ids: Vec<&str> = book
                .rows
                .iter()
                .map(|r| r.source_subscription_id.as_str())
                .collect();
            panic!("no row {id}; rows: {ids:?}\nissues: {:#?}", book.issues)
        })
}

/// The issue of `severity` whose location text contains `place` and whose
/// message contains `part`; panics listing every issue when none does.
pub fn issue<'a>(
    book: &'a MigrationBook,
    severity: Severity,
    place: &str,
    part: &str,
) -> &'a Issue {
    book.issues
        .iter()
        .find(|i| {
            i.severity == severity
                && i.location.to_string().contains(place)
                && i.message.contains(part)
        })
        .unwrap_or_else(|| {
            panic!(
                "no {severity} at …{place}… with …{part}…; issues:\n{}",
                book.issues
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
}

/// The sum of seats of rows to recreate: what "seats to move" reports.
pub fn seats_to_move(book: &MigrationBook) -> u64 {
    book.rows
        .iter()
        .filter(|r| r.action == csp_consolidate::model::Action::Recreate)
        .map(|r| u64::from(r.seats.unwrap_or(0)))
        .sum()
}

/// A cell for [`xlsx`].
#[derive(Clone, Debug)]
pub enum X {
    S(String),
    N(f64),
    Empty,
}

pub fn s(t: &str) -> X {
    X::S(t.to_owned())
}

/// Write a workbook of (sheet name, rows) with plain cells; `merge` merges
/// A1 across the first `n` columns of each sheet's first row when set.
pub fn xlsx(path: &Path, sheets: &[(&str, Vec<Vec<X>>)], merge: Option<u16>) {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    X::S(t) if r == 0 && c == 0 && merge.is_some() => {
                        let last = merge.unwrap_or(1).max(1);
                        ws.merge_range(0, 0, 0, last, t, &rust_xlsxwriter::Format::new())
                            .expect("merge");
                    }
                    X::S(t) => {
                        ws.write_string(r, c, t).expect("write");
                    }
                    X::N(n) => {
                        ws.write_number(r, c, *n).expect("write");
                    }
                    X::Empty => {}
                }
            }
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    wb.save(path).expect("save xlsx");
}

/// UTF-16 bytes of a text, with a BOM.
pub fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}
