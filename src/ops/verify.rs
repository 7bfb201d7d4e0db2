//! `verify`, library side: what every approved row should look like (from
//! the plan and the journal), and the reconciliation table.

use std::collections::BTreeMap;

use crate::plan::Plan;
use crate::push::journal::RowOutcome;
use crate::push::verify::{Reconciled, VerifyItem, VerifyRow};
use crate::sheet::report::{ReportCell, ReportTable};

/// What the plan and the journal say every approved row should look like.
pub fn verify_items(plan: &Plan, pushed: &[RowOutcome], retired: &[RowOutcome]) -> Vec<VerifyItem> {
    let by = |rows: &[RowOutcome]| -> BTreeMap<String, RowOutcome> {
        rows.iter()
            .map(|r| (r.source_subscription_id.clone(), r.clone()))
            .collect()
    };
    let (pushed, retired) = (by(pushed), by(retired));
    plan.line_items()
        .map(|item| VerifyItem {
            customer_id: item.customer_tenant_id.clone(),
            customer_name: item.customer_name.clone(),
            source_subscription_id: item.source_subscription_id.clone(),
            catalog_item: item.catalog_item.clone(),
            target_seats: item.seats,
            destination_subscription_id: pushed
                .get(&item.source_subscription_id)
                .and_then(|o| o.destination_subscription_id.clone()),
            destination_order_id: pushed
                .get(&item.source_subscription_id)
                .and_then(|o| o.destination_order_id.clone()),
            pushed_as: pushed.get(&item.source_subscription_id).map(|o| o.outcome),
            retired_as: retired
                .get(&item.source_subscription_id)
                .map(|o| o.outcome)
                .filter(|o| o.is_retired()),
        })
        .collect()
}

/// The rows that do not reconcile.
pub fn mismatches(rows: &[VerifyRow]) -> impl Iterator<Item = &VerifyRow> {
    rows.iter().filter(|r| r.result == Reconciled::Mismatch)
}

/// Rows per result, as the console and the workbook both state them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub rows: usize,
    pub ok: usize,
    pub not_yet: usize,
    pub mismatches: usize,
}

/// Count the reconciliation once, for every report of it.
pub fn tally(rows: &[VerifyRow]) -> Tally {
    let n = |r: Reconciled| rows.iter().filter(|x| x.result == r).count();
    Tally {
        rows: rows.len(),
        ok: n(Reconciled::Ok),
        not_yet: n(Reconciled::NotYet),
        mismatches: n(Reconciled::Mismatch),
    }
}

/// `19 row(s): 16 OK, 3 not bought yet (waiting or failed), 0 mismatch(es)`.
pub fn tally_text(t: &Tally) -> String {
    format!(
        "{} row(s): {} OK, {} not bought yet (waiting or failed at push), {} mismatch(es)",
        t.rows, t.ok, t.not_yet, t.mismatches
    )
}

/// One row per approved line item.
pub fn table(rows: &[VerifyRow]) -> ReportTable {
    let headers = [
        "Customer",
        "Customer tenant ID",
        "Source subscription ID",
        "Expected seats",
        "Destination subscription ID",
        "Destination seats",
        "Destination status",
        "Active copies",
        "Source seats",
        "Source status",
        "Source auto-renew",
        "Expected source",
        "Result",
        "Problems",
    ];
    ReportTable::new(
        "Reconciliation",
        &headers,
        rows.iter()
            .map(|r| {
                vec![
                    ReportCell::from(r.customer.as_str()),
                    ReportCell::from(r.customer_tenant_id.as_str()),
                    ReportCell::from(r.source_subscription_id.as_str()),
                    ReportCell::from(r.expected_seats),
                    ReportCell::from(r.destination_subscription_id.as_str()),
                    ReportCell::from(r.destination_seats),
                    ReportCell::from(r.destination_status.as_str()),
                    ReportCell::from(u32::try_from(r.destination_copies).unwrap_or(u32::MAX)),
                    ReportCell::from(r.source_seats),
                    ReportCell::from(r.source_status.as_str()),
                    ReportCell::from(
                        r.source_auto_renew
                            .map(|b| if b { "yes" } else { "no" }.to_owned()),
                    ),
                    ReportCell::from(r.expected_source.as_str()),
                    ReportCell::from(r.result.label()),
                    ReportCell::from(r.problems.join("; ")),
                ]
            })
            .collect(),
    )
}
