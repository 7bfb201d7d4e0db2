//! Customers: `GET /v1/customers` (size, one filter, seek paging),
//! `GET /v1/customers/{id}` and `GET /v1/customers/relationshiprequests`.
//! Only customers with an accepted reseller relationship are visible; one
//! without it answers 404 like a customer that does not exist.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::Caller;
use super::paging::{self, Cursor};
use crate::emulator::errors::{ApiError, ApiResult};
use crate::emulator::runtime::App;
use crate::emulator::state::Customer;
use crate::emulator::wire;

/// One parsed `filter` for customers.
struct Filter {
    field: String,
    value: String,
}

fn parse_filter(text: &str) -> Result<Option<Filter>, ApiError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let v: Value = serde_json::from_str(text)
        .map_err(|_| ApiError::invalid_input("filter is not a JSON object"))?;
    let field = wire::field_str(&v, "Field")
        .unwrap_or("")
        .to_ascii_lowercase();
    let value = wire::field_str(&v, "Value").unwrap_or("").to_lowercase();
    let op = wire::field_str(&v, "Operator")
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(
        field.as_str(),
        "companyname" | "domain" | "indirectreseller"
    ) {
        return Err(ApiError::invalid_input(format!(
            "filter field `{field}` is not supported"
        )));
    }
    if op != "starts_with" {
        return Err(ApiError::invalid_input(format!(
            "filter operator `{op}` is not supported"
        )));
    }
    Ok(Some(Filter { field, value }))
}

fn matches(c: &Customer, f: Option<&Filter>) -> bool {
    let Some(f) = f else { return true };
    match f.field.as_str() {
        "companyname" => c.company_name.to_lowercase().starts_with(&f.value),
        "domain" => c.domain.to_lowercase().starts_with(&f.value),
        _ => false, // indirect resellers are not modelled
    }
}

pub async fn list(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult {
    let cursor = if let Some(cursor) = paging::continued("customers", &q, &headers)? {
        cursor
    } else {
        Cursor {
            offset: 0,
            size: paging::page_size(q.get("size").map(String::as_str), app.settings().page_size)?,
            query: q.get("filter").cloned().unwrap_or_default(),
        }
    };
    let filter = parse_filter(&cursor.query)?;
    let body = app.with(|rt| {
        let tenant = rt.tenant(&caller.tenant)?;
        let visible: Vec<&Customer> = tenant
            .customers
            .iter()
            .filter(|c| c.has_relationship() && matches(c, filter.as_ref()))
            .collect();
        let items = visible
            .iter()
            .skip(cursor.offset)
            .take(cursor.size)
            .map(|c| wire::customer(c, false))
            .collect();
        Some(paging::seek_page(
            "customers",
            "/v1/customers",
            &cursor,
            items,
            visible.len(),
        ))
    });
    Ok(Json(body.unwrap_or(Value::Null)).into_response())
}

pub async fn get_one(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(cid): Path<String>,
) -> ApiResult {
    app.with(|rt| {
        rt.tenant(&caller.tenant)
            .and_then(|t| t.customer(&cid))
            .filter(|c| c.has_relationship())
            .map(|c| Json(wire::customer(c, true)).into_response())
            .ok_or_else(|| ApiError::customer_not_found(&cid))
    })
}

pub async fn relationship_request(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let partner = app.with(|rt| rt.tenant(&caller.tenant).map(|t| t.partner_id.clone()));
    let partner = partner.unwrap_or_default();
    let url = format!(
        "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId={partner}&msppId=0&DAP=false#/BillingAccounts/partner-invitation"
    );
    Ok(
        Json(json!({"url": url, "attributes": {"objectType": "RelationshipRequest"}}))
            .into_response(),
    )
}
