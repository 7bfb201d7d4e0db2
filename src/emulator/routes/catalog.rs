//! The catalog: `GET /v1/products/{p}/skus/{s}/availabilities/{a}` for a
//! new-commerce item and `GET /v1/offers/{id}` for a legacy offer, both
//! with `?country=`. Unknown items answer 404 (code 400013, as for an
//! unknown product); the bodies come from the world's catalog.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::api::catalog::{CatalogEntry, availability_body, offer_body};
use crate::emulator::errors::{ApiError, ApiResult};
use crate::emulator::runtime::App;
use crate::emulator::state::CatalogItem;

fn entry(item: &CatalogItem) -> CatalogEntry {
    let qty = |n: i64| u32::try_from(n).ok();
    CatalogEntry {
        id: item.id.clone(),
        name: item.name.clone(),
        purchasable: item.purchasable,
        min_quantity: qty(item.min_quantity),
        max_quantity: qty(item.max_quantity),
        billing_cycles: item.billing_cycles.clone(),
        terms: item.terms.clone(),
    }
}

fn find(app: &App, id: &str) -> Result<CatalogEntry, ApiError> {
    app.with(|rt| {
        rt.world
            .catalog
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(id))
            .map(entry)
    })
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            400013,
            format!("The catalog item {id} was not found."),
        )
    })
}

/// `GET /v1/products/{p}/skus/{s}/availabilities/{a}`.
pub async fn availability(
    State(app): State<App>,
    Path((product, sku, availability)): Path<(String, String, String)>,
) -> ApiResult {
    let e = find(&app, &format!("{product}:{sku}:{availability}"))?;
    Ok(Json(availability_body(&e)).into_response())
}

/// `GET /v1/offers/{id}`.
pub async fn offer(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let e = find(&app, &id)?;
    Ok(Json(offer_body(&e)).into_response())
}
