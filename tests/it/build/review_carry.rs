//! The review survives a rebuild (issue 14): `--review-from` carries every
//! review cell of an unchanged row, resets the approval of a changed one,
//! lists gone rows, refuses to carry a row whose locked cells were edited;
//! and `build` never writes over review work without `--force`, which
//! keeps a numbered backup first.
//!
//! The carry itself is checked on the committed fixtures re-saved by
//! openpyxl and LibreOffice (the sample book rebuilt is the "new" book);
//! the command line on the committed exports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::Data;
use csp_consolidate::review::carry;
use csp_consolidate::sheet::{read_earlier, read_workbook, write_workbook_with};

use crate::plan::{SUB_A, SUB_B, SUB_D, items, plan_of};
use crate::support::bin::{Run, run_in};
use crate::support::grid::{
    Cells, col, issues_sheet, migration_rows, named, record_of, rewrite, set, sheet, show, shown,
    write_sheets,
};
use crate::support::sample::sample_book;
use crate::support::workbook::{build_args, reviewed as fixture};

const REVIEW_HEADERS: [&str; 6] = [
    "Target catalog item",
    "Target seats",
    "Target billing cycle",
    "Target term",
    "Approved",
    "Reviewer note",
];

/// Review cells per subscription, as shown text.
fn review_cells(book: &Path) -> BTreeMap<String, Vec<String>> {
    let cells = sheet(book, "Migration");
    let key = col(&cells, "Source subscription ID");
    let cols: Vec<usize> = REVIEW_HEADERS.iter().map(|h| col(&cells, h)).collect();
    cells[1..]
        .iter()
        .filter(|r| r.get(key).is_some_and(|d| !matches!(d, Data::Empty)))
        .map(|r| {
            let get = |c: usize| r.get(c).map(show).unwrap_or_default();
            (get(key), cols.iter().map(|c| get(*c)).collect())
        })
        .collect()
}

/// Carry `fixture` into the sample book rebuilt, write it to `dir`.
fn carried_from(reviewed: &Path, dir: &Path) -> (PathBuf, csp_consolidate::review::CarrySummary) {
    let mut book = sample_book();
    let earlier = read_earlier(reviewed).expect("read the reviewed workbook");
    let (additions, summary) = carry(&mut book, earlier);
    let out = dir.join("rebuilt.xlsx");
    write_workbook_with(book, Some(additions), &out).expect("write");
    (out, summary)
}

#[test]
fn unchanged_rows_carry_every_review_cell_from_re_saved_workbooks() {
    for name in [
        "original.xlsx",
        "openpyxl-approved.xlsx",
        "openpyxl-sorted.xlsx",
        "libreoffice-resaved.xlsx",
        "libreoffice-approved.xlsx",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (out, summary) = carried_from(&fixture(name), dir.path());
        assert_eq!(
            (
                summary.unchanged,
                summary.changed,
                summary.new,
                summary.gone,
                summary.not_carried
            ),
            (6, 0, 0, 0, 0),
            "{name}"
        );
        assert_eq!(review_cells(&out), review_cells(&fixture(name)), "{name}");
        // plan sees the carried cells as review edits, exactly as before.
        let (before, after) = (plan_of(&fixture(name)), plan_of(&out));
        assert!(
            after.is_clean(),
            "{name}: {:#?}",
            after.problems().collect::<Vec<_>>()
        );
        assert_eq!(before.is_clean(), after.is_clean(), "{name}");
        assert_eq!(items(&after), items(&before), "{name}");
        let reread = read_workbook(&out).expect("read back");
        assert!(
            reread.rows.iter().all(|r| r.locked_edits.is_empty()),
            "{name}: build's columns must match their fingerprints"
        );
    }
    // The approvals really were carried (three rows, three spellings).
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = carried_from(&fixture("openpyxl-approved.xlsx"), dir.path());
    let ids: Vec<String> = items(&plan_of(&out))
        .into_iter()
        .map(|i| i.source_subscription_id)
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    for sub in [SUB_A, SUB_B, SUB_D] {
        assert!(
            ids.iter().any(|i| i == sub),
            "{sub} not approved in {ids:?}"
        );
    }
}

#[test]
fn a_row_with_edited_locked_cells_is_reported_and_not_carried() {
    for name in ["openpyxl-locked-edit.xlsx", "libreoffice-locked-edit.xlsx"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (out, summary) = carried_from(&fixture(name), dir.path());
        assert_eq!((summary.not_carried, summary.unchanged), (2, 4), "{name}");
        let file = fixture(name).display().to_string();
        let issues = issues_sheet(&out);
        let seats = issues
            .iter()
            .find(|i| i[1] == file && i[2] == "Migration!I2")
            .unwrap_or_else(|| panic!("{name}: no issue at Migration!I2 in {issues:#?}"));
        assert!(
            seats[3].contains("Seats was \"25\", now \"30\"") && seats[3].contains(SUB_A),
            "{seats:?}"
        );
        assert!(
            issues
                .iter()
                .any(|i| i[1] == file && i[2] == "Migration!A3")
        );
        let cells = review_cells(&out);
        assert_eq!(
            cells[SUB_A][4], "",
            "{name}: SUB_A's approval must not be carried"
        );
        assert_eq!(
            cells[SUB_B][4], "",
            "{name}: SUB_B's approval must not be carried"
        );
        assert_eq!(
            cells[SUB_D][4],
            review_cells(&fixture(name))[SUB_D][4],
            "{name}: SUB_D is untouched and carried"
        );
        assert!(!cells[SUB_D][4].is_empty());
        let ids: Vec<String> = items(&plan_of(&out))
            .into_iter()
            .map(|i| i.source_subscription_id)
            .collect();
        assert_eq!(ids, [SUB_D], "{name}");
    }
}

/// A copy of the committed exports in a temp dir, to edit.
fn exports_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    copy_dir(&root.join("exports"), &dir.path().join("exports"));
    std::fs::copy(root.join("Customers.csv"), dir.path().join("Customers.csv")).expect("copy");
    std::fs::copy(root.join("offer-map.csv"), dir.path().join("offer-map.csv")).expect("copy");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let dst = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dst);
        } else {
            std::fs::copy(&p, &dst).expect("copy");
        }
    }
}

const INPUTS: [&str; 6] = [
    "exports",
    "--month-first",
    "--customers",
    "Customers.csv",
    "--offer-map",
    "offer-map.csv",
];
const TAILSPIN: &str = "exports/tailspintoys.onmicrosoft.com.csv";
/// Office 365 E3 at Tailspin Toys, 40 seats in the export.
const E3: &str = "1b7674d8-2813-4d0d-963e-8f45b08f3472";
/// Microsoft 365 F3 at Tailspin Toys, 1,000 seats.
const F3: &str = "6e28a077-7b8e-4617-9058-7a8ea6ebf709";
/// A subscription added to Tailspin's export after the review.
const NEW: &str = "0badf00d-aaaa-4bbb-8ccc-000000000001";

fn build(dir: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&str> = INPUTS.to_vec();
    args.extend(extra);
    let (inputs, extra) = args.split_at(1);
    run_in(dir, &build_args(inputs, out, extra))
}

/// Build, then review like a person: give E3 and F3 a term and cycle,
/// approve them, note F3 and give it a target, add a column of one's own.
fn reviewed(dir: &Path) -> PathBuf {
    let out = dir.join("migration.xlsx");
    let run = build(dir, &out, &[]);
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    rewrite(&out, &out, |sheets| {
        let m: &mut Cells = named(sheets, "Migration");
        let width = m[0].len();
        m[0].push(Data::String("Ticket".into()));
        for row in m.iter_mut().skip(1) {
            row.resize(width + 1, Data::Empty);
        }
        for sub in [E3, F3] {
            set(
                m,
                sub,
                "Target billing cycle",
                Data::String("Monthly".into()),
            );
            set(m, sub, "Target term", Data::String("P1Y".into()));
        }
        set(m, E3, "Approved", Data::String("Yes".into()));
        set(m, E3, "Ticket", Data::String("OPS-12".into()));
        set(m, F3, "Approved", Data::Bool(true));
        set(m, F3, "Target seats", Data::Float(900.0));
        set(
            m,
            F3,
            "Target catalog item",
            Data::String("CFQ7TTC0LH1G:0001:CFQ7TTC0K5BF".into()),
        );
        set(m, F3, "Reviewer note", Data::String("trim to 900".into()));
    });
    out
}

fn row<'a>(rows: &'a [BTreeMap<String, String>], sub: &str) -> &'a BTreeMap<String, String> {
    record_of(rows, sub)
}

#[test]
fn a_rebuild_from_unchanged_exports_carries_the_review_and_plans_the_same() {
    let dir = exports_copy();
    let old = reviewed(dir.path());
    let new = dir.path().join("migration-2.xlsx");
    let run = build(dir.path(), &new, &["--review-from", "migration.xlsx"]);
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    assert!(run.stdout.contains("0 changed"), "{}", run.stdout);
    assert_eq!(review_cells(&new), review_cells(&old));
    let rows = migration_rows(&new);
    assert_eq!(
        row(&rows, E3)["Ticket"],
        "OPS-12",
        "a reviewer's own column is carried"
    );
    assert_eq!(items(&plan_of(&new)), items(&plan_of(&old)));
    let p = plan_of(&new);
    assert_eq!(
        items(&p).len(),
        2,
        "{:#?}",
        p.problems().collect::<Vec<_>>()
    );
    let changes = sheet(&new, "Changes");
    assert!(changes.iter().flatten().any(|d| show(d) == "Unchanged"));
}

#[test]
fn a_seat_change_resets_the_approval_and_new_and_gone_rows_are_listed() {
    let dir = exports_copy();
    reviewed(dir.path());
    let csv = dir.path().join(TAILSPIN);
    let text = std::fs::read_to_string(&csv).expect("read export");
    // F3: 1,000 → 1,200 seats; E3 removed from the export; NEW added.
    let text = text.replace("\"1,000\"", "\"1,200\"");
    let mut text: String = text
        .lines()
        .filter(|l| !l.starts_with(E3))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str(&format!("{NEW},Microsoft 365 E5,5,Active,,\n"));
    std::fs::write(&csv, text).expect("write export");
    let new = dir.path().join("migration-2.xlsx");
    let run = build(dir.path(), &new, &["--review-from", "migration.xlsx"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rows = migration_rows(&new);
    let f3 = row(&rows, F3);
    assert_eq!(f3["Approved"], "No");
    assert_eq!(f3["Reviewer note"], "trim to 900");
    assert_eq!(f3["Target seats"], "900", "the reviewer's target is kept");
    assert!(
        f3["Warnings"].contains("changed since review: Seats 1000 → 1200"),
        "{}",
        f3["Warnings"]
    );
    assert!(rows.iter().all(|r| r["Source subscription ID"] != E3));
    let new_row = row(&rows, NEW);
    assert_eq!(new_row["Approved"], "");
    assert!(
        new_row["Warnings"].contains("new since the review"),
        "{new_row:?}"
    );
    let changes = shown(&sheet(&new, "Changes"));
    let line = |kind: &str, sub: &str| {
        changes
            .iter()
            .find(|r| r.first().is_some_and(|k| k == kind) && r.iter().any(|c| c == sub))
            .unwrap_or_else(|| panic!("no {kind} row for {sub} in {changes:#?}"))
            .clone()
    };
    assert!(line("Changed", F3).iter().any(|c| c == "Seats 1000 → 1200"));
    assert!(
        line("Gone", E3).iter().any(|c| c == "Yes"),
        "old approval shown"
    );
    let issue = issues_sheet(&new)
        .into_iter()
        .find(|i| i[3].contains(E3) && i[3].contains("gone from the new exports"))
        .unwrap_or_else(|| panic!("no Issues row for the gone {E3}"));
    assert!(issue[3].contains("Approved was \"Yes\""), "{issue:?}");
    assert!(
        run.stderr.contains("gone from the new exports"),
        "{}",
        run.stderr
    );
    // plan: the reset row is no longer a line item.
    assert!(items(&plan_of(&new)).is_empty());
}

#[test]
fn build_never_writes_over_review_work_without_force() {
    let dir = exports_copy();
    let out = reviewed(dir.path());
    let before = std::fs::read(&out).expect("read");
    let run = build(dir.path(), &out, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("holds review work")
            && run.stderr.contains("--review-from")
            && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&out).expect("read"), before, "byte-identical");
    assert!(!dir.path().join("migration.bak1.xlsx").exists());

    let run = build(dir.path(), &out, &["--force"]);
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    let backup = dir.path().join("migration.bak1.xlsx");
    assert_eq!(std::fs::read(&backup).expect("backup"), before);
    assert!(run.stdout.contains("migration.bak1.xlsx"), "{}", run.stdout);
    assert_eq!(row(&migration_rows(&out), E3)["Approved"], "", "replaced");
    // A second forced build keeps the first backup and numbers the next.
    let run = build(dir.path(), &out, &["--force"]);
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    assert!(dir.path().join("migration.bak2.xlsx").exists());
    assert_eq!(std::fs::read(&backup).expect("backup"), before);
}

#[test]
fn a_pristine_workbook_is_rebuilt_in_place_and_a_foreign_file_is_refused() {
    let dir = exports_copy();
    let out = dir.path().join("migration.xlsx");
    assert!(matches!(build(dir.path(), &out, &[]).code, 0 | 1));
    let run = build(dir.path(), &out, &[]);
    assert!(
        matches!(run.code, 0 | 1),
        "a workbook nobody edited: {}",
        run.stderr
    );
    assert!(!dir.path().join("migration.bak1.xlsx").exists());

    let foreign = dir.path().join("budget.xlsx");
    write_sheets(
        &foreign,
        &[("Sheet1".to_owned(), vec![vec![Data::String("mine".into())]])],
        &[],
    );
    let before = std::fs::read(&foreign).expect("read");
    let run = build(dir.path(), &foreign, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a migration workbook"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&foreign).expect("read"), before);
}

#[test]
fn rebuilding_in_place_carries_the_review_and_keeps_a_backup() {
    let dir = exports_copy();
    let out = reviewed(dir.path());
    let before = std::fs::read(&out).expect("read");
    let cells = review_cells(&out);
    let run = build(dir.path(), &out, &["--review-from", "migration.xlsx"]);
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    assert_eq!(review_cells(&out), cells);
    assert_eq!(
        std::fs::read(dir.path().join("migration.bak1.xlsx")).expect("backup"),
        before
    );
}
