//! Buying, shared by orders and cart checkout: validate line items against
//! the catalog and the sandbox limits, check the customer's agreement, then
//! create the order, one subscription per line item and the `create_order`
//! audit record with its documented `customizedData`. With a provisioning
//! delay (the realistic default) the order is `pending`, its subscriptions
//! `pending` and its lines without subscription ids until
//! [`crate::emulator::realism::provision_due`] finishes them.

use chrono::{DateTime, Duration, Months, Utc};

use axum::http::StatusCode;

use crate::emulator::changes::{AuditEntry, append};
use crate::emulator::errors::ApiError;
use crate::emulator::state::{
    CatalogItem, KeyValue, Order, OrderLineItem, Subscription, Tenant, is_new_commerce,
};
use crate::emulator::wire;

/// One requested line item, from an order or a cart.
#[derive(Debug, Clone)]
pub struct Line {
    pub number: i64,
    pub offer_id: String,
    pub quantity: i64,
    pub billing_cycle: Option<String>,
    pub term_duration: Option<String>,
    pub friendly_name: Option<String>,
    pub parent_subscription_id: Option<String>,
    pub partner_on_record: Option<String>,
}

/// Why a line item cannot be bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    UnknownItem,
    BelowMinimum(i64),
    AboveMaximum(i64),
    BadBillingCycle(String),
    BadTerm(String),
    SandboxSeats,
}

impl LineError {
    pub fn describe(&self, offer: &str) -> String {
        match self {
            LineError::UnknownItem => {
                format!("Catalog item {offer} was not found or is not purchasable.")
            }
            LineError::BelowMinimum(n) => format!("{offer}: at least {n} seats are required."),
            LineError::AboveMaximum(n) => format!("{offer}: at most {n} seats can be bought."),
            LineError::BadBillingCycle(c) => {
                format!("{offer}: billing cycle `{c}` is not offered.")
            }
            LineError::BadTerm(t) => format!("{offer}: term `{t}` is not offered."),
            LineError::SandboxSeats => {
                "Sandbox limit exceeded: at most 25 licenses per subscription.".into()
            }
        }
    }
}

/// Check one line item against the catalog.
pub fn validate<'a>(
    catalog: &'a [CatalogItem],
    line: &Line,
    sandbox: bool,
) -> Result<&'a CatalogItem, LineError> {
    let item = catalog
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(line.offer_id.trim()))
        .ok_or(LineError::UnknownItem)?;
    if line.quantity < item.min_quantity {
        return Err(LineError::BelowMinimum(item.min_quantity));
    }
    if line.quantity > item.max_quantity {
        return Err(LineError::AboveMaximum(item.max_quantity));
    }
    if let Some(c) = &line.billing_cycle
        && !item.billing_cycles.is_empty()
        && !item
            .billing_cycles
            .iter()
            .any(|x| x.eq_ignore_ascii_case(c))
    {
        return Err(LineError::BadBillingCycle(c.clone()));
    }
    if let Some(t) = &line.term_duration
        && !item.terms.is_empty()
        && !item.terms.iter().any(|x| x.eq_ignore_ascii_case(t))
    {
        return Err(LineError::BadTerm(t.clone()));
    }
    if sandbox && line.quantity > 25 {
        return Err(LineError::SandboxSeats);
    }
    Ok(item)
}

/// Whether buying `adding` more subscriptions breaks the sandbox's five.
pub fn sandbox_full(tenant: &Tenant, customer_id: &str, adding: usize) -> bool {
    tenant.sandbox
        && tenant.customer(customer_id).is_some_and(|c| {
            let live = c
                .subscriptions
                .iter()
                .filter(|s| s.status != "deleted")
                .count();
            live.saturating_add(adding) > 5
        })
}

/// 403 13605 when purchases need an attested Microsoft Customer Agreement
/// and `customer_id` has none.
pub fn check_agreement(tenant: &Tenant, customer_id: &str, required: bool) -> Result<(), ApiError> {
    if !required
        || tenant
            .customer(customer_id)
            .is_some_and(|c| c.has_customer_agreement())
    {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        13605,
        format!(
            "The partner has not attested the customer's acceptance of the Microsoft Customer \
             Agreement for customer {customer_id}."
        ),
    ))
}

/// Context of a purchase.
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    pub lag_ms: u64,
    pub correlation_id: &'a str,
    /// When the order finishes provisioning (`None`: at once).
    pub provisioned_at: Option<DateTime<Utc>>,
}

/// Create the order and its subscriptions (lines already validated).
pub fn purchase(
    tenant: &mut Tenant,
    catalog: &[CatalogItem],
    customer_id: &str,
    lines: &[Line],
    cycle: &str,
    ctx: &Ctx<'_>,
) -> Option<Order> {
    let now = ctx.now;
    let visible_from = (ctx.lag_ms > 0).then(|| {
        now + Duration::try_milliseconds(i64::try_from(ctx.lag_ms).unwrap_or(i64::MAX))
            .unwrap_or(Duration::zero())
    });
    let order_id: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .to_uppercase()
        .chars()
        .take(24)
        .collect();
    let partner_id = tenant.partner_id.clone();
    let customer = tenant.customer_mut(customer_id)?;
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        let item = catalog
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(line.offer_id.trim()));
        let name = item.map_or_else(|| line.offer_id.clone(), |c| c.name.clone());
        let mut sub = new_subscription(
            line,
            &name,
            cycle,
            &order_id,
            &partner_id,
            now,
            visible_from,
        );
        if let Some(item) = item.filter(|i| !i.billing_type.eq_ignore_ascii_case("license")) {
            sub.billing_type = item.billing_type.to_ascii_lowercase();
            sub.unit_type = "none".into();
        }
        let pending = ctx.provisioned_at.is_some();
        if pending {
            sub.status = "pending".into();
        }
        items.push(OrderLineItem {
            line_item_number: line.number,
            offer_id: sub.offer_id.clone(),
            quantity: line.quantity,
            subscription_id: (!pending).then(|| sub.id.clone()),
            pending_subscription_id: pending.then(|| sub.id.clone()),
            parent_subscription_id: line.parent_subscription_id.clone(),
            friendly_name: Some(sub.friendly_name.clone()),
            term_duration: sub.term_duration.clone(),
            partner_id_on_record: line.partner_on_record.clone(),
            transaction_type: "New".into(),
        });
        customer.subscriptions.push(sub);
    }
    let order = Order {
        id: order_id,
        reference_customer_id: customer.id.clone(),
        billing_cycle: cycle.to_owned(),
        line_items: items,
        creation_date: now,
        status: if ctx.provisioned_at.is_some() {
            "pending"
        } else {
            "completed"
        }
        .into(),
        transaction_type: "UserPurchase".into(),
        currency_code: "USD".into(),
        visible_from,
        provisioned_at: ctx.provisioned_at,
    };
    customer.orders.push(order.clone());
    let customer_name = customer.company_name.clone();
    let customer_id = customer.id.clone();
    if let Some(at) = ctx.provisioned_at {
        tenant.next_provisioning = Some(tenant.next_provisioning.map_or(at, |n| n.min(at)));
    }
    let new = wire::order(&order);
    append(
        tenant,
        AuditEntry {
            customer_id: &customer_id,
            customer_name: &customer_name,
            resource_type: "order",
            operation_type: "create_order",
            old: None,
            new: Some(&new),
            customized: customized(&order),
            correlation_id: ctx.correlation_id,
            when: now,
        },
    );
    Some(order)
}

fn customized(order: &Order) -> Vec<KeyValue> {
    let kv = |key: String, value: String| KeyValue { key, value };
    let mut data = vec![
        kv("OrderId".into(), order.id.clone()),
        kv("AlternateId".into(), order.id.clone()),
        kv("BillingCycle".into(), order.billing_cycle.clone()),
    ];
    for (i, line) in order.line_items.iter().enumerate() {
        data.push(kv(format!("OfferId-{i}"), line.offer_id.clone()));
        data.push(kv(
            format!("SubscriptionId-{i}"),
            line.subscription_id
                .clone()
                .or_else(|| line.pending_subscription_id.clone())
                .unwrap_or_default(),
        ));
        data.push(kv(
            format!("SubscriptionName-{i}"),
            line.friendly_name.clone().unwrap_or_default(),
        ));
        data.push(kv(format!("Quantity-{i}"), line.quantity.to_string()));
        data.push(kv(
            format!("PartnerOnRecord-{i}"),
            line.partner_id_on_record.clone().unwrap_or_default(),
        ));
    }
    data
}

fn new_subscription(
    line: &Line,
    offer_name: &str,
    cycle: &str,
    order_id: &str,
    partner_id: &str,
    now: DateTime<Utc>,
    visible_from: Option<DateTime<Utc>>,
) -> Subscription {
    let nce = is_new_commerce(&line.offer_id);
    let term = line
        .term_duration
        .clone()
        .or_else(|| nce.then(|| "P1Y".to_owned()));
    let months = match term.as_deref() {
        Some("P1M") => 1,
        Some("P3Y") => 36,
        _ => 12,
    };
    Subscription {
        id: uuid::Uuid::new_v4().to_string(),
        offer_id: line.offer_id.trim().to_owned(),
        offer_name: offer_name.to_owned(),
        friendly_name: line
            .friendly_name
            .clone()
            .unwrap_or_else(|| offer_name.to_owned()),
        quantity: line.quantity,
        unit_type: "Licenses".into(),
        creation_date: now,
        effective_start_date: now,
        commitment_end_date: now.checked_add_months(Months::new(months)).unwrap_or(now),
        cancellation_allowed_until_date: nce.then(|| now + Duration::days(7)),
        billing_cycle_end_date: now.checked_add_months(Months::new(1)),
        status: "active".into(),
        auto_renew_enabled: true,
        is_trial: false,
        billing_type: "license".into(),
        billing_cycle: cycle.to_owned(),
        term_duration: term,
        parent_subscription_id: line.parent_subscription_id.clone(),
        order_id: Some(order_id.to_owned()),
        partner_id: Some(partner_id.to_owned()),
        suspension_reasons: Vec::new(),
        etag: 1,
        visible_from,
    }
}
