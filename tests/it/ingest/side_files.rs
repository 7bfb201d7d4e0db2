//! The batch-migration CSV, the offer map and the committed fixtures read
//! as their documents promise.

use csp_consolidate::ingest::read_offer_map;

use super::*;
use crate::support::workbook::write_file;

#[test]
fn batch_migration_csv_reads_current_values_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "PartnerTenantId,IndirectResellerMpnId,CustomerName,CustomerTenantId,LegacySubscriptionId,LegacySubscriptionName,LegacyProductName,ExpirationDate,AutoRenewEnabled,MigrationEligible,NcePsa,CurrentTerm,CurrentBillingPlan,CurrentSeatCount,StartNewTermInNce,Term,BillingPlan,SeatCount,CustomTermEndDate,AddOn,BaseSubscriptionId,MigrationIneligibilityReason";
    let row = format!(
        "{p},1234567,Contoso Ltd.,{t},{s},Sales seats,Office 365 E3,05/06/2025 00:00:00,True,True,CFQ7TTC0LF8Q:0001,P1Y,Monthly,40,False,P1Y,Annual,35,,False,,",
        p = guid(99),
        t = guid(1).to_uppercase(),
        s = "EEEEEEEE-0000-4000-8000-000000000001"
    );
    let p = write_file(
        dir.path(),
        "subscriptions.csv",
        format!("{header}\n{row}\n"),
    );
    let inputs = read(&exports(&[&p]));
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    let s = sub(&inputs, "eeeeeeee-0000-4000-8000-000000000001");
    assert_eq!(s.customer_tenant_id, Some(guid(1)));
    assert_eq!(s.customer_name.as_deref(), Some("Contoso Ltd."));
    assert_eq!(s.quantity, Some(40));
    assert_eq!(s.term.as_deref(), Some("P1Y"));
    assert_eq!(s.nickname.as_deref(), Some("Sales seats"));
    assert_eq!(s.product, "Office 365 E3");
    assert_eq!(s.reseller.as_deref(), Some("1234567"));
    assert_eq!(s.auto_renew, Some(true));
    assert_eq!(
        s.term_end,
        NaiveDate::from_ymd_opt(2025, 5, 6),
        "invariant culture is month first"
    );
    assert!(
        s.extras
            .contains(&("SeatCount".to_owned(), "35".to_owned()))
    );
    assert!(
        s.extras
            .contains(&("NcePsa".to_owned(), "CFQ7TTC0LF8Q:0001".to_owned()))
    );
    assert_eq!(inputs.files[0].kind, "batch-migration");
}

#[test]
fn offer_map_example_is_read() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/offer-map.example.csv");
    let (map, issues, file) = read_offer_map(&path).expect("reads");
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(file.kind, "offer-map");
    assert_eq!(file.rows, 3);
    assert_eq!(
        map.lookup(Some("796B6B5F-613C-4E24-A17C-EBA730D49C02"), ""),
        Some("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF")
    );
    assert_eq!(
        map.lookup(None, "microsoft 365 business basic"),
        Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971")
    );
}

/// The committed sample inputs (`fixtures/`, from the fixtures branch) read
/// with the outcomes their README promises.
#[test]
fn committed_fixtures_read_as_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let spec = IngestSpec {
        exports: vec![root.join("exports")],
        customers: Some(root.join("Customers.csv")),
        activity: vec![
            root.join("activity/ActivityLog.csv"),
            root.join("activity/ActivityLog-ja.csv"),
        ],
        exported_at: Some(dt(2026, 11, 10, 9, 0)),
        day_first: None,
    };
    let inputs = read(&spec);
    assert_eq!(inputs.customers.len(), 16);
    let texts = issue_texts(&inputs);
    for expected in [
        "fabrikam.onmicrosoft.com.xlsx: Subscriptions!D7: error: quantity \"2.5\"",
        "tailspintoys.onmicrosoft.com.csv: line 2, column 5 (E): error: date \"03/04/2027\" is ambiguous",
        "tailspintoys.onmicrosoft.com.csv: line 3, column 3 (C): error: quantity \"ten\"",
        "한빛소프트 주식회사.xlsx: Subscriptions!A5: error",
        "export-2026-11-10.xlsx: error: cannot tell which customer",
        "ActivityLog.csv: line 17, column 2 (B): warning: activity names 'Blue Yonder Airlines'",
        "ActivityLog.csv: line 16, column 2 (B): warning: activity names 'Proseware, Inc.'",
        "partner-contacts.csv: error: no recognised header",
        "empty.csv: error: the file is empty",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(expected)),
            "{expected}\n{texts:#?}"
        );
    }
    assert_eq!(texts.len(), 9, "{texts:#?}");
    let q = |id: &str| sub(&inputs, id).quantity;
    assert_eq!(
        q("620e3145-d787-4b82-90ef-01ae004b25b5"),
        Some(1200),
        "de 1.200"
    );
    assert_eq!(
        q("68af4712-f81b-41de-a392-2ea8c5966fe8"),
        Some(1000),
        "ru NBSP"
    );
    assert_eq!(
        q("7c19ed19-c2f2-468e-969c-37907541616d"),
        Some(1500),
        "fr U+202F in UTF-16"
    );
    let changes: Vec<(String, u32)> = {
        let mut v: Vec<_> = inputs
            .activity
            .per_customer
            .iter()
            .map(|(k, c)| (k.clone(), c.count))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        changes,
        vec![
            ("0b20e1a1-d23c-4992-b4cc-b77e690b57ff".to_owned(), 1),
            ("3a866d32-6ce2-405a-8720-3a9888d5ab93".to_owned(), 1),
            ("6c4ca06f-2a0b-4f52-8dc6-b0d59e420fd0".to_owned(), 2),
            ("6de30700-8c12-4a6f-93c0-ed6d64e9b6c7".to_owned(), 2),
            ("6fe442ac-47fb-4679-990e-30733c1ae221".to_owned(), 1),
            ("e662c9fd-d1b7-4190-83e5-19698208e354".to_owned(), 2),
        ]
    );
}
