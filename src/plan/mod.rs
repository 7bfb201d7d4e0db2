//! Validate a reviewed workbook and say exactly what `push` would buy and
//! what `retire` would do, per customer.
//!
//! [`make_plan`] is pure: it takes the [`ReviewedBook`] the sheet reader
//! produced and returns a [`Plan`] (serialisable for `--json`, and the input
//! `push` consumes). Only approved rows become line items. Every problem is
//! located at the cell to fix; blocking problems make the plan unclean, and
//! `push` refuses an unclean plan.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::model::{Issue, Retirement, ReviewDecision, Severity};
use crate::sheet::ReviewedBook;

pub mod live;
mod render;
mod rules;

pub use live::{JournalView, LiveCheck, LiveState};

/// How a line item is bought at the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchasePath {
    /// New commerce `PRODUCT:SKU:AVAILABILITY`: one cart per customer, then
    /// checkout.
    Cart,
    /// Legacy offer GUID: one order per customer.
    Order,
}

/// One subscription to buy at the destination: everything push needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    pub customer_tenant_id: String,
    pub customer_name: String,
    pub source_subscription_id: String,
    /// `PRODUCT:SKU:AVAILABILITY` (cart) or a legacy offer GUID (order).
    pub catalog_item: String,
    pub path: PurchasePath,
    pub seats: u32,
    /// API spelling (`monthly`, `annual` …), when given.
    pub billing_cycle: Option<String>,
    /// ISO 8601 (`P1M`, `P1Y`, `P3Y`), when given.
    pub term: Option<String>,
    /// The source nickname, used as the destination friendly name.
    pub friendly_name: Option<String>,
    pub source_product: String,
    pub source_status: Option<String>,
    pub source_term_end: Option<NaiveDate>,
    pub retire: Retirement,
    pub double_billing_days: Option<i64>,
    /// `file: Migration!5:5`: the row in the reviewed workbook.
    pub row: String,
    /// Seats the export said the source has.
    pub source_seats: Option<u32>,
    /// The reviewer's answer to "the destination already holds it".
    pub decision: Option<ReviewDecision>,
    /// Where each reviewed value sits, for located problems.
    pub cells: LineCells,
    /// The destination subscription that already serves this row (found
    /// by the live refresh, or adopted by the reviewer): nothing is bought.
    pub at_destination: Option<String>,
}

/// The cells of one line item's row that live checks point at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LineCells {
    pub catalog_item: String,
    pub seats: String,
    pub billing_cycle: String,
    pub term: String,
    pub note: String,
    pub source_seats: String,
    pub status: String,
}

/// A located problem; blocking ones stop push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub blocking: bool,
    /// `file: Migration!T17`.
    pub location: String,
    pub message: String,
    pub source_subscription_id: Option<String>,
}

impl Problem {
    fn from_issue(issue: &Issue, id: Option<&str>) -> Self {
        Problem {
            blocking: issue.severity == Severity::Error,
            location: issue.location.to_string(),
            message: issue.message.clone(),
            source_subscription_id: id.map(str::to_owned),
        }
    }
}

/// Everything for one customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerPlan {
    pub tenant_id: String,
    pub name: String,
    /// Line items in source subscription order.
    pub line_items: Vec<LineItem>,
    pub problems: Vec<Problem>,
    /// Why push will only report this customer as waiting (no reseller
    /// relationship at the destination yet), from the live refresh.
    pub waiting: Option<String>,
}

/// Counts over the whole workbook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub rows: usize,
    pub approved: usize,
    pub line_items: usize,
    pub seats: u64,
    pub carts: usize,
    pub orders: usize,
    pub customers: usize,
    pub blocking: usize,
    pub warnings: usize,
}

/// What push and retire would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub workbook: String,
    pub tool_version: String,
    pub built_at: Option<NaiveDateTime>,
    pub as_of: Option<NaiveDate>,
    /// Customers with line items or problems, by name then tenant ID.
    pub customers: Vec<CustomerPlan>,
    /// Problems that belong to no customer (Meta sheet, rows without key).
    pub workbook_problems: Vec<Problem>,
    pub counts: Counts,
    /// Whether the accounts were read (see [`live`]).
    pub live: LiveCheck,
}

impl Plan {
    /// No blocking problem anywhere.
    pub fn is_clean(&self) -> bool {
        self.counts.blocking == 0
    }

    /// The plan as people read it (see `render`).
    pub fn render_human(&self) -> String {
        render::human(self)
    }

    /// Every problem, workbook-level first.
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.workbook_problems
            .iter()
            .chain(self.customers.iter().flat_map(|c| c.problems.iter()))
    }

    /// Every line item.
    pub fn line_items(&self) -> impl Iterator<Item = &LineItem> {
        self.customers.iter().flat_map(|c| c.line_items.iter())
    }

    /// Line items push still has to buy (not already at the destination).
    pub fn to_buy(&self) -> impl Iterator<Item = &LineItem> {
        self.line_items().filter(|i| i.at_destination.is_none())
    }
}

/// Check every row and gather the approved ones into per-customer line
/// items.
pub fn make_plan(book: &ReviewedBook) -> Plan {
    let mut customers: HashMap<(String, String), CustomerPlan> = HashMap::new();
    let mut counts = Counts {
        rows: book.rows.len(),
        ..Counts::default()
    };
    let approvals = rules::approvals(book);
    for reviewed in &book.rows {
        let row = &reviewed.row;
        // One customer per tenant ID (an edited name does not split it);
        // rows without one are grouped by name.
        let key = if row.tenant_id.is_empty() {
            (String::new(), crate::model::types::fold(&row.customer))
        } else {
            (row.tenant_id.clone(), String::new())
        };
        counts.approved += usize::from(row.approved);
        let (item, problems) = rules::check_row(book, reviewed, &approvals);
        if item.is_none() && problems.is_empty() {
            continue;
        }
        let entry = customers.entry(key).or_insert_with(|| CustomerPlan {
            tenant_id: row.tenant_id.clone(),
            name: row.customer.clone(),
            ..CustomerPlan::default()
        });
        entry.problems.extend(problems);
        entry.line_items.extend(item);
    }
    let mut customers: Vec<CustomerPlan> = customers.into_values().collect();
    customers.sort_by_cached_key(|c| (crate::model::types::fold(&c.name), c.tenant_id.clone()));
    for c in &mut customers {
        c.line_items
            .sort_by(|a, b| a.source_subscription_id.cmp(&b.source_subscription_id));
    }
    let workbook_problems: Vec<Problem> = book
        .problems
        .iter()
        .map(|i| Problem::from_issue(i, None))
        .collect();
    let mut plan = Plan {
        workbook: book.file.clone(),
        tool_version: book.meta.tool_version.clone(),
        built_at: book.meta.built_at,
        as_of: book.meta.as_of,
        customers,
        workbook_problems,
        counts,
        live: LiveCheck::default(),
    };
    tally(&mut plan);
    plan
}

pub(crate) fn tally(plan: &mut Plan) {
    let mut c = std::mem::take(&mut plan.counts);
    c.line_items = plan.line_items().count();
    c.seats = plan.line_items().map(|i| u64::from(i.seats)).sum();
    c.customers = plan
        .customers
        .iter()
        .filter(|p| !p.line_items.is_empty())
        .count();
    // Recounted from scratch: a refresh recounts after adopting rows.
    c.carts = 0;
    c.orders = 0;
    for p in &plan.customers {
        let paths = |want| {
            p.line_items
                .iter()
                .any(|i| i.path == want && i.at_destination.is_none())
        };
        c.carts += usize::from(paths(PurchasePath::Cart));
        c.orders += usize::from(paths(PurchasePath::Order));
    }
    c.blocking = plan.problems().filter(|p| p.blocking).count();
    c.warnings = plan.problems().filter(|p| !p.blocking).count();
    plan.counts = c;
}
