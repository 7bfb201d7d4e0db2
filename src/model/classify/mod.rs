//! Decisions: turn attributed source subscriptions into migration rows.
//!
//! For each subscription this decides the billing type (licence or Azure
//! usage), the commerce kind (legacy or new commerce, from the offer ID's
//! shape), the action (Recreate, Microsoft support, Skip with a reason), the
//! target defaults people review, and how the source is retired without
//! paying twice. Pure logic over the model: no I/O, and "today" is a
//! parameter so results are reproducible.
//!
//! Where to look: `offer` says what an offer ID is (shape, billing type,
//! commerce kind); `row` builds one row; `action` picks its action and
//! target defaults; `retire` picks how the source is retired and how
//! many days it bills twice; `summary` totals the rows per customer.
//! This file walks the subscriptions, drops duplicates and sorts the rows.

mod action;
mod offer;
mod retire;
mod row;
mod summary;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::inputs::{Inputs, OfferMap};
use super::issue::Issue;
use super::location::{Location, Place};
use super::migration::{CustomerSummary, MigrationRow};
use super::records::{Customer, SourceSubscription};
use super::types::fold;

pub use offer::{OfferShape, billing_type, commerce, is_guid, offer_shape};
use row::decide;
use summary::summarize;

/// The result of classification.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classified {
    pub rows: Vec<MigrationRow>,
    pub customers: Vec<CustomerSummary>,
    /// Issues found while deciding (duplicates, unknown customers …).
    pub issues: Vec<Issue>,
    /// Where each row came from, in row order (for
    /// issues found after classification).
    pub sources: Vec<Location>,
}

/// Build the migration rows and customer summaries.
///
/// Rows come out sorted by customer, product and subscription ID. A
/// subscription that appears in two inputs is kept once (the first read)
/// and the other occurrence becomes an issue.
pub fn classify(inputs: &mut Inputs, offer_map: &OfferMap, as_of: NaiveDate) -> Classified {
    // The subscriptions are consumed: their text moves into the rows rather
    // than being copied (25,000 rows would otherwise be held twice), and
    // their buffer shrinks as the rows grow (see `next_first`).
    let mut subscriptions = std::mem::take(&mut inputs.subscriptions);
    subscriptions.reverse();
    let inputs: &Inputs = inputs;
    let customers: HashMap<&str, &Customer> = inputs
        .customers
        .iter()
        .map(|c| (c.tenant_id.as_str(), c))
        .collect();
    let row_issues = index_issues_by_row(&inputs.issues);
    let reported_files: HashSet<&str> = inputs
        .issues
        .iter()
        .filter(|i| i.location.place == Place::File)
        .map(|i| &*i.location.file)
        .collect();
    let mut out = Classified::default();
    out.rows.reserve_exact(subscriptions.len());
    out.sources.reserve_exact(subscriptions.len());
    // Lower-case subscription ID → index of its row.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(subscriptions.len());

    while let Some(sub) = next_first(&mut subscriptions) {
        let key = sub.subscription_id.trim().to_ascii_lowercase();
        if let Some(&first) = seen.get(&key) {
            let first = out.rows.get(first).map_or("", |r| r.source.as_str());
            out.issues.push(Issue::warning(
                sub.source,
                format!("subscription {key} was already read from {first}; this copy is ignored"),
            ));
            continue;
        }
        seen.insert(key, out.rows.len());
        out.sources.push(sub.source.clone());
        let messages = row_issues.get(&row_key(&sub.source));
        let file_reported = reported_files.contains(&*sub.source.file);
        let mut row = decide(
            sub,
            &customers,
            inputs,
            offer_map,
            as_of,
            file_reported,
            &mut out.issues,
        );
        if let Some(msgs) = messages {
            row.warnings.extend(msgs.iter().cloned());
        }
        out.rows.push(row);
    }
    drop(seen);
    sort_rows(&mut out.rows, &mut out.sources);
    out.customers = summarize(inputs, &out.rows);
    out
}

/// The next subscription of a reversed list. The list's buffer is halved
/// whenever it is half empty, so the subscriptions already turned into
/// rows stop holding memory while the rows grow.
fn next_first(reversed: &mut Vec<SourceSubscription>) -> Option<SourceSubscription> {
    let sub = reversed.pop();
    if reversed.capacity() > 1024 && reversed.len() < reversed.capacity() / 2 {
        reversed.shrink_to_fit();
    }
    sub
}

/// Sort rows (and their sources alike) by customer, tenant, product and
/// subscription ID. Only the folded customer name is computed ahead; the
/// rest compare in place, and the order is applied by swapping.
fn sort_rows(rows: &mut [MigrationRow], sources: &mut [Location]) {
    let customer: Vec<String> = rows.iter().map(|r| fold(&r.customer)).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&rows[a], &rows[b]);
        customer[a]
            .cmp(&customer[b])
            .then_with(|| ra.tenant_id.cmp(&rb.tenant_id))
            .then_with(|| ra.product.cmp(&rb.product))
            .then_with(|| ra.source_subscription_id.cmp(&rb.source_subscription_id))
    });
    drop(customer);
    // Position i takes the element at order[i]: follow each cycle once.
    for i in 0..order.len() {
        let mut j = i;
        loop {
            let k = order[j];
            order[j] = j;
            if k == i || k == j {
                break;
            }
            rows.swap(j, k);
            if k < sources.len() && j < sources.len() {
                sources.swap(j, k);
            }
            j = k;
        }
    }
}

/// The (file, row) a location points into, for matching issues to rows.
fn row_key(loc: &Location) -> (String, u64) {
    let row = match &loc.place {
        Place::Cell { row, .. } | Place::Row { row, .. } => u64::from(*row),
        Place::Line(line) | Place::Field { line, .. } => *line,
        Place::File => 0,
    };
    (loc.file.to_string(), row)
}

fn index_issues_by_row(issues: &[Issue]) -> HashMap<(String, u64), Vec<String>> {
    let mut map: HashMap<(String, u64), Vec<String>> = HashMap::new();
    for issue in issues {
        if issue.location.place != Place::File {
            map.entry(row_key(&issue.location))
                .or_default()
                .push(issue.message.clone());
        }
    }
    map
}
