//! Carts and checkout (new-commerce purchases). Creating a cart validates
//! each line item and records a per-item `error` (10001 unknown item,
//! 500600 legacy offer, 10015/10018 seats, 10010 bad input) instead of
//! failing the cart; valid items with the same billing cycle and term
//! share an order group. Checkout turns each group into one order, or one
//! `orderErrors` entry (partial success, 201 either way); sandbox limits
//! answer 10009 here. A cart is checked out once: again → 400 800065. A
//! cart lives for the emulator's cart TTL (7 days by default): checking
//! out an expired cart answers 404 800008 like an unknown one. Checkout
//! needs the customer's attested agreement when the emulator requires it
//! (403 13605).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::Utc;
use serde_json::{Value, json};

use super::Caller;
use super::orders::buying_customer;
use super::purchase::{Ctx, Line, LineError, check_agreement, purchase, sandbox_full, validate};
use crate::emulator::errors::{ApiError, ApiResult};
use crate::emulator::runtime::App;
use crate::emulator::state::{
    Cart, CartLineError, CartLineItem, CatalogItem, World, is_new_commerce,
};
use crate::emulator::wire;

fn cart_not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        800008,
        format!("Cart {id} was not found."),
    )
}

fn line_of(item: &CartLineItem) -> Line {
    Line {
        number: item.id,
        offer_id: item.catalog_item_id.clone(),
        quantity: item.quantity,
        billing_cycle: Some(item.billing_cycle.clone()),
        term_duration: item.term_duration.clone(),
        friendly_name: item.friendly_name.clone(),
        parent_subscription_id: None,
        partner_on_record: None,
    }
}

fn cart_error(catalog: &[CatalogItem], line: &Line, sandbox: bool) -> Option<CartLineError> {
    if !is_new_commerce(&line.offer_id)
        && catalog
            .iter()
            .any(|c| c.id.eq_ignore_ascii_case(&line.offer_id))
    {
        return Some(CartLineError {
            error_code: 500600,
            error_description: format!(
                "{} is a legacy offer and cannot be bought through a cart.",
                line.offer_id
            ),
        });
    }
    let e = validate(catalog, line, sandbox).err()?;
    let code = match e {
        LineError::UnknownItem => 10001,
        LineError::AboveMaximum(_) => 10015,
        LineError::BelowMinimum(_) => 10018,
        LineError::BadBillingCycle(_) | LineError::BadTerm(_) => 10010,
        LineError::SandboxSeats => 10009,
    };
    Some(CartLineError {
        error_code: code,
        error_description: e.describe(&line.offer_id),
    })
}

fn parse_items(body: &Value) -> Result<Vec<CartLineItem>, ApiError> {
    let items = wire::field(body, "lineItems")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::invalid_input("lineItems is required and cannot be empty"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let text = |k: &str| wire::field_str(item, k).map(str::to_owned);
            Ok(CartLineItem {
                id: wire::field_i64(item, "id").unwrap_or(i64::try_from(i).unwrap_or(0)),
                catalog_item_id: text("catalogItemId")
                    .ok_or_else(|| ApiError::invalid_input("catalogItemId is required"))?,
                quantity: wire::field_i64(item, "quantity")
                    .ok_or_else(|| ApiError::invalid_input("quantity is required"))?,
                billing_cycle: text("billingCycle")
                    .unwrap_or_else(|| "monthly".into())
                    .to_ascii_lowercase(),
                term_duration: text("termDuration"),
                friendly_name: text("friendlyName"),
                order_group: String::new(),
                error: None,
            })
        })
        .collect()
}

/// Validate items and assign order groups.
fn assemble(
    catalog: &[CatalogItem],
    mut items: Vec<CartLineItem>,
    sandbox: bool,
) -> Vec<CartLineItem> {
    let mut groups: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut next = 0usize;
    for item in &mut items {
        item.error = cart_error(catalog, &line_of(item), sandbox);
        let group = if item.error.is_some() {
            None
        } else {
            let key = (
                item.billing_cycle.clone(),
                item.term_duration.clone().unwrap_or_default(),
            );
            groups.get(&key).copied()
        };
        let group = group.unwrap_or_else(|| {
            let g = next;
            next += 1;
            if item.error.is_none() {
                groups.insert(
                    (
                        item.billing_cycle.clone(),
                        item.term_duration.clone().unwrap_or_default(),
                    ),
                    g,
                );
            }
            g
        });
        item.order_group = group.to_string();
    }
    items
}

pub async fn create(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(cid): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body: Value = ApiError::json_body(&body)?;
    let items = parse_items(&body)?;
    let now = Utc::now();
    app.with(|rt| {
        let expires = rt.realism.cart_expiry(now);
        let World { catalog, tenants } = &mut rt.world;
        let tenant = tenants
            .iter_mut()
            .find(|t| t.name == caller.tenant)
            .ok_or_else(ApiError::unauthorized)?;
        let customer_id = buying_customer(tenant, &cid)?;
        let items = assemble(catalog, items, tenant.sandbox);
        let cart = Cart {
            id: uuid::Uuid::new_v4().to_string(),
            creation_timestamp: now,
            last_modified_timestamp: now,
            expiration_timestamp: expires,
            last_modified_user: tenant.user_principal_name.clone(),
            status: "Active".into(),
            line_items: items,
        };
        let wire = wire::cart(&cart);
        if let Some(c) = tenant.customer_mut(&customer_id) {
            c.carts.push(cart);
        }
        Ok((StatusCode::CREATED, Json(wire)).into_response())
    })
}

pub async fn get_one(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((cid, id)): Path<(String, String)>,
) -> ApiResult {
    app.with(|rt| {
        let tenant = rt
            .tenant(&caller.tenant)
            .ok_or_else(ApiError::unauthorized)?;
        let customer = tenant
            .customer(&cid)
            .ok_or_else(|| ApiError::customer_not_found(&cid))?;
        let now = Utc::now();
        customer
            .carts
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(&id) && c.expiration_timestamp > now)
            .map(|c| Json(wire::cart(c)).into_response())
            .ok_or_else(|| cart_not_found(&id))
    })
}

pub async fn checkout(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((cid, id)): Path<(String, String)>,
) -> ApiResult {
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
        let tenant = tenants.iter_mut().find(|t| t.name == caller.tenant).ok_or_else(ApiError::unauthorized)?;
        let customer_id = buying_customer(tenant, &cid)?;
        let known = tenant.customer(&customer_id).is_some_and(|c| c.carts.iter().any(|c| c.id.eq_ignore_ascii_case(&id) && c.expiration_timestamp > now));
        if !known {
            return Err(cart_not_found(&id));
        }
        check_agreement(tenant, &customer_id, realism.require_agreement)?;
        let customer = tenant.customer_mut(&customer_id).ok_or_else(|| ApiError::customer_not_found(&cid))?;
        let cart = customer.carts.iter_mut().find(|c| c.id.eq_ignore_ascii_case(&id)).ok_or_else(|| cart_not_found(&id))?;
        if cart.status != "Active" {
            return Err(ApiError::bad_request(800065, "The cart has already been submitted."));
        }
        cart.status = "Ordered".into();
        cart.last_modified_timestamp = ctx.now;
        let mut groups: BTreeMap<usize, Vec<CartLineItem>> = BTreeMap::new();
        for item in &cart.line_items {
            groups.entry(item.order_group.parse().unwrap_or(0)).or_default().push(item.clone());
        }
        let mut orders = Vec::new();
        let mut errors = Vec::new();
        for (group, items) in groups {
            let failure = items.iter().find_map(|i| i.error.clone()).or_else(|| {
                sandbox_full(tenant, &customer_id, items.len()).then(|| CartLineError {
                    error_code: 10009,
                    error_description: "Sandbox limit exceeded: at most 5 subscriptions per customer.".into(),
                })
            });
            if let Some(f) = failure {
                errors.push(json!({"orderGroupId": group.to_string(), "code": f.error_code, "description": f.error_description}));
                continue;
            }
            let lines: Vec<Line> = items.iter().enumerate().map(|(n, i)| Line { number: i64::try_from(n).unwrap_or(0), ..line_of(i) }).collect();
            let cycle = items.first().map_or_else(|| "monthly".to_owned(), |i| i.billing_cycle.clone());
            if let Some(order) = purchase(tenant, catalog, &customer_id, &lines, &cycle, &ctx) {
                orders.push(wire::order(&order));
            }
        }
        Ok((StatusCode::CREATED, Json(json!({"orders": orders, "orderErrors": errors}))).into_response())
    })
}
