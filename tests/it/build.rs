//! `csp-consolidate build` end to end: the real binary on the committed
//! fixtures and on small bad inputs written per test, its exit code, the
//! located issues on stderr, and the workbook read back with calamine and
//! compared as cell grids (never bytes).
//!
//! Why through the binary: the issue's contract is the command line (exit
//! codes, `file: place: severity: message` lines, "no output file when
//! nothing usable was read"), which a library call would not exercise.

#[path = "build/bad_inputs.rs"]
mod bad_inputs;
#[path = "build/bad_values.rs"]
mod bad_values;
#[path = "build/fixtures_facts.rs"]
mod fixtures_facts;
#[path = "build/fixtures_run.rs"]
mod fixtures_run;
#[path = "build/hostile.rs"]
mod hostile;
#[path = "build/review_carry.rs"]
mod review_carry;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use calamine::Data;
use chrono::{Duration, NaiveDate};

use crate::util_xlsx::{Cells, col, sheet};

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panic with the whole output when the exit code is not `want`.
    pub fn expect_code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The stderr line that starts with `prefix` and contains every one of
    /// `parts`; panics listing stderr when there is none.
    pub fn issue_line(&self, prefix: &str, parts: &[&str]) -> &str {
        self.stderr
            .lines()
            .find(|l| l.starts_with(prefix) && parts.iter().all(|p| l.contains(p)))
            .unwrap_or_else(|| {
                panic!(
                    "no stderr line starting {prefix:?} containing {parts:?}\n--- stderr\n{}",
                    self.stderr
                )
            })
    }

    /// Never a panic, whatever the input.
    pub fn assert_no_panic(&self, what: &str) {
        assert!(
            matches!(self.code, 0..=2) && !self.stderr.contains("panicked"),
            "{what}: exit {} (want 0, 1 or 2, no panic)\n--- stderr\n{}",
            self.code,
            self.stderr
        );
    }
}

/// Run `csp-consolidate` with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[OsString]) -> Run {
    let out = assert_cmd::Command::cargo_bin("csp-consolidate")
        .expect("binary")
        .current_dir(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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

/// A temp dir with `files` (name → bytes) written into it.
pub fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, bytes).expect("write input");
    }
    dir
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

/// The Migration sheet's data rows as header → text maps.
pub fn migration_rows(book: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    records(&sheet(book, "Migration"))
}

/// A sheet whose row 1 is a header, as one map per data row.
pub fn records(cells: &Cells) -> Vec<std::collections::BTreeMap<String, String>> {
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

/// The one Migration row of `subscription`.
pub fn row_of<'a>(
    rows: &'a [std::collections::BTreeMap<String, String>],
    subscription: &str,
) -> &'a std::collections::BTreeMap<String, String> {
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
