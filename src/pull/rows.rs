//! API resources as CSV rows that `build` reads like any export.
//!
//! Why these exact headers: ingest finds columns by the aliases in
//! `templates/headers/en.toml`, so every header below is one of those
//! aliases (a test checks each maps to the intended field). Values are
//! written in the spellings ingest reads without guessing: ISO dates
//! (`YYYY-MM-DD`, activity times `YYYY-MM-DDTHH:MM:SSZ`), `True`/`False`,
//! the workbook's status and billing words, ISO terms.
//!
//! The activity log's `Action` carries the API's `operationType` plus what
//! changed (read from the record's before/after values), so ingest's
//! keyword classifier can tell a suspension from a seat change.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::api::types::{BillingType, parse_date};
use crate::api::{AuditRecord, Customer, Subscription};

/// `customers.csv` header.
pub const CUSTOMER_HEADERS: [&str; 4] = [
    "Microsoft ID",
    "Company name",
    "Primary domain name",
    "Relationship",
];

/// `subscriptions.csv` header.
pub const SUBSCRIPTION_HEADERS: [&str; 17] = [
    "Customer tenant ID",
    "Customer name",
    "Subscription ID",
    "Offer name",
    "Offer ID",
    "Nickname",
    "Quantity",
    "Status",
    "Billing type",
    "Billing cycle",
    "Term",
    "Start date",
    "Commitment end date",
    "Cancellation allowed until",
    "Auto-renew",
    "Parent subscription ID",
    "Reseller",
];

/// `activity.csv` header.
pub const ACTIVITY_HEADERS: [&str; 6] = [
    "Date-Time",
    "Affected customer",
    "Action",
    "Partner user",
    "Status",
    "Additional info",
];

fn opt(s: Option<&str>) -> String {
    s.unwrap_or("").trim().to_owned()
}

fn day(text: Option<&str>) -> String {
    text.and_then(parse_date)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn boolean(b: Option<bool>) -> String {
    match b {
        Some(true) => "True".into(),
        Some(false) => "False".into(),
        None => String::new(),
    }
}

/// One `customers.csv` row.
pub fn customer_row(c: &Customer) -> Vec<String> {
    vec![
        c.id.trim().to_ascii_lowercase(),
        opt(c.company_name()),
        opt(c.domain()).to_lowercase(),
        c.relationship_to_partner
            .as_ref()
            .map(|r| r.to_model().as_str().to_owned())
            .unwrap_or_default(),
    ]
}

/// One `subscriptions.csv` row for a subscription of `customer`.
pub fn subscription_row(customer: &Customer, s: &Subscription) -> Vec<String> {
    let billing_type = match &s.billing_type {
        Some(BillingType::License) => "License".to_owned(),
        Some(BillingType::Usage) => "Usage".to_owned(),
        Some(BillingType::None) | None => String::new(),
        Some(other) => other.as_str().to_owned(),
    };
    vec![
        customer.id.trim().to_ascii_lowercase(),
        opt(customer.company_name()),
        s.id.trim().to_ascii_lowercase(),
        opt(s.offer_name.as_deref()),
        opt(s.offer_id.as_deref()),
        opt(s.friendly_name.as_deref()),
        s.quantity.map(|q| q.to_string()).unwrap_or_default(),
        s.status
            .as_ref()
            .map(|st| st.to_model().as_str().to_owned())
            .unwrap_or_default(),
        billing_type,
        s.billing_cycle
            .as_ref()
            .map(|b| b.to_model().as_str().to_owned())
            .unwrap_or_default(),
        opt(s.term_duration.as_deref()).to_ascii_uppercase(),
        day(s.effective_start_date.as_deref()),
        day(s.commitment_end_date.as_deref()),
        day(s.cancellation_allowed_until_date.as_deref()),
        boolean(s.auto_renew_enabled),
        opt(s.parent_subscription_id.as_deref()).to_ascii_lowercase(),
        opt(s.partner_id.as_deref()),
    ]
}

/// One `activity.csv` row. `names` maps customer tenant IDs to company
/// names, for records that carry only the ID.
pub fn activity_row(r: &AuditRecord, names: &HashMap<String, String>) -> Vec<String> {
    let when = r
        .operation_date
        .as_deref()
        .and_then(parse_date)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    let cid = opt(r.customer_id.as_deref()).to_ascii_lowercase();
    let customer = r
        .customer_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| names.get(&cid).cloned())
        .unwrap_or_else(|| cid.clone());
    let status = r
        .operation_status
        .as_ref()
        .map(|s| capitalise(s.as_str()))
        .unwrap_or_default();
    vec![
        when,
        customer,
        action_text(r),
        opt(r.user_principal_name.as_deref()),
        status,
        details(r, &cid),
    ]
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `operationType`, plus what changed when the record says: e.g.
/// `update_subscription: suspend (status active -> suspended)`.
pub fn action_text(r: &AuditRecord) -> String {
    let op = opt(r.operation_type.as_deref());
    let op = if op.is_empty() {
        "unknown".to_owned()
    } else {
        op
    };
    let changes = describe_changes(r);
    if changes.is_empty() {
        op
    } else {
        format!("{op}: {}", changes.join("; "))
    }
}

fn json_object(text: Option<&str>) -> Option<Map<String, Value>> {
    match serde_json::from_str(text?).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// A field of a PascalCase (or camelCase) resource, as plain text.
fn field(m: &Map<String, Value>, name: &str) -> Option<String> {
    let v = m
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)?;
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The changes between a record's before and after values, each led by a
/// word the action classifier knows.
fn describe_changes(r: &AuditRecord) -> Vec<String> {
    let (Some(old), Some(new)) = (
        json_object(r.resource_old_value.as_deref()),
        json_object(r.resource_new_value.as_deref()),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let changed = |name: &str| {
        let (a, b) = (field(&old, name), field(&new, name));
        (a != b).then(|| (a.unwrap_or_default(), b.unwrap_or_default()))
    };
    if let Some((a, b)) = changed("Status") {
        let (al, bl) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        let word = match bl.as_str() {
            "suspended" => "suspend",
            "deleted" | "canceled" | "cancelled" => "cancel",
            "active" if al == "suspended" => "reactivate",
            _ => "status change",
        };
        out.push(format!("{word} (status {al} -> {bl})"));
    }
    if let Some((a, b)) = changed("Quantity") {
        out.push(format!("quantity {a} -> {b}"));
    }
    if let Some((a, b)) = changed("OfferId") {
        out.push(format!("upgrade (offer {a} -> {b})"));
    }
    if let Some((a, b)) = changed("AutoRenewEnabled") {
        out.push(format!("auto-renew {a} -> {b}"));
    }
    if let Some((a, b)) = changed("BillingCycle") {
        out.push(format!("billing cycle {a} -> {b}"));
    }
    if changed("FriendlyName").is_some() {
        out.push("nickname changed".to_owned());
    }
    out
}

/// Ids and data a person (and ingest's per-subscription matching, which
/// looks for GUIDs here) can use: customer, resource, the resource's id,
/// every `customizedData` pair, the record id.
fn details(r: &AuditRecord, cid: &str) -> String {
    let mut parts = Vec::new();
    if !cid.is_empty() {
        parts.push(format!("CustomerId={cid}"));
    }
    if let Some(t) = r.resource_type.as_deref().filter(|t| !t.trim().is_empty()) {
        parts.push(format!("ResourceType={}", t.trim()));
    }
    let resource = json_object(r.resource_new_value.as_deref())
        .or_else(|| json_object(r.resource_old_value.as_deref()));
    if let Some(id) = resource.as_ref().and_then(|m| field(m, "Id")) {
        parts.push(format!("ResourceId={id}"));
    }
    for kv in &r.customized_data {
        if let Some(v) = kv.value.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{}={}", kv.key.trim(), v.trim()));
        }
    }
    if !r.id.trim().is_empty() {
        parts.push(format!("RecordId={}", r.id.trim()));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::activity::classify_action;
    use crate::ingest::headers::{Field, Kind, match_header};
    use crate::model::ActionKind;

    fn header_fields(headers: &[&str]) -> Result<(Kind, Vec<Option<Field>>), String> {
        let cells: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        let map = match_header(&cells, 0).ok_or_else(|| format!("no header in {headers:?}"))?;
        let by_col = (0..headers.len())
            .map(|c| {
                map.fields
                    .iter()
                    .find(|(_, col)| **col == c)
                    .map(|(f, _)| *f)
            })
            .collect();
        Ok((map.kind, by_col))
    }

    #[test]
    fn every_header_maps_to_its_field() -> crate::TestResult {
        use Field::*;
        let (kind, fields) = header_fields(&SUBSCRIPTION_HEADERS)?;
        assert_eq!(kind, Kind::Subscriptions);
        let want = [
            CustomerTenantId,
            CustomerName,
            SubscriptionId,
            OfferName,
            OfferId,
            FriendlyName,
            Quantity,
            Status,
            BillingType,
            BillingCycle,
            Term,
            StartDate,
            TermEnd,
            CancellationUntil,
            AutoRenew,
            ParentSubscriptionId,
            Reseller,
        ];
        assert_eq!(fields, want.map(Some).to_vec());
        let (kind, fields) = header_fields(&CUSTOMER_HEADERS)?;
        assert_eq!(kind, Kind::Customers);
        assert_eq!(
            fields,
            vec![
                Some(TenantId),
                Some(CompanyName),
                Some(PrimaryDomain),
                Some(Relationship)
            ]
        );
        let (kind, fields) = header_fields(&ACTIVITY_HEADERS)?;
        assert_eq!(kind, Kind::Activity);
        assert_eq!(
            fields,
            vec![
                Some(OccurredAt),
                Some(AffectedCustomer),
                Some(Action),
                Some(Actor),
                Some(ActivityStatus),
                Some(Details)
            ]
        );
        Ok(())
    }

    fn update(old: &str, new: &str) -> AuditRecord {
        AuditRecord {
            operation_type: Some("update_subscription".into()),
            resource_old_value: Some(old.into()),
            resource_new_value: Some(new.into()),
            ..AuditRecord::default()
        }
    }

    #[test]
    fn actions_classify_by_what_changed() {
        let cases = [
            (
                r#"{"Status":"active"}"#,
                r#"{"Status":"suspended"}"#,
                ActionKind::Suspend,
            ),
            (
                r#"{"Status":"suspended"}"#,
                r#"{"Status":"active"}"#,
                ActionKind::Reactivate,
            ),
            (
                r#"{"Status":"active"}"#,
                r#"{"Status":"deleted"}"#,
                ActionKind::Cancel,
            ),
            (
                r#"{"Quantity":5}"#,
                r#"{"Quantity":7}"#,
                ActionKind::QuantityChange,
            ),
            (
                r#"{"AutoRenewEnabled":true}"#,
                r#"{"AutoRenewEnabled":false}"#,
                ActionKind::SubscriptionUpdate,
            ),
            (
                r#"{"Quantity":5}"#,
                r#"{"Quantity":5}"#,
                ActionKind::SubscriptionUpdate,
            ),
        ];
        for (old, new, want) in cases {
            let text = action_text(&update(old, new));
            assert_eq!(classify_action(&text), want, "{text}");
        }
        let order = AuditRecord {
            operation_type: Some("create_order".into()),
            ..AuditRecord::default()
        };
        assert_eq!(classify_action(&action_text(&order)), ActionKind::Purchase);
    }
}
