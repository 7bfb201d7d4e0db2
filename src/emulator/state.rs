//! The emulated world: a catalog shared by all partners and, per partner
//! tenant, its customers (each with subscriptions, orders and carts), its
//! activity log and its stored `MS-RequestId` replies.
//!
//! The same types are the seed file format and the saved state (see the
//! README section), so a rehearsal can stop, save, and start again where it
//! was. Field names are the API's camelCase. Internal bookkeeping fields
//! (`etag`, `visibleFrom`) are stripped from wire responses by `wire.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dates;

/// Everything the emulator knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct World {
    #[serde(default)]
    pub catalog: Vec<CatalogItem>,
    pub tenants: Vec<Tenant>,
}

/// One purchasable item: an NCE `PRODUCT:SKU:AVAILABILITY` or a legacy
/// offer GUID.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogItem {
    pub id: String,
    pub name: String,
    #[serde(default = "one")]
    pub min_quantity: i64,
    #[serde(default = "ten_thousand")]
    pub max_quantity: i64,
    /// Allowed billing cycles (API spelling); empty = any.
    #[serde(default)]
    pub billing_cycles: Vec<String>,
    /// Allowed terms (`P1M`, `P1Y`, `P3Y`); empty = any.
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(default = "license")]
    pub billing_type: String,
    /// Sold now (`false`: listed but no longer purchasable).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub purchasable: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl CatalogItem {
    /// NCE ids have the `PRODUCT:SKU[:AVAILABILITY]` shape; legacy are GUIDs.
    pub fn is_new_commerce(&self) -> bool {
        is_new_commerce(&self.id)
    }
}

pub fn is_new_commerce(offer_id: &str) -> bool {
    offer_id.contains(':')
}

/// One API client allowed to get tokens for a tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// One partner tenant (source or destination).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// The name used in `/{tenant}/oauth2/token` and in admin routes.
    pub name: String,
    /// Other names accepted in the token path (domain, tenant GUID).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Partner id written into audit records and relationship URLs.
    pub partner_id: String,
    #[serde(default = "default_upn")]
    pub user_principal_name: String,
    pub credentials: Vec<Credential>,
    /// Integration-sandbox limits: 5 subscriptions per customer, 25 seats.
    #[serde(default)]
    pub sandbox: bool,
    #[serde(default)]
    pub customers: Vec<Customer>,
    #[serde(default)]
    pub audit_records: Vec<AuditRecord>,
    /// Stored first responses, keyed `METHOD path requestId`.
    #[serde(default)]
    pub replays: BTreeMap<String, StoredResponse>,
    /// PATCHes answered 202 that apply later.
    #[serde(default)]
    pub deferred: Vec<Deferred>,
    /// The earliest instant a pending order finishes provisioning.
    #[serde(
        default,
        deserialize_with = "dates::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_provisioning: Option<DateTime<Utc>>,
}

impl Tenant {
    /// Whether `name` designates this tenant in a token URL.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }

    /// Customers are kept sorted by id (see `seed::prepare`).
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        let key = id.to_ascii_lowercase();
        self.customers
            .binary_search_by(|c| c.id.as_str().cmp(key.as_str()))
            .ok()
            .and_then(|i| self.customers.get(i))
    }

    pub fn customer_mut(&mut self, id: &str) -> Option<&mut Customer> {
        let key = id.to_ascii_lowercase();
        self.customers
            .binary_search_by(|c| c.id.as_str().cmp(key.as_str()))
            .ok()
            .and_then(|i| self.customers.get_mut(i))
    }
}

/// A customer as this partner sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub company_name: String,
    pub domain: String,
    /// `reseller` when the relationship is accepted; `none` when the
    /// customer has not accepted it yet (404 on GET, 403 20002 on orders).
    #[serde(default = "reseller")]
    pub relationship: String,
    #[serde(default)]
    pub allow_delegated_access: bool,
    /// The billing country (ISO 3166 alpha-2); the market catalog reads use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    #[serde(default)]
    pub orders: Vec<Order>,
    #[serde(default)]
    pub carts: Vec<Cart>,
    /// Agreements this partner attested for the customer (wire shape:
    /// `primaryContact`, `dateAgreed`, `templateId`, `type`). A seed marks a
    /// customer attested by listing one here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreements: Vec<serde_json::Value>,
}

impl Customer {
    pub fn has_relationship(&self) -> bool {
        self.relationship.eq_ignore_ascii_case("reseller")
    }

    /// Whether the partner attested the Microsoft Customer Agreement.
    pub fn has_customer_agreement(&self) -> bool {
        self.agreements.iter().any(|a| {
            a.get("type")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(AGREEMENT_TYPE))
        })
    }

    pub fn subscription_mut(&mut self, id: &str) -> Option<&mut Subscription> {
        self.subscriptions
            .iter_mut()
            .find(|s| s.id.eq_ignore_ascii_case(id))
    }
}

/// The agreement type new-commerce purchases need.
pub const AGREEMENT_TYPE: &str = "MicrosoftCustomerAgreement";

/// A subscription; `status` is free text so unknown values survive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: String,
    pub offer_id: String,
    pub offer_name: String,
    #[serde(default)]
    pub friendly_name: String,
    pub quantity: i64,
    #[serde(default = "licenses")]
    pub unit_type: String,
    #[serde(deserialize_with = "dates::de")]
    pub creation_date: DateTime<Utc>,
    #[serde(deserialize_with = "dates::de")]
    pub effective_start_date: DateTime<Utc>,
    #[serde(deserialize_with = "dates::de")]
    pub commitment_end_date: DateTime<Utc>,
    #[serde(
        default,
        deserialize_with = "dates::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub cancellation_allowed_until_date: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "dates::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub billing_cycle_end_date: Option<DateTime<Utc>>,
    pub status: String,
    #[serde(default)]
    pub auto_renew_enabled: bool,
    #[serde(default)]
    pub is_trial: bool,
    #[serde(default = "license")]
    pub billing_type: String,
    pub billing_cycle: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    #[serde(default)]
    pub suspension_reasons: Vec<String>,
    #[serde(default = "one")]
    pub etag: i64,
    /// Read-after-write lag: invisible to GETs before this instant.
    #[serde(
        default,
        deserialize_with = "dates::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub visible_from: Option<DateTime<Utc>>,
}

impl Subscription {
    pub fn is_new_commerce(&self) -> bool {
        is_new_commerce(&self.offer_id)
    }

    pub fn visible(&self, now: DateTime<Utc>) -> bool {
        self.visible_from.is_none_or(|t| t <= now)
    }
}

/// An order and its line items.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    pub reference_customer_id: String,
    pub billing_cycle: String,
    pub line_items: Vec<OrderLineItem>,
    #[serde(deserialize_with = "dates::de")]
    pub creation_date: DateTime<Utc>,
    pub status: String,
    #[serde(default = "user_purchase")]
    pub transaction_type: String,
    #[serde(default = "usd")]
    pub currency_code: String,
    #[serde(
        default,
        deserialize_with = "dates::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub visible_from: Option<DateTime<Utc>>,
    /// While `pending`: when provisioning finishes (internal).
    #[serde(
        default,
        deserialize_with = "dates::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub provisioned_at: Option<DateTime<Utc>>,
}

impl Order {
    pub fn visible(&self, now: DateTime<Utc>) -> bool {
        self.visible_from.is_none_or(|t| t <= now)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineItem {
    pub line_item_number: i64,
    pub offer_id: String,
    pub quantity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id_on_record: Option<String>,
    #[serde(default = "new_txn")]
    pub transaction_type: String,
    /// The subscription this line gets once provisioned (internal; the
    /// wire shows `subscriptionId` only after provisioning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_subscription_id: Option<String>,
}

/// A cart; `status` is `Active` until checked out, then `Ordered`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    pub id: String,
    #[serde(deserialize_with = "dates::de")]
    pub creation_timestamp: DateTime<Utc>,
    #[serde(deserialize_with = "dates::de")]
    pub last_modified_timestamp: DateTime<Utc>,
    #[serde(deserialize_with = "dates::de")]
    pub expiration_timestamp: DateTime<Utc>,
    pub last_modified_user: String,
    pub status: String,
    pub line_items: Vec<CartLineItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartLineItem {
    pub id: i64,
    pub catalog_item_id: String,
    pub quantity: i64,
    pub billing_cycle: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    pub order_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CartLineError>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartLineError {
    pub error_code: i64,
    pub error_description: String,
}

/// One activity-log entry (§7 shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub id: String,
    pub partner_id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub user_principal_name: String,
    #[serde(default)]
    pub application_id: String,
    pub resource_type: String,
    pub operation_type: String,
    #[serde(default)]
    pub original_correlation_id: String,
    #[serde(deserialize_with = "dates::de")]
    pub operation_date: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_old_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_new_value: Option<String>,
    #[serde(default = "succeeded")]
    pub operation_status: String,
    #[serde(default)]
    pub customized_data: Vec<KeyValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// A first response kept for `MS-RequestId` replays, verbatim.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A PATCH answered 202: the new subscription applies at `due`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deferred {
    #[serde(deserialize_with = "dates::de")]
    pub due: DateTime<Utc>,
    pub customer_id: String,
    pub correlation_id: String,
    pub subscription: Subscription,
}

fn one() -> i64 {
    1
}
fn ten_thousand() -> i64 {
    10_000
}
fn license() -> String {
    "license".into()
}
fn licenses() -> String {
    "Licenses".into()
}
fn reseller() -> String {
    "reseller".into()
}
fn usd() -> String {
    "USD".into()
}
fn new_txn() -> String {
    "New".into()
}
fn user_purchase() -> String {
    "UserPurchase".into()
}
fn succeeded() -> String {
    "succeeded".into()
}
fn default_upn() -> String {
    "ops@partner.example".into()
}
