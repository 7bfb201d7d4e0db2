//! One focused test per kind of bad or awkward input *file* the issue names:
//! title rows above the header, unknown columns, UTF-16, `;`, a legacy code
//! page, a file no customer can be found for, a file that is not an
//! export, an empty file, a subscription in two files, nothing usable, a
//! missing path. Inputs are written by the test into a temp dir.

use crate::support::bin::Run;
use crate::support::grid::{issue_row, issues_sheet, migration_rows, record_of};
use crate::support::workbook::{Cell, build_in, dir_with, export_xlsx, utf16};

pub const T1: &str = "11111111-2222-4333-8444-555555555555";
pub const S1: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub const S2: &str = "aaaaaaaa-0000-4000-8000-000000000002";

/// CSV text with CRLF line ends.
pub fn csv(lines: &[&str]) -> Vec<u8> {
    let mut s = lines.join("\r\n");
    s.push_str("\r\n");
    s.into_bytes()
}

/// A customer list with Acme and two customers both named "Twin Co".
pub fn customers() -> Vec<u8> {
    csv(&[
        "Microsoft ID,Company name,Primary domain name,Relationship",
        &format!("{T1},Acme Corp,acme.onmicrosoft.com,Cloud Reseller"),
        "22222222-2222-4333-8444-555555555555,Twin Co,twin1.onmicrosoft.com,Cloud Reseller",
        "33333333-2222-4333-8444-555555555555,Twin Co,twin2.onmicrosoft.com,Cloud Reseller",
    ])
}

/// A clean English export with a tenant column: S1 (10 seats), S2 (5).
pub fn good_export() -> Vec<u8> {
    csv(&[
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status",
        &format!("{T1},{S1},Office 365 E3,10,Active"),
        &format!("{T1},{S2},Visio Plan 2,5,Active"),
    ])
}

fn assert_nothing_written(run: &Run, out: &std::path::Path) {
    run.expect_code(2);
    assert!(!out.exists(), "{} was written", out.display());
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
}

#[test]
fn title_rows_above_the_header_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = [
        "Customer tenant ID",
        "Subscription ID",
        "Subscription",
        "Quantity",
        "Status",
    ];
    let rows = vec![
        vec![Cell::S("Contoso EMEA — subscriptions")],
        vec![Cell::S("Exported 11/10/2026")],
        header.map(Cell::S).into(),
        vec![
            Cell::S(T1),
            Cell::S(S1),
            Cell::S("Office 365 E3"),
            Cell::N(12.0),
            Cell::S("Active"),
        ],
    ];
    export_xlsx(
        &dir.path().join("acme.xlsx"),
        &[("Subscriptions", rows)],
        None,
    );
    let csv_title = csv(&[
        "Subscriptions of Acme",
        "",
        "Customer tenant ID,Subscription ID,Subscription,Quantity,Status",
        &format!("{T1},{S2},Visio Plan 2,3,Active"),
    ]);
    std::fs::write(dir.path().join("acme.csv"), csv_title).expect("write");
    let (run, out) = build_in(dir.path(), &["acme.xlsx", "acme.csv"], &[]);
    run.expect_code(0);
    let rows = migration_rows(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        record_of(&rows, S1)["Source"],
        "acme.xlsx: Subscriptions!4:4"
    );
    assert_eq!(record_of(&rows, S1)["Seats"], "12");
    assert_eq!(record_of(&rows, S2)["Source"], "acme.csv: line 4");
    assert!(issues_sheet(&out).is_empty());
}

#[test]
fn unknown_columns_are_kept_as_extras() {
    let dir = dir_with(&[(
        "a.csv",
        &csv(&[
            "Customer tenant ID,Subscription ID,Cost center,Subscription,Quantity,Status,PO number",
            &format!("{T1},{S1},CC-7,Office 365 E3,10,Active,PO-1"),
        ]),
    )]);
    let (run, out) = build_in(dir.path(), &["a.csv"], &[]);
    run.expect_code(0);
    let rows = migration_rows(&out);
    let extras = &record_of(&rows, S1)["Other input columns"];
    assert!(extras.contains("Cost center: CC-7"), "{extras}");
    assert!(extras.contains("PO number: PO-1"), "{extras}");
}

#[test]
fn utf16_csv_with_bom_le_and_be() {
    let text = |sub: &str| {
        format!(
            "Customer tenant ID\tID d'abonnement\tAbonnement\tQuantité\tÉtat\r\n{T1}\t{sub}\tMicrosoft 365 Business Standard — Éco\t7\tActif\r\n"
        )
    };
    let dir = dir_with(&[
        ("le.csv", &utf16(&text(S1), true)),
        ("be.csv", &utf16(&text(S2), false)),
    ]);
    let (run, out) = build_in(dir.path(), &["le.csv", "be.csv"], &[]);
    run.expect_code(0);
    let rows = migration_rows(&out);
    for s in [S1, S2] {
        let r = record_of(&rows, s);
        assert_eq!(r["Product"], "Microsoft 365 Business Standard — Éco");
        assert_eq!((r["Seats"].as_str(), r["Status"].as_str()), ("7", "Active"));
    }
}

#[test]
fn semicolon_csv_with_german_headers() {
    let dir = dir_with(&[
        ("customers.csv", &customers()),
        (
            "Acme Corp.csv",
            &csv(&[
                "Abonnement-ID;Abonnement;Menge;Status;Automatische Verlängerung",
                &format!("{S1};Office 365 E3;1.200;Aktiv;Ja"),
                &format!("{S2};Visio Plan 2;\"3\";Aktiv;Nein"),
            ]),
        ),
    ]);
    let (run, out) = build_in(
        dir.path(),
        &["Acme Corp.csv", "--customers", "customers.csv"],
        &[],
    );
    run.expect_code(0);
    let rows = migration_rows(&out);
    let r = record_of(&rows, S1);
    assert_eq!(
        (r["Customer"].as_str(), r["Seats"].as_str()),
        ("Acme Corp", "1200")
    );
    assert_eq!(r["Auto-renew"], "Yes");
    assert_eq!(record_of(&rows, S2)["Auto-renew"], "No");
}

#[test]
fn legacy_code_page_cp1251_is_detected() {
    let text = format!(
        "Идентификатор подписки;Подписка;Количество;Состояние\r\n{S1};Офис 365 E3 (Россия);25;Приостановлено\r\n{S2};Визио;4;Active\r\n"
    );
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(!lossy);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the input must not be UTF-8"
    );
    let dir = dir_with(&[
        ("customers.csv", &customers()),
        ("acme.onmicrosoft.com.csv", &bytes),
    ]);
    let (run, out) = build_in(
        dir.path(),
        &["acme.onmicrosoft.com.csv", "--customers", "customers.csv"],
        &[],
    );
    run.expect_code(0);
    let rows = migration_rows(&out);
    let r = record_of(&rows, S1);
    assert_eq!(r["Product"], "Офис 365 E3 (Россия)");
    assert_eq!(
        (r["Status"].as_str(), r["Seats"].as_str()),
        ("Suspended", "25")
    );
    assert_eq!(r["Customer tenant ID"], T1);
}

#[test]
fn a_file_no_customer_can_be_found_for_is_an_issue_for_the_file() {
    let dir = dir_with(&[
        ("customers.csv", &customers()),
        (
            "export-17.csv",
            &csv(&[
                "Subscription ID,Subscription,Quantity,Status",
                &format!("{S1},Office 365 E3,10,Active"),
            ]),
        ),
    ]);
    let (run, out) = build_in(
        dir.path(),
        &["export-17.csv", "--customers", "customers.csv"],
        &[],
    );
    run.expect_code(1);
    run.issue_line("export-17.csv: error: ", &["cannot tell which customer"]);
    let i = issue_row(&out, "export-17.csv", "", "cannot tell which customer");
    assert_eq!(i[0], "error");
    let rows = migration_rows(&out);
    let r = record_of(&rows, S1);
    assert_eq!(
        (r["Customer tenant ID"].as_str(), r["Action"].as_str()),
        ("", "Skip: customer unknown")
    );
}

#[test]
fn a_file_that_is_not_an_export_is_skipped_with_an_issue() {
    let contacts = csv(&["Name,Email,Phone", "Ann,ann@example.com,+1 555 0100"]);
    let dir = dir_with(&[("contacts.csv", &contacts), ("good.csv", &good_export())]);
    let (run, out) = build_in(dir.path(), &["contacts.csv", "good.csv"], &[]);
    run.expect_code(1);
    run.issue_line("contacts.csv: error: ", &["no recognised header"]);
    issue_row(&out, "contacts.csv", "", "no recognised header");
    assert_eq!(migration_rows(&out).len(), 2);
    // Alone, nothing usable: exit 2 and no workbook.
    let (alone, out) = build_in(dir.path(), &["contacts.csv"], &[]);
    assert_nothing_written(&alone, &out);
    alone.issue_line("contacts.csv: error: ", &["no recognised header"]);
}

#[test]
fn an_empty_file_is_an_issue_and_alone_writes_nothing() {
    let dir = dir_with(&[("empty.csv", b""), ("good.csv", &good_export())]);
    let (run, out) = build_in(dir.path(), &["empty.csv", "good.csv"], &[]);
    run.expect_code(1);
    run.issue_line("empty.csv: error: ", &["empty"]);
    issue_row(&out, "empty.csv", "", "empty");
    let (alone, out) = build_in(dir.path(), &["empty.csv"], &[]);
    assert_nothing_written(&alone, &out);
    alone.issue_line("empty.csv: error: ", &["empty"]);
}

#[test]
fn a_subscription_in_two_files_is_kept_once() {
    let other = csv(&[
        "CustomerTenantId,SubscriptionId,ProductName,Quantity,Status",
        &format!("{T1},{},Office 365 E3,99,Active", S1.to_uppercase()),
    ]);
    let dir = dir_with(&[("a.csv", &good_export()), ("b.csv", &other)]);
    let (run, out) = build_in(dir.path(), &["a.csv", "b.csv"], &[]);
    run.expect_code(1);
    run.issue_line("b.csv: line 2: warning: ", &[S1, "a.csv: line 2"]);
    issue_row(&out, "b.csv", "line 2", "already read from a.csv: line 2");
    let rows = migration_rows(&out);
    let copies: Vec<_> = rows
        .iter()
        .filter(|r| r["Source subscription ID"] == S1)
        .collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["Seats"], "10");
}

#[test]
fn nothing_usable_exits_2_without_a_workbook() {
    let header_only = csv(&["Subscription ID,Subscription,Quantity,Status"]);
    let dir = dir_with(&[("h.csv", &header_only), ("e.csv", b"")]);
    let (run, out) = build_in(dir.path(), &["h.csv", "e.csv"], &[]);
    assert_nothing_written(&run, &out);
    assert!(run.stderr.contains("nothing written"), "{}", run.stderr);
    run.issue_line("e.csv: error: ", &["empty"]);
}

#[test]
fn a_missing_path_exits_2_without_a_workbook() {
    let dir = dir_with(&[("good.csv", &good_export())]);
    let (run, out) = build_in(dir.path(), &["good.csv", "no-such-dir/x.csv"], &[]);
    assert_nothing_written(&run, &out);
    assert!(run.stderr.contains("no-such-dir"), "{}", run.stderr);
    let (run, out) = build_in(dir.path(), &["good.csv", "--customers", "nope.csv"], &[]);
    assert_nothing_written(&run, &out);
    assert!(run.stderr.contains("nope.csv"), "{}", run.stderr);
}
