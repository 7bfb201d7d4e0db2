//! `retire`, library side: which rows to retire and how (from the plan and
//! what push recorded), and the results table.

use std::collections::BTreeMap;

use crate::model::Retirement;
use crate::plan::Plan;
use crate::push::journal::RowOutcome;
use crate::push::retire::RetireItem;
use crate::sheet::report::{ReportCell, ReportTable};

/// Every planned row with a retirement, with how the plan said to retire
/// it. Rows push has not bought (yet) are included with the reason, so
/// retire reports them as waiting instead of passing over them.
pub fn retire_items(plan: &Plan, pushed: &[RowOutcome]) -> Vec<RetireItem> {
    let by_row: BTreeMap<&str, &RowOutcome> = pushed
        .iter()
        .map(|o| (o.source_subscription_id.as_str(), o))
        .collect();
    plan.line_items()
        .filter(|item| item.retire != Retirement::None)
        .map(|item| {
            let pushed = by_row.get(item.source_subscription_id.as_str());
            let not_ready = match pushed {
                Some(o) if o.outcome.has_copy() => None,
                Some(o) => Some(format!(
                    "its copy is not bought yet (push: {}{})",
                    o.outcome.label(),
                    o.error_message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                )),
                None => Some("its copy is not bought yet (push has not sent it)".to_owned()),
            };
            RetireItem {
                customer_id: item.customer_tenant_id.clone(),
                source_subscription_id: item.source_subscription_id.clone(),
                destination_subscription_id: pushed
                    .and_then(|o| o.destination_subscription_id.clone()),
                not_ready,
                method: item.retire,
            }
        })
        .collect()
}

/// A retire outcome people need to see: anything not retired, and
/// retirements that carry a warning or double billing.
pub fn needs_attention(row: &RowOutcome) -> bool {
    !row.outcome.is_retired()
        || row
            .error_message
            .as_deref()
            .is_some_and(|m| m.starts_with("WARNING") || m.contains("double billing"))
}

/// One row per retire outcome.
pub fn table(rows: &[RowOutcome]) -> ReportTable {
    let headers = [
        "Source subscription ID",
        "Destination subscription ID",
        "Outcome",
        "Error code",
        "Note",
        "Time (UTC)",
    ];
    ReportTable::new(
        "Retire results",
        &headers,
        rows.iter()
            .map(|r| {
                vec![
                    ReportCell::from(r.source_subscription_id.as_str()),
                    ReportCell::from(r.destination_subscription_id.clone()),
                    ReportCell::from(r.outcome.label()),
                    ReportCell::from(r.error_code.clone()),
                    ReportCell::from(r.error_message.clone()),
                    ReportCell::from(r.at.as_str()),
                ]
            })
            .collect(),
    )
}
