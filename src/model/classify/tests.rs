//! Classification end to end on small inputs: offer shapes, actions,
//! retirement and double-billing days, offer-map targets, duplicates,
//! changes since the export and unknown customers.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::{OfferShape, classify, offer_shape};
use crate::model::decision::{Action, Retirement};
use crate::model::inputs::{Inputs, OfferMap};
use crate::model::location::Location;
use crate::model::migration::MigrationRow;
use crate::model::records::{ChangesSince, Customer, SourceSubscription};
use crate::model::types::{BillingCycle, BillingType, SubStatus};

const T1: &str = "8e1c0a55-0000-4000-8000-00000000c001";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn sub(
    id: &str,
    product: &str,
    offer: Option<&str>,
    qty: Option<u32>,
    status: &str,
) -> SourceSubscription {
    SourceSubscription {
        subscription_id: id.into(),
        customer_tenant_id: Some(T1.into()),
        product: product.into(),
        offer_id: offer.map(str::to_owned),
        quantity: qty,
        status: Some(SubStatus::parse(status)),
        source: Location::row("c.xlsx", "Sheet1", 2),
        ..Default::default()
    }
}

fn inputs(subs: Vec<SourceSubscription>) -> Inputs {
    Inputs {
        customers: vec![Customer {
            tenant_id: T1.into(),
            company_name: "Contoso".into(),
            primary_domain: Some("contoso.onmicrosoft.com".into()),
            relationship: None,
            tags: vec![],
            source: Location::line("Customers.csv", 2),
        }],
        subscriptions: subs,
        ..Default::default()
    }
}

#[test]
fn offer_shapes() {
    assert_eq!(
        offer_shape("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
        OfferShape::NcePurchasable
    );
    assert_eq!(offer_shape("CFQ7TTC0LH18:0001"), OfferShape::NcePartial);
    assert_eq!(
        offer_shape("796B6B5F-0000-4000-8000-0000000000E3"),
        OfferShape::LegacyGuid
    );
    assert_eq!(offer_shape("MS-AZR-0145P"), OfferShape::LegacyAzure);
    assert_eq!(offer_shape("hello"), OfferShape::Unknown);
}

#[test]
fn actions_follow_status_billing_and_seats() {
    let as_of = day("2026-11-20");
    let mut input = inputs(vec![
        sub(
            "a",
            "Microsoft 365 Business Basic",
            Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
            Some(12),
            "active",
        ),
        sub(
            "b",
            "Microsoft Azure",
            Some("MS-AZR-0145P"),
            Some(1),
            "active",
        ),
        sub("c", "Office 365 E3", None, Some(3), "deleted"),
        sub("d", "Office 365 E1", None, Some(3), "suspended"),
        sub("e", "Office 365 E1", None, None, "active"),
        sub("f", "Office 365 E1", None, Some(2), "frozen"),
    ]);
    let out = classify(&mut input, &OfferMap::default(), as_of);
    let by_id: HashMap<&str, &MigrationRow> = out
        .rows
        .iter()
        .map(|r| (r.source_subscription_id.as_str(), r))
        .collect();
    assert_eq!(by_id["a"].action, Action::Recreate);
    assert_eq!(
        by_id["a"].target_catalog_item.as_deref(),
        Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971")
    );
    assert_eq!(by_id["a"].target_seats, Some(12));
    assert_eq!(by_id["b"].action, Action::MicrosoftSupport);
    assert_eq!(by_id["b"].billing_type, BillingType::Usage);
    assert_eq!(by_id["c"].action, Action::Skip("status is Deleted".into()));
    assert_eq!(
        by_id["d"].action,
        Action::Skip("suspended at source".into())
    );
    assert_eq!(by_id["e"].action, Action::Skip("no seat count".into()));
    assert_eq!(
        by_id["f"].action,
        Action::Skip("unknown status frozen".into())
    );
    assert_eq!(out.customers.len(), 1);
    assert_eq!(out.customers[0].seats_to_move, 12);
    assert_eq!(out.customers[0].azure_subscriptions, 1);
}

#[test]
fn retirement_avoids_double_billing() {
    let as_of = day("2026-11-20");
    let mut inside = sub(
        "a",
        "M365",
        Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
        Some(5),
        "active",
    );
    inside.cancellation_allowed_until = Some(day("2026-11-22"));
    let mut past = sub(
        "b",
        "M365",
        Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
        Some(5),
        "active",
    );
    past.cancellation_allowed_until = Some(day("2026-01-08"));
    past.term_end = Some(day("2026-12-31"));
    let legacy = sub(
        "c",
        "Office 365 E3",
        Some("796B6B5F-0000-4000-8000-0000000000E3"),
        Some(5),
        "active",
    );
    let unknown = sub("d", "Office 365 E3", None, Some(5), "active");
    let out = classify(
        &mut inputs(vec![inside, past, legacy, unknown]),
        &OfferMap::default(),
        as_of,
    );
    let r: HashMap<&str, &MigrationRow> = out
        .rows
        .iter()
        .map(|r| (r.source_subscription_id.as_str(), r))
        .collect();
    assert_eq!(
        r["a"].retirement,
        Retirement::Cancel {
            window_ends: day("2026-11-22")
        }
    );
    assert_eq!(r["a"].double_billing_days, Some(0));
    assert_eq!(
        r["b"].retirement,
        Retirement::StopAutoRenew {
            term_ends: Some(day("2026-12-31"))
        }
    );
    assert_eq!(r["b"].double_billing_days, Some(41));
    assert_eq!(r["c"].retirement, Retirement::Suspend);
    assert!(r["c"].target_catalog_item.is_none());
    assert!(r["c"].warnings.iter().any(|w| w.contains("offer-map")));
    assert_eq!(r["d"].retirement, Retirement::DecideAtRetire);
}

#[test]
fn offer_map_fills_legacy_targets_and_duplicates_are_reported() {
    let mut map = OfferMap::default();
    map.insert_product("Office 365 E3", "CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF");
    let mut a = sub("a", "Office 365 E3", None, Some(4), "active");
    a.billing_cycle = Some(BillingCycle::Monthly);
    let mut dup = sub("A", "Office 365 E3", None, Some(4), "active");
    dup.source = Location::line("other.csv", 7);
    let out = classify(&mut inputs(vec![a, dup]), &map, day("2026-11-20"));
    assert_eq!(out.rows.len(), 1);
    assert_eq!(
        out.rows[0].target_catalog_item.as_deref(),
        Some("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF")
    );
    assert_eq!(
        out.rows[0].target_billing_cycle,
        Some(BillingCycle::Monthly)
    );
    assert_eq!(out.issues.len(), 1);
    assert!(
        out.issues[0]
            .to_string()
            .starts_with("other.csv: line 7: warning: subscription a")
    );
}

#[test]
fn changes_since_export_warn_and_unknown_customers_skip() {
    let mut input = inputs(vec![sub("a", "E3", None, Some(4), "active")]);
    let mut nobody = sub("z", "E3", None, Some(1), "active");
    nobody.customer_tenant_id = None;
    input.subscriptions.push(nobody);
    input.activity.given = true;
    let when = NaiveDateTime::parse_from_str("2026-11-02 10:00:00", "%Y-%m-%d %H:%M:%S")
        .unwrap_or_default();
    input.activity.per_customer.insert(
        T1.into(),
        ChangesSince {
            count: 2,
            last: Some((when, "Changed quantity".into())),
        },
    );
    let out = classify(&mut input, &OfferMap::default(), day("2026-11-20"));
    let a = out.rows.iter().find(|r| r.source_subscription_id == "a");
    assert!(a.is_some_and(|a| {
        a.warnings
            .iter()
            .any(|w| w.contains("changed since the export (2 action(s)"))
    }));
    let z = out.rows.iter().find(|r| r.source_subscription_id == "z");
    assert_eq!(
        z.map(|z| z.action.clone()),
        Some(Action::Skip("customer unknown".into()))
    );
    assert!(
        out.issues
            .iter()
            .any(|i| i.message.starts_with("no customer"))
    );
}
