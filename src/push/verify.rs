//! Verify: reconcile both accounts against the plan and the journal.
//!
//! For every approved row: the destination must hold the active copy push
//! recorded (bought, or found already there) with the target seats; the
//! source must show what retire did (suspended, deleted, or auto-renew off),
//! or still be active when it has not been retired yet. Rows are matched
//! to subscriptions by evidence — the journal's subscription and order IDs
//! — never by shape: a customer may legitimately hold two subscriptions of
//! one item. A duplicate purchase is a subscription one of *our* orders
//! created that serves no row. Rows push has not bought (waiting for the
//! customer, failed) are "not yet", not mismatches. Reads only.

use serde::Serialize;

use super::port::{CallError, PartnerApi, SubscriptionInfo};
use std::collections::HashSet;

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
    /// The order push bought it in, if any.
    pub destination_order_id: Option<String>,
    /// What push recorded for the row (`None`: push never reached it).
    pub pushed_as: Option<Outcome>,
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
    pub result: Reconciled,
    /// The row is as it should be now (`result` is not a mismatch).
    pub ok: bool,
    pub problems: Vec<String>,
}

/// How a row reconciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reconciled {
    /// Both accounts show what the journal says happened.
    Ok,
    /// Push has not bought the row (waiting, failed, or not run): nothing
    /// to compare at the destination yet.
    NotYet,
    /// An account disagrees with the journal.
    Mismatch,
}

impl Reconciled {
    /// The Result column's words.
    pub const fn label(self) -> &'static str {
        match self {
            Reconciled::Ok => "OK",
            Reconciled::NotYet => "NOT YET",
            Reconciled::Mismatch => "MISMATCH",
        }
    }
}

fn same_item(sub: &SubscriptionInfo, catalog_item: &str) -> bool {
    crate::model::same_catalog_item(&sub.offer_id, catalog_item)
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
    // One read per customer; a failed read is kept and reported on every
    // row that needed it (rows push never bought need nothing there).
    let mut dest_cache: std::collections::HashMap<String, Result<Vec<SubscriptionInfo>, String>> =
        Default::default();
    for item in items {
        let mut problems = Vec::new();
        if !dest_cache.contains_key(&item.customer_id) {
            let subs = match destination.list_subscriptions(&item.customer_id).await {
                Ok(s) => Ok(s),
                Err(CallError::Auth(m)) => return Err(CallError::Auth(m)),
                Err(e) => Err(e.to_string()),
            };
            dest_cache.insert(item.customer_id.clone(), subs);
        }
        let bought = item.pushed_as.is_some_and(Outcome::has_copy);
        let dest_subs = match dest_cache.get(&item.customer_id) {
            Some(Ok(subs)) => subs.as_slice(),
            Some(Err(e)) => {
                if bought {
                    problems.push(format!("destination unreadable: {e}"));
                }
                &[]
            }
            None => &[],
        };
        let claimed: HashSet<&str> = items
            .iter()
            .filter(|i| i.customer_id == item.customer_id)
            .filter_map(|i| i.destination_subscription_id.as_deref())
            .collect();
        let our_orders: HashSet<&str> = items
            .iter()
            .filter(|i| i.customer_id == item.customer_id)
            .filter_map(|i| i.destination_order_id.as_deref())
            .collect();
        // Copies of this item our orders created that serve no row.
        let strays: Vec<&SubscriptionInfo> = dest_subs
            .iter()
            .filter(|s| s.status == "active" && same_item(s, &item.catalog_item))
            .filter(|s| !claimed.contains(s.id.as_str()))
            .filter(|s| {
                s.order_id
                    .as_deref()
                    .is_some_and(|o| our_orders.contains(o))
            })
            .collect();
        let dest = item
            .destination_subscription_id
            .as_ref()
            .and_then(|id| dest_subs.iter().find(|s| &s.id == id));
        let (dest_id, dest_seats, dest_status) = match dest {
            Some(d) => (d.id.clone(), Some(d.quantity), d.status.clone()),
            None if bought => (
                item.destination_subscription_id.clone().unwrap_or_default(),
                None,
                "missing".to_owned(),
            ),
            None => (String::new(), None, "not bought yet".to_owned()),
        };
        if bought && dest_status != "active" {
            problems.push(format!("destination copy is {dest_status}"));
        }
        if bought && item.destination_subscription_id.is_none() {
            problems.push("push recorded no destination subscription for this row".to_owned());
        }
        if dest_seats.is_some_and(|s| s != item.target_seats) {
            problems.push(format!(
                "destination has {} seats, plan says {}",
                dest_seats.unwrap_or(0),
                item.target_seats
            ));
        }
        let same_seats = usize::from(dest.is_some_and(|d| d.status == "active")) + strays.len();
        if !strays.is_empty() {
            let ids: Vec<&str> = strays.iter().map(|s| s.id.as_str()).collect();
            problems.push(format!(
                "our orders created {} more active {} subscription(s) that serve no row ({}): possible duplicate purchase",
                strays.len(),
                item.catalog_item,
                ids.join(", ")
            ));
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
        let result = if !problems.is_empty() {
            Reconciled::Mismatch
        } else if bought {
            Reconciled::Ok
        } else {
            Reconciled::NotYet
        };
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
            result,
            ok: result != Reconciled::Mismatch,
            problems,
        });
    }
    Ok(out)
}
