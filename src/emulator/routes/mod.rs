//! The HTTP surface: Partner Center routes under `/v1` (behind the
//! [`gate`] middleware), the token endpoint, and `/_admin`.

pub mod admin;
mod agreements;
mod audit;
mod auth;
mod carts;
mod catalog;
mod customers;
mod gate;
mod orders;
mod paging;
mod purchase;
mod quirks;
pub mod subscriptions;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use super::runtime::App;

/// Who is calling, set by the gate for the handlers.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: String,
    pub correlation_id: String,
    /// The dice said this PATCH answers 202.
    pub accept_202: bool,
    /// New orders/subscriptions stay invisible this long (lag fault).
    pub lag_ms: u64,
    /// How long a 202 PATCH takes to apply.
    pub patch_delay_ms: u64,
}

pub fn router(app: App) -> Router {
    let api = Router::new()
        .route("/v1/customers", get(customers::list))
        .route(
            "/v1/customers/relationshiprequests",
            get(customers::relationship_request),
        )
        .route("/v1/customers/{cid}", get(customers::get_one))
        .route(
            "/v1/customers/{cid}/subscriptions",
            get(subscriptions::list),
        )
        .route(
            "/v1/customers/{cid}/subscriptions/{sid}",
            get(subscriptions::get_one).patch(subscriptions::patch),
        )
        .route(
            "/v1/customers/{cid}/orders",
            get(orders::list).post(orders::create),
        )
        .route("/v1/customers/{cid}/orders/{oid}", get(orders::get_one))
        .route(
            "/v1/customers/{cid}/orders/{oid}/provisioningstatus",
            get(orders::provisioning),
        )
        .route(
            "/v1/customers/{cid}/agreements",
            get(agreements::list).post(agreements::create),
        )
        .route("/v1/agreements", get(agreements::templates))
        .route("/v1/customers/{cid}/carts", post(carts::create))
        .route("/v1/customers/{cid}/carts/{id}", get(carts::get_one))
        .route(
            "/v1/customers/{cid}/carts/{id}/checkout",
            post(carts::checkout),
        )
        .route("/v1/auditrecords", get(audit::list))
        .route(
            "/v1/products/{p}/skus/{s}/availabilities/{a}",
            get(catalog::availability),
        )
        .route("/v1/offers/{id}", get(catalog::offer))
        // Where a 202 PATCH's `Location` points: the service writes it
        // without the `/v1` prefix.
        .route(
            "/customers/{cid}/subscriptions/{sid}",
            get(subscriptions::get_one),
        )
        .route_layer(from_fn_with_state(app.clone(), gate::gate))
        .layer(from_fn_with_state(app.clone(), quirks::rewrite));
    Router::new()
        .route("/{tenant}/oauth2/token", post(auth::token))
        .route("/{tenant}/oauth2/v2.0/token", post(auth::token))
        .merge(api)
        .nest("/_admin", admin::router())
        .with_state(app)
}
