//! Verify: reconcile both accounts against the plan.
//!
//! For every approved row: the destination must hold exactly one active
//! copy (the one push recorded, or, when push has no record, one found by
//! catalog item and seats) with the target seats; the source must show what
//! retire did (suspended, deleted, or auto-renew off), or still be active
//! when it has not been retired yet. Reads only: verify changes nothing.

use serde::Serialize;

use super::port::{CallError, PartnerApi, SubscriptionInfo};
use crate::model::Outcome;

/// What the plan and the journals say a row should look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyItem {
    pub customer_id: String,
    pub customer_name: String,
    pub source_subscription_id: String,
    pub catalog_item: String,
    pub target_seats: u32,
    /// The copy push recorded, if any.
    pub destination_subscription_id: Option<String>,
    /// How retire left the source, if it retired it.
    pub retired_as: Option<Outcome>,
}

/// One line of the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyRow {
    pub customer: String,
    pub customer_tenant_id: String,
    pub source_subscription_id: String,
    pub expected_seats: u32,
    pub destination_subscription_id: String,
    pub destination_seats: Option<u32>,
    pub destination_status: String,
    /// Active copies of the same item at the destination (more than one is
    /// a duplicate purchase).
    pub destination_copies: usize,
    pub source_seats: Option<u32>,
    pub source_status: String,
    pub source_auto_renew: Option<bool>,
    pub expected_source: String,
    pub ok: bool,
    pub problems: Vec<String>,
}

fn same_item(sub: &SubscriptionInfo, catalog_item: &str) -> bool {
    let (a, b) = (
        sub.offer_id.to_ascii_uppercase(),
        catalog_item.to_ascii_uppercase(),
    );
    a == b || b.starts_with(&a) || a.starts_with(&b)
}

/// Reconcile every item. Read failures become problems on the row.
///
/// # Errors
/// Only refused credentials stop the run.
pub async fn verify<S: PartnerApi, D: PartnerApi>(
    source: &S,
    destination: &D,
    items: &[VerifyItem],
) -> Result<Vec<VerifyRow>, CallError> {
    let mut out = Vec::with_capacity(items.len());
    let mut dest_cache: std::collections::HashMap<String, Vec<SubscriptionInfo>> =
        Default::default();
    for item in items {
        let mut problems = Vec::new();
        if !dest_cache.contains_key(&item.customer_id) {
            let subs = match destination.list_subscriptions(&item.customer_id).await {
                Ok(s) => s,
                Err(CallError::Auth(m)) => return Err(CallError::Auth(m)),
                Err(e) => {
                    problems.push(format!("destination unreadable: {e}"));
                    Vec::new()
                }
            };
            dest_cache.insert(item.customer_id.clone(), subs);
        }
        let dest_subs = dest_cache
            .get(&item.customer_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let copies: Vec<&SubscriptionInfo> = dest_subs
            .iter()
            .filter(|s| s.status == "active" && same_item(s, &item.catalog_item))
            .collect();
        let dest = match &item.destination_subscription_id {
            Some(id) => dest_subs.iter().find(|s| &s.id == id),
            None => copies
                .iter()
                .copied()
                .find(|s| s.quantity == item.target_seats),
        };
        let (dest_id, dest_seats, dest_status) = match dest {
            Some(d) => (d.id.clone(), Some(d.quantity), d.status.clone()),
            None => (String::new(), None, "missing".to_owned()),
        };
        if dest_status != "active" {
            problems.push(format!("destination copy is {dest_status}"));
        }
        if dest_seats.is_some_and(|s| s != item.target_seats) {
            problems.push(format!(
                "destination has {} seats, plan says {}",
                dest_seats.unwrap_or(0),
                item.target_seats
            ));
        }
        let same_seats = copies
            .iter()
            .filter(|s| s.quantity == item.target_seats)
            .count();
        if same_seats > 1 {
            problems.push(format!("{same_seats} active copies with these seats at the destination: possible duplicate purchase"));
        }
        let source = match source
            .get_subscription(&item.customer_id, &item.source_subscription_id)
            .await
        {
            Ok(s) => s,
            Err(CallError::Auth(m)) => return Err(CallError::Auth(m)),
            Err(e) => {
                problems.push(format!("source unreadable: {e}"));
                None
            }
        };
        let expected_source = item
            .retired_as
            .map_or("active (not retired yet)", Outcome::label)
            .to_owned();
        let (source_seats, source_status, source_auto) = match &source {
            Some(s) => (Some(s.quantity), s.status.clone(), s.auto_renew),
            None => (None, "missing".to_owned(), None),
        };
        let source_ok = match item.retired_as {
            Some(Outcome::Suspended) => source_status == "suspended",
            Some(Outcome::Cancelled) => source_status == "deleted",
            Some(Outcome::AutoRenewOff) => source_auto == Some(false),
            _ => true,
        };
        if !source_ok {
            problems.push(format!(
                "source is {source_status} (auto-renew {source_auto:?}), expected {expected_source}"
            ));
        }
        out.push(VerifyRow {
            customer: item.customer_name.clone(),
            customer_tenant_id: item.customer_id.clone(),
            source_subscription_id: item.source_subscription_id.clone(),
            expected_seats: item.target_seats,
            destination_subscription_id: dest_id,
            destination_seats: dest_seats,
            destination_status: dest_status,
            destination_copies: same_seats,
            source_seats,
            source_status,
            source_auto_renew: source_auto,
            expected_source,
            ok: problems.is_empty(),
            problems,
        });
    }
    Ok(out)
}
