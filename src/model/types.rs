//! Value types of a subscription: status, billing, commerce, relationship.
//!
//! Every enum is tolerant: a value we do not know is kept as `Other(text)`
//! rather than failing the row, because Partner Center adds values over
//! time (`expired` and `disabled` broke other tools). Parsing here takes the
//! canonical English/API spelling; locale spellings are mapped to these by
//! the alias tables in `templates/headers/*.toml` before they get here.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Lower-case, no spaces/dashes/underscores: how enum text is compared.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

macro_rules! tolerant_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Parse the canonical or API spelling; unknown text is kept.
            pub fn parse(text: &str) -> Self {
                let folded = fold(text);
                $(
                    if folded == fold($text) $(|| folded == fold($alias))* {
                        return $name::$variant;
                    }
                )+
                $name::Other(text.trim().to_owned())
            }

            /// The canonical display text (what the workbook shows).
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

tolerant_enum! {
    /// Lifecycle state of a subscription.
    SubStatus {
        Active => "Active",
        Suspended => "Suspended",
        Deleted => "Deleted",
        Canceled => "Canceled" | "Cancelled",
        Expired => "Expired",
        Pending => "Pending",
        Disabled => "Disabled",
        None => "None",
    }
}

tolerant_enum! {
    /// How often a subscription is billed.
    BillingCycle {
        Monthly => "Monthly",
        Annual => "Annual" | "Yearly",
        Triennial => "Triennial",
        Biennial => "Biennial",
        OneTime => "One time" | "one_time" | "OneTime",
        None => "None",
        Unknown => "Unknown",
    }
}

tolerant_enum! {
    /// The partner–customer relationship named in the customer list.
    Relationship {
        Reseller => "Reseller" | "Cloud Reseller" | "Cloud reseller",
        Advisor => "Advisor",
        Syndication => "Syndication",
        MicrosoftSupport => "Microsoft support" | "microsoft_support",
        None => "None",
    }
}

impl BillingCycle {
    /// The API spelling (`monthly`, `annual`, `one_time` …).
    pub fn api_name(&self) -> String {
        match self {
            BillingCycle::OneTime => "one_time".to_owned(),
            other => other.as_str().to_lowercase(),
        }
    }
}

/// License-based (seats) or usage-based (Azure) billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BillingType {
    License,
    Usage,
}

impl BillingType {
    pub fn as_str(self) -> &'static str {
        match self {
            BillingType::License => "License",
            BillingType::Usage => "Usage",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match fold(text).as_str() {
            "license" | "licenses" | "licensebased" => Some(BillingType::License),
            "usage" | "usagebased" => Some(BillingType::Usage),
            _ => Option::None,
        }
    }
}

/// Legacy commerce or new commerce (NCE), told apart by the offer ID shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Commerce {
    Legacy,
    NewCommerce,
    Unknown,
}

impl Commerce {
    pub fn as_str(self) -> &'static str {
        match self {
            Commerce::Legacy => "Legacy",
            Commerce::NewCommerce => "New commerce",
            Commerce::Unknown => "Unknown",
        }
    }

    pub fn parse(text: &str) -> Self {
        match fold(text).as_str() {
            "legacy" => Commerce::Legacy,
            "newcommerce" | "nce" => Commerce::NewCommerce,
            _ => Commerce::Unknown,
        }
    }
}

/// A commitment term as ISO 8601 (`P1M`, `P1Y`, `P3Y`).
///
/// Accepts the ISO form and plain phrases ("1 year", "monthly", "3 years").
pub fn parse_term(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_uppercase();
    if t.is_empty() {
        return None;
    }
    let iso = |n: &str, unit: char| Some(format!("P{n}{unit}"));
    if let Some(rest) = t.strip_prefix('P') {
        let (num, unit) = rest.split_at(rest.len().saturating_sub(1));
        if !num.is_empty()
            && num.chars().all(|c| c.is_ascii_digit())
            && matches!(unit, "M" | "Y" | "D" | "W")
        {
            return Some(t);
        }
        return None;
    }
    let folded = fold(text);
    match folded.as_str() {
        "monthly" | "1month" | "onemonth" | "month" => return iso("1", 'M'),
        "annual" | "yearly" | "1year" | "oneyear" | "year" => return iso("1", 'Y'),
        "3years" | "threeyears" | "triennial" => return iso("3", 'Y'),
        _ => {}
    }
    let digits: String = folded.chars().take_while(char::is_ascii_digit).collect();
    let unit = &folded[digits.len()..];
    if digits.is_empty() {
        return None;
    }
    match unit {
        "month" | "months" => iso(&digits, 'M'),
        "year" | "years" => iso(&digits, 'Y'),
        _ => None,
    }
}

/// A subscription's offer ID names this catalog item: equal, or one is the
/// other's product/SKU prefix (the service answers `offerId` without the
/// availability). An empty offer ID names nothing.
pub fn same_catalog_item(offer_id: &str, catalog_item: &str) -> bool {
    let (a, b) = (
        offer_id.to_ascii_uppercase(),
        catalog_item.to_ascii_uppercase(),
    );
    !a.is_empty() && (a == b || b.starts_with(&a) || a.starts_with(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_enums_keep_unknown_values() {
        assert_eq!(SubStatus::parse("active"), SubStatus::Active);
        assert_eq!(SubStatus::parse(" Cancelled "), SubStatus::Canceled);
        assert_eq!(
            SubStatus::parse("frozen"),
            SubStatus::Other("frozen".into())
        );
        assert_eq!(BillingCycle::parse("one_time"), BillingCycle::OneTime);
        assert_eq!(BillingCycle::OneTime.api_name(), "one_time");
        assert_eq!(
            Relationship::parse("Cloud Reseller"),
            Relationship::Reseller
        );
    }

    #[test]
    fn terms_normalise_to_iso() {
        assert_eq!(parse_term("p1y").as_deref(), Some("P1Y"));
        assert_eq!(parse_term("1 year").as_deref(), Some("P1Y"));
        assert_eq!(parse_term("3 Years").as_deref(), Some("P3Y"));
        assert_eq!(parse_term("Monthly").as_deref(), Some("P1M"));
        assert_eq!(parse_term("soon"), None);
        assert_eq!(parse_term("P"), None);
    }
}
