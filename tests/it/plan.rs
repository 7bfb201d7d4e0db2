//! `plan` over reviewed workbooks: what approved rows become, every
//! blocking rule with the cell it names, re-saved fixtures, and the CLI's
//! exit codes.

use std::path::Path;

use calamine::Data;
use csp_consolidate::model::Retirement;
use csp_consolidate::model::{Action, MigrationBook};
use csp_consolidate::plan::{LineItem, Plan, PurchasePath, make_plan};
use csp_consolidate::sheet::read_workbook;

use crate::support::grid::{Cells, col, named, rewrite, set};
use crate::support::sample::sample_book;
use crate::support::workbook::write_book;

pub const SUB_A: &str = "5e1f0c2a-7b3d-4c8e-9f10-1a2b3c4d5e6f"; // row 2, NCE, Contoso
pub const SUB_B: &str = "00c0ffee-0000-4000-8000-000000000001"; // row 3, legacy, Contoso
pub const SUB_D: &str = "a0b1c2d3-e4f5-4607-8899-aabbccddeeff"; // row 5, NCE, Fabrikam
const SUB_E: &str = "b0b1c2d3-e4f5-4607-8899-aabbccddee00"; // row 6, Skip
const SUB_F: &str = "c0ffee00-aaaa-4bbb-8ccc-ddddeeeeffff"; // row 7, no tenant
pub const RECREATE: [&str; 3] = [SUB_A, SUB_B, SUB_D];

pub fn plan_of(path: &Path) -> Plan {
    make_plan(&read_workbook(path).expect("read"))
}

/// Write the sample book, apply `edit` to its Migration sheet, plan it.
fn reviewed(edit: impl FnOnce(&mut Cells)) -> (Plan, String) {
    reviewed_book(sample_book(), edit)
}

fn reviewed_book(book: MigrationBook, edit: impl FnOnce(&mut Cells)) -> (Plan, String) {
    let dir = tempfile::tempdir().unwrap();
    let src = write_book(dir.path(), &book);
    let dst = dir.path().join("reviewed.xlsx");
    rewrite(&src, &dst, |sheets| edit(named(sheets, "Migration")));
    (plan_of(&dst), dst.display().to_string())
}

fn approve(m: &mut Cells, subs: &[&str]) {
    for s in subs {
        set(m, s, "Approved", Data::String("Yes".into()));
    }
}

/// Every problem as `blocking|warning: location: message`, the workbook
/// path stripped.
pub fn problems(plan: &Plan, file: &str) -> Vec<String> {
    plan.problems()
        .map(|p| {
            let kind = if p.blocking { "blocking" } else { "warning" };
            format!(
                "{kind}: {}: {}",
                p.location.replace(&format!("{file}: "), ""),
                p.message
            )
        })
        .collect()
}

pub fn assert_blocked(plan: &Plan, file: &str, expected: &str) {
    let all = problems(plan, file);
    assert!(
        all.iter().any(|p| p.starts_with(expected)),
        "expected {expected:?} among {all:#?}"
    );
    assert!(!plan.is_clean());
}

/// Line items without their sheet locations (which sorting and the
/// file name change).
pub fn items(plan: &Plan) -> Vec<LineItem> {
    plan.line_items()
        .cloned()
        .map(|mut i| {
            i.row = String::new();
            i.cells = Default::default();
            i
        })
        .collect()
}

#[test]
fn nothing_approved_gives_an_empty_clean_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_of(&write_book(dir.path(), &sample_book()));
    assert_eq!(plan.counts.line_items, 0);
    assert_eq!(
        plan.problems().count(),
        0,
        "{:?}",
        plan.problems().collect::<Vec<_>>()
    );
    assert!(plan.is_clean());
    assert_eq!(plan.counts.rows, 6);
}

#[test]
fn approving_every_recreate_row_gives_exactly_those_line_items() {
    let (plan, file) = reviewed(|m| approve(m, &RECREATE));
    let mut ids: Vec<&str> = plan
        .line_items()
        .map(|i| i.source_subscription_id.as_str())
        .collect();
    ids.sort();
    let mut want = RECREATE.to_vec();
    want.sort();
    assert_eq!(ids, want);
    assert!(plan.is_clean(), "{:#?}", problems(&plan, &file));
    let a = plan
        .line_items()
        .find(|i| i.source_subscription_id == SUB_A)
        .unwrap();
    assert_eq!(a.catalog_item, "CFQ7TTC0LCHC:0002:CFQ7TTC0N8SS");
    assert_eq!((a.path, a.seats), (PurchasePath::Cart, 25));
    assert_eq!(
        (a.billing_cycle.as_deref(), a.term.as_deref()),
        (Some("annual"), Some("P1Y"))
    );
    assert_eq!(a.friendly_name.as_deref(), Some("=SUM(A1:A2)"));
    assert_eq!(a.customer_tenant_id, crate::support::sample::CONTOSO);
    assert!(matches!(a.retire, Retirement::Cancel { .. }));
    assert_eq!(a.row, format!("{file}: Migration!2:2"));
    let b = plan
        .line_items()
        .find(|i| i.source_subscription_id == SUB_B)
        .unwrap();
    assert_eq!(
        (b.path, &b.retire),
        (PurchasePath::Order, &Retirement::Suspend)
    );
    assert_eq!(
        (plan.counts.carts, plan.counts.orders, plan.counts.seats),
        (2, 1, 40)
    );
    let warned = problems(&plan, &file);
    assert_eq!(
        warned,
        [
            "warning: Migration!Q5: 2 subscription change(s) since the export: check the seat count is still right"
        ]
    );
    let human = plan.render_human();
    assert!(
        human.contains("buy in one cart + checkout (new commerce):"),
        "{human}"
    );
    assert!(
        human.contains("CFQ7TTC0LCHC:0002:CFQ7TTC0N8SS × 25 P1Y annual \"=SUM(A1:A2)\""),
        "{human}"
    );
    assert!(
        human.contains("suspend the same UTC day as the purchase"),
        "{human}"
    );
}

#[test]
fn sorting_the_rows_changes_nothing() {
    let (plain, _) = reviewed(|m| approve(m, &RECREATE));
    let (sorted, _) = reviewed(|m| {
        approve(m, &RECREATE);
        let p = col(m, "Product");
        m[1..].sort_by_key(|r| std::cmp::Reverse(r.get(p).map(ToString::to_string)));
    });
    assert_eq!(items(&plain), items(&sorted));
    assert_eq!(plain.counts, sorted.counts);
    assert_ne!(
        plain
            .line_items()
            .map(|i| i.row.clone())
            .collect::<Vec<_>>(),
        sorted
            .line_items()
            .map(|i| i.row.clone())
            .collect::<Vec<_>>(),
        "rows really moved"
    );
}

#[test]
fn an_approved_row_that_is_not_recreate_blocks() {
    let (plan, file) = reviewed(|m| approve(m, &[SUB_E]));
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!W6: approved, but the Action is \"Skip: suspended at source\": only Recreate rows can be pushed",
    );
    assert_eq!(plan.counts.line_items, 0);
}

#[test]
fn target_seats_must_be_a_whole_number_of_at_least_one() {
    for (typed, found) in [
        (Data::Float(12.5), "\"12.5\""),
        (Data::String("12.5".into()), "\"12.5\""),
        (Data::Float(0.0), "\"0\""),
        (Data::String("twelve".into()), "\"twelve\""),
        (Data::Empty, "nothing"),
    ] {
        let (plan, file) = reviewed(|m| {
            approve(m, &[SUB_A]);
            set(m, SUB_A, "Target seats", typed.clone());
        });
        assert_blocked(
            &plan,
            &file,
            &format!(
                "blocking: Migration!T2: target seats must be a whole number ≥ 1, found {found}"
            ),
        );
    }
    let (plan, _) = reviewed(|m| {
        approve(m, &[SUB_A]);
        set(m, SUB_A, "Target seats", Data::String("30".into()));
    });
    assert_eq!(plan.line_items().next().map(|i| i.seats), Some(30));
}

#[test]
fn a_missing_or_malformed_catalog_item_blocks() {
    let (plan, file) = reviewed(|m| {
        approve(m, &[SUB_A]);
        set(m, SUB_A, "Target catalog item", Data::Empty);
    });
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!S2: missing target catalog item",
    );
    for bad in [
        "CFQ7TTC0LCHC:0002",
        "CFQ7TTC0LCHC:02:CFQ7TTC0N8SS",
        "MS-AZR-0145P",
        "Office 365 E3",
    ] {
        let (plan, file) = reviewed(|m| {
            approve(m, &[SUB_A]);
            set(m, SUB_A, "Target catalog item", Data::String(bad.into()));
        });
        assert_blocked(
            &plan,
            &file,
            &format!(
                "blocking: Migration!S2: target catalog item {bad:?} is neither PRODUCT:SKU:AVAILABILITY"
            ),
        );
    }
}

#[test]
fn an_edited_locked_cell_blocks_naming_old_and_new_value() {
    let (plan, file) = reviewed(|m| set(m, SUB_A, "Seats", Data::Float(30.0)));
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!I2: locked cell edited: Seats was \"25\", now \"30\"",
    );
    let (plan, file) =
        reviewed(|m| set(m, SUB_B, "Customer", Data::String("Contoso Limited".into())));
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!A3: locked cell edited: Customer was \"Contoso Ltd\", now \"Contoso Limited\"",
    );
}

#[test]
fn the_same_subscription_approved_twice_blocks() {
    let (plan, file) = reviewed(|m| {
        approve(m, &[SUB_A]);
        let copy = m[1].clone();
        m.push(copy);
    });
    let expected = format!(
        "subscription {SUB_A} is approved on 2 rows (Migration!2:2, Migration!8:8); approve it once"
    );
    assert_blocked(&plan, &file, &format!("blocking: Migration!D2: {expected}"));
    assert_blocked(&plan, &file, &format!("blocking: Migration!D8: {expected}"));
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!D8: subscription \"5e1f0c2a-7b3d-4c8e-9f10-1a2b3c4d5e6f\" is not in the Meta sheet",
    );
    assert_eq!(plan.counts.line_items, 0);
}

#[test]
fn a_customer_without_tenant_id_blocks() {
    let mut book = sample_book();
    book.rows[5].action = Action::Recreate;
    let (plan, file) = reviewed_book(book, |m| approve(m, &[SUB_F]));
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!B7: approved, but the customer has no tenant ID",
    );
}

#[test]
fn a_row_added_by_hand_blocks_and_a_deleted_row_warns() {
    let (plan, file) = reviewed(|m| {
        let mut copy = m[1].clone();
        copy[col(m, "Source subscription ID")] =
            Data::String("11111111-2222-4333-8444-555555555555".into());
        m.push(copy);
    });
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!D8: subscription \"11111111-2222-4333-8444-555555555555\" is not in the Meta sheet: this row was added by hand",
    );
    let (plan, file) = reviewed(|m| {
        approve(m, &[SUB_A]);
        m.remove(2);
    });
    assert!(plan.is_clean());
    let all = problems(&plan, &file);
    assert!(
        all.iter().any(|p| p.starts_with("warning: Meta!")
            && p.contains(&format!(
                "subscription {SUB_B} (Contoso Ltd) is missing from the Migration sheet"
            ))),
        "{all:#?}"
    );
    assert_eq!(plan.counts.line_items, 1);
}

#[test]
fn unreadable_billing_cycle_or_term_and_missing_nce_terms_block() {
    let (plan, file) = reviewed(|m| {
        approve(m, &[SUB_A, SUB_D]);
        set(
            m,
            SUB_A,
            "Target billing cycle",
            Data::String("fortnightly".into()),
        );
        set(m, SUB_A, "Target term", Data::String("soon".into()));
        set(m, SUB_D, "Target billing cycle", Data::Empty);
        set(m, SUB_D, "Target term", Data::Empty);
    });
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!U2: target billing cycle \"fortnightly\" is not one of",
    );
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!V2: target term \"soon\" is not a term",
    );
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!V5: a new-commerce item needs a target term",
    );
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!U5: a new-commerce item needs a target billing cycle",
    );
}

#[test]
fn approved_accepts_what_people_type_and_blocks_what_it_cannot_read() {
    for yes in [
        Data::Bool(true),
        Data::Float(1.0),
        Data::String("ja".into()),
        Data::String("✓".into()),
        Data::String("はい".into()),
    ] {
        let (plan, _) = reviewed(|m| set(m, SUB_A, "Approved", yes.clone()));
        assert_eq!(plan.counts.line_items, 1, "{yes:?}");
    }
    let (plan, file) = reviewed(|m| set(m, SUB_A, "Approved", Data::String("maybe".into())));
    assert_blocked(
        &plan,
        &file,
        "blocking: Migration!W2: Approved must be Yes or No (empty means No), found \"maybe\"",
    );
}
