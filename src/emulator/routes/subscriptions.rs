//! Subscriptions: list (optionally `?order_id=`), get one, and PATCH with
//! the full subscription body (suspend, reactivate, seats, cancel,
//! auto-renew, nickname) under the documented rules and error codes:
//! 20003 not found, 2011 deleted, 2054 billing cycle change, 2001 seats
//! while suspended, 2002 seats outside min/max, 800040 transition not
//! allowed (e.g. an NCE cancel outside `cancellationAllowedUntilDate`),
//! 800081 a previous change still applying, 2055/412 stale `If-Match`.
//! The `patch202` fault answers 202 + `Location` and applies the change
//! later; every applied change appends an `update_subscription` record.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::Caller;
use crate::emulator::changes::apply_change;
use crate::emulator::errors::{ApiError, ApiResult};
use crate::emulator::runtime::{App, Runtime};
use crate::emulator::state::{CatalogItem, Customer, Deferred, Subscription, Tenant, World};
use crate::emulator::wire;

/// The customer a route names, in the caller's tenant, for reads: 401
/// without a tenant, 404 if not visible.
pub fn caller_customer<'a>(
    rt: &'a Runtime,
    caller: &Caller,
    cid: &str,
) -> Result<&'a Customer, ApiError> {
    let tenant = rt
        .tenant(&caller.tenant)
        .ok_or_else(ApiError::unauthorized)?;
    visible_customer(tenant, cid)
}

/// The customer a route names, for reads: 404 if not visible.
pub fn visible_customer<'a>(t: &'a Tenant, cid: &str) -> Result<&'a Customer, ApiError> {
    t.customer(cid)
        .filter(|c| c.has_relationship())
        .ok_or_else(|| ApiError::customer_not_found(cid))
}

fn sub_not_found(sid: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        20003,
        format!("Subscription {sid} was not found."),
    )
}

pub async fn list(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(cid): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let now = Utc::now();
    let order = q.get("order_id").map(|s| s.trim().to_owned());
    app.with(|rt| {
        let customer = caller_customer(rt, &caller, &cid)?;
        let items = customer
            .subscriptions
            .iter()
            .filter(|s| s.visible(now))
            .filter(|s| {
                order.as_deref().is_none_or(|o| {
                    s.order_id
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(o))
                })
            })
            .map(|s| wire::subscription(s, &customer.id))
            .collect();
        let uri = format!("/v1/customers/{}/subscriptions", customer.id);
        Ok(Json(wire::collection(items, &uri)).into_response())
    })
}

pub async fn get_one(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((cid, sid)): Path<(String, String)>,
) -> ApiResult {
    let now = Utc::now();
    app.with(|rt| {
        let customer = caller_customer(rt, &caller, &cid)?;
        customer
            .subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(&sid) && s.visible(now))
            .map(|s| Json(wire::subscription(s, &customer.id)).into_response())
            .ok_or_else(|| sub_not_found(&sid))
    })
}

pub async fn patch(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((cid, sid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let body: Value = ApiError::json_body(&body)?;
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim_matches('"').to_owned());
    let now = Utc::now();
    app.with(|rt| {
        let (customer_id, updated) = plan(
            &rt.world,
            &caller.tenant,
            &cid,
            &sid,
            &body,
            if_match.as_deref(),
            now,
        )?;
        let tenant = rt
            .tenant_mut(&caller.tenant)
            .ok_or_else(ApiError::unauthorized)?;
        if caller.accept_202 {
            let delay = i64::try_from(caller.patch_delay_ms).unwrap_or(i64::MAX);
            let location = format!("/customers/{customer_id}/subscriptions/{}", updated.id);
            tenant.deferred.push(Deferred {
                due: now + Duration::try_milliseconds(delay).unwrap_or(Duration::zero()),
                customer_id,
                correlation_id: caller.correlation_id.clone(),
                subscription: updated,
            });
            rt.counters_for(&caller.tenant).accepted_202 += 1;
            return Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)]).into_response());
        }
        let wire = apply_change(tenant, &customer_id, updated, &caller.correlation_id, now);
        Ok(Json(wire).into_response())
    })
}

/// Find the subscription and validate the change: (customer id, new value).
fn plan(
    world: &World,
    tenant: &str,
    cid: &str,
    sid: &str,
    body: &Value,
    if_match: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(String, Subscription), ApiError> {
    let tenant = world
        .tenants
        .iter()
        .find(|t| t.name == tenant)
        .ok_or_else(ApiError::unauthorized)?;
    let customer = visible_customer(tenant, cid)?;
    let current = customer
        .subscriptions
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(sid) && s.visible(now))
        .ok_or_else(|| sub_not_found(sid))?;
    if tenant
        .deferred
        .iter()
        .any(|d| d.subscription.id == current.id)
    {
        return Err(ApiError::bad_request(
            800081,
            "The subscription is not ready: a previous change is still being applied.",
        ));
    }
    if let Some(tag) = if_match
        && tag != "*"
        && tag != current.etag.to_string()
    {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            2055,
            "The ETag does not match the current subscription.",
        ));
    }
    let item = world
        .catalog
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(&current.offer_id));
    let updated = change(current, body, item, tenant.sandbox, now)?;
    Ok((customer.id.clone(), updated))
}

/// Validate a PATCH body against the current subscription.
fn change(
    current: &Subscription,
    body: &Value,
    item: Option<&CatalogItem>,
    sandbox: bool,
    now: DateTime<Utc>,
) -> Result<Subscription, ApiError> {
    let old_status = current.status.to_ascii_lowercase();
    if old_status == "deleted" {
        return Err(ApiError::bad_request(
            2011,
            "The subscription is deleted and cannot be changed.",
        ));
    }
    if let Some(cycle) = wire::field_str(body, "billingCycle")
        && !cycle.eq_ignore_ascii_case(&current.billing_cycle)
    {
        return Err(ApiError::bad_request(
            2054,
            "The billing cycle cannot be changed with this request.",
        ));
    }
    let mut next = current.clone();
    if let Some(status) = wire::field_str(body, "status") {
        next.status = status.to_ascii_lowercase();
    }
    if let Some(q) = wire::field(body, "quantity") {
        next.quantity = wire::field_i64(body, "quantity").ok_or_else(|| {
            ApiError::invalid_input(format!("quantity {q} is not a whole number"))
        })?;
    }
    if let Some(flag) = wire::field(body, "autoRenewEnabled").and_then(Value::as_bool) {
        next.auto_renew_enabled = flag;
    }
    if let Some(name) = wire::field_str(body, "friendlyName") {
        next.friendly_name = name.to_owned();
    }
    let changed = next.status != old_status
        || next.quantity != current.quantity
        || next.auto_renew_enabled != current.auto_renew_enabled
        || next.friendly_name != current.friendly_name;
    if changed && !matches!(old_status.as_str(), "active" | "suspended") {
        return Err(transition(&format!(
            "A subscription in status `{}` cannot be changed.",
            current.status
        )));
    }
    check_status(current, &next, now)?;
    check_quantity(current, &next, item, sandbox, now)?;
    if next.status != old_status && next.status != "active" && next.is_new_commerce() {
        next.auto_renew_enabled = false;
    }
    if next.status == "suspended" && old_status != "suspended" {
        next.suspension_reasons = vec!["PartnerInitiated".into()];
    } else if next.status == "active" {
        next.suspension_reasons.clear();
    }
    if changed {
        next.etag = current.etag.saturating_add(1);
    }
    Ok(next)
}

fn transition(message: &str) -> ApiError {
    ApiError::bad_request(800040, message)
}

fn check_status(
    current: &Subscription,
    next: &Subscription,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let from = current.status.to_ascii_lowercase();
    match (from.as_str(), next.status.as_str()) {
        (a, b) if a == b => Ok(()),
        ("active", "suspended") | ("suspended", "active") => Ok(()),
        (_, "deleted") if current.is_new_commerce() => {
            match current.cancellation_allowed_until_date {
                Some(until) if now <= until => Ok(()),
                Some(until) => Err(transition(&format!(
                    "The subscription can no longer be cancelled: the cancellation window ended {}.",
                    until.to_rfc3339()
                ))),
                None => Err(transition("This subscription cannot be cancelled.")),
            }
        }
        (_, "deleted") => Err(transition(
            "Legacy subscriptions cannot be cancelled; suspend them instead.",
        )),
        (a, b) => Err(transition(&format!(
            "The status cannot change from `{a}` to `{b}`."
        ))),
    }
}

fn check_quantity(
    current: &Subscription,
    next: &Subscription,
    item: Option<&CatalogItem>,
    sandbox: bool,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if next.quantity == current.quantity {
        return Ok(());
    }
    if current.status.eq_ignore_ascii_case("suspended") || next.status == "suspended" {
        return Err(ApiError::bad_request(
            2001,
            "The quantity of a suspended subscription cannot be changed.",
        ));
    }
    let (min, max) = item.map_or((1, 10_000), |i| (i.min_quantity, i.max_quantity));
    if next.quantity < min || next.quantity > max {
        return Err(ApiError::bad_request(
            2002,
            format!("The quantity must be between {min} and {max}."),
        ));
    }
    if sandbox && next.quantity > 25 {
        return Err(ApiError::bad_request(
            800018,
            "Sandbox limit exceeded: at most 25 licenses per subscription.",
        ));
    }
    let window_over = current
        .cancellation_allowed_until_date
        .is_none_or(|until| now > until);
    if next.quantity < current.quantity && current.is_new_commerce() && window_over {
        return Err(transition(
            "Seats of a new-commerce subscription can only be reduced inside the cancellation window.",
        ));
    }
    Ok(())
}
