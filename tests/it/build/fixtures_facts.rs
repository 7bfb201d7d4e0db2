//! Targeted facts about the fixtures build, each derived from
//! fixtures/README.md (not from the output): per customer the rows, seats
//! to move, Azure rows, skip reasons and changes since export; the
//! deliberate problems' rows; the Customers, Summary and Activity sheets.

use std::collections::BTreeMap;

use super::fixtures_run::fixture_build;
use crate::support::grid::{migration_rows, record_of, records, sheet, shown};

/// Per customer: (company, rows, seats to move, Microsoft support rows,
/// skip reasons sorted, changes since export, last change).
type Expect = (
    &'static str,
    usize,
    u64,
    usize,
    &'static [&'static str],
    u32,
    &'static str,
);

const SUSP: &str = "Skip: suspended at source";
const DEL: &str = "Skip: status is Deleted";
const EXP: &str = "Skip: status is Expired";
const DIS: &str = "Skip: status is Disabled";
const PEND: &str = "Skip: pending at source: re-export once provisioned";
const NOSEATS: &str = "Skip: no seat count";

const CUSTOMERS: [Expect; 16] = [
    // 64 + 22 + 22 + 4 from bam/subscriptions.csv (its Contoso row is P7).
    ("Alpine Ski House", 4, 112, 0, &[], 0, ""),
    ("Boulangerie Dupont SARL", 3, 1500, 1, &[SUSP], 0, ""),
    // E3 120 (P7, kept once), Business Basic 45, Premium 30, Teams Phone 25.
    (
        "Contoso Ltd.",
        7,
        220,
        1,
        &[DEL, SUSP],
        2,
        "2026-11-12 15:22 Updated subscription quantity",
    ),
    (
        "Fabrikam, Inc.",
        6,
        50,
        1,
        &[NOSEATS, PEND, DIS, EXP],
        1,
        "2026-11-11 10:00 Created order",
    ),
    // 1.200 (de) = 1200, plus 85.
    ("Müller & Söhne GmbH", 4, 1285, 0, &[SUSP, DEL], 0, ""),
    (
        "Northwind",
        4,
        47,
        1,
        &[SUSP],
        1,
        "2026-11-14 14:00 Cancelled subscription",
    ),
    ("Padaria Pão Quente Ltda.", 4, 14, 1, &[PEND, SUSP], 0, ""),
    ("Proseware, Inc.", 0, 0, 0, &[], 0, ""),
    ("Proseware, Inc.", 0, 0, 0, &[], 0, ""),
    // `1,000` = 1000 plus 40; "ten" (P3) is skipped.
    ("Tailspin Toys", 4, 1040, 1, &[NOSEATS], 0, ""),
    (
        "Wide World Importers",
        3,
        78,
        1,
        &[],
        2,
        "2026-11-13 16:05 Suspended subscription",
    ),
    // `1 000` with NBSP = 1000.
    (
        "Северный Ветер ООО",
        4,
        1000,
        1,
        &[SUSP, DEL],
        1,
        "2026-11-13 09:15 Reactivated subscription",
    ),
    ("北京星辰科技有限公司", 3, 150, 0, &[SUSP, EXP], 0, ""),
    ("台灣雲端科技股份有限公司", 4, 80, 1, &[SUSP, DEL], 0, ""),
    (
        "株式会社さくらシステムズ",
        4,
        200,
        0,
        &[SUSP, EXP, DIS],
        2,
        "2026-11-11 10:15 Updated subscription quantity",
    ),
    // 4 rows in the file, one without a subscription ID (P4).
    ("한빛소프트 주식회사", 3, 70, 0, &[SUSP, DEL], 0, ""),
];

#[test]
fn fixtures_per_customer_rows_seats_actions_and_changes() {
    let b = fixture_build();
    let rows = migration_rows(&b.out);
    let customers = records(&sheet(&b.out, "Customers"));
    assert_eq!(customers.len(), CUSTOMERS.len());
    for (i, (name, n, seats, ms, skips, changes, last)) in CUSTOMERS.iter().enumerate() {
        let c = &customers[i];
        assert_eq!(&c["Customer"], name, "Customers row {}", i + 2);
        let tenant = &c["Customer tenant ID"];
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| &r["Customer tenant ID"] == tenant)
            .collect();
        assert_eq!(mine.len(), *n, "{name}: rows");
        assert_eq!(c["Subscriptions"], n.to_string(), "{name}");
        assert_eq!(c["Seats to move"], seats.to_string(), "{name}");
        let moved: u64 = mine
            .iter()
            .filter(|r| r["Action"] == "Recreate")
            .map(|r| r["Seats"].parse::<u64>().expect("seats"))
            .sum();
        assert_eq!(moved, *seats, "{name}: Recreate seats");
        let azure: Vec<_> = mine
            .iter()
            .filter(|r| r["Action"] == "Microsoft support")
            .collect();
        assert_eq!(azure.len(), *ms, "{name}: Microsoft support rows");
        assert!(azure.iter().all(|r| r["Billing type"] == "Usage"), "{name}");
        assert_eq!(c["Azure subscriptions"], ms.to_string(), "{name}");
        let mut got: Vec<&str> = mine
            .iter()
            .map(|r| r["Action"].as_str())
            .filter(|a| a.starts_with("Skip"))
            .collect();
        let mut want = skips.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{name}: skips");
        assert_eq!(c["Changes since export"], changes.to_string(), "{name}");
        if *changes > 0 {
            let text = format!("{changes} (last {last})");
            assert!(
                mine.iter().any(|r| r["Changes since export"] == text),
                "{name}: no row says {text:?}"
            );
            assert!(
                mine.iter()
                    .all(|r| r["Warnings"].contains("changed since the export"))
            );
        } else {
            assert!(
                mine.iter().all(|r| r["Changes since export"] == "0"),
                "{name}"
            );
        }
    }
}

#[test]
fn fixtures_problem_rows_are_kept_or_dropped_as_documented() {
    let rows = migration_rows(&fixture_build().out);
    // P1: fractional quantity, row kept with Seats empty.
    let p1 = rows
        .iter()
        .find(|r| r["Product"] == "Project Plan 3" && r["Customer"] == "Fabrikam, Inc.")
        .expect("P1 row");
    assert_eq!(
        (p1["Seats"].as_str(), p1["Action"].as_str()),
        ("", "Skip: no seat count")
    );
    assert!(p1["Warnings"].contains("\"2.5\" is not a whole number"));
    assert!(p1["Source"].ends_with("fabrikam.onmicrosoft.com.xlsx: Subscriptions!7:7"));
    // P2: the ambiguous date is never guessed.
    let p2 = rows
        .iter()
        .find(|r| r["Source"] == "fixtures/exports/tailspintoys.onmicrosoft.com.csv: line 2")
        .expect("P2 row");
    assert_eq!(p2["Term end"], "");
    assert!(p2["Warnings"].contains("ambiguous"));
    // P3: not a number, row kept without seats.
    let p3 = rows
        .iter()
        .find(|r| r["Source"] == "fixtures/exports/tailspintoys.onmicrosoft.com.csv: line 3")
        .expect("P3 row");
    assert_eq!(
        (p3["Seats"].as_str(), p3["Action"].as_str()),
        ("", "Skip: no seat count")
    );
    // P4: no ID, no row.
    assert!(
        !rows
            .iter()
            .any(|r| r["Source"].ends_with("Subscriptions!5:5") && r["Source"].contains("한빛"))
    );
    // P5: 2 rows, attributed to nobody.
    let p5: Vec<_> = rows
        .iter()
        .filter(|r| r["Source"].contains("export-2026-11-10.xlsx"))
        .collect();
    assert_eq!(p5.len(), 2);
    assert!(
        p5.iter()
            .all(|r| r["Customer tenant ID"].is_empty() && r["Action"] == "Skip: customer unknown")
    );
    // P7: one row, from the first file, with its extra column.
    let p7: Vec<_> = rows
        .iter()
        .filter(|r| r["Source subscription ID"] == "55f07921-1a49-409d-a6ec-ad12b5bb62ce")
        .collect();
    assert_eq!(p7.len(), 1);
    assert_eq!(
        p7[0]["Source"],
        "fixtures/exports/Contoso Ltd.xlsx: Subscriptions!4:4"
    );
    assert_eq!(p7[0]["Seats"], "120");
    assert_eq!(p7[0]["Other input columns"], "PO number: PO-2291");
    // No row from the files that are not exports (P8, P9).
    assert!(
        !rows
            .iter()
            .any(|r| r["Source"].contains("partner-contacts") || r["Source"].contains("empty.csv"))
    );
}

#[test]
fn fixtures_locale_values_are_normalised() {
    let rows = migration_rows(&fixture_build().out);
    let seats_of = |file: &str, line: &str| {
        let src = format!("fixtures/exports/{file}: {line}");
        rows.iter()
            .find(|r| r["Source"] == src)
            .unwrap_or_else(|| panic!("no row {src}"))["Seats"]
            .clone()
    };
    assert_eq!(
        seats_of("tailspintoys.onmicrosoft.com.csv", "line 4"),
        "1000"
    );
    assert_eq!(seats_of("Müller & Söhne GmbH.csv", "line 2"), "1200");
    assert_eq!(seats_of("Северный Ветер ООО.csv", "line 2"), "1000");
    assert_eq!(seats_of("Boulangerie Dupont SARL.csv", "line 2"), "1500");
    // dd.MM.yyyy is day first; IDs lower case; localized words mapped.
    let muller = record_of(&rows, "fe5b2e43-0937-455d-baaa-662211a8716f");
    assert_eq!(muller["Term end"], "2027-03-05");
    let wwi: Vec<_> = rows
        .iter()
        .filter(|r| r["Customer"] == "Wide World Importers")
        .collect();
    assert!(
        wwi.iter()
            .all(|r| r["Customer tenant ID"] == "e662c9fd-d1b7-4190-83e5-19698208e354")
    );
    let statuses: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["Status"].as_str()).collect();
    for s in &statuses {
        assert!(
            [
                "Active",
                "Suspended",
                "Deleted",
                "Expired",
                "Pending",
                "Disabled",
                ""
            ]
            .contains(s),
            "unmapped status {s:?}"
        );
    }
}

#[test]
fn fixtures_summary_and_activity_sheets() {
    let b = fixture_build();
    let rows = migration_rows(&b.out);
    let summary = shown(&sheet(&b.out, "Summary"));
    let value = |k: &str| -> String {
        summary
            .iter()
            .find(|r| r.first().is_some_and(|c| c == k))
            .and_then(|r| r.get(1).cloned())
            .unwrap_or_else(|| panic!("Summary has no {k}"))
    };
    assert_eq!(value("Rows"), rows.len().to_string());
    assert_eq!(value("Customers"), "16");
    assert_eq!(value("Issues"), "10");
    assert_eq!(value("As of"), "2026-11-20");
    // Volatile: when the build ran. Only its shape is checked.
    let built = value("Built at (UTC)");
    assert!(
        chrono::NaiveDateTime::parse_from_str(&built, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{built}"
    );
    let recreate = summary
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "Recreate"))
        .expect("Recreate line");
    let n = rows.iter().filter(|r| r["Action"] == "Recreate").count();
    assert_eq!(recreate[1], n.to_string());

    let activity = records(&sheet(&b.out, "Activity"));
    let total: u64 = activity
        .iter()
        .map(|a| a["Count"].parse::<u64>().expect("count"))
        .sum();
    assert_eq!(total, 20 + 6, "every log row is in exactly one aggregate");
    let tenant_of = |name: &str| -> BTreeMap<String, String> {
        activity
            .iter()
            .find(|a| a["Customer"] == name)
            .unwrap_or_else(|| panic!("no Activity row for {name}"))
            .clone()
    };
    let wwi = "e662c9fd-d1b7-4190-83e5-19698208e354";
    assert_eq!(
        tenant_of("WIDE WORLD  IMPORTERS")["Customer tenant ID"],
        wwi
    );
    assert_eq!(
        tenant_of("Ｗｉｄｅ Ｗｏｒｌｄ Ｉｍｐｏｒｔｅｒｓ")["Customer tenant ID"],
        wwi
    );
    assert_eq!(
        tenant_of("株式会社 さくらシステムズ")["Customer tenant ID"],
        "6de30700-8c12-4a6f-93c0-ed6d64e9b6c7"
    );
    assert_eq!(tenant_of("Blue Yonder Airlines")["Customer tenant ID"], "");
    assert_eq!(tenant_of("Proseware, Inc.")["Customer tenant ID"], "");
    // The ja log's 午後 12:30 is 12:30, not 00:30.
    assert_eq!(
        tenant_of("Ｗｉｄｅ Ｗｏｒｌｄ Ｉｍｐｏｒｔｅｒｓ")["Last"],
        "2026-11-12 12:30:00"
    );
}

/// The batch-migration tool's file lists legacy subscriptions, each with
/// the new-commerce item it becomes (`NcePsa`, "purchasable target").
#[test]
fn fixtures_batch_migration_rows_are_legacy_with_their_nce_target() {
    let rows = migration_rows(&fixture_build().out);
    let alpine: Vec<_> = rows
        .iter()
        .filter(|r| r["Customer"] == "Alpine Ski House")
        .collect();
    assert!(alpine.iter().all(|r| r["Commerce"] == "Legacy"
        && r["Source retirement"] == "Suspend"
        && r["Double-billing days"] == "0"));
    let target = |s: &str| record_of(&rows, s)["Target catalog item"].clone();
    // Business Premium and its add-on: NcePsa (the offer map names neither).
    assert_eq!(
        target("c693ffd1-1284-4360-88de-39744c154cab"),
        "CFQ7TTC0LCHC:0002:CFQ7TTC0K8R2"
    );
    assert_eq!(
        target("ff278096-5c75-4c16-b087-ea1e035bc0f5"),
        "CFQ7TTC0LHXK:0001:CFQ7TTC0KDQ5"
    );
    // Not eligible: no NcePsa, no target; its reason is kept.
    let crm = record_of(&rows, "3fd23b4a-ac9b-49ca-9ac9-f48eebe84ed1");
    assert_eq!(crm["Target catalog item"], "");
    assert!(crm["Other input columns"].contains("Offer not available in new commerce"));
}
