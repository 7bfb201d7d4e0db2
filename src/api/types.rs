//! Partner Center resources as serde DTOs (camelCase on the wire).
//!
//! Tolerant by design: unknown fields are ignored, enums keep values they do
//! not know ([`SubscriptionStatus::Other`]), integers may arrive as strings,
//! and almost everything is optional because the service omits fields
//! freely. [`Subscription`] also keeps every field it does not model
//! (`extra`), because a PATCH must send back the *full* resource as fetched
//! with one field changed: dropping an unknown field there could reset it.
//! Dates stay strings (round-trip exact); accessors parse them.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient::{api_enum, int, opt_int, opt_text};
use crate::model;

api_enum! {
    /// Subscription lifecycle state.
    SubscriptionStatus {
        None => "none",
        Active => "active",
        Pending => "pending",
        Suspended => "suspended",
        Deleted => "deleted",
        Expired => "expired",
        Disabled => "disabled",
    }
}

api_enum! {
    /// How often a subscription or order line is billed.
    BillingCycle {
        Unknown => "unknown",
        Monthly => "monthly",
        Annual => "annual",
        None => "none",
        OneTime => "one_time",
        Triennial => "triennial",
        Biennial => "biennial",
    }
}

api_enum! {
    /// Seat-based or usage-based billing.
    BillingType {
        None => "none",
        Usage => "usage",
        License => "license",
    }
}

api_enum! {
    /// The partner's relationship to a customer.
    Relationship {
        Reseller => "reseller",
        Advisor => "advisor",
        Syndication => "syndication",
        MicrosoftSupport => "microsoft_support",
        None => "none",
        Unknown => "unknown",
    }
}

api_enum! {
    /// State of an order.
    OrderStatus {
        Unknown => "unknown",
        Completed => "completed",
        Pending => "pending",
        Cancelled => "cancelled" | "canceled",
    }
}

api_enum! {
    /// State of a cart (sent capitalised by the service).
    CartStatus {
        Active => "Active",
        Ordered => "Ordered",
    }
}

api_enum! {
    /// Outcome of an audited operation.
    OperationStatus {
        Succeeded => "succeeded",
        Failed => "failed",
        Progress => "progress",
        Decline => "decline",
    }
}

impl SubscriptionStatus {
    /// The shared model's status (workbook spelling).
    pub fn to_model(&self) -> model::SubStatus {
        model::SubStatus::parse(self.as_str())
    }
}

impl BillingCycle {
    /// The shared model's billing cycle.
    pub fn to_model(&self) -> model::BillingCycle {
        model::BillingCycle::parse(self.as_str())
    }

    /// From the shared model's billing cycle (API spelling).
    pub fn from_model(cycle: &model::BillingCycle) -> Self {
        BillingCycle::parse(&cycle.api_name())
    }
}

impl Relationship {
    /// The shared model's relationship.
    pub fn to_model(&self) -> model::Relationship {
        model::Relationship::parse(self.as_str())
    }
}

/// `attributes{objectType, etag}` carried by every resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attributes {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<String>,
}

/// A `{key, value}` pair (link headers, audit `customizedData`, participants).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyValue {
    #[serde(default)]
    pub key: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub value: Option<String>,
}

/// A customer's company profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyProfile {
    pub tenant_id: Option<String>,
    pub domain: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
}

/// A customer of the partner (`GET /v1/customers[/{id}]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The customer's tenant GUID.
    pub id: String,
    pub commerce_id: Option<String>,
    pub company_profile: Option<CompanyProfile>,
    pub relationship_to_partner: Option<Relationship>,
    pub allow_delegated_access: Option<bool>,
    #[serde(default)]
    pub custom_domains: Vec<String>,
    pub associated_partner_id: Option<String>,
    /// The billing profile (the customer's market is its country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_profile: Option<BillingProfile>,
    pub attributes: Option<Attributes>,
}

/// `billingProfile{defaultAddress{country}}`: where the customer buys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingProfile {
    pub default_address: Option<Address>,
}

/// A postal address; only the country matters here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub country: Option<String>,
}

impl Customer {
    /// The billing country (ISO 3166 alpha-2), if the profile has one.
    pub fn country(&self) -> Option<&str> {
        self.billing_profile
            .as_ref()?
            .default_address
            .as_ref()?
            .country
            .as_deref()
    }

    /// Company name, if the profile has one.
    pub fn company_name(&self) -> Option<&str> {
        self.company_profile.as_ref()?.company_name.as_deref()
    }

    /// Primary domain, if the profile has one.
    pub fn domain(&self) -> Option<&str> {
        self.company_profile.as_ref()?.domain.as_deref()
    }
}

/// `productType{id, displayName}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductType {
    pub id: Option<String>,
    pub display_name: Option<String>,
}

/// A subscription. Unmodelled fields are kept in `extra` so that a PATCH
/// sends the full resource back unchanged apart from the edit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<ProductType>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_int"
    )]
    pub quantity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_renew_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_trial: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_type: Option<BillingType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_cycle: Option<BillingCycle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_allowed_until_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// NCE: decides whether seats can still be reduced (kept raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refundable_quantity: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Subscription {
    /// `commitmentEndDate` as UTC, when present and readable.
    pub fn commitment_end(&self) -> Option<DateTime<Utc>> {
        parse_date(self.commitment_end_date.as_deref()?)
    }

    /// `cancellationAllowedUntilDate` as UTC, when present and readable.
    pub fn cancellation_allowed_until(&self) -> Option<DateTime<Utc>> {
        parse_date(self.cancellation_allowed_until_date.as_deref()?)
    }

    /// `refundableQuantity.totalQuantity` (NCE: seats that can still be
    /// returned), whether sent as an object or a bare number.
    pub fn refundable_quantity(&self) -> Option<i64> {
        let v = self.refundable_quantity.as_ref()?;
        let v = v.get("totalQuantity").unwrap_or(v);
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    }

    /// The ETag, if the resource carried one.
    pub fn etag(&self) -> Option<&str> {
        self.attributes.as_ref()?.etag.as_deref()
    }
}

/// Parse an API timestamp: RFC 3339, or without offset (taken as UTC).
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// One line of an order (request and response).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineItem {
    #[serde(default, deserialize_with = "int")]
    pub line_item_number: i64,
    #[serde(default)]
    pub offer_id: String,
    #[serde(default, deserialize_with = "int")]
    pub quantity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id_on_record: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_context: Option<Map<String, Value>>,
    /// Read-only: set by the service in the 201.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<String>,
}

/// An order (`POST/GET …/orders`). For a new order set
/// `reference_customer_id`, `billing_cycle` and `line_items` only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_cycle: Option<BillingCycle>,
    #[serde(default)]
    pub line_items: Vec<OrderLineItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
}

/// A server-set error on a cart line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartLineItemError {
    #[serde(default, deserialize_with = "opt_text")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// One line of a cart (new-commerce purchase).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartLineItem {
    #[serde(default, deserialize_with = "int")]
    pub id: i64,
    /// `PRODUCT:SKU:AVAILABILITY`.
    #[serde(default)]
    pub catalog_item_id: String,
    #[serde(default, deserialize_with = "int")]
    pub quantity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_cycle: Option<BillingCycle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<KeyValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_context: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
    /// Server-set: which order this line goes into at checkout.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub order_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CartLineItemError>,
}

/// A cart (`POST …/carts`). For a new cart set `line_items` only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_text"
    )]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CartStatus>,
    #[serde(default)]
    pub line_items: Vec<CartLineItem>,
}

/// One failed order group of a checkout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderError {
    #[serde(default, deserialize_with = "opt_text")]
    pub order_group_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// The result of a checkout: partial success is normal, read both lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartCheckoutResult {
    #[serde(default)]
    pub orders: Vec<Order>,
    #[serde(default)]
    pub order_errors: Vec<OrderError>,
}

/// One activity-log entry (`GET /v1/auditrecords`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    #[serde(default)]
    pub id: String,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub application_id: Option<String>,
    pub resource_type: Option<String>,
    /// `create_order`, `update_subscription` … (kept as text: open set).
    pub operation_type: Option<String>,
    pub operation_status: Option<OperationStatus>,
    pub operation_date: Option<String>,
    pub original_correlation_id: Option<String>,
    /// JSON text of the PascalCase resource before the change.
    pub resource_old_value: Option<String>,
    /// JSON text of the PascalCase resource after the change.
    pub resource_new_value: Option<String>,
    #[serde(default)]
    pub customized_data: Vec<KeyValue>,
}

impl AuditRecord {
    /// A `customizedData` value by key (case-insensitive).
    pub fn data(&self, key: &str) -> Option<&str> {
        self.customized_data
            .iter()
            .find(|kv| kv.key.eq_ignore_ascii_case(key))?
            .value
            .as_deref()
    }
}

/// `GET /v1/customers/relationshiprequests`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelationshipRequest {
    #[serde(default)]
    pub url: String,
}

#[cfg(test)]
#[path = "types_tests.rs"]
mod tests;
