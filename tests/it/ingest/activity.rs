//! Activity logs: names joined to customers, changes counted after the
//! export (or the workbook's creation time), per-log date order, UTF-16
//! logs streamed.

use std::path::PathBuf;

use csp_consolidate::model::ActionKind;

use super::*;
use crate::support::workbook::{Cell, export_xlsx, utf16, write_file};

fn activity_fixture(dir: &Path) -> (IngestSpec, PathBuf) {
    let customers = write_file(dir, "Customers.csv", CUSTOMERS);
    let contoso = write_file(
        dir,
        "exports/Contoso Ltd.csv",
        "Subscription ID,Subscription,Quantity\naaaa0001-0000-4000-8000-000000000001,Office 365 E3,10\n",
    );
    let fabrikam = write_file(
        dir,
        "exports/fabrikam.csv",
        "Subscription ID,Subscription,Quantity\naaaa0002-0000-4000-8000-000000000002,Office 365 E5,3\n",
    );
    let log = "Date-Time,Affected customer,Action,Partner user,Additional info\n\
        2024-04-30 10:00:00,Contoso Ltd.,Updated subscription quantity,a@p.com,\n\
        2024-05-02 10:00:00,CONTOSO LTD,Suspended subscription,b@p.com,\n\
        2024-05-03 10:00:00,Contoso Ltd.,Created a referral,c@p.com,\n\
        2024-05-04 11:00:00,Fabrikam,Updated subscription quantity,d@p.com,sub aaaa0002-0000-4000-8000-000000000002 to 5\n\
        2024-05-05 10:00:00,Unknown Corp,Purchased Office 365 E3,e@p.com,\n\
        2024-05-06 10:00:00,Unknown Corp,Purchased Office 365 E3,e@p.com,\n\
        2024-05-07 10:00:00,Twin Co,Suspended subscription,f@p.com,\n";
    let log = write_file(dir, "logs/act.csv", log);
    let spec = IngestSpec {
        exports: vec![contoso, fabrikam],
        customers: Some(customers),
        activity: vec![],
        exported_at: Some(dt(2024, 5, 1, 0, 0)),
        day_first: None,
    };
    (spec, log)
}

#[test]
fn activity_joins_names_and_counts_changes_after_the_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut spec, log) = activity_fixture(dir.path());
    // Auto-detected among the exports by its header.
    spec.exports.push(log);
    let inputs = read(&spec);
    let a = &inputs.activity;
    assert!(a.given);
    let contoso = &a.per_customer[&guid(1)];
    assert_eq!(
        contoso.count, 1,
        "only the suspend after the export; the referral is not subscription-affecting"
    );
    assert_eq!(
        contoso.last,
        Some((dt(2024, 5, 2, 10, 0), "Suspended subscription".to_owned()))
    );
    assert_eq!(a.last_activity[&guid(1)], dt(2024, 5, 3, 10, 0));
    assert_eq!(a.per_customer[&guid(2)].count, 1);
    assert_eq!(
        a.per_subscription["aaaa0002-0000-4000-8000-000000000002"].count,
        1
    );
    assert!(!a.per_customer.contains_key(&guid(3)));
    let referral = a
        .aggregates
        .iter()
        .find(|g| &*g.action == "Created a referral")
        .expect("aggregate");
    assert_eq!((referral.kind, referral.count), (ActionKind::Other, 1));
    assert_eq!(
        referral.customer_tenant_id.as_deref(),
        Some(guid(1).as_str())
    );
    let unknown = a
        .aggregates
        .iter()
        .find(|g| &*g.customer_name == "Unknown Corp")
        .expect("aggregate");
    assert_eq!(
        (
            unknown.count,
            unknown.kind,
            unknown.customer_tenant_id.as_deref()
        ),
        (2, ActionKind::Purchase, None)
    );
    assert_eq!(unknown.last_actor.as_deref(), Some("e@p.com"));
    let texts = issue_texts(&inputs);
    let log_issues: Vec<_> = texts.iter().filter(|t| t.contains("act.csv")).collect();
    assert_eq!(log_issues.len(), 2, "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("act.csv: line 6, column 2 (B)")
                && t.contains(
                    "activity names 'Unknown Corp' (2 rows): no customer with that name"
                )),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("act.csv: line 8, column 2 (B)")
                && t.contains("2 customers have that name")),
        "{texts:?}"
    );
    let f = inputs
        .files
        .iter()
        .find(|f| f.kind == "activity")
        .expect("activity file");
    assert_eq!(f.rows, 7);
    assert_eq!(f.sha256.len(), 64);
}

#[test]
fn activity_dates_ambiguous_or_inferred_per_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut spec, _) = activity_fixture(dir.path());
    let amb = write_file(
        dir.path(),
        "act.csv",
        "Date-Time,Affected customer,Action\n\
         2024-05-02 10:00:00,Contoso Ltd.,Suspended subscription\n\
         2024-05-02 11:00:00,Contoso Ltd.,Suspended subscription\n\
         2024-05-02 12:00:00,Contoso Ltd.,Suspended subscription\n\
         05/06/2024 10:00:00,Contoso Ltd.,Suspended subscription\n",
    );
    spec.activity = vec![amb.clone()];
    let inputs = read(&spec);
    let texts = issue_texts(&inputs);
    assert!(
        texts.iter().any(|t| t.starts_with(&format!(
            "{}: line 5, column 1 (A): error: date \"5/6/2024\" is ambiguous",
            amb.display()
        ))),
        "{texts:?}"
    );
    assert_eq!(inputs.activity.per_customer[&guid(1)].count, 3);

    // A later unambiguous date (13/06) settles the order for the file.
    let ev = write_file(
        dir.path(),
        "act2.csv",
        "Date-Time;Affected customer;Action\n\
         05/06/2024 10:00;Contoso Ltd.;Suspended subscription\n\
         13/06/2024 10:00;Contoso Ltd.;Suspended subscription\n",
    );
    spec.activity = vec![ev];
    let inputs = read(&spec);
    assert!(
        !has_issue(&inputs, "ambiguous"),
        "{:?}",
        issue_texts(&inputs)
    );
    let c = &inputs.activity.per_customer[&guid(1)];
    assert_eq!(c.count, 2);
    assert_eq!(c.last.as_ref().map(|l| l.0), Some(dt(2024, 6, 13, 10, 0)));
    assert_eq!(
        inputs.activity.last_activity[&guid(1)],
        dt(2024, 6, 13, 10, 0)
    );
}

#[test]
fn activity_log_in_utf16_with_tabs_is_streamed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut spec, _) = activity_fixture(dir.path());
    let mut text = String::from("日期 / 時間\t受影響客戶\t動作\t合作夥伴使用者\r\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "2024/5/{} 下午 1:00:00\tContoso Ltd.\t已暫停訂用帳戶\tu{i}@p.com\r\n",
            2 + i % 20
        ));
    }
    spec.activity = vec![write_file(dir.path(), "zh.csv", utf16(&text, true))];
    let inputs = read(&spec);
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    let c = &inputs.activity.per_customer[&guid(1)];
    assert_eq!(c.count, 3000);
    assert_eq!(c.last.as_ref().map(|l| l.0), Some(dt(2024, 5, 21, 13, 0)));
    assert_eq!(inputs.activity.aggregates[0].kind, ActionKind::Suspend);
}

#[test]
fn changes_are_counted_after_the_workbook_creation_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let customers = write_file(dir.path(), "Customers.csv", CUSTOMERS);
    let book = dir.path().join("Fabrikam.xlsx");
    export_xlsx(
        &book,
        &[(
            "Sheet1",
            vec![
                vec![
                    Cell::S("Subscription ID"),
                    Cell::S("Subscription"),
                    Cell::S("Quantity"),
                ],
                vec![
                    Cell::S("aaaa0009-0000-4000-8000-000000000009"),
                    Cell::S("E3"),
                    Cell::N(2.0),
                ],
            ],
        )],
        Some(dt(2024, 5, 10, 12, 0)),
    );
    let act = dir.path().join("act.xlsx");
    export_xlsx(
        &act,
        &[(
            "Log",
            vec![
                vec![
                    Cell::S("Date-Time"),
                    Cell::S("Affected customer"),
                    Cell::S("Action"),
                ],
                vec![
                    Cell::D(dt(2024, 5, 10, 11, 0)),
                    Cell::S("Fabrikam"),
                    Cell::S("Suspended subscription"),
                ],
                vec![
                    Cell::D(dt(2024, 5, 10, 13, 0)),
                    Cell::S("Fabrikam"),
                    Cell::S("Reactivated subscription"),
                ],
            ],
        )],
        None,
    );
    let mut spec = exports(&[&book, &act]);
    spec.customers = Some(customers);
    let inputs = read(&spec);
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    let c = &inputs.activity.per_customer[&guid(2)];
    assert_eq!(c.count, 1);
    assert_eq!(
        c.last,
        Some((
            dt(2024, 5, 10, 13, 0),
            "Reactivated subscription".to_owned()
        ))
    );
}
