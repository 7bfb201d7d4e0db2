//! Decoding tests for `types`: tolerant enums, unknown fields, numbers as
//! strings, and the PATCH round trip that must keep unknown fields.

use super::*;

const SUB: &str = r#"{"id":"a1000000-0000-4000-8000-000000000051","offerId":"CFQ7TTC0LH18:0001:CFQ7TTC0K971",
 "offerName":"Microsoft 365 Business Basic","friendlyName":"Basic - Sales",
 "productType":{"id":"OnlineServicesNCE","displayName":"OnlineServicesNCE"},"quantity":12,"unitType":"Licenses",
 "creationDate":"2025-03-01T09:00:00Z","effectiveStartDate":"2025-03-01T00:00:00Z",
 "commitmentEndDate":"2026-02-28T00:00:00Z","cancellationAllowedUntilDate":"2025-03-08T00:00:00Z",
 "status":"active","autoRenewEnabled":true,"isTrial":false,"billingType":"license",
 "billingCycle":"monthly","termDuration":"P1Y","orderId":"Ord0001",
 "refundableQuantity":{"totalQuantity":12,"details":[]},
 "scheduledNextTermInstructions":{"quantity":10},"brandNewField":[1,2],
 "attributes":{"etag":"e1","objectType":"Subscription"}}"#;

#[test]
fn subscription_decodes_documented_example() -> crate::TestResult {
    let s: Subscription = serde_json::from_str(SUB)?;
    assert_eq!(s.quantity, Some(12));
    assert_eq!(s.status, Some(SubscriptionStatus::Active));
    assert_eq!(s.billing_cycle, Some(BillingCycle::Monthly));
    assert_eq!(s.billing_type, Some(BillingType::License));
    assert_eq!(s.etag(), Some("e1"));
    assert_eq!(
        s.commitment_end().map(|d| d.to_rfc3339()),
        Some("2026-02-28T00:00:00+00:00".to_owned())
    );
    assert!(s.extra.contains_key("scheduledNextTermInstructions"));
    assert!(s.extra.contains_key("brandNewField"));
    Ok(())
}

#[test]
fn unknown_statuses_do_not_fail() -> crate::TestResult {
    for (text, want) in [
        ("disabled", SubscriptionStatus::Disabled),
        ("expired", SubscriptionStatus::Expired),
        ("Suspended", SubscriptionStatus::Suspended),
        (
            "frozen_for_review",
            SubscriptionStatus::Other("frozen_for_review".into()),
        ),
    ] {
        let json = format!(r#"{{"id":"s","status":"{text}"}}"#);
        let s: Subscription = serde_json::from_str(&json)?;
        assert_eq!(s.status, Some(want), "{text}");
    }
    let s: Subscription = serde_json::from_str(r#"{"id":"s","status":null}"#)?;
    assert_eq!(s.status, None);
    let c: Customer =
        serde_json::from_str(r#"{"id":"c","relationshipToPartner":"partner_of_partner"}"#)?;
    assert_eq!(
        c.relationship_to_partner,
        Some(Relationship::Other("partner_of_partner".into()))
    );
    Ok(())
}

#[test]
fn patch_round_trip_keeps_unknown_fields_and_unknown_enum_text() -> crate::TestResult {
    let mut s: Subscription = serde_json::from_str(SUB)?;
    s.status = Some(SubscriptionStatus::Suspended);
    let out: Value = serde_json::to_value(&s)?;
    assert_eq!(out["status"], "suspended");
    assert_eq!(out["brandNewField"], serde_json::json!([1, 2]));
    assert_eq!(out["scheduledNextTermInstructions"]["quantity"], 10);
    assert_eq!(out["billingCycle"], "monthly");
    let other = SubscriptionStatus::parse("Frozen");
    assert_eq!(serde_json::to_value(&other)?, "Frozen");
    assert_eq!(serde_json::to_value(BillingCycle::OneTime)?, "one_time");
    Ok(())
}

#[test]
fn numbers_as_strings_in_resources() -> crate::TestResult {
    let s: Subscription = serde_json::from_str(r#"{"id":"s","quantity":"25"}"#)?;
    assert_eq!(s.quantity, Some(25));
    let e: OrderError =
        serde_json::from_str(r#"{"orderGroupId":"0","code":10009,"description":"Sandbox"}"#)?;
    assert_eq!(e.code.as_deref(), Some("10009"));
    let line: CartLineItem = serde_json::from_str(
        r#"{"id":"0","catalogItemId":"P:S:A","quantity":"3","orderGroup":0}"#,
    )?;
    assert_eq!((line.id, line.quantity), (0, 3));
    assert_eq!(line.order_group.as_deref(), Some("0"));
    Ok(())
}

#[test]
fn checkout_partial_success() -> crate::TestResult {
    let json = r#"{"orders":[{"id":"O1","lineItems":[{"lineItemNumber":0,"offerId":"P:S:A",
      "quantity":12,"subscriptionId":"s-new"}],"status":"completed"}],
      "orderErrors":[{"orderGroupId":"1","code":800018,"description":"sandbox limit"}]}"#;
    let r: CartCheckoutResult = serde_json::from_str(json)?;
    assert_eq!(
        r.orders[0].line_items[0].subscription_id.as_deref(),
        Some("s-new")
    );
    assert_eq!(r.orders[0].status, Some(OrderStatus::Completed));
    assert_eq!(r.order_errors[0].code.as_deref(), Some("800018"));
    Ok(())
}

#[test]
fn new_order_serialises_only_what_is_set() -> crate::TestResult {
    let order = Order {
        reference_customer_id: Some("c1".into()),
        billing_cycle: Some(BillingCycle::Monthly),
        line_items: vec![OrderLineItem {
            line_item_number: 0,
            offer_id: "GUID".into(),
            quantity: 12,
            ..OrderLineItem::default()
        }],
        ..Order::default()
    };
    let v = serde_json::to_value(&order)?;
    assert_eq!(
        v,
        serde_json::json!({"referenceCustomerId":"c1","billingCycle":"monthly",
            "lineItems":[{"lineItemNumber":0,"offerId":"GUID","quantity":12}]})
    );
    Ok(())
}

#[test]
fn audit_record_and_customized_data() -> crate::TestResult {
    let json = r#"{"id":"p1_c1","customerId":"c1","operationType":"create_order",
      "operationStatus":"succeeded","operationDate":"2025-05-02T10:11:12Z",
      "resourceNewValue":"{\"Id\":\"O1\"}",
      "customizedData":[{"key":"OrderId","value":"O1"},{"key":"Quantity-0","value":12}],
      "attributes":{"objectType":"AuditRecord"}}"#;
    let r: AuditRecord = serde_json::from_str(json)?;
    assert_eq!(r.data("orderid"), Some("O1"));
    assert_eq!(r.data("Quantity-0"), Some("12"));
    assert_eq!(r.operation_status, Some(OperationStatus::Succeeded));
    let r: AuditRecord = serde_json::from_str(r#"{"id":"x","operationStatus":"queued"}"#)?;
    assert_eq!(
        r.operation_status,
        Some(OperationStatus::Other("queued".into()))
    );
    Ok(())
}

#[test]
fn model_conversions() {
    assert_eq!(
        SubscriptionStatus::Disabled.to_model(),
        model::SubStatus::Disabled
    );
    assert_eq!(
        BillingCycle::OneTime.to_model(),
        model::BillingCycle::OneTime
    );
    assert_eq!(
        BillingCycle::from_model(&model::BillingCycle::Annual),
        BillingCycle::Annual
    );
    assert_eq!(
        Relationship::Reseller.to_model(),
        model::Relationship::Reseller
    );
}

#[test]
fn dates_without_offset_are_utc() {
    assert!(parse_date("2025-03-01T00:00:00").is_some());
    assert!(parse_date("2025-03-01T00:00:00.1234567Z").is_some());
    assert!(parse_date("not a date").is_none());
}
