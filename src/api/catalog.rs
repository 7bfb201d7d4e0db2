//! The destination catalog, read before anything is bought: is a target
//! item still sold in the customer's market, with which terms, billing
//! cycles and seat limits.
//!
//! New commerce names an item `PRODUCT:SKU:AVAILABILITY` and is read as an
//! availability (`/products/{p}/skus/{s}/availabilities/{a}`); a legacy
//! offer is a GUID read from `/offers/{id}`. Both answers are folded into
//! one [`CatalogEntry`].

use serde::Deserialize;
use serde_json::Value;

use super::client::Client;
use super::error::ApiError;
use super::lenient::opt_int;

/// What the catalog says about one item, whichever shape it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub id: String,
    pub name: String,
    /// The service would sell it now (legacy offers: available for
    /// purchase; availabilities: purchasable).
    pub purchasable: bool,
    pub min_quantity: Option<u32>,
    pub max_quantity: Option<u32>,
    /// API spelling (`monthly`, `annual` …); empty: not stated.
    pub billing_cycles: Vec<String>,
    /// ISO 8601 durations (`P1M`, `P1Y` …); empty: not stated.
    pub terms: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Availability {
    id: Option<String>,
    catalog_item_id: Option<String>,
    is_purchasable: Option<bool>,
    sku: Option<Sku>,
    product: Option<Named>,
    terms: Option<Vec<Term>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Sku {
    title: Option<String>,
    #[serde(deserialize_with = "opt_int")]
    minimum_quantity: Option<i64>,
    #[serde(deserialize_with = "opt_int")]
    maximum_quantity: Option<i64>,
    supported_billing_cycles: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Named {
    title: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Term {
    duration: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Offer {
    id: Option<String>,
    name: Option<String>,
    #[serde(deserialize_with = "opt_int")]
    minimum_quantity: Option<i64>,
    #[serde(deserialize_with = "opt_int")]
    maximum_quantity: Option<i64>,
    is_available_for_purchase: Option<bool>,
    supported_billing_cycles: Option<Vec<String>>,
}

fn qty(n: Option<i64>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

impl Client {
    /// The catalog entry for `catalog_item` in market `country` (ISO 3166
    /// alpha-2, e.g. `US`).
    ///
    /// # Errors
    /// Any [`ApiError`]; an unknown item is a `404` [`ApiError::Status`].
    pub async fn get_catalog_item(
        &self,
        catalog_item: &str,
        country: &str,
    ) -> Result<CatalogEntry, ApiError> {
        let query = [("country", country)];
        let parts: Vec<&str> = catalog_item.split(':').collect();
        if let [product, sku, availability] = parts.as_slice() {
            let url = self.url(
                &[
                    "products",
                    product,
                    "skus",
                    sku,
                    "availabilities",
                    availability,
                ],
                &query,
            )?;
            let a: Availability = self.get_json(url).await?;
            let sku = a.sku.unwrap_or_default();
            return Ok(CatalogEntry {
                id: a
                    .catalog_item_id
                    .or(a.id)
                    .unwrap_or_else(|| catalog_item.to_owned()),
                name: a
                    .product
                    .and_then(|p| p.title)
                    .or(sku.title)
                    .unwrap_or_default(),
                purchasable: a.is_purchasable.unwrap_or(true),
                min_quantity: qty(sku.minimum_quantity),
                max_quantity: qty(sku.maximum_quantity),
                billing_cycles: sku.supported_billing_cycles.unwrap_or_default(),
                terms: a
                    .terms
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|t| t.duration)
                    .collect(),
            });
        }
        let url = self.url(&["offers", catalog_item], &query)?;
        let o: Offer = self.get_json(url).await?;
        Ok(CatalogEntry {
            id: o.id.unwrap_or_else(|| catalog_item.to_owned()),
            name: o.name.unwrap_or_default(),
            purchasable: o.is_available_for_purchase.unwrap_or(true),
            min_quantity: qty(o.minimum_quantity),
            max_quantity: qty(o.maximum_quantity),
            billing_cycles: o.supported_billing_cycles.unwrap_or_default(),
            terms: Vec::new(),
        })
    }
}

/// A catalog body as the emulator and tests write it (kept beside the
/// reader so both spell the fields the same way).
pub fn availability_body(entry: &CatalogEntry) -> Value {
    serde_json::json!({
        "id": entry.id.rsplit(':').next().unwrap_or_default(),
        "catalogItemId": entry.id,
        "isPurchasable": entry.purchasable,
        "product": { "title": entry.name },
        "sku": {
            "minimumQuantity": entry.min_quantity,
            "maximumQuantity": entry.max_quantity,
            "supportedBillingCycles": entry.billing_cycles,
        },
        "terms": entry.terms.iter().map(|t| serde_json::json!({ "duration": t })).collect::<Vec<_>>(),
    })
}

/// A legacy offer body in the service's shape.
pub fn offer_body(entry: &CatalogEntry) -> Value {
    serde_json::json!({
        "id": entry.id,
        "name": entry.name,
        "minimumQuantity": entry.min_quantity,
        "maximumQuantity": entry.max_quantity,
        "isAvailableForPurchase": entry.purchasable,
        "supportedBillingCycles": entry.billing_cycles,
    })
}
