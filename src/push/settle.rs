//! Settling in-doubt purchases before anything new is sent.
//!
//! A `pending` journal entry means the request may or may not have reached
//! Partner Center. Each kind is settled the safe way:
//! - a cart creation bought nothing: it is closed as abandoned;
//! - a checkout is replayed with its journalled `MS-RequestId`; whatever
//!   the replay answers other than the result itself (already submitted,
//!   cart not found because it expired, any other refusal), the customer's
//!   orders are looked up before anything is released: only a lookup that
//!   finds none of the lines lets a refused replay release its rows;
//! - an order is first looked up among the customer's orders (created after
//!   the intent, with the same lines) and only if none is found replayed
//!   with the same request id, so even a service that forgot the id cannot
//!   be made to buy twice by a lookup that lags.
//!
//! Customers whose entries stay unsettled (no answer again) are blocked for
//! this run: nothing new is sent for them.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::crash::{self, Point};
use super::journal::{Entry, EntryState, Journal, JournalError, RequestKind, RowOutcome};
use super::outcomes::{checkout_outcomes, order_outcomes, order_rows, row};
use super::port::{BuyLine, CallError, CartCreated, CheckoutResult, OrderInfo, PartnerApi};
use crate::model::Outcome;

/// Cart already checked out (Partner Center error code).
pub const CART_ALREADY_SUBMITTED: &str = "800065";
/// Customer has no reseller relationship with the partner.
pub const NO_RELATIONSHIP: &str = "20002";

/// How far before the journalled intent an order may be dated and still be
/// taken as its result (clock skew between us and the service).
const CLOCK_SKEW_MINUTES: i64 = 10;

/// Settle every pending purchase entry. Returns the customers that still
/// have unsettled entries.
///
/// # Errors
/// Journal failures only; API failures leave entries pending.
pub async fn settle_purchases<A: PartnerApi>(
    api: &A,
    journal: &Journal,
) -> Result<HashSet<String>, JournalError> {
    let mut blocked = HashSet::new();
    for entry in journal.in_doubt()? {
        let customer = entry.intent.customer_id.clone();
        let settled = match entry.intent.kind {
            RequestKind::CreateCart => {
                journal.settle(
                    &entry.request_id,
                    EntryState::Done,
                    &json!({ "abandoned": true }),
                )?;
                crash::reached(Point::Settled);
                true
            }
            RequestKind::Checkout => settle_checkout(api, journal, &entry).await?,
            RequestKind::CreateOrder => settle_order(api, journal, &entry).await?,
            RequestKind::PatchSubscription => continue,
        };
        if !settled {
            blocked.insert(customer);
        }
    }
    Ok(blocked)
}

fn lines_of(entry: &Entry) -> Vec<BuyLine> {
    entry
        .intent
        .body
        .get("lines")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// The cart a checkout entry was for (its line groups and line errors).
fn cart_of(entry: &Entry) -> CartCreated {
    entry
        .intent
        .body
        .get("cart")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

async fn settle_checkout<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    entry: &Entry,
) -> Result<bool, JournalError> {
    let lines = lines_of(entry);
    let cart_id = entry
        .intent
        .body
        .get("cart_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    journal.mark_attempt(&entry.request_id)?;
    crash::reached(Point::Intent);
    let answer = api
        .checkout(&entry.intent.customer_id, &cart_id, &entry.request_id)
        .await;
    crash::reached(Point::Answer);
    match answer {
        Ok(result) => {
            let rows = checkout_outcomes(&lines, &cart_of(entry), &result);
            let value = serde_json::to_value(&result).unwrap_or_default();
            journal.settle_with_rows(&entry.request_id, EntryState::Done, &value, &rows)?;
            crash::reached(Point::Settled);
            Ok(true)
        }
        Err(CallError::Rejected { code, message, .. }) => {
            // The first attempt may have bought although the replay is
            // refused (the cart expired, the service forgot the request
            // id): the customer's orders are the final word.
            let rows = lookup_checkout(api, journal, entry, Some((&code, &message))).await?;
            Ok(!rows.is_empty())
        }
        Err(_) => Ok(false),
    }
}

/// Settle a checkout from the customer's orders. With `refusal` (the replay
/// was refused with that code and message): lines found are bought (or
/// provisioning), and when *no* line is found and the refusal is not
/// "already submitted" the lookup proves nothing was bought, so the rows
/// are released as failed. Without a refusal, or when the cart was
/// certainly checked out but its orders do not show yet, the entry stays
/// in doubt unless every line is found. Returns the recorded rows (empty:
/// still in doubt).
///
/// # Errors
/// Journal failures only.
async fn lookup_checkout<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    entry: &Entry,
    refusal: Option<(&str, &str)>,
) -> Result<Vec<RowOutcome>, JournalError> {
    let lines = lines_of(entry);
    let answer = api.list_orders(&entry.intent.customer_id).await;
    crash::reached(Point::Answer);
    let Ok(orders) = answer else {
        return Ok(Vec::new());
    };
    let result = CheckoutResult {
        orders: orders_after(&orders, &entry.created_at),
        errors: Vec::new(),
    };
    let mut rows = checkout_outcomes(&lines, &cart_of(entry), &result);
    let found = rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Bought | Outcome::Provisioning))
        .count();
    let missing = rows.iter().any(|r| r.outcome == Outcome::InDoubt);
    if missing {
        match refusal {
            Some((code, message)) if code != CART_ALREADY_SUBMITTED || found > 0 => {
                // Nothing bought (found == 0), or the checkout happened and
                // the missing lines were in order groups that failed.
                let why = if found == 0 {
                    format!(
                        "the replayed checkout was refused ({message}) and the customer's \
                         orders show none of these lines: nothing was bought"
                    )
                } else {
                    format!(
                        "the checkout was placed, but this line is in none of its orders \
                         (replay refused: {message})"
                    )
                };
                for r in rows.iter_mut().filter(|r| r.outcome == Outcome::InDoubt) {
                    r.outcome = Outcome::Failed;
                    r.error_code = Some(code.to_owned());
                    r.error_message = Some(why.clone());
                }
                if found == 0 {
                    let response =
                        json!({ "code": code, "message": message, "lookup": "no order" });
                    journal.settle_with_rows(
                        &entry.request_id,
                        EntryState::Failed,
                        &response,
                        &rows,
                    )?;
                    crash::reached(Point::Settled);
                    return Ok(rows);
                }
            }
            // Not all found yet (read-after-write lag?): keep it in doubt.
            _ => return Ok(Vec::new()),
        }
    }
    let value = json!({ "settled_by": "order lookup", "result": result });
    journal.settle_with_rows(&entry.request_id, EntryState::Done, &value, &rows)?;
    crash::reached(Point::Settled);
    Ok(rows)
}

/// The cart was checked out but we lost the answer ("already submitted"):
/// find the orders it made among the customer's orders. Returns the
/// recorded rows, or nothing (entry left pending) when they cannot be
/// found yet.
///
/// # Errors
/// Journal failures only.
pub async fn settle_checkout_by_lookup<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    entry: &Entry,
) -> Result<Vec<RowOutcome>, JournalError> {
    lookup_checkout(api, journal, entry, None).await
}

async fn settle_order<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    entry: &Entry,
) -> Result<bool, JournalError> {
    let lines = lines_of(entry);
    let customer = &entry.intent.customer_id;
    let answer = api.list_orders(customer).await;
    crash::reached(Point::Answer);
    let Ok(orders) = answer else {
        return Ok(false);
    };
    if let Some(order) = orders_after(&orders, &entry.created_at)
        .into_iter()
        .find(|o| order_matches(o, &lines))
    {
        let rows = order_outcomes(&lines, &order);
        let value = json!({ "settled_by": "order lookup", "order": order });
        journal.settle_with_rows(&entry.request_id, EntryState::Done, &value, &rows)?;
        crash::reached(Point::Settled);
        return Ok(true);
    }
    journal.mark_attempt(&entry.request_id)?;
    crash::reached(Point::Intent);
    let answer = api.create_order(customer, &entry.request_id, &lines).await;
    crash::reached(Point::Answer);
    match answer {
        Ok(order) => {
            let rows = order_outcomes(&lines, &order);
            let value = serde_json::to_value(&order).unwrap_or_default();
            journal.settle_with_rows(&entry.request_id, EntryState::Done, &value, &rows)?;
            crash::reached(Point::Settled);
            Ok(true)
        }
        Err(CallError::Rejected { code, message, .. }) => {
            settle_rejected(journal, entry, &lines, &code, &message)
        }
        Err(_) => Ok(false),
    }
}

/// A replay the service rejected was not applied: settle it as failed, and
/// its rows as failed (a later run may buy them under a new request).
fn settle_rejected(
    journal: &Journal,
    entry: &Entry,
    lines: &[BuyLine],
    code: &str,
    message: &str,
) -> Result<bool, JournalError> {
    let rows: Vec<RowOutcome> = lines
        .iter()
        .map(|l| row(l, Outcome::Failed, None, Some(code), Some(message)))
        .collect();
    let response = json!({ "code": code, "message": message });
    journal.settle_with_rows(&entry.request_id, EntryState::Failed, &response, &rows)?;
    crash::reached(Point::Settled);
    Ok(true)
}

/// Whether an order holds exactly the lines we asked for (by offer and
/// quantity, line numbers breaking ties).
fn order_matches(order: &OrderInfo, lines: &[BuyLine]) -> bool {
    order.lines.len() == lines.len() && order_rows(lines, order).iter().all(Option::is_some)
}

/// Orders created no earlier than the intent (less clock skew). Orders
/// without a creation date are kept: better to consider them than to buy
/// twice.
fn orders_after(orders: &[OrderInfo], intent_created: &str) -> Vec<OrderInfo> {
    let since = parse_time(intent_created).map(|t| t - Duration::minutes(CLOCK_SKEW_MINUTES));
    orders
        .iter()
        .filter(
            |o| match (since, o.creation_date.as_deref().and_then(parse_time)) {
                (Some(since), Some(created)) => created >= since,
                _ => true,
            },
        )
        .cloned()
        .collect()
}

fn parse_time(s: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc).naive_utc())
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f").ok()
        })
}
