//! The plan checked against the live accounts (Terraform's "refresh"):
//! what the destination already holds, whether each target item is still
//! sold, whether the source changed since the export, and what push already
//! did according to the journal.
//!
//! This module is pure: `ops::refresh` reads the accounts into a
//! [`LiveState`]; [`apply`] turns it into problems, adoptions and waiting
//! customers on the [`Plan`]. A row whose copy already exists is adopted
//! (nothing is bought, retire and verify use that subscription); anything
//! ambiguous is a blocking problem at the cell to fix.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{LineItem, Plan, Problem, PurchasePath, tally};
use crate::model::{Outcome, ReviewDecision, SubStatus, same_catalog_item};

/// A subscription as an account shows it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveSub {
    pub id: String,
    pub offer_id: String,
    pub quantity: u32,
    pub status: String,
    pub auto_renew: Option<bool>,
    pub order_id: Option<String>,
}

impl LiveSub {
    fn active(&self) -> bool {
        self.status.eq_ignore_ascii_case("active")
    }

    fn same_item(&self, catalog_item: &str) -> bool {
        same_catalog_item(&self.offer_id, catalog_item)
    }
}

/// What the destination catalog says of one item in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveCatalog {
    pub name: String,
    pub purchasable: bool,
    pub min_quantity: Option<u32>,
    pub max_quantity: Option<u32>,
    pub billing_cycles: Vec<String>,
    pub terms: Vec<String>,
}

/// One customer as both accounts show it; `Err` holds why a read failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCustomer {
    /// `Ok(None)`: the destination does not see the customer (no reseller
    /// relationship yet).
    pub relationship: Result<Option<String>, String>,
    pub country: Option<String>,
    pub destination: Result<Vec<LiveSub>, String>,
    /// `None` when the source account was not read.
    pub source: Option<Result<Vec<LiveSub>, String>>,
}

/// API reads a refresh made, per side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reads {
    pub destination: u64,
    pub source: u64,
    pub catalog: u64,
}

/// Everything the refresh read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveState {
    /// By customer tenant ID.
    pub customers: HashMap<String, LiveCustomer>,
    /// By (upper-case catalog item, country); `Ok(None)`: unknown item.
    pub catalog: HashMap<(String, String), Result<Option<LiveCatalog>, String>>,
    /// The destination's reseller-relationship invitation link.
    pub invitation: Option<String>,
    pub reads: Reads,
    pub destination_account: String,
    pub source_account: Option<String>,
}

impl LiveState {
    /// The market a customer buys in (the catalog read's country).
    pub fn country_of(&self, tenant_id: &str) -> String {
        self.customers
            .get(tenant_id)
            .and_then(|c| c.country.clone())
            .unwrap_or_else(|| DEFAULT_COUNTRY.to_owned())
    }
}

/// The market assumed when the service does not say.
pub const DEFAULT_COUNTRY: &str = "US";

/// What the journal already recorded for a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub outcome: Outcome,
    pub destination_subscription_id: Option<String>,
}

/// Whether the accounts were read for this plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveCheck {
    /// Offline: only the workbook was checked.
    #[default]
    Skipped,
    /// The accounts were read.
    Done {
        destination: String,
        source: Option<String>,
        reads: Reads,
    },
}

/// What the journal says push did, as the live checks need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalView {
    /// Push's row outcomes, by source subscription ID.
    pub recorded: HashMap<String, Recorded>,
    /// Customers with a purchase still in doubt: what the destination
    /// shows for them may be that purchase, so nothing is adopted for them
    /// until push has settled it.
    pub unsettled_customers: HashSet<String>,
}

/// Check every line item against the live state and the journal, then
/// recount.
pub fn apply(plan: &mut Plan, live: &LiveState, journal: &JournalView) {
    let recorded = &journal.recorded;
    let claimed: HashSet<String> = recorded
        .values()
        .filter(|r| r.outcome.may_have_bought())
        .filter_map(|r| r.destination_subscription_id.clone())
        .collect();
    for customer in &mut plan.customers {
        let Some(state) = live.customers.get(&customer.tenant_id) else {
            continue;
        };
        match &state.relationship {
            Ok(Some(r)) if r.eq_ignore_ascii_case("reseller") => {}
            Ok(_) => {
                let why = format!(
                    "{} has not accepted the reseller relationship with the destination account {}; push will report its rows as waiting. Send them this invitation: {}",
                    customer.name,
                    live.destination_account,
                    live.invitation.as_deref().unwrap_or("(the link is in Partner Center: Customers → Request a reseller relationship)")
                );
                customer.waiting = Some(why.clone());
                customer.problems.push(Problem {
                    blocking: false,
                    location: customer
                        .line_items
                        .first()
                        .map(|i| i.row.clone())
                        .unwrap_or_default(),
                    message: why,
                    source_subscription_id: None,
                });
            }
            Err(e) => customer.problems.push(warning(
                customer.line_items.first(),
                format!("could not read the customer at the destination: {e}"),
            )),
        }
        let mut taken = claimed.clone();
        let country = live.country_of(&customer.tenant_id);
        let mut problems = Vec::new();
        for item in &mut customer.line_items {
            let rec = recorded.get(&item.source_subscription_id);
            check_source(item, state, rec, &mut problems);
            if let Some(rec) = rec.filter(|r| r.outcome.may_have_bought()) {
                check_bought(item, state, rec, &mut problems);
                continue;
            }
            if journal
                .unsettled_customers
                .contains(&item.customer_tenant_id)
            {
                // Push settles the in-doubt purchase first; it may be what
                // the destination shows.
                continue;
            }
            if check_existing(item, state, &mut taken, &mut problems) {
                continue;
            }
            let key = (item.catalog_item.to_ascii_uppercase(), country.clone());
            if let Some(entry) = live.catalog.get(&key) {
                check_catalog(item, entry, &country, &mut problems);
            }
        }
        customer.problems.extend(problems);
    }
    plan.live = LiveCheck::Done {
        destination: live.destination_account.clone(),
        source: live.source_account.clone(),
        reads: live.reads,
    };
    tally(plan);
}

fn problem(item: &LineItem, blocking: bool, location: &str, message: String) -> Problem {
    Problem {
        blocking,
        location: location.to_owned(),
        message,
        source_subscription_id: Some(item.source_subscription_id.clone()),
    }
}

fn warning(item: Option<&LineItem>, message: String) -> Problem {
    Problem {
        blocking: false,
        location: item.map(|i| i.row.clone()).unwrap_or_default(),
        message,
        source_subscription_id: item.map(|i| i.source_subscription_id.clone()),
    }
}

/// A row push already bought: the workbook must still say what was bought.
fn check_bought(item: &LineItem, state: &LiveCustomer, rec: &Recorded, out: &mut Vec<Problem>) {
    let Some(id) = &rec.destination_subscription_id else {
        return;
    };
    let Ok(dest) = &state.destination else { return };
    match dest.iter().find(|s| s.id.eq_ignore_ascii_case(id)) {
        Some(s) if s.quantity != item.seats => out.push(problem(
            item,
            true,
            &item.cells.seats,
            format!(
                "changed after purchase: bought {} seat(s) ({id}), the workbook now says {}; change seats in Partner Center, or put {} back",
                s.quantity, item.seats, s.quantity
            ),
        )),
        Some(_) => {}
        None => out.push(problem(
            item,
            false,
            &item.row,
            format!(
                "push recorded destination subscription {id}, but the destination does not list it (yet); verify checks it again"
            ),
        )),
    }
}

/// A row not bought yet: does the destination already hold its copy?
/// Returns true when the row is settled by an existing subscription.
fn check_existing(
    item: &mut LineItem,
    state: &LiveCustomer,
    taken: &mut HashSet<String>,
    out: &mut Vec<Problem>,
) -> bool {
    let Ok(dest) = &state.destination else {
        if let Err(e) = &state.destination {
            out.push(problem(
                item,
                true,
                &item.row,
                format!("could not read the destination's subscriptions ({e}): cannot tell whether this row is already there; run again"),
            ));
        }
        return false;
    };
    match &item.decision {
        Some(ReviewDecision::BuyAnyway) => return false,
        Some(ReviewDecision::Adopt(id)) => {
            let found = dest
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(id) && s.active());
            match found {
                Some(s) if !taken.contains(&s.id) => {
                    taken.insert(s.id.clone());
                    item.at_destination = Some(s.id.clone());
                }
                Some(_) => out.push(problem(
                    item,
                    true,
                    &item.cells.note,
                    format!("Adopt {id}: that subscription already serves another row"),
                )),
                None => out.push(problem(
                    item,
                    true,
                    &item.cells.note,
                    format!("Adopt {id}: the destination has no active subscription with that ID"),
                )),
            }
            return true;
        }
        None => {}
    }
    let candidates: Vec<&LiveSub> = dest
        .iter()
        .filter(|s| s.active() && s.same_item(&item.catalog_item) && !taken.contains(&s.id))
        .collect();
    let exact: Vec<&&LiveSub> = candidates
        .iter()
        .filter(|s| s.quantity == item.seats)
        .collect();
    match (candidates.len(), exact.as_slice()) {
        (0, _) => false,
        (1, [s]) => {
            taken.insert(s.id.clone());
            item.at_destination = Some(s.id.clone());
            out.push(problem(
                item,
                false,
                &item.row,
                format!(
                    "already at destination: {} holds {} with {} seat(s); nothing will be bought, retire and verify use it",
                    s.id, item.catalog_item, s.quantity
                ),
            ));
            true
        }
        _ => {
            let list: Vec<String> = candidates
                .iter()
                .map(|s| format!("{} ({} seats)", s.id, s.quantity))
                .collect();
            out.push(problem(
                item,
                true,
                &item.cells.note,
                format!(
                    "the destination already holds {} for this customer: {}; the workbook asks for {} seat(s). Write `Adopt <subscription id>` or `Buy anyway` in the reviewer note",
                    item.catalog_item,
                    list.join(", "),
                    item.seats
                ),
            ));
            true
        }
    }
}

/// Is the target item sold, with this term, cycle and seat count?
fn check_catalog(
    item: &LineItem,
    entry: &Result<Option<LiveCatalog>, String>,
    country: &str,
    out: &mut Vec<Problem>,
) {
    let c = match entry {
        Ok(Some(c)) => c,
        Ok(None) => {
            out.push(problem(
                item,
                true,
                &item.cells.catalog_item,
                format!(
                    "the destination catalog has no item {} for market {country}; choose a current catalog item",
                    item.catalog_item
                ),
            ));
            return;
        }
        Err(e) => {
            out.push(problem(
                item,
                false,
                &item.cells.catalog_item,
                format!("could not read {} from the catalog: {e}", item.catalog_item),
            ));
            return;
        }
    };
    if !c.purchasable {
        out.push(problem(
            item,
            true,
            &item.cells.catalog_item,
            format!(
                "{} ({}) is in the catalog but can no longer be bought in market {country}",
                item.catalog_item, c.name
            ),
        ));
    }
    if let Some(term) = &item.term
        && item.path == PurchasePath::Cart
        && !c.terms.is_empty()
        && !c.terms.iter().any(|t| t.eq_ignore_ascii_case(term))
    {
        out.push(problem(
            item,
            true,
            &item.cells.term,
            format!(
                "{} is not sold with term {term}; it allows {}",
                item.catalog_item,
                c.terms.join(", ")
            ),
        ));
    }
    if let Some(cycle) = &item.billing_cycle
        && !c.billing_cycles.is_empty()
        && !c
            .billing_cycles
            .iter()
            .any(|b| b.eq_ignore_ascii_case(cycle))
    {
        out.push(problem(
            item,
            true,
            &item.cells.billing_cycle,
            format!(
                "{} is not billed {cycle}; it allows {}",
                item.catalog_item,
                c.billing_cycles.join(", ")
            ),
        ));
    }
    let below = c.min_quantity.is_some_and(|m| item.seats < m);
    let above = c.max_quantity.is_some_and(|m| item.seats > m);
    if below || above {
        out.push(problem(
            item,
            true,
            &item.cells.seats,
            format!(
                "{} seat(s) is outside what {} allows ({}–{})",
                item.seats,
                item.catalog_item,
                c.min_quantity.map_or("?".to_owned(), |m| m.to_string()),
                c.max_quantity.map_or("?".to_owned(), |m| m.to_string())
            ),
        ));
    }
}

/// Has the source changed since the export (seats, status)?
fn check_source(
    item: &LineItem,
    state: &LiveCustomer,
    rec: Option<&Recorded>,
    out: &mut Vec<Problem>,
) {
    let Some(source) = &state.source else { return };
    let subs = match source {
        Ok(s) => s,
        Err(e) => {
            out.push(problem(
                item,
                false,
                &item.row,
                format!("could not read the source subscription: {e}"),
            ));
            return;
        }
    };
    let bought = rec.is_some_and(|r| r.outcome.may_have_bought());
    let Some(live) = subs
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(&item.source_subscription_id))
    else {
        if !bought {
            out.push(problem(
                item,
                true,
                &item.row,
                "the source account no longer has this subscription (moved or removed since the export); rebuild from fresh exports".to_owned(),
            ));
        }
        return;
    };
    if bought {
        // Retire changes the source on purpose; only drift before the
        // purchase matters.
        return;
    }
    if let Some(old) = item.source_seats
        && old != live.quantity
    {
        out.push(problem(
            item,
            true,
            &item.cells.source_seats,
            format!(
                "the source changed since the export: seats {old} → {}; check the target seats, then rebuild or approve again",
                live.quantity
            ),
        ));
    }
    let old = item.source_status.as_deref().unwrap_or("unknown");
    let now = SubStatus::parse(&live.status);
    if item.source_status.is_some() && SubStatus::parse(old) != now {
        let ended = matches!(
            now,
            SubStatus::Deleted | SubStatus::Canceled | SubStatus::Expired | SubStatus::Disabled
        );
        out.push(problem(
            item,
            ended,
            &item.cells.status,
            format!(
                "the source changed since the export: status {old} → {}{}",
                live.status,
                if ended {
                    "; a copy of an ended subscription is not bought"
                } else {
                    ""
                }
            ),
        ));
    }
}
