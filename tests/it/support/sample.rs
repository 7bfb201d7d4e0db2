//! A realistic [`MigrationBook`] built in code, shared by the sheet and plan
//! tests and by `examples/sample_workbook.rs` (which includes this file by
//! path to make the committed fixtures under `fixtures/reviewed/`).
//!
//! ```text
//! row  customer        action              target                          seats
//!  2   Contoso Ltd     Recreate            CFQ7TTC0LCHC:0002:CFQ7TTC0N8SS  25  (nickname "=SUM(A1:A2)")
//!  3   Contoso Ltd     Recreate            legacy GUID (order)             10  (nickname "+44 sales")
//!  4   Contoso Ltd     Microsoft support   -                               -   (Azure plan)
//!  5   Fabrikam, Inc.  Recreate            CFQ7TTC0LH18:0001:CFQ7TTC0K5BF   5  (2 changes since export)
//!  6   Fabrikam, Inc.  Skip: suspended     CFQ7TTC0LH18:0001:CFQ7TTC0K5BF   3
//!  7   (unknown)       Skip: customer unknown                               4  (no tenant ID)
//! ```

#![allow(dead_code)] // shared by tests and examples/sample_workbook.rs; each uses a part

use chrono::{NaiveDate, NaiveDateTime};
use csp_consolidate::model::{
    Action, ActionKind, ActivityAggregate, BillingCycle, BillingType, ChangesSince, Commerce,
    CustomerSummary, InputFile, Issue, Location, MigrationBook, MigrationRow, Relationship,
    Retirement, SubStatus,
};

pub const CONTOSO: &str = "3f2b8c1e-0d7a-4e55-9b1c-2a6f0e9d4c11";
pub const FABRIKAM: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    day(y, m, d).and_hms_opt(h, min, 0).unwrap_or_default()
}

/// A row with the common fields filled; callers adjust the rest.
pub fn base_row(customer: &str, tenant: &str, sub: &str, product: &str) -> MigrationRow {
    MigrationRow {
        customer: customer.into(),
        tenant_id: tenant.into(),
        primary_domain: None,
        source_subscription_id: sub.into(),
        product: product.into(),
        source_offer_id: None,
        nickname: None,
        status: Some(SubStatus::Active),
        seats: None,
        billing_type: BillingType::License,
        commerce: Commerce::NewCommerce,
        billing_cycle: None,
        term: None,
        term_end: None,
        auto_renew: None,
        reseller: None,
        changes_since_export: None,
        action: Action::Recreate,
        target_catalog_item: None,
        target_seats: None,
        target_billing_cycle: None,
        target_term: None,
        approved: false,
        reviewer_note: String::new(),
        retirement: Retirement::None,
        double_billing_days: None,
        warnings: Vec::new(),
        source: String::new(),
        extras: Vec::new(),
    }
}

fn nce(row: &mut MigrationRow, item: &str, seats: u32, cycle: BillingCycle, term: &str) {
    row.source_offer_id = Some(item.into());
    row.seats = Some(seats);
    row.billing_cycle = Some(cycle.clone());
    row.term = Some(term.into());
    row.target_catalog_item = Some(item.into());
    row.target_seats = Some(seats);
    row.target_billing_cycle = Some(cycle);
    row.target_term = Some(term.into());
}

fn rows() -> Vec<MigrationRow> {
    let domain = Some("contoso.onmicrosoft.com".to_owned());
    let mut a = base_row(
        "Contoso Ltd",
        CONTOSO,
        "5e1f0c2a-7b3d-4c8e-9f10-1a2b3c4d5e6f",
        "Microsoft 365 Business Premium",
    );
    nce(
        &mut a,
        "CFQ7TTC0LCHC:0002:CFQ7TTC0N8SS",
        25,
        BillingCycle::Annual,
        "P1Y",
    );
    a.primary_domain = domain.clone();
    a.nickname = Some("=SUM(A1:A2)".into());
    a.term_end = Some(day(2027, 3, 31));
    a.auto_renew = Some(true);
    a.reseller = Some("0012345".into());
    a.retirement = Retirement::Cancel {
        window_ends: day(2026, 11, 27),
    };
    a.double_billing_days = Some(0);
    a.source = "exports/contoso.xlsx: Subscriptions!2:2".into();
    a.extras = vec![("Order number".into(), "000123456789012345".into())];

    let mut b = base_row(
        "Contoso Ltd",
        CONTOSO,
        "00c0ffee-0000-4000-8000-000000000001",
        "Office 365 E3",
    );
    b.primary_domain = domain.clone();
    b.commerce = Commerce::Legacy;
    b.source_offer_id = Some("91FD106F-4B2C-4938-95AC-F54F74E9A239".into());
    b.target_catalog_item = Some("91FD106F-4B2C-4938-95AC-F54F74E9A239".into());
    b.seats = Some(10);
    b.target_seats = Some(10);
    b.billing_cycle = Some(BillingCycle::Monthly);
    b.target_billing_cycle = Some(BillingCycle::Monthly);
    b.nickname = Some("+44 sales".into());
    b.retirement = Retirement::Suspend;
    b.source = "exports/contoso.xlsx: Subscriptions!3:3".into();

    let mut c = base_row(
        "Contoso Ltd",
        CONTOSO,
        "7d9e8f00-1111-4222-8333-444455556666",
        "Azure plan",
    );
    c.primary_domain = domain;
    c.billing_type = BillingType::Usage;
    c.source_offer_id = Some("DZH318Z0BPS6:0001:DZH318Z0BPS6".into());
    c.action = Action::MicrosoftSupport;
    c.warnings = vec!["Azure usage is moved by Microsoft".into()];
    c.source = "exports/contoso.xlsx: Subscriptions!4:4".into();

    let since = ChangesSince {
        count: 2,
        last: Some((
            at(2026, 11, 2, 9, 30),
            "Update subscription quantity".into(),
        )),
    };
    let mut d = base_row(
        "Fabrikam, Inc.",
        FABRIKAM,
        "a0b1c2d3-e4f5-4607-8899-aabbccddeeff",
        "Microsoft 365 E5",
    );
    nce(
        &mut d,
        "CFQ7TTC0LH18:0001:CFQ7TTC0K5BF",
        5,
        BillingCycle::Monthly,
        "P1M",
    );
    d.term_end = Some(day(2026, 12, 14));
    d.auto_renew = Some(false);
    d.changes_since_export = Some(since.clone());
    d.retirement = Retirement::StopAutoRenew {
        term_ends: Some(day(2026, 12, 14)),
    };
    d.double_billing_days = Some(24);
    d.warnings = vec![
        "2 changes since export: seat count may be stale".into(),
        "-check with the customer".into(),
    ];
    d.source = "exports/Fabrikam/subscriptions.csv: line 2".into();

    let mut e = base_row(
        "Fabrikam, Inc.",
        FABRIKAM,
        "b0b1c2d3-e4f5-4607-8899-aabbccddee00",
        "Microsoft 365 E5",
    );
    nce(
        &mut e,
        "CFQ7TTC0LH18:0001:CFQ7TTC0K5BF",
        3,
        BillingCycle::Monthly,
        "P1M",
    );
    e.status = Some(SubStatus::Suspended);
    e.action = Action::Skip("suspended at source".into());
    e.changes_since_export = Some(since);
    e.source = "exports/Fabrikam/subscriptions.csv: line 3".into();

    let mut f = base_row(
        "@Northwind",
        "",
        "c0ffee00-aaaa-4bbb-8ccc-ddddeeeeffff",
        "Exchange Online (Plan 1)",
    );
    nce(
        &mut f,
        "CFQ7TTC0LH16:0001:CFQ7TTC0LH2B",
        4,
        BillingCycle::Annual,
        "P1Y",
    );
    f.action = Action::Skip("customer unknown".into());
    f.source = "exports/unknown.xlsx: Sheet1!2:2".into();
    vec![a, b, c, d, e, f]
}

fn customers() -> Vec<CustomerSummary> {
    let mk = |name: &str, tenant: &str, subs, seats, azure| CustomerSummary {
        company_name: name.into(),
        tenant_id: tenant.into(),
        primary_domain: None,
        relationship: Some(Relationship::Reseller),
        subscriptions: subs,
        seats_to_move: seats,
        azure_subscriptions: azure,
        changes_since_export: None,
        last_activity: Some(at(2026, 11, 2, 9, 30)),
        issues: 0,
    };
    vec![
        mk("Contoso Ltd", CONTOSO, 3, 35, 1),
        mk("Fabrikam, Inc.", FABRIKAM, 2, 5, 0),
    ]
}

/// The sample book: 6 rows, 2 customers, one activity aggregate, one issue.
pub fn sample_book() -> MigrationBook {
    MigrationBook {
        rows: rows(),
        customers: customers(),
        activity: vec![ActivityAggregate {
            customer_tenant_id: Some(FABRIKAM.into()),
            customer_name: "Fabrikam Inc".into(),
            action: "Update subscription quantity".into(),
            kind: ActionKind::QuantityChange,
            count: 2,
            first: at(2026, 11, 1, 8, 0),
            last: at(2026, 11, 2, 9, 30),
            last_actor: Some("admin@fabrikam.example".into()),
        }],
        issues: vec![Issue::warning(
            Location::cell("exports/unknown.xlsx", "Sheet1", 2, 0),
            "no customer matches this file; rows marked Skip",
        )],
        inputs: vec![InputFile {
            path: "exports/contoso.xlsx".into(),
            kind: "subscriptions".into(),
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            bytes: 10_240,
            rows: 3,
        }],
        built_at: at(2026, 11, 20, 10, 15),
        as_of: day(2026, 11, 20),
    }
}

/// A book with `n` Recreate rows over `n / 5` customers (for timing).
pub fn large_book(n: usize) -> MigrationBook {
    let mut book = sample_book();
    let template = book.rows[0].clone();
    book.rows = (0..n)
        .map(|i| {
            let mut r = template.clone();
            r.customer = format!("Customer {:05}", i / 5);
            r.tenant_id = format!("{:08x}-0000-4000-8000-{:012x}", i / 5, i / 5);
            r.source_subscription_id = format!("{i:08x}-1111-4000-8000-{i:012x}");
            r.approved = i % 2 == 0;
            r
        })
        .collect();
    book
}
