//! `plan` over the committed re-saved fixtures (`fixtures/reviewed/`) and
//! the `plan` command line: exit codes and `--json`.

use csp_consolidate::plan::LineItem;

use crate::plan::{RECREATE, SUB_B, assert_blocked, items, plan_of, problems};
use crate::support::bin::cli;
use crate::support::grid::rewrite;
use crate::support::sample::sample_book;
use crate::support::workbook::{reviewed as fixture, write_book};

/// Line items of a committed fixture, without workbook-specific rows.
fn fixture_items(name: &str) -> Vec<LineItem> {
    items(&plan_of(&fixture(name)))
}

#[test]
fn re_saved_fixtures_plan_the_same() {
    let openpyxl = plan_of(&fixture("openpyxl-approved.xlsx"));
    assert!(
        openpyxl.is_clean(),
        "{:#?}",
        openpyxl.problems().collect::<Vec<_>>()
    );
    let mut ids: Vec<String> = openpyxl
        .line_items()
        .map(|i| i.source_subscription_id.clone())
        .collect();
    ids.sort();
    let mut want: Vec<String> = RECREATE.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(ids, want);
    let b = openpyxl
        .line_items()
        .find(|i| i.source_subscription_id == SUB_B)
        .unwrap();
    assert_eq!(b.seats, 12, "openpyxl wrote 12.0 as a float");
    assert_eq!(fixture_items("libreoffice-approved.xlsx"), items(&openpyxl));
    assert_eq!(fixture_items("openpyxl-sorted.xlsx"), items(&openpyxl));
    assert_eq!(
        plan_of(&fixture("libreoffice-resaved.xlsx"))
            .counts
            .line_items,
        0
    );
}

#[test]
fn locked_edits_are_caught_after_a_re_save() {
    for name in ["openpyxl-locked-edit.xlsx", "libreoffice-locked-edit.xlsx"] {
        let path = fixture(name);
        let plan = plan_of(&path);
        let file = path.display().to_string();
        assert_blocked(
            &plan,
            &file,
            "blocking: Migration!I2: locked cell edited: Seats was \"25\", now \"30\"",
        );
        assert_blocked(
            &plan,
            &file,
            "blocking: Migration!A3: locked cell edited: Customer was \"Contoso Ltd\", now \"Contoso Limited\"",
        );
        assert_eq!(
            plan.counts.blocking,
            2,
            "{name}: {:#?}",
            problems(&plan, &file)
        );
        assert_eq!(
            plan.counts.line_items, 1,
            "{name}: only the untouched approved row"
        );
        let names: Vec<&str> = plan.customers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["Contoso Ltd", "Fabrikam, Inc."],
            "an edited name does not split a tenant"
        );
    }
}

#[test]
fn cli_exit_codes_follow_the_plan() {
    let clean = cli()
        .arg("plan")
        .arg(fixture("openpyxl-approved.xlsx"))
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&clean.get_output().stdout).into_owned();
    // No blocking problem, but a warning: the verdict says so, not "Clean".
    assert!(out.contains("0 blocking problem(s), 1 warning(s)"), "{out}");
    assert!(
        out.contains("No blocking problem: push can run (read the warnings above first)."),
        "{out}"
    );
    assert!(!out.contains("Clean:"), "{out}");
    cli()
        .arg("plan")
        .arg(fixture("openpyxl-locked-edit.xlsx"))
        .assert()
        .code(1);
    let dir = tempfile::tempdir().unwrap();
    let src = write_book(dir.path(), &sample_book());
    let bare = dir.path().join("bare.xlsx");
    rewrite(&src, &bare, |sheets| {
        sheets.retain(|(n, _)| n == "Migration")
    });
    let refused = cli().arg("plan").arg(&bare).assert().code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        err.contains("not a migration workbook: it has no Meta sheet"),
        "{err}"
    );
}

#[test]
fn cli_json_is_the_plan() {
    let out = cli()
        .args(["plan", "--json"])
        .arg(fixture("openpyxl-approved.xlsx"))
        .assert()
        .code(0);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["counts"]["line_items"], 3);
    let first = &json["customers"][0]["line_items"][0];
    assert_eq!(first["customer_name"], "Contoso Ltd");
    assert!(first["retire"]["kind"].is_string());
}

#[test]
fn a_script_that_turned_text_into_a_formula_is_caught() {
    // openpyxl stores any assigned string starting with "=" as a formula;
    // the fixture's naive sort did that to the nickname "=SUM(A1:A2)".
    let path = fixture("openpyxl-sorted-naively.xlsx");
    let plan = plan_of(&path);
    let file = path.display().to_string();
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!G5: locked cell edited: Nickname was \"=SUM(A1:A2)\", now \"\"",
    );
}
