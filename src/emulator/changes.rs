//! Changes that leave a trace: the activity-log record every write
//! appends, and applying one subscription change (at once, or when a
//! deferred 202 PATCH comes due).
//!
//! Why a module of its own: the routes make these changes and so does the
//! runtime's deferred-change clock ([`Runtime::apply_due`]); kept here,
//! below both, neither imports the other.
//!
//! [`Runtime::apply_due`]: super::runtime::Runtime::apply_due

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::state::{AuditRecord, KeyValue, Subscription, Tenant};
use super::wire;

/// What to log.
pub struct AuditEntry<'a> {
    pub customer_id: &'a str,
    pub customer_name: &'a str,
    pub resource_type: &'a str,
    pub operation_type: &'a str,
    pub old: Option<&'a Value>,
    pub new: Option<&'a Value>,
    pub customized: Vec<KeyValue>,
    pub correlation_id: &'a str,
    pub when: DateTime<Utc>,
}

/// Append one succeeded record to the tenant's activity log.
pub fn append(tenant: &mut Tenant, e: AuditEntry<'_>) {
    // .NET ticks, as real record ids carry them; plus the index for uniqueness.
    let ticks = e
        .when
        .timestamp_micros()
        .saturating_mul(10)
        .saturating_add(621_355_968_000_000_000);
    let id = format!(
        "{}_{}_{}_{}{}",
        tenant.partner_id,
        e.customer_id,
        e.operation_type.replace('_', ""),
        ticks,
        tenant.audit_records.len()
    );
    tenant.audit_records.push(AuditRecord {
        id,
        partner_id: tenant.partner_id.clone(),
        customer_id: e.customer_id.to_owned(),
        customer_name: e.customer_name.to_owned(),
        user_principal_name: tenant.user_principal_name.clone(),
        application_id: String::new(),
        resource_type: e.resource_type.to_owned(),
        operation_type: e.operation_type.to_owned(),
        original_correlation_id: e.correlation_id.to_owned(),
        operation_date: e.when,
        resource_old_value: e.old.map(wire::pascal_json),
        resource_new_value: e.new.map(wire::pascal_json),
        operation_status: "succeeded".into(),
        customized_data: e.customized,
    });
}

/// Replace the subscription, append the audit record, return its wire form.
/// A change that changes nothing leaves no record (nor does the service's
/// activity log).
pub fn apply_change(
    tenant: &mut Tenant,
    customer_id: &str,
    updated: Subscription,
    correlation_id: &str,
    when: DateTime<Utc>,
) -> Value {
    let Some(customer) = tenant.customer_mut(customer_id) else {
        return Value::Null;
    };
    let customer_name = customer.company_name.clone();
    let Some(slot) = customer.subscription_mut(&updated.id) else {
        return Value::Null;
    };
    let old = wire::subscription(slot, customer_id);
    *slot = updated;
    let new = wire::subscription(slot, customer_id);
    if new == old {
        return new;
    }
    append(
        tenant,
        AuditEntry {
            customer_id,
            customer_name: &customer_name,
            resource_type: "subscription",
            operation_type: "update_subscription",
            old: Some(&old),
            new: Some(&new),
            customized: Vec::new(),
            correlation_id,
            when,
        },
    );
    new
}
