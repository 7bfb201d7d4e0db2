//! Partner Center REST client: typed endpoints, tolerant DTOs, classified
//! errors and safe retries. The only module that speaks HTTP (reqwest).
//!
//! Why it is shaped this way: the push engine must buy each subscription
//! exactly once through an API that throttles, times out and sometimes
//! answers slowly. So every write takes the caller's `MS-RequestId` (journal
//! it first; retries resend it unchanged), every error says whether the
//! request may have been applied ([`ErrorClass`]), and retries never repeat
//! a business rejection. Decoding never fails a page for one odd value.
//! Every clone of a client shares one pacer (`pace.rs`): after a 429 no
//! request is sent before its `Retry-After`, and requests are then spaced
//! at a pace learned from the 429s, so a rate limit does not cause storms.
//!
//! ```no_run
//! # async fn demo() -> Result<(), csp_consolidate::api::ApiError> {
//! use csp_consolidate::api::{Client, ClientConfig, Cloud, Credential, CustomerQuery, Secret};
//! let mut config = ClientConfig::new(
//!     Cloud::Global,
//!     "contoso.onmicrosoft.com",
//!     "app-id",
//!     Credential::ClientSecret(Secret::from_env("CSP_SOURCE_SECRET")?),
//! );
//! config.api_url = Some("http://127.0.0.1:8080".into()); // e.g. the emulator
//! config.token_url = Some("http://127.0.0.1:8080".into());
//! let client = Client::new(config)?;
//! let customers = client.list_all_customers(&CustomerQuery::default()).await?;
//! # Ok(()) }
//! ```
//!
//! Public surface (all `async` methods on [`Client`], cheap to clone):
//! - customers: `list_customers(&CustomerQuery) -> Page<Customer>`,
//!   `list_all_customers`, `get_customer(cid)`, `relationship_request(..)`;
//!   paging: `next_page(&Page<T>)`, `all_pages(Page<T>) -> Vec<T>`.
//! - subscriptions: `list_subscriptions(cid)`, `get_subscription(cid, sid)`,
//!   `subscriptions_by_order(cid, oid)`,
//!   `patch_subscription(cid, &Subscription, request_id)` (200 or 202+poll).
//! - orders: `create_order(cid, &Order, request_id)`, `list_orders(cid)`,
//!   `get_order(cid, oid)`; carts: `create_cart(cid, &Cart, request_id)`,
//!   `checkout_cart(cid, cart_id, request_id) -> CartCheckoutResult`.
//! - agreements: `list_agreements(cid, type)`, `agreement_templates(type)`,
//!   `create_agreement(cid, &Agreement, request_id)`; provisioning:
//!   `order_provisioning(cid, oid) -> Vec<LineProvisioning>`.
//! - audit: `audit_records(&AuditQuery) -> Page<AuditRecord>`,
//!   `all_audit_records(&AuditQuery)` (window checked before sending).
//! - `stats()` (tries, retries, 429s, token fetches), `Client::builder`
//!   with `.timer(..)` (inject a [`ManualTimer`] in tests) and
//!   `.on_throttle(..)` (called on every 429), `with_correlation_id(..)`.
//!
//! Configuration: [`ClientConfig`] (cloud, URL overrides, tenant, client
//! id, [`Credential`], timeout, [`RetryPolicy`], [`PollPolicy`]), usually
//! built from a `csp-consolidate.toml` account section via
//! [`AccountConfig::to_client_config`], which reads secrets from the
//! environment variables the section names. `https` is required except to
//! loopback.
//!
//! Headers on every request: `Authorization`, `Accept: application/json`,
//! `MS-RequestId`, `MS-CorrelationId` (and `Content-Type` on writes).
//! Reads get a fresh request id per call, reused across their retries.

mod account;
mod agreements;
mod audit;
mod auth;
pub mod catalog;
mod client;
pub mod config;
mod customers;
pub mod error;
pub(crate) mod lenient;
mod orders;
mod pace;
pub mod paging;
pub mod retry;
mod subscriptions;
pub mod throttle;
mod transport;
pub mod types;

pub use account::AccountConfig;
pub use agreements::{
    Agreement, AgreementContact, AgreementTemplate, CUSTOMER_AGREEMENT, LineProvisioning,
};
pub use audit::{AuditFilter, AuditQuery, MAX_DAYS_BACK};
pub use client::{Client, ClientBuilder, ThrottleHook};
pub use config::{ClientConfig, Cloud, Credential, PollPolicy, Secret};
pub use customers::{CustomerField, CustomerQuery, MAX_PAGES};
pub use error::{ApiError, ErrorBody, ErrorClass, StatusError};
pub use paging::{Link, Page, resolve_link};
pub use retry::{
    ClientStats, ManualTimer, RequestKind, RetryPolicy, SystemTimer, Throttled, Timer, TryOutcome,
    parse_retry_after,
};
pub use types::{
    AuditRecord, Cart, CartCheckoutResult, CartLineItem, Customer, Order, OrderError,
    OrderLineItem, RelationshipRequest, Subscription, SubscriptionStatus,
};
