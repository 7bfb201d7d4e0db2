//! Canonical records read from the inputs, before any decision is made.
//!
//! Every reader (per-customer export, customer list, activity log, the
//! batch-migration tool's CSV, pulled API files) produces these, whatever
//! the locale, file type or column order was. Each record remembers where it
//! came from.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use super::location::Location;
use super::types::{BillingCycle, BillingType, Commerce, Relationship, SubStatus};

/// One customer from the customer list (or from a file that names one).
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Customer tenant ID ("Microsoft ID"), lower-case GUID.
    pub tenant_id: String,
    pub company_name: String,
    /// Default domain, lower case.
    pub primary_domain: Option<String>,
    pub relationship: Option<Relationship>,
    pub tags: Vec<String>,
    pub source: Location,
}

/// One subscription row of a source export, attributed to a customer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceSubscription {
    /// Lower-case GUID as shown in Partner Center.
    pub subscription_id: String,
    /// Owning customer tenant ID, when known (from the file, its name or the
    /// customer list).
    pub customer_tenant_id: Option<String>,
    /// Owning customer name, when the file names one.
    pub customer_name: Option<String>,
    /// Offer / product name ("Subscription" column of the UI export).
    pub product: String,
    /// Legacy GUID, `MS-AZR-…`, or `PRODUCT:SKU[:AVAILABILITY]`.
    pub offer_id: Option<String>,
    pub nickname: Option<String>,
    pub status: Option<SubStatus>,
    pub quantity: Option<u32>,
    /// Explicit billing type when the input says so (API pulls do).
    pub billing_type: Option<BillingType>,
    /// Explicit commerce kind when the input says so (the batch-migration
    /// tool lists legacy subscriptions only).
    pub commerce: Option<Commerce>,
    /// A destination catalog item the input proposes (the batch-migration
    /// tool's `NcePsa`).
    pub target_offer_id: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    /// ISO 8601 term (`P1M`, `P1Y`, `P3Y`).
    pub term: Option<String>,
    pub term_end: Option<NaiveDate>,
    pub start_date: Option<NaiveDate>,
    /// Last day a new-commerce subscription can still be cancelled.
    pub cancellation_allowed_until: Option<NaiveDate>,
    pub auto_renew: Option<bool>,
    /// Reseller of record (MPN / partner ID).
    pub reseller: Option<String>,
    pub parent_subscription_id: Option<String>,
    /// When the export that holds this row was taken (UTC).
    pub exported_at: Option<NaiveDateTime>,
    /// Columns we do not map, kept as (header, value).
    pub extras: Vec<(String, String)>,
    pub source: Location,
}

impl Default for Location {
    fn default() -> Self {
        Location::file("")
    }
}

/// What kind of change an activity-log action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    Purchase,
    QuantityChange,
    Suspend,
    Reactivate,
    Cancel,
    Upgrade,
    Migration,
    /// Any other update to a subscription (auto-renew, name …).
    SubscriptionUpdate,
    /// Not subscription-affecting (referrals, GDAP, users …).
    Other,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Purchase => "Purchase",
            ActionKind::QuantityChange => "Quantity change",
            ActionKind::Suspend => "Suspend",
            ActionKind::Reactivate => "Reactivate",
            ActionKind::Cancel => "Cancel",
            ActionKind::Upgrade => "Upgrade",
            ActionKind::Migration => "Migration",
            ActionKind::SubscriptionUpdate => "Subscription update",
            ActionKind::Other => "Other",
        }
    }

    /// Whether the action can change what a subscription export shows.
    pub fn affects_subscriptions(self) -> bool {
        !matches!(self, ActionKind::Other)
    }
}

/// Activity after the export, per customer (or per subscription when the
/// log names it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangesSince {
    /// Subscription-affecting actions after the export was taken.
    pub count: u32,
    /// The latest of them: when and what (the log's own action text).
    pub last: Option<(NaiveDateTime, String)>,
}

/// The activity log folded per customer and action: what the Activity sheet
/// shows. A million-row log becomes a few thousand rows.
///
/// Texts are shared (`Arc<str>`) between the aggregates of one name, action
/// or actor: 50,000 aggregates hold a few thousand distinct strings.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityAggregate {
    /// Resolved customer tenant ID, if the name matched exactly one customer.
    pub customer_tenant_id: Option<Arc<str>>,
    /// The company name as the log wrote it.
    pub customer_name: Arc<str>,
    pub action: Arc<str>,
    pub kind: ActionKind,
    pub count: u64,
    pub first: NaiveDateTime,
    pub last: NaiveDateTime,
    pub last_actor: Option<Arc<str>>,
}
