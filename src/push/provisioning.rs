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

/// What resolving needs from the journal, read once per pass: the rows
/// still `provisioning` (by source subscription id) and the destination
/// subscriptions already recorded for rows (not up for grabs). Each
/// customer is resolved by one task, so one snapshot stays true for it.
#[derive(Debug, Default)]
pub struct Waiting {
    rows: HashMap<String, RowOutcome>,
    claimed: HashSet<String>,
}

impl Waiting {
    /// No row is waiting for its subscription.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Read the [`Waiting`] snapshot.
///
/// # Errors
/// Journal failures only.
pub fn waiting(journal: &Journal) -> Result<Waiting, JournalError> {
    let mut w = Waiting::default();
    for o in journal.row_outcomes(PHASE)? {
        if let Some(id) = &o.destination_subscription_id {
            w.claimed.insert(id.clone());
        }
        if o.outcome == Outcome::Provisioning {
            w.rows.insert(o.source_subscription_id.clone(), o);
        }
    }
    Ok(w)
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
    waiting: &Waiting,
) -> Result<Vec<RowOutcome>, JournalError> {
    let mine: Vec<(&BuyLine, &RowOutcome)> = lines
        .iter()
        .copied()
        .filter_map(|l| waiting.rows.get(&l.source_subscription_id).map(|o| (l, o)))
        .collect();
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let Ok(orders) = api.list_orders(customer_id).await else {
        return Ok(Vec::new());
    };
    let claimed = &waiting.claimed;
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
