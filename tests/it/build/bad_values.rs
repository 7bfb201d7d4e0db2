//! One focused test per kind of bad or awkward *value*: thousands
//! separators, an ambiguous date (an issue, never a guess), a quantity that
//! is not a number or not whole, a row without a subscription ID, activity
//! rows naming no customer or several. Each checks the located issue on
//! stderr, its Issues-sheet row and the exit code.

use super::bad_inputs::{S1, S2, T1, csv, customers};
use crate::support::grid::{issue_row, issues_sheet, migration_rows, record_of};
use crate::support::workbook::{Cell, build_in, dir_with, export_xlsx};

const S3: &str = "aaaaaaaa-0000-4000-8000-000000000003";
const S4: &str = "aaaaaaaa-0000-4000-8000-000000000004";

#[test]
fn thousands_separators_are_read_as_whole_numbers() {
    let en = csv(&[
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status",
        &format!("{T1},{S1},Office 365 E3,\"1,000\",Active"),
        &format!("{T1},{S2},Office 365 E1,1 000,Active"),
        &format!("{T1},{S3},Visio Plan 2,1\u{a0}200,Active"),
        &format!("{T1},{S4},Project Plan 3,1\u{202f}500,Active"),
    ]);
    let dir = dir_with(&[("en.csv", &en)]);
    let (run, out) = build_in(dir.path(), &["en.csv"], &[]);
    run.expect_code(0);
    let rows = migration_rows(&out);
    for (s, want) in [(S1, "1000"), (S2, "1000"), (S3, "1200"), (S4, "1500")] {
        assert_eq!(record_of(&rows, s)["Seats"], want, "{s}");
    }
}

#[test]
fn an_ambiguous_date_is_an_issue_never_a_guess() {
    let text = csv(&[
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status,Commitment end date",
        &format!("{T1},{S1},Office 365 E3,10,Active,03/04/2027"),
    ]);
    let dir = dir_with(&[("d.csv", &text)]);
    let (run, out) = build_in(dir.path(), &["d.csv"], &[]);
    run.expect_code(1);
    run.issue_line(
        "d.csv: line 2, column 6 (F): error: ",
        &["\"03/04/2027\" is ambiguous"],
    );
    issue_row(&out, "d.csv", "line 2, column 6 (F)", "ambiguous");
    let rows = migration_rows(&out);
    assert_eq!(record_of(&rows, S1)["Term end"], "");
    assert!(record_of(&rows, S1)["Warnings"].contains("ambiguous"));
    // The user decides; then there is no issue.
    for (flag, want) in [
        ("--day-first", "2027-04-03"),
        ("--month-first", "2027-03-04"),
    ] {
        let (run, out) = build_in(dir.path(), &["d.csv"], &[flag]);
        run.expect_code(0);
        assert_eq!(
            record_of(&migration_rows(&out), S1)["Term end"],
            want,
            "{flag}"
        );
    }
    // Evidence elsewhere in the file decides too (13/01 can only be d/M).
    let text = csv(&[
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status,Commitment end date",
        &format!("{T1},{S1},Office 365 E3,10,Active,03/04/2027"),
        &format!("{T1},{S2},Office 365 E1,10,Active,13/01/2027"),
    ]);
    let dir = dir_with(&[("d.csv", &text)]);
    let (run, out) = build_in(dir.path(), &["d.csv"], &[]);
    run.expect_code(0);
    assert_eq!(
        record_of(&migration_rows(&out), S1)["Term end"],
        "2027-04-03"
    );
}

#[test]
fn a_quantity_that_is_not_a_whole_number_is_located() {
    let text = csv(&[
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status",
        &format!("{T1},{S1},Office 365 E3,ten,Active"),
        &format!("{T1},{S2},Project Plan 3,2.5,Active"),
        &format!("{T1},{S3},Visio Plan 2,-3,Active"),
        &format!("{T1},{S4},Office 365 E1,12,Active"),
    ]);
    let dir = dir_with(&[("q.csv", &text)]);
    let (run, out) = build_in(dir.path(), &["q.csv"], &[]);
    run.expect_code(1);
    run.issue_line(
        "q.csv: line 2, column 4 (D): error: ",
        &["\"ten\" is not a number"],
    );
    run.issue_line(
        "q.csv: line 3, column 4 (D): error: ",
        &["\"2.5\" is not a whole number"],
    );
    run.issue_line("q.csv: line 4, column 4 (D): error: ", &["\"-3\""]);
    issue_row(&out, "q.csv", "line 2, column 4 (D)", "not a number");
    issue_row(&out, "q.csv", "line 3, column 4 (D)", "not a whole number");
    let rows = migration_rows(&out);
    for s in [S1, S2, S3] {
        let r = record_of(&rows, s);
        assert_eq!(
            (r["Seats"].as_str(), r["Action"].as_str()),
            ("", "Skip: no seat count"),
            "{s}"
        );
    }
    assert_eq!(record_of(&rows, S4)["Action"], "Recreate");
}

#[test]
fn a_fractional_quantity_in_an_xlsx_cell_is_located_by_cell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = [
        "Customer tenant ID",
        "Subscription ID",
        "Subscription",
        "Quantity",
    ];
    let mut rows = vec![header.map(Cell::S).into()];
    for (s, q) in [(S1, 2.5), (S2, 4.0)] {
        rows.push(vec![
            Cell::S(T1),
            Cell::S(s),
            Cell::S("Project Plan 3"),
            Cell::N(q),
        ]);
    }
    export_xlsx(&dir.path().join("x.xlsx"), &[("Subscriptions", rows)], None);
    let (run, out) = build_in(dir.path(), &["x.xlsx"], &[]);
    run.expect_code(1);
    run.issue_line("x.xlsx: Subscriptions!D2: error: ", &["not a whole number"]);
    issue_row(&out, "x.xlsx", "Subscriptions!D2", "not a whole number");
    assert_eq!(record_of(&migration_rows(&out), S2)["Seats"], "4");
}

#[test]
fn a_row_without_subscription_id_is_located_and_dropped() {
    let text = csv(&[
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status",
        &format!("{T1},{S1},Office 365 E3,10,Active"),
        &format!("{T1},,Microsoft 365 E3,20,Active"),
    ]);
    let dir = dir_with(&[("m.csv", &text)]);
    let (run, out) = build_in(dir.path(), &["m.csv"], &[]);
    run.expect_code(1);
    run.issue_line(
        "m.csv: line 3, column 2 (B): error: ",
        &["no subscription ID"],
    );
    issue_row(&out, "m.csv", "line 3, column 2 (B)", "no subscription ID");
    let rows = migration_rows(&out);
    assert_eq!(rows.len(), 1);
    assert!(!rows.iter().any(|r| r["Product"] == "Microsoft 365 E3"));
}

#[test]
fn activity_naming_no_customer_or_several_is_located_and_not_counted() {
    let export = csv(&[
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status",
        &format!("{T1},{S1},Office 365 E3,10,Active"),
    ]);
    let log = csv(&[
        "Date-Time,Affected customer,Action,Partner user",
        "11/11/2026 10:00:00 AM,ACME  corp,Updated subscription quantity,ops@p.example",
        "11/11/2026 11:00:00 AM,Twin Co,Created order,ops@p.example",
        "11/11/2026 12:00:00 PM,Nobody Ltd,Suspended subscription,ops@p.example",
        "10/30/2026 12:00:00 PM,Acme Corp,Suspended subscription,ops@p.example",
    ]);
    let dir = dir_with(&[
        ("c.csv", &customers()),
        ("e.csv", &export),
        ("log.csv", &log),
    ]);
    let (run, out) = build_in(
        dir.path(),
        &["e.csv", "--customers", "c.csv", "--activity", "log.csv"],
        &[],
    );
    run.expect_code(1);
    run.issue_line(
        "log.csv: line 3, column 2 (B): warning: ",
        &[
            "'Twin Co'",
            "22222222-2222-4333-8444-555555555555",
            "33333333-2222-4333-8444-555555555555",
        ],
    );
    run.issue_line(
        "log.csv: line 4, column 2 (B): warning: ",
        &["'Nobody Ltd'", "no customer"],
    );
    issue_row(
        &out,
        "log.csv",
        "line 3, column 2 (B)",
        "2 customers have that name",
    );
    issue_row(
        &out,
        "log.csv",
        "line 4, column 2 (B)",
        "no customer with that name",
    );
    assert_eq!(issues_sheet(&out).len(), 2, "{:#?}", issues_sheet(&out));
    // Only the after-export row naming Acme (case and spaces aside) counts.
    let rows = migration_rows(&out);
    assert_eq!(
        record_of(&rows, S1)["Changes since export"],
        "1 (last 2026-11-11 10:00 Updated subscription quantity)"
    );
}

#[test]
fn a_text_longer_than_an_excel_cell_is_cut_with_an_issue() {
    let long = "Ω".repeat(40_000);
    let mut header = String::from("Customer tenant ID,Subscription ID,Subscription,Quantity");
    let mut row = format!("{T1},{S1},{long},3");
    for i in 0..5_000 {
        header.push_str(&format!(",extra{i}"));
        row.push_str(",value");
    }
    let dir = dir_with(&[("long.csv", &csv(&[&header, &row]))]);
    let (run, out) = build_in(dir.path(), &["long.csv"], &[]);
    run.expect_code(1);
    run.issue_line(
        "long.csv: line 2: warning: ",
        &["Product: 40000 characters"],
    );
    run.issue_line("long.csv: line 2: warning: ", &["Other input columns: "]);
    issue_row(&out, "long.csv", "line 2", "an Excel cell holds");
    let r = record_of(&migration_rows(&out), S1).clone();
    assert_eq!(r["Product"].chars().count(), 32_767);
    assert!(long.starts_with(&r["Product"]));
    assert!(r["Other input columns"].starts_with("extra0: value\nextra1: value"));
}
