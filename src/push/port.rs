//! What the push engine needs from Partner Center, in its own terms.
//!
//! The engine speaks to this trait, not to HTTP: the real implementation is
//! an adapter over [`crate::api`] (see `push::adapter`), and every call that
//! changes state takes the `MS-RequestId` the engine journalled before the
//! call. Errors are reduced to what the engine must decide on: was the
//! request definitively rejected (safe to record as failed), or might it
//! have been applied (in doubt: settle later, never re-send with a new id)?

use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::api::catalog::CatalogEntry;
/// Who signed the customer's Microsoft Customer Agreement, as the partner
/// attests it (from the `[attestation]` configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: Option<String>,
    /// UTC date-time text.
    pub date_agreed: String,
}

/// A call's failure, as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The service answered with a business error: nothing was applied.
    #[error("HTTP {status} code {code}: {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// No answer we can trust (timeouts, 5xx after retries, dropped
    /// connections): the request may or may not have been applied.
    #[error("no definitive answer: {0}")]
    Uncertain(String),
    /// Credentials or permissions: stop the whole run.
    #[error("not authorised: {0}")]
    Auth(String),
}

impl CallError {
    /// The service error code, when rejected.
    pub fn code(&self) -> Option<&str> {
        match self {
            CallError::Rejected { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A customer as the destination sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerInfo {
    pub id: String,
    pub company_name: String,
    /// `reseller`, `advisor`, `none` … as the API says.
    pub relationship: String,
    /// The billing country (ISO 3166 alpha-2), when the service says.
    pub country: Option<String>,
}

/// One line to buy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyLine {
    /// The workbook row this line is for.
    pub source_subscription_id: String,
    /// `PRODUCT:SKU:AVAILABILITY` (cart) or a legacy offer ID (order).
    pub catalog_item: String,
    pub quantity: u32,
    /// API spelling: `monthly`, `annual` …
    pub billing_cycle: Option<String>,
    /// ISO 8601: `P1M`, `P1Y` …
    pub term: Option<String>,
    pub friendly_name: Option<String>,
}

/// A created cart: its id and, per line (by position), the order group the
/// service put it in and any error it flagged on the line already.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CartCreated {
    pub cart_id: String,
    #[serde(default)]
    pub line_groups: Vec<Option<String>>,
    /// (code, description) per line, when the cart flagged it.
    #[serde(default)]
    pub line_errors: Vec<Option<(String, String)>>,
}

/// A line of a placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub line_number: u32,
    pub offer_id: String,
    pub quantity: u32,
    pub friendly_name: Option<String>,
    pub subscription_id: Option<String>,
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInfo {
    pub id: String,
    pub creation_date: Option<String>,
    pub lines: Vec<OrderLine>,
}

/// An order group that failed at checkout, with the cart lines in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderError {
    pub order_group: String,
    pub code: String,
    pub description: String,
    /// Cart line ids (positions in our request) in that group, when known.
    pub lines: Vec<u32>,
}

/// The answer to a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutResult {
    pub orders: Vec<OrderInfo>,
    pub errors: Vec<OrderError>,
}

/// A subscription as the API returns it: a few typed fields plus the full
/// body (a PATCH must send the whole resource back).
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionInfo {
    pub id: String,
    pub offer_id: String,
    pub quantity: u32,
    /// Lower-case API status.
    pub status: String,
    pub auto_renew: Option<bool>,
    pub order_id: Option<String>,
    pub creation_date: Option<String>,
    pub cancellation_allowed_until: Option<String>,
    pub commitment_end: Option<String>,
    pub body: Value,
}

/// The outcome of a PATCH: applied now, or accepted and still running.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchOutcome {
    Applied(Box<SubscriptionInfo>),
    /// 202 and the change never showed while polling: in doubt.
    Pending,
}

/// Partner Center as the engine needs it. Reads may be retried freely;
/// writes carry the journalled request id and must reuse it on retry.
pub trait PartnerApi: Send + Sync {
    fn get_customer(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<Option<CustomerInfo>, CallError>> + Send;
    fn create_cart(
        &self,
        customer_id: &str,
        request_id: &str,
        lines: &[BuyLine],
    ) -> impl Future<Output = Result<CartCreated, CallError>> + Send;
    fn checkout(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id: &str,
    ) -> impl Future<Output = Result<CheckoutResult, CallError>> + Send;
    fn create_order(
        &self,
        customer_id: &str,
        request_id: &str,
        lines: &[BuyLine],
    ) -> impl Future<Output = Result<OrderInfo, CallError>> + Send;
    fn list_orders(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<Vec<OrderInfo>, CallError>> + Send;
    fn get_subscription(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> impl Future<Output = Result<Option<SubscriptionInfo>, CallError>> + Send;
    fn list_subscriptions(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<Vec<SubscriptionInfo>, CallError>> + Send;
    fn patch_subscription(
        &self,
        customer_id: &str,
        request_id: &str,
        body: &Value,
    ) -> impl Future<Output = Result<PatchOutcome, CallError>> + Send;
    /// The catalog entry for a target item in a market (`None`: the
    /// catalog does not know it).
    fn get_catalog_item(
        &self,
        catalog_item: &str,
        country: &str,
    ) -> impl Future<Output = Result<Option<CatalogEntry>, CallError>> + Send;
    /// Make sure the customer's Microsoft Customer Agreement acceptance is
    /// attested: nothing when it already is, else attest it with
    /// `attestation` under `request_id` (a repeat is harmless).
    fn attest_agreement(
        &self,
        customer_id: &str,
        request_id: &str,
        attestation: &Attestation,
    ) -> impl Future<Output = Result<(), CallError>> + Send;
    /// The reseller-relationship request URL (App+User only; may fail).
    fn relationship_request_url(&self) -> impl Future<Output = Result<String, CallError>> + Send;
    /// 429 answers seen so far (the engine adapts its concurrency to them).
    fn throttled(&self) -> u64;
}
