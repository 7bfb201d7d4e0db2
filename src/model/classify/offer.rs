//! What an offer ID says: its shape (legacy GUID, legacy Azure, new
//! commerce with or without an availability), and from it and the product
//! name the billing type (licence or Azure usage) and the commerce kind.

use crate::model::records::SourceSubscription;
use crate::model::types::{BillingType, Commerce, fold};

/// The Azure plan product ID (new-commerce, usage-based).
const AZURE_PLAN_PRODUCT: &str = "DZH318Z0BPS6";

/// The shape of an offer ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferShape {
    /// A legacy offer GUID.
    LegacyGuid,
    /// A legacy Azure offer `MS-AZR-…`.
    LegacyAzure,
    /// New commerce `PRODUCT:SKU:AVAILABILITY`: purchasable as is.
    NcePurchasable,
    /// New commerce `PRODUCT` or `PRODUCT:SKU`: needs an availability.
    NcePartial,
    Unknown,
}

/// Classify an offer ID by its shape.
pub fn offer_shape(offer_id: &str) -> OfferShape {
    let id = offer_id.trim();
    if id.len() > 7 && id[..7].eq_ignore_ascii_case("MS-AZR-") {
        return OfferShape::LegacyAzure;
    }
    if is_guid(id) {
        return OfferShape::LegacyGuid;
    }
    let parts: Vec<&str> = id.split(':').collect();
    let alnum =
        |p: &str, len: usize| p.len() == len && p.chars().all(|c| c.is_ascii_alphanumeric());
    let product_ok = parts.first().is_some_and(|p| alnum(p, 12));
    match parts.as_slice() {
        [_, sku, avail] if product_ok && alnum(sku, 4) && alnum(avail, 12) => {
            OfferShape::NcePurchasable
        }
        [_, sku] if product_ok && alnum(sku, 4) => OfferShape::NcePartial,
        [_] if product_ok => OfferShape::NcePartial,
        _ => OfferShape::Unknown,
    }
}

/// Whether `s` is a GUID in 8-4-4-4-12 form (any case, optional braces).
pub fn is_guid(s: &str) -> bool {
    let s = s.trim().trim_start_matches('{').trim_end_matches('}');
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Billing type: the input's own word, else the offer ID or product name.
pub fn billing_type(sub: &SourceSubscription) -> BillingType {
    if let Some(bt) = sub.billing_type {
        return bt;
    }
    let offer = sub
        .offer_id
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    let product = fold(&sub.product);
    if offer.starts_with("MS-AZR-")
        || offer.starts_with(AZURE_PLAN_PRODUCT)
        || product == "azureplan"
        || product == "microsoftazure"
    {
        BillingType::Usage
    } else {
        BillingType::License
    }
}

/// Commerce kind from the offer ID's shape, else from the product name or
/// the presence of a cancellation window (only new commerce has one).
pub fn commerce(sub: &SourceSubscription) -> Commerce {
    if let Some(c) = sub.commerce {
        return c;
    }
    match sub.offer_id.as_deref().map(offer_shape) {
        Some(OfferShape::LegacyGuid | OfferShape::LegacyAzure) => return Commerce::Legacy,
        Some(OfferShape::NcePurchasable | OfferShape::NcePartial) => return Commerce::NewCommerce,
        _ => {}
    }
    match fold(&sub.product).as_str() {
        "azureplan" => Commerce::NewCommerce,
        "microsoftazure" => Commerce::Legacy,
        _ if sub.cancellation_allowed_until.is_some() => Commerce::NewCommerce,
        _ => Commerce::Unknown,
    }
}
