//! What `ingest` hands to `classify`: every record read, attributed and
//! joined, plus the issues found on the way.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::issue::Issue;
use super::migration::InputFile;
use super::records::{ActivityAggregate, ChangesSince, Customer, SourceSubscription};
use super::types::fold;

/// The activity log, folded. Keys are lower-case customer tenant IDs or
/// subscription IDs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivitySummary {
    /// Whether any activity log was given at all (else "Changes since
    /// export" stays empty rather than claiming zero).
    pub given: bool,
    /// Subscription-affecting actions after that customer's export.
    pub per_customer: HashMap<String, ChangesSince>,
    /// The same, for actions whose details name a subscription ID.
    pub per_subscription: HashMap<String, ChangesSince>,
    /// Latest action of any kind, per customer.
    pub last_activity: HashMap<String, NaiveDateTime>,
    /// Per customer and action, for the Activity sheet.
    pub aggregates: Vec<ActivityAggregate>,
}

/// Everything read from the inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub customers: Vec<Customer>,
    pub subscriptions: Vec<SourceSubscription>,
    pub activity: ActivitySummary,
    pub files: Vec<InputFile>,
    pub issues: Vec<Issue>,
}

/// Source offer → destination catalog item, from `--offer-map`.
///
/// Looked up by source offer ID first (case-insensitive), then by product
/// name (case-, width- and space-insensitive).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferMap {
    by_offer_id: HashMap<String, String>,
    by_product: HashMap<String, String>,
}

impl OfferMap {
    pub fn insert_offer_id(&mut self, offer_id: &str, catalog_item: &str) {
        self.by_offer_id.insert(
            offer_id.trim().to_ascii_uppercase(),
            catalog_item.trim().to_owned(),
        );
    }

    pub fn insert_product(&mut self, product: &str, catalog_item: &str) {
        self.by_product
            .insert(name_key(product), catalog_item.trim().to_owned());
    }

    pub fn lookup(&self, offer_id: Option<&str>, product: &str) -> Option<&str> {
        offer_id
            .and_then(|id| self.by_offer_id.get(&id.trim().to_ascii_uppercase()))
            .or_else(|| self.by_product.get(&name_key(product)))
            .map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_offer_id.len() + self.by_product.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The key two names are compared by: Unicode compatibility-folded
/// (full-width → ASCII), lower case, without spaces or punctuation that
/// exports vary on. Used to match company names, file names and products.
pub fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let nfkc: String = name.nfkc().collect();
    fold(&nfkc)
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | '\'' | '"' | '(' | ')'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_width_case_and_spacing() {
        assert_eq!(name_key("Contoso  Ltd."), name_key("contoso ltd"));
        assert_eq!(name_key("ＣＯＮＴＯＳＯ"), name_key("contoso"));
        assert_ne!(name_key("Contoso"), name_key("Contoso Lab"));
    }

    #[test]
    fn offer_map_prefers_offer_id_then_product() {
        let mut m = OfferMap::default();
        m.insert_offer_id(
            "796b6b5f-0000-4000-8000-0000000000e3",
            "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
        );
        m.insert_product("Office 365 E3", "CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF");
        assert_eq!(
            m.lookup(Some("796B6B5F-0000-4000-8000-0000000000E3"), "whatever"),
            Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971")
        );
        assert_eq!(
            m.lookup(None, "office 365  e3"),
            Some("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF")
        );
        assert_eq!(m.lookup(Some("x"), "nothing"), None);
    }
}
