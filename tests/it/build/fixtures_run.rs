//! `build` on the whole committed fixture set, as fixtures/README.md's quick
//! start runs it: exit 1, every documented problem located on stderr and
//! in the Issues sheet (and nothing else), the Migration sheet equal to a
//! reviewed golden grid, and per-customer facts from the README.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use calamine::Data;
use sha2::{Digest, Sha256};

use crate::support::bin::{Run, run_in};
use crate::support::grid::{Cells, grid_eq, issues_sheet, migration_rows, records, sheet, shown};
use crate::support::workbook::{build_args, repo};

/// The headers of the Migration sheet, in order, exactly as DESIGN.md's
/// table names them.
pub const DESIGN_HEADERS: [&str; 28] = [
    "Customer",
    "Customer tenant ID",
    "Primary domain",
    "Source subscription ID",
    "Product",
    "Source offer ID",
    "Nickname",
    "Status",
    "Seats",
    "Billing type",
    "Commerce",
    "Billing cycle",
    "Term",
    "Term end",
    "Auto-renew",
    "Reseller",
    "Changes since export",
    "Action",
    "Target catalog item",
    "Target seats",
    "Target billing cycle",
    "Target term",
    "Approved",
    "Reviewer note",
    "Source retirement",
    "Double-billing days",
    "Warnings",
    "Source",
];

const GOLDEN: &str = "tests/golden/fixtures-migration.tsv";

/// One build of the fixtures, shared by the tests of this file (the
/// workbook is only read).
pub struct FixtureBuild {
    pub run: Run,
    pub out: PathBuf,
    pub json: serde_json::Value,
    _dir: tempfile::TempDir,
}

const FIXTURE_INPUTS: [&str; 9] = [
    "fixtures/exports",
    "--customers",
    "fixtures/Customers.csv",
    "--activity",
    "fixtures/activity/ActivityLog.csv",
    "--activity",
    "fixtures/activity/ActivityLog-ja.csv",
    "--offer-map",
    "fixtures/offer-map.csv",
];

pub fn fixture_build() -> &'static FixtureBuild {
    static BUILD: OnceLock<FixtureBuild> = OnceLock::new();
    BUILD.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("migration.xlsx");
        // Run from the repository so the Source column holds the relative
        // paths a user would see (`fixtures/exports/…`), not temp paths.
        let run = run_in(repo(), &build_args(&FIXTURE_INPUTS, &out, &[]));
        let json_out = dir.path().join("again.xlsx");
        let json_run = run_in(repo(), &build_args(&FIXTURE_INPUTS, &json_out, &["--json"]));
        json_run.expect_code(1);
        let json = serde_json::from_str(&json_run.stdout).expect("--json stdout is JSON");
        FixtureBuild {
            run,
            out,
            json,
            _dir: dir,
        }
    })
}

/// Golden TSV: one line per sheet row, cells separated by TAB, with `\\`,
/// `\t`, `\n` and `\r` escaped.
fn to_tsv(grid: &[Vec<String>]) -> String {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    };
    let mut out = String::new();
    for row in grid {
        let cells: Vec<String> = row.iter().map(|c| esc(c)).collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

fn from_tsv(text: &str) -> Cells {
    let unesc = |s: &str| {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        out
    };
    text.lines()
        .map(|l| {
            l.split('\t')
                .map(|c| match unesc(c) {
                    s if s.is_empty() => Data::Empty,
                    s => Data::String(s),
                })
                .collect()
        })
        .collect()
}

#[test]
fn fixtures_build_exits_1_and_summarises() {
    let b = fixture_build();
    b.run.expect_code(1);
    let rows = migration_rows(&b.out);
    let recreate_seats: u64 = rows
        .iter()
        .filter(|r| r["Action"] == "Recreate")
        .map(|r| r["Seats"].parse::<u64>().expect("Recreate rows have seats"))
        .sum();
    let count = |p: &str| rows.iter().filter(|r| r["Action"].starts_with(p)).count();
    let out = &b.run.stdout;
    // 16 customers in Customers.csv; 61 data rows in the exports, less the
    // row without an ID (P4) and the duplicate (P7).
    assert_eq!(rows.len(), 59);
    assert!(out.contains("16 customers, 59 subscriptions"), "{out}");
    assert!(
        out.contains(&format!(
            "Recreate {} ({recreate_seats} seats to move), Microsoft support {}, Skip {}",
            count("Recreate"),
            count("Microsoft support"),
            count("Skip")
        )),
        "{out}"
    );
    assert!(
        out.contains("10 issue(s): 7 error(s), 3 warning(s)"),
        "{out}"
    );
    assert!(out.contains(&format!("wrote {}", b.out.display())), "{out}");
}

/// Each deliberate problem P1–P9 of fixtures/README.md: (file, place as
/// the README locates it, severity, words of the message).
const PROBLEMS: [(&str, &str, &str, &str); 10] = [
    (
        "fixtures/exports/fabrikam.onmicrosoft.com.xlsx",
        "Subscriptions!D7",
        "error",
        "quantity \"2.5\" is not a whole number",
    ),
    (
        "fixtures/exports/tailspintoys.onmicrosoft.com.csv",
        "line 2, column 5 (E)",
        "error",
        "date \"03/04/2027\" is ambiguous",
    ),
    (
        "fixtures/exports/tailspintoys.onmicrosoft.com.csv",
        "line 3, column 3 (C)",
        "error",
        "quantity \"ten\" is not a number",
    ),
    (
        "fixtures/exports/한빛소프트 주식회사.xlsx",
        "Subscriptions!A5",
        "error",
        "no subscription ID",
    ),
    (
        "fixtures/exports/export-2026-11-10.xlsx",
        "",
        "error",
        "cannot tell which customer these 2 subscription(s) belong to",
    ),
    (
        "fixtures/activity/ActivityLog.csv",
        "line 17, column 2 (B)",
        "warning",
        "'Blue Yonder Airlines' (1 rows): no customer with that name",
    ),
    (
        "fixtures/activity/ActivityLog.csv",
        "line 16, column 2 (B)",
        "warning",
        "2 customers have that name (fd8b8515-35d0-4d4c-a925-a1d7d2279b59, b0a3d847-c94a-4d41-a28a-91cc783aa467)",
    ),
    (
        "fixtures/exports/bam/subscriptions.csv",
        "line 6",
        "warning",
        "subscription 55f07921-1a49-409d-a6ec-ad12b5bb62ce was already read from fixtures/exports/Contoso Ltd.xlsx: Subscriptions!4:4",
    ),
    (
        "fixtures/exports/partner-contacts.csv",
        "",
        "error",
        "no recognised header",
    ),
    ("fixtures/exports/empty.csv", "", "error", "empty"),
];

#[test]
fn fixtures_every_documented_problem_is_located_and_nothing_else() {
    let b = fixture_build();
    let sheet_issues = issues_sheet(&b.out);
    for (file, place, severity, words) in PROBLEMS {
        let prefix = if place.is_empty() {
            format!("{file}: {severity}: ")
        } else {
            format!("{file}: {place}: {severity}: ")
        };
        b.run.issue_line(&prefix, &[words]);
        assert!(
            sheet_issues
                .iter()
                .any(|i| i[0] == severity && i[1] == file && i[2] == place && i[3].contains(words)),
            "no Issues row for {prefix}{words}\n{sheet_issues:#?}"
        );
    }
    // "Other things that are not problems must not raise issues."
    assert_eq!(sheet_issues.len(), PROBLEMS.len(), "{sheet_issues:#?}");
    let lines = b.run.stderr.lines().filter(|l| !l.trim().is_empty());
    assert_eq!(lines.count(), PROBLEMS.len(), "{}", b.run.stderr);
}

#[test]
fn fixtures_migration_sheet_matches_reviewed_golden_grid() {
    let b = fixture_build();
    let cells = sheet(&b.out, "Migration");
    let grid = shown(&cells);
    let headers: Vec<&str> = grid[0].iter().map(String::as_str).collect();
    assert_eq!(&headers[..DESIGN_HEADERS.len()], DESIGN_HEADERS);
    // One column beyond DESIGN's table: unknown input columns kept as
    // extras ("not dropped silently").
    assert_eq!(&headers[DESIGN_HEADERS.len()..], ["Other input columns"]);
    // No volatile column: --exported-at and --as-of are fixed and Source
    // paths are relative to the working directory.
    for row in &grid[1..] {
        let source = &row[DESIGN_HEADERS.len() - 1];
        assert!(source.starts_with("fixtures/"), "Source {source:?}");
    }
    let path = repo().join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, to_tsv(&grid)).expect("write golden");
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    let want = from_tsv(&golden);
    // Through the same text form, so empty cells compare equal.
    let got = from_tsv(&to_tsv(&grid));
    if let Err(diff) = grid_eq(&got, &want) {
        panic!("Migration differs from {GOLDEN} at {diff}");
    }
}

/// The meta sheet records the SHA-256 of every input as read.
#[test]
fn fixtures_meta_sheet_digests_equal_the_files() {
    let b = fixture_build();
    let meta = shown(&sheet(&b.out, "Meta"));
    let start = meta
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "path"))
        .expect("[inputs] table header");
    let digests: BTreeMap<&str, &str> = meta[start + 1..]
        .iter()
        .take_while(|r| r.first().is_some_and(|c| !c.is_empty()))
        .map(|r| (r[0].as_str(), r[2].as_str()))
        .collect();
    let mut files = vec![
        "fixtures/Customers.csv".to_owned(),
        "fixtures/activity/ActivityLog.csv".to_owned(),
        "fixtures/activity/ActivityLog-ja.csv".to_owned(),
        "fixtures/offer-map.csv".to_owned(),
    ];
    files.extend(walk(&repo().join("fixtures/exports")));
    assert_eq!(digests.len(), files.len(), "{digests:#?}");
    for f in files {
        let bytes = std::fs::read(repo().join(&f)).expect("read fixture");
        let want: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digests.get(f.as_str()), Some(&want.as_str()), "{f}");
    }
    let names: Vec<String> = crate::support::grid::read_sheets(&b.out)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "Migration",
            "Customers",
            "Summary",
            "Issues",
            "Activity",
            "Meta"
        ]
    );
}

/// Files under `dir`, as `fixtures/exports/…` paths.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            let rel = p.strip_prefix(repo()).expect("under repo");
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    out
}

/// `--json` parses and agrees with the workbook it wrote.
#[test]
fn fixtures_json_summary_agrees_with_the_workbook() {
    let b = fixture_build();
    let j = &b.json;
    let rows = migration_rows(&b.out);
    let customers = records(&sheet(&b.out, "Customers"));
    let issues = issues_sheet(&b.out);
    assert_eq!(j["subscriptions"], rows.len());
    assert_eq!(j["customers"], customers.len());
    let mut by_action: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        let a = if r["Action"].starts_with("Skip") {
            "Skip"
        } else {
            &r["Action"]
        };
        *by_action.entry(a.to_owned()).or_default() += 1;
    }
    assert_eq!(
        j["by_action"],
        serde_json::to_value(&by_action).expect("json")
    );
    let seats: u64 = customers
        .iter()
        .map(|c| c["Seats to move"].parse::<u64>().expect("number"))
        .sum();
    assert_eq!(j["seats_to_move"], seats);
    let errors = issues.iter().filter(|i| i[0] == "error").count();
    assert_eq!(j["errors"], errors);
    assert_eq!(j["warnings"], issues.len() - errors);
    let files = shown(&sheet(&b.out, "Meta"))
        .iter()
        .skip_while(|r| r.first().is_none_or(|c| c != "path"))
        .skip(1)
        .take_while(|r| r.first().is_some_and(|c| !c.is_empty()))
        .count();
    assert_eq!(j["files_read"], files);
    assert!(
        j["out"].as_str().is_some_and(|o| o.ends_with("again.xlsx")),
        "{j}"
    );
}
