//! The per-customer summaries: every customer in the list plus any tenant
//! only the exports name, with subscription, seat, Azure and issue counts
//! and the activity since the export.

use std::collections::BTreeMap;

use crate::model::decision::Action;
use crate::model::inputs::Inputs;
use crate::model::migration::{CustomerSummary, MigrationRow};
use crate::model::types::{BillingType, fold};

fn empty_summary(name: &str, tenant: &str, domain: Option<&String>) -> CustomerSummary {
    CustomerSummary {
        company_name: name.to_owned(),
        tenant_id: tenant.to_owned(),
        primary_domain: domain.cloned(),
        relationship: None,
        subscriptions: 0,
        seats_to_move: 0,
        azure_subscriptions: 0,
        changes_since_export: None,
        last_activity: None,
        issues: 0,
    }
}

/// One summary per customer: every customer in the list, plus any tenant
/// that only the exports name. Sorted by company name.
pub(super) fn summarize(inputs: &Inputs, rows: &[MigrationRow]) -> Vec<CustomerSummary> {
    let mut by_tenant: BTreeMap<String, CustomerSummary> = BTreeMap::new();
    for c in &inputs.customers {
        by_tenant
            .entry(c.tenant_id.clone())
            .or_insert_with(|| CustomerSummary {
                relationship: c.relationship.clone(),
                ..empty_summary(&c.company_name, &c.tenant_id, c.primary_domain.as_ref())
            });
    }
    for row in rows.iter().filter(|r| !r.tenant_id.is_empty()) {
        let s = by_tenant.entry(row.tenant_id.clone()).or_insert_with(|| {
            empty_summary(&row.customer, &row.tenant_id, row.primary_domain.as_ref())
        });
        s.subscriptions += 1;
        if row.action == Action::Recreate {
            s.seats_to_move += u64::from(row.seats.unwrap_or(0));
        }
        if row.billing_type == BillingType::Usage {
            s.azure_subscriptions += 1;
        }
        if !row.warnings.is_empty() {
            s.issues += 1;
        }
    }
    let activity = &inputs.activity;
    for s in by_tenant.values_mut() {
        if activity.given {
            s.changes_since_export = Some(
                activity
                    .per_customer
                    .get(&s.tenant_id)
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        s.last_activity = activity.last_activity.get(&s.tenant_id).copied();
    }
    let mut out: Vec<CustomerSummary> = by_tenant.into_values().collect();
    out.sort_by_cached_key(|c| (fold(&c.company_name), c.tenant_id.clone()));
    out
}
