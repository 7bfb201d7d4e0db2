//! One migration row from one source subscription: the customer it
//! belongs to, the copied fields, the changes made since the export, and
//! the warnings people read when reviewing (including the double-billing
//! ones for the retirement [`super::retire`] chose).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::action::{action_for, fill_targets};
use super::offer::{billing_type, commerce};
use super::retire::retirement_for;
use crate::model::decision::{Action, Retirement};
use crate::model::inputs::{Inputs, OfferMap};
use crate::model::issue::Issue;
use crate::model::migration::MigrationRow;
use crate::model::records::{Customer, SourceSubscription};

/// Decide one row.
pub(super) fn decide(
    sub: SourceSubscription,
    customers: &HashMap<&str, &Customer>,
    inputs: &Inputs,
    offer_map: &OfferMap,
    as_of: NaiveDate,
    file_reported: bool,
    issues: &mut Vec<Issue>,
) -> MigrationRow {
    let tenant = sub
        .customer_tenant_id
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let customer = customers.get(tenant.as_str()).copied();
    let mut warnings = Vec::new();
    if !tenant.is_empty() && customer.is_none() && !inputs.customers.is_empty() {
        warnings.push(format!("customer {tenant} is not in the customer list"));
    }
    let billing_type = billing_type(&sub);
    let commerce = commerce(&sub);
    let action = action_for(&sub, &tenant, billing_type, &mut warnings);
    let retire = (action == Action::Recreate).then(|| retirement_for(&sub, commerce, as_of));
    let source = sub.source.to_string();

    let mut row = MigrationRow {
        customer: customer
            .map(|c| c.company_name.clone())
            .or(sub.customer_name)
            .unwrap_or_default(),
        tenant_id: tenant.clone(),
        primary_domain: customer.and_then(|c| c.primary_domain.clone()),
        source_subscription_id: sub.subscription_id.trim().to_ascii_lowercase(),
        product: sub.product,
        source_offer_id: sub.offer_id,
        nickname: sub.nickname,
        status: sub.status,
        seats: sub.quantity,
        billing_type,
        commerce,
        billing_cycle: sub.billing_cycle,
        term: sub.term,
        term_end: sub.term_end,
        auto_renew: sub.auto_renew,
        reseller: sub.reseller,
        changes_since_export: None,
        action,
        target_catalog_item: None,
        target_seats: None,
        target_billing_cycle: None,
        target_term: None,
        approved: false,
        reviewer_note: String::new(),
        retirement: Retirement::None,
        double_billing_days: None,
        warnings,
        source,
        extras: sub.extras,
    };

    if inputs.activity.given {
        let changes = inputs
            .activity
            .per_subscription
            .get(&row.source_subscription_id)
            .or_else(|| inputs.activity.per_customer.get(&tenant))
            .cloned()
            .unwrap_or_default();
        if let Some((when, what)) = &changes.last {
            row.warnings.push(format!(
                "changed since the export ({} action(s), last \"{what}\" at {}): seats may be stale",
                changes.count,
                when.format("%Y-%m-%d %H:%M")
            ));
        }
        row.changes_since_export = Some(changes);
    }

    if let Some((retirement, days)) = retire {
        fill_targets(&mut row, sub.target_offer_id.as_deref(), offer_map);
        match (&retirement, days) {
            (Retirement::DecideAtRetire, _) => row.warnings.push(
                "commerce unknown (no offer ID): retire will read the live subscription to decide".into(),
            ),
            (Retirement::StopAutoRenew { term_ends: None }, _) => row.warnings.push(
                "new commerce past its cancellation window and term end unknown: double billing until the term ends".into(),
            ),
            (Retirement::StopAutoRenew { term_ends: Some(d) }, Some(n)) if n > 0 => row.warnings.push(format!(
                "new commerce past its cancellation window: the source keeps billing {n} day(s), until {d}"
            )),
            _ => {}
        }
        row.retirement = retirement;
        row.double_billing_days = days;
    }
    if row.tenant_id.is_empty() && !file_reported {
        issues.push(Issue::error(
            sub.source.clone(),
            "no customer for this subscription: add a customer column, name the file after the customer, or pass --customers",
        ));
    }
    row
}
