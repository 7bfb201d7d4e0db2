//! Customer endpoints and generic seek paging (`next_page`, `all_pages`).
//!
//! Customers are listed in seek pages of at most 500; the rest come by
//! following `links.next` with its `MS-ContinuationToken`. Paging guards
//! against a service that repeats a token (which would loop forever).

use std::collections::HashSet;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::client::Client;
use super::error::ApiError;
use super::paging::{Collection, Page, resolve_link};
use super::types::{Customer, RelationshipRequest};

/// Upper bound on pages drained by [`Client::all_pages`] (a safety net:
/// 100,000 pages of 500 is far beyond any partner).
pub const MAX_PAGES: usize = 100_000;

/// Which customer field a list filter matches (prefix match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerField {
    CompanyName,
    Domain,
    IndirectReseller,
}

/// `GET /v1/customers` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    /// Page size (the service caps it at 500).
    pub size: Option<u32>,
    /// Prefix filter: `(field, value)`.
    pub filter: Option<(CustomerField, String)>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter<'a> {
    field: CustomerField,
    value: &'a str,
    operator: &'static str,
}

impl Client {
    /// First page of `GET /v1/customers`.
    ///
    /// # Errors
    /// Any [`ApiError`]; see its class for what to do.
    pub async fn list_customers(&self, query: &CustomerQuery) -> Result<Page<Customer>, ApiError> {
        let size = query.size.map(|s| s.to_string());
        let filter = match &query.filter {
            Some((field, value)) => Some(
                serde_json::to_string(&Filter {
                    field: *field,
                    value,
                    operator: "starts_with",
                })
                .map_err(|e| ApiError::invalid(format!("customer filter: {e}")))?,
            ),
            None => None,
        };
        let mut q: Vec<(&str, &str)> = Vec::new();
        if let Some(s) = &size {
            q.push(("size", s));
        }
        if let Some(f) = &filter {
            q.push(("filter", f));
        }
        let url = self.url(&["customers"], &q)?;
        let c: Collection<Customer> = self.get_json(url).await?;
        Ok(c.into())
    }

    /// Every customer: the first page and all following ones.
    ///
    /// # Errors
    /// As [`Client::list_customers`] and [`Client::all_pages`].
    pub async fn list_all_customers(
        &self,
        query: &CustomerQuery,
    ) -> Result<Vec<Customer>, ApiError> {
        let first = self.list_customers(query).await?;
        self.all_pages(first).await
    }

    /// `GET /v1/customers/{id}`; 404 (class `Rejected`) when unknown or
    /// without a relationship.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn get_customer(&self, customer_id: &str) -> Result<Customer, ApiError> {
        let url = self.url(&["customers", customer_id], &[])?;
        self.get_json(url).await
    }

    /// `GET /v1/customers/relationshiprequests`: the invitation URL a
    /// customer accepts to make us their reseller. Needs App+User auth.
    ///
    /// # Errors
    /// Any [`ApiError`] (app-only tokens get 401/403, class `Auth`).
    pub async fn relationship_request(
        &self,
        indirect_reseller_id: Option<&str>,
    ) -> Result<RelationshipRequest, ApiError> {
        let q: Vec<(&str, &str)> = indirect_reseller_id
            .map(|id| vec![("indirectResellerId", id)])
            .unwrap_or_default();
        let url = self.url(&["customers", "relationshiprequests"], &q)?;
        self.get_json(url).await
    }

    /// The page after `page`, or `None` if `page` was the last. Sends every
    /// header the `next` link lists (`MS-ContinuationToken`).
    ///
    /// # Errors
    /// Any [`ApiError`]; a `next` link to another host is `Paging`.
    pub async fn next_page<T: DeserializeOwned>(
        &self,
        page: &Page<T>,
    ) -> Result<Option<Page<T>>, ApiError> {
        let Some(next) = &page.next else {
            return Ok(None);
        };
        let url = resolve_link(&self.inner.endpoints.api_root, &next.uri)?;
        let headers = next
            .headers
            .iter()
            .filter_map(|kv| Some((kv.key.clone(), kv.value.clone()?)))
            .collect();
        let c: Collection<T> = self.get_with_headers(url, headers).await?;
        Ok(Some(c.into()))
    }

    /// Drain a seek listing from its first page.
    ///
    /// # Errors
    /// Any [`ApiError`] of a page; `Paging` if a continuation repeats or
    /// there are more than [`MAX_PAGES`] pages. On error nothing partial
    /// is returned: restart the listing rather than trust a partial one.
    pub async fn all_pages<T: DeserializeOwned>(&self, first: Page<T>) -> Result<Vec<T>, ApiError> {
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        let mut page = first;
        for _ in 0..MAX_PAGES {
            if let Some(link) = &page.next {
                let key = (link.uri.clone(), link.headers.clone());
                if !seen.insert(key) {
                    return Err(ApiError::Paging {
                        op: format!("GET {}", link.uri),
                        message: "the service repeated a continuation; stopping".to_owned(),
                    });
                }
            }
            let next = self.next_page(&page).await?;
            items.append(&mut page.items);
            match next {
                None => return Ok(items),
                Some(p) => page = p,
            }
        }
        Err(ApiError::Paging {
            op: "list".to_owned(),
            message: format!("more than {MAX_PAGES} pages"),
        })
    }
}
