//! `push`, library side: the plan's line items as the engine's
//! per-customer work, the calls a dry run would make, and the results
//! table.

use std::collections::BTreeMap;

use crate::model::Outcome;
use crate::plan::{Plan, PurchasePath};
use crate::push::engine::CustomerPush;
use crate::push::journal::RowOutcome;
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
        .filter(|c| !c.line_items.is_empty())
        .map(|c| {
            let mut push = CustomerPush {
                customer_id: c.tenant_id.clone(),
                customer_name: c.name.clone(),
                cart: Vec::new(),
                order: Vec::new(),
            };
            for item in &c.line_items {
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

/// Every row bought: nothing left to report.
pub fn all_bought(rows: &[RowOutcome]) -> bool {
    rows.iter().all(|r| r.outcome == Outcome::Bought)
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
