//! Resolving rows whose order was placed but whose subscription is not
//! provisioned yet (`provisioning`).
//!
//! Why: a real order answers `pending` with line items that carry no
//! subscription id. Such a row is bought (it must never be bought again)
//! but has no destination subscription, so retire and verify cannot use
//! it. Push reads the customer's orders — one call per customer, however
//! many rows wait — and records each line's subscription once it shows,
//! at the start of a customer's work and again at the end of the run; a
//! row still pending then stays `provisioning` for the next run.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use super::journal::{Journal, JournalError, RowOutcome};
use super::outcomes::matches_line;
use super::port::{BuyLine, PartnerApi};
use crate::model::{Outcome, Phase};

const PHASE: Phase = Phase::Push;

/// Rows of this phase still `provisioning`, by source subscription id.
///
/// # Errors
/// Journal failures only.
pub fn waiting(journal: &Journal) -> Result<HashMap<String, RowOutcome>, JournalError> {
    Ok(journal
        .row_outcomes(PHASE)?
        .into_iter()
        .filter(|o| o.outcome == Outcome::Provisioning)
        .map(|o| (o.source_subscription_id.clone(), o))
        .collect())
}

/// Look up the orders of `customer_id` and record the subscription of each
/// of its `lines` whose row is in `waiting` and has one now. Returns the rows it changed
/// (nothing, without a call, when the customer has no such row; nothing
/// when the lookup fails: the rows stay `provisioning`).
///
/// # Errors
/// Journal failures only.
pub async fn resolve<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    customer_id: &str,
    lines: &[&BuyLine],
    waiting: &HashMap<String, RowOutcome>,
) -> Result<Vec<RowOutcome>, JournalError> {
    let mine: Vec<(&BuyLine, &RowOutcome)> = lines
        .iter()
        .copied()
        .filter_map(|l| waiting.get(&l.source_subscription_id).map(|o| (l, o)))
        .collect();
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let Ok(orders) = api.list_orders(customer_id).await else {
        return Ok(Vec::new());
    };
    // Subscriptions already recorded for other rows are not up for grabs.
    let claimed: HashSet<String> = journal
        .row_outcomes(PHASE)?
        .into_iter()
        .filter_map(|o| o.destination_subscription_id)
        .collect();
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (line, row) in mine {
        let Some(order) = orders
            .iter()
            .find(|o| Some(o.id.as_str()) == row.destination_order_id.as_deref())
        else {
            continue;
        };
        let found = order.lines.iter().find_map(|l| {
            let id = l.subscription_id.as_ref()?;
            (matches_line(line, l) && !claimed.contains(id) && !taken.contains(id)).then_some(id)
        });
        if let Some(id) = found {
            taken.insert(id.clone());
            let mut done = row.clone();
            done.outcome = Outcome::Bought;
            done.destination_subscription_id = Some(id.clone());
            done.error_message = None;
            done.at = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            journal.set_row_outcome(&done)?;
            out.push(done);
        }
    }
    Ok(out)
}
