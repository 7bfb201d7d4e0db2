//! Orders: `POST` creates an order and its subscriptions (201; `pending`
//! without subscription ids until provisioned, unless the emulator runs
//! with instant provisioning), `GET` lists or fetches them, and
//! `…/provisioningstatus` tells per line whether its subscription exists.
//! Errors: 403 20002 no relationship, 403 13605 customer agreement not
//! attested, 400 500600 legacy offer (no longer sold, unless the emulator
//! runs with legacy orders on), 400 800071 line item numbers not 0..n-1,
//! 400 800004 unknown offer, 400 800017 seats outside the item's limits,
//! 400 800018 sandbox limits.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::Utc;
use serde_json::Value;

use super::Caller;
use super::purchase::{Ctx, Line, LineError, check_agreement, purchase, sandbox_full, validate};
use super::subscriptions::caller_customer;
use crate::emulator::errors::{ApiError, ApiResult};
use crate::emulator::runtime::App;
use crate::emulator::state::{Tenant, World, is_new_commerce};
use crate::emulator::wire;

/// The customer a write names: 404 if unknown, 403 20002 if the
/// relationship is not accepted.
pub fn buying_customer(t: &Tenant, cid: &str) -> Result<String, ApiError> {
    let c = t
        .customer(cid)
        .ok_or_else(|| ApiError::customer_not_found(cid))?;
    if !c.has_relationship() {
        return Err(ApiError::no_relationship(cid));
    }
    Ok(c.id.clone())
}

fn parse_lines(body: &Value) -> Result<(Vec<Line>, String), ApiError> {
    let items = wire::field(body, "lineItems")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::invalid_input("lineItems is required and cannot be empty"))?;
    let cycle = wire::field_str(body, "billingCycle")
        .unwrap_or("monthly")
        .to_ascii_lowercase();
    let mut lines = Vec::with_capacity(items.len());
    for item in items {
        let text = |k: &str| wire::field_str(item, k).map(str::to_owned);
        lines.push(Line {
            number: wire::field_i64(item, "lineItemNumber").unwrap_or(-1),
            offer_id: text("offerId")
                .ok_or_else(|| ApiError::invalid_input("offerId is required"))?,
            quantity: wire::field_i64(item, "quantity")
                .ok_or_else(|| ApiError::invalid_input("quantity is required"))?,
            billing_cycle: None,
            term_duration: text("termDuration"),
            friendly_name: text("friendlyName"),
            parent_subscription_id: text("parentSubscriptionId"),
            partner_on_record: text("partnerIdOnRecord"),
        });
    }
    let mut numbers: Vec<i64> = lines.iter().map(|l| l.number).collect();
    numbers.sort_unstable();
    if numbers
        .iter()
        .enumerate()
        .any(|(i, n)| i64::try_from(i).ok() != Some(*n))
    {
        return Err(ApiError::bad_request(
            800071,
            "lineItemNumber must run from 0 to n-1 without gaps or repeats.",
        ));
    }
    Ok((lines, cycle))
}

fn line_fault(e: &LineError, offer: &str) -> ApiError {
    let code = match e {
        LineError::UnknownItem => 800004,
        LineError::SandboxSeats => 800018,
        LineError::BadBillingCycle(_) | LineError::BadTerm(_) => 800002,
        LineError::BelowMinimum(_) | LineError::AboveMaximum(_) => 800017,
    };
    ApiError::bad_request(code, e.describe(offer))
}

pub async fn create(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(cid): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body: Value = ApiError::json_body(&body)?;
    let (lines, cycle) = parse_lines(&body)?;
    let now = Utc::now();
    app.with(|rt| {
        let realism = rt.realism;
        let ctx = Ctx {
            now,
            lag_ms: caller.lag_ms,
            correlation_id: &caller.correlation_id,
            provisioned_at: realism.provisioned_at(now),
        };
        let World { catalog, tenants } = &mut rt.world;
        let tenant = tenants
            .iter_mut()
            .find(|t| t.name == caller.tenant)
            .ok_or_else(ApiError::unauthorized)?;
        let customer_id = buying_customer(tenant, &cid)?;
        if !realism.legacy_orders
            && let Some(line) = lines.iter().find(|l| !is_new_commerce(&l.offer_id))
        {
            return Err(ApiError::bad_request(
                500600,
                format!(
                    "{} is a legacy offer: legacy subscriptions can no longer be bought; \
                     buy the new-commerce product instead.",
                    line.offer_id
                ),
            ));
        }
        check_agreement(tenant, &customer_id, realism.require_agreement)?;
        for line in &lines {
            validate(catalog, line, tenant.sandbox).map_err(|e| line_fault(&e, &line.offer_id))?;
        }
        if sandbox_full(tenant, &customer_id, lines.len()) {
            return Err(ApiError::bad_request(
                800018,
                "Sandbox limit exceeded: at most 5 subscriptions per customer.",
            ));
        }
        let order = purchase(tenant, catalog, &customer_id, &lines, &cycle, &ctx)
            .ok_or_else(|| ApiError::customer_not_found(&cid))?;
        let location = format!("/v1/customers/{customer_id}/orders/{}", order.id);
        Ok((
            StatusCode::CREATED,
            [(header::LOCATION, location)],
            Json(wire::order(&order)),
        )
            .into_response())
    })
}

pub async fn list(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(cid): Path<String>,
) -> ApiResult {
    let now = Utc::now();
    app.with(|rt| {
        let customer = caller_customer(rt, &caller, &cid)?;
        let items = customer
            .orders
            .iter()
            .filter(|o| o.visible(now))
            .map(wire::order)
            .collect();
        Ok(Json(wire::collection(
            items,
            &format!("/v1/customers/{}/orders", customer.id),
        ))
        .into_response())
    })
}

pub async fn get_one(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((cid, oid)): Path<(String, String)>,
) -> ApiResult {
    let now = Utc::now();
    app.with(|rt| {
        let customer = caller_customer(rt, &caller, &cid)?;
        customer
            .orders
            .iter()
            .find(|o| o.id.eq_ignore_ascii_case(&oid) && o.visible(now))
            .map(|o| Json(wire::order(o)).into_response())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    800001,
                    format!("Order {oid} was not found."),
                )
            })
    })
}

/// `GET …/orders/{oid}/provisioningstatus`: per line, `fulfilled` with its
/// subscription id, or `pending`.
pub async fn provisioning(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((cid, oid)): Path<(String, String)>,
) -> ApiResult {
    let now = Utc::now();
    app.with(|rt| {
        let customer = caller_customer(rt, &caller, &cid)?;
        let order = customer
            .orders
            .iter()
            .find(|o| o.id.eq_ignore_ascii_case(&oid) && o.visible(now))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    800001,
                    format!("Order {oid} was not found."),
                )
            })?;
        let items = order
            .line_items
            .iter()
            .map(|l| {
                serde_json::json!({
                    "lineItemNumber": l.line_item_number,
                    "status": if l.subscription_id.is_some() { "fulfilled" } else { "pending" },
                    "quantity": l.quantity,
                    "subscriptionId": l.subscription_id,
                    "attributes": {"objectType": "OrderLineItemProvisioningStatus"},
                })
            })
            .collect();
        Ok(Json(wire::collection(
            items,
            &format!(
                "/v1/customers/{}/orders/{}/provisioningstatus",
                customer.id, order.id
            ),
        ))
        .into_response())
    })
}
