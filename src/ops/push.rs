//! `push`, library side: the plan's line items as the engine's
//! per-customer work, the calls a dry run would make, and the results
//! table.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::model::{Outcome, Phase};
use crate::plan::{Plan, PurchasePath};
use crate::push::engine::CustomerPush;
use crate::push::journal::{Journal, JournalError, RowOutcome};
use crate::push::port::BuyLine;
use crate::sheet::report::{ReportCell, ReportTable};

/// The relationship request sent to customers that have not accepted the
/// destination as their reseller; `{url}` and `{customer}` are replaced.
pub const RELATIONSHIP_TEMPLATE: &str =
    include_str!("../../templates/messages/relationship-request.txt");

/// The plan's line items as the engine's per-customer work.
pub fn customer_pushes(plan: &Plan) -> Vec<CustomerPush> {
    plan.customers
        .iter()
        .filter(|c| c.line_items.iter().any(|i| i.at_destination.is_none()))
        .map(|c| {
            let mut push = CustomerPush {
                customer_id: c.tenant_id.clone(),
                customer_name: c.name.clone(),
                cart: Vec::new(),
                order: Vec::new(),
            };
            for item in c.line_items.iter().filter(|i| i.at_destination.is_none()) {
                let line = BuyLine {
                    source_subscription_id: item.source_subscription_id.clone(),
                    catalog_item: item.catalog_item.clone(),
                    quantity: item.seats,
                    billing_cycle: item.billing_cycle.clone(),
                    term: item.term.clone(),
                    friendly_name: item.friendly_name.clone(),
                };
                match item.path {
                    PurchasePath::Cart => push.cart.push(line),
                    PurchasePath::Order => push.order.push(line),
                }
            }
            push
        })
        .collect()
}

/// The calls push makes for one customer at most: the relationship read,
/// then a cart and its checkout, or one order.
pub fn calls_for(customer: &CustomerPush) -> usize {
    1 + if customer.cart.is_empty() { 0 } else { 2 } + usize::from(!customer.order.is_empty())
}

/// Every row's copy exists (bought, or already there): nothing left to
/// report.
pub fn all_bought(rows: &[RowOutcome]) -> bool {
    rows.iter().all(|r| r.outcome.has_copy())
}

/// Record the rows the refresh found already at the destination, so
/// retire and verify use those subscriptions; rows the journal already
/// settled are left as they are.
///
/// # Errors
/// When the journal cannot be written.
pub fn record_adopted(journal: &Journal, plan: &Plan) -> Result<Vec<RowOutcome>, JournalError> {
    let settled: HashSet<String> = journal
        .row_outcomes(Phase::Push)?
        .into_iter()
        .filter(|o| o.outcome.may_have_bought())
        .map(|o| o.source_subscription_id)
        .collect();
    let mut out = Vec::new();
    for item in plan.line_items() {
        let Some(id) = &item.at_destination else {
            continue;
        };
        if settled.contains(&item.source_subscription_id) {
            continue;
        }
        let row = RowOutcome {
            source_subscription_id: item.source_subscription_id.clone(),
            phase: Phase::Push,
            outcome: Outcome::AlreadyThere,
            destination_order_id: None,
            destination_subscription_id: Some(id.clone()),
            error_code: None,
            error_message: Some(
                "the destination already held this subscription: nothing bought".into(),
            ),
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        };
        journal.set_row_outcome(&row)?;
        out.push(row);
    }
    Ok(out)
}

/// What a dry run would send: only what is still to do.
#[derive(Debug, Clone, Serialize)]
pub struct DryRun {
    pub customers: Vec<DryCustomer>,
    /// Calls push would make at most.
    pub calls: usize,
    /// Rows the destination already holds (nothing bought).
    pub already_at_destination: usize,
    /// Rows an earlier push settled (bought or in doubt): not sent again.
    pub done_earlier: usize,
}

/// One customer of a dry run.
#[derive(Debug, Clone, Serialize)]
pub struct DryCustomer {
    pub customer_id: String,
    pub customer_name: String,
    pub cart: Vec<BuyLine>,
    pub order: Vec<BuyLine>,
    pub calls: usize,
    /// Why only the relationship read will be made (no reseller
    /// relationship yet: push reports the rows as waiting).
    pub waiting: Option<String>,
}

/// The dry run of `customers`, leaving out rows the journal already
/// settled (`pushed`).
pub fn dry_run(plan: &Plan, customers: &[CustomerPush], pushed: &[RowOutcome]) -> DryRun {
    let settled: HashSet<&str> = pushed
        .iter()
        .filter(|o| o.outcome.may_have_bought())
        .map(|o| o.source_subscription_id.as_str())
        .collect();
    let todo = |lines: &[BuyLine]| -> Vec<BuyLine> {
        lines
            .iter()
            .filter(|l| !settled.contains(l.source_subscription_id.as_str()))
            .cloned()
            .collect()
    };
    let out: Vec<DryCustomer> = customers
        .iter()
        .map(|c| {
            let mut d = CustomerPush {
                cart: todo(&c.cart),
                order: todo(&c.order),
                ..c.clone()
            };
            let waiting = plan
                .customers
                .iter()
                .find(|p| p.tenant_id == d.customer_id)
                .and_then(|p| p.waiting.clone());
            let calls = match (d.cart.is_empty() && d.order.is_empty(), &waiting) {
                (true, _) => 0,
                (false, Some(_)) => 1,
                (false, None) => calls_for(&d),
            };
            DryCustomer {
                customer_id: std::mem::take(&mut d.customer_id),
                customer_name: std::mem::take(&mut d.customer_name),
                cart: d.cart,
                order: d.order,
                calls,
                waiting,
            }
        })
        .filter(|c| c.calls > 0)
        .collect();
    DryRun {
        calls: out.iter().map(|c| c.calls).sum(),
        customers: out,
        already_at_destination: plan
            .line_items()
            .filter(|i| i.at_destination.is_some())
            .count(),
        done_earlier: settled.len(),
    }
}

/// One row per approved line item, with what push recorded for it.
pub fn results_table(plan: &Plan, rows: &[RowOutcome]) -> ReportTable {
    let by_row: BTreeMap<&str, &RowOutcome> = rows
        .iter()
        .map(|r| (r.source_subscription_id.as_str(), r))
        .collect();
    let headers = [
        "Customer",
        "Customer tenant ID",
        "Source subscription ID",
        "Target catalog item",
        "Target seats",
        "Outcome",
        "Destination order ID",
        "Destination subscription ID",
        "Error code",
        "Error message",
        "Time (UTC)",
        "Workbook row",
    ];
    let table_rows = plan
        .line_items()
        .map(|item| {
            let o = by_row.get(item.source_subscription_id.as_str());
            vec![
                ReportCell::from(item.customer_name.as_str()),
                ReportCell::from(item.customer_tenant_id.as_str()),
                ReportCell::from(item.source_subscription_id.as_str()),
                ReportCell::from(item.catalog_item.as_str()),
                ReportCell::from(item.seats),
                ReportCell::from(o.map_or("not attempted", |o| o.outcome.label())),
                ReportCell::from(o.and_then(|o| o.destination_order_id.clone())),
                ReportCell::from(o.and_then(|o| o.destination_subscription_id.clone())),
                ReportCell::from(o.and_then(|o| o.error_code.clone())),
                ReportCell::from(o.and_then(|o| o.error_message.clone())),
                ReportCell::from(o.map(|o| o.at.clone())),
                ReportCell::from(item.row.as_str()),
            ]
        })
        .collect();
    ReportTable::new("Push results", &headers, table_rows)
}

/// Rows this run decided (`decided`: source subscription IDs the engine or
/// the adoption wrote this run), and rows an earlier run had settled.
pub fn split_runs<'a>(
    after: &'a [RowOutcome],
    decided: &HashSet<String>,
) -> (Vec<&'a RowOutcome>, Vec<&'a RowOutcome>) {
    after
        .iter()
        .partition(|o| decided.contains(&o.source_subscription_id))
}
