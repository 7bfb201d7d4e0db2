//! Making the files tests read: paths of the committed fixtures, the sample
//! migration workbook written to a folder, export files written from bytes
//! or from rows of cells (xlsx, with an optional creation time), and
//! `build` run over such inputs with a fixed export time and "today".

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use csp_consolidate::model::MigrationBook;
use csp_consolidate::sheet::write_workbook;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use super::bin::{Run, run_in};

/// The repository root (where `fixtures/` and `tests/golden/` live).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<rel>` in the repository.
pub fn fixture(rel: &str) -> PathBuf {
    repo().join("fixtures").join(rel)
}

/// A committed reviewed workbook, `fixtures/reviewed/<name>`.
pub fn reviewed(name: &str) -> PathBuf {
    fixture("reviewed").join(name)
}

/// Write `book` as `dir/migration.xlsx` with the library's writer.
pub fn write_book(dir: &Path, book: &MigrationBook) -> PathBuf {
    let path = dir.join("migration.xlsx");
    write_workbook(book.clone(), &path).expect("write workbook");
    path
}

/// Write `bytes` to `dir/name`, making folders on the way.
pub fn write_file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, bytes).expect("write file");
    path
}

/// A temp dir with `files` (name → bytes) written into it.
pub fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in files {
        write_file(dir.path(), name, bytes);
    }
    dir
}

/// A cell of a generated export workbook.
pub enum Cell<'a> {
    S(&'a str),
    N(f64),
    /// A date-time, formatted `yyyy-mm-dd hh:mm`.
    D(NaiveDateTime),
}

fn excel_datetime(d: &NaiveDateTime) -> ExcelDateTime {
    use chrono::{Datelike, Timelike};
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
        .and_then(|x| x.and_hms(d.hour() as u16, d.minute() as u8, d.second() as f64))
        .expect("excel date")
}

/// Write an export workbook: named sheets of rows from A1, and the document
/// creation time when `created` is given.
pub fn export_xlsx(
    path: &Path,
    sheets: &[(&str, Vec<Vec<Cell<'_>>>)],
    created: Option<NaiveDateTime>,
) {
    let mut wb = Workbook::new();
    if let Some(c) = created {
        wb.set_properties(&DocProperties::new().set_creation_datetime(&excel_datetime(&c)));
    }
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    Cell::S(s) => ws.write_string(r, c, *s).map(|_| ()),
                    Cell::N(n) => ws.write_number(r, c, *n).map(|_| ()),
                    Cell::D(d) => ws
                        .write_datetime_with_format(r, c, excel_datetime(d), &date_fmt)
                        .map(|_| ()),
                }
                .expect("write cell");
            }
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    wb.save(path).expect("save xlsx");
}

/// `build` with a fixed export time and "today", so every cell is
/// reproducible.
pub fn build_args(inputs: &[&str], out: &Path, extra: &[&str]) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["build".into()];
    args.extend(inputs.iter().map(OsString::from));
    args.extend(["--out".into(), out.as_os_str().to_owned()]);
    args.extend(
        [
            "--exported-at",
            "2026-11-10T09:00:00",
            "--as-of",
            "2026-11-20",
        ]
        .map(OsString::from),
    );
    args.extend(extra.iter().map(OsString::from));
    args
}

/// Build `inputs` (names inside `dir`) to `dir/out.xlsx`, removing any
/// workbook an earlier run left there.
pub fn build_in(dir: &Path, inputs: &[&str], extra: &[&str]) -> (Run, PathBuf) {
    let out = dir.join("out.xlsx");
    if out.exists() {
        std::fs::remove_file(&out).expect("remove old workbook");
    }
    (run_in(dir, &build_args(inputs, &out, extra)), out)
}

/// `s` as UTF-16 with its byte-order mark, little- or big-endian.
pub fn utf16(s: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in s.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}
