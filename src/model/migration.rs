//! The migration workbook as data: one [`MigrationRow`] per source
//! subscription plus the per-customer, activity and input summaries.
//!
//! `build` produces a [`MigrationBook`]; `sheet` writes it; `plan` reads the
//! reviewed rows back. The decisions (action, target, retirement) are made
//! in [`super::classify`].

use chrono::{NaiveDate, NaiveDateTime};

use super::decision::{Action, Retirement};
use super::issue::Issue;
use super::records::{ActivityAggregate, ChangesSince};
use super::types::{BillingCycle, BillingType, Commerce, Relationship, SubStatus};

/// One row of the Migration sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationRow {
    // --- written by build, locked in the workbook ---
    pub customer: String,
    /// Lower-case GUID; empty when the customer could not be resolved.
    pub tenant_id: String,
    pub primary_domain: Option<String>,
    pub source_subscription_id: String,
    pub product: String,
    pub source_offer_id: Option<String>,
    pub nickname: Option<String>,
    pub status: Option<SubStatus>,
    pub seats: Option<u32>,
    pub billing_type: BillingType,
    pub commerce: Commerce,
    pub billing_cycle: Option<BillingCycle>,
    pub term: Option<String>,
    pub term_end: Option<NaiveDate>,
    pub auto_renew: Option<bool>,
    pub reseller: Option<String>,
    /// `None` when no activity log was given.
    pub changes_since_export: Option<ChangesSince>,
    pub action: Action,
    // --- filled by build, edited by people ---
    pub target_catalog_item: Option<String>,
    pub target_seats: Option<u32>,
    pub target_billing_cycle: Option<BillingCycle>,
    pub target_term: Option<String>,
    // --- people only ---
    pub approved: bool,
    pub reviewer_note: String,
    // --- written by build, locked ---
    pub retirement: Retirement,
    pub double_billing_days: Option<i64>,
    pub warnings: Vec<String>,
    /// `file: Sheet!5:5` / `file: line 12`.
    pub source: String,
    /// Input columns we do not map, kept as (header, value).
    pub extras: Vec<(String, String)>,
}

/// One row of the Customers sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerSummary {
    pub company_name: String,
    pub tenant_id: String,
    pub primary_domain: Option<String>,
    pub relationship: Option<Relationship>,
    pub subscriptions: u32,
    /// Sum of seats over Recreate rows.
    pub seats_to_move: u64,
    pub azure_subscriptions: u32,
    pub changes_since_export: Option<ChangesSince>,
    pub last_activity: Option<NaiveDateTime>,
    pub issues: u32,
}

/// One input file, as recorded in the meta sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    pub path: String,
    /// What it was read as: `subscriptions`, `customers`, `activity`,
    /// `batch-migration`, `offer-map`.
    pub kind: String,
    /// Lower-case hex SHA-256 of the bytes read.
    pub sha256: String,
    pub bytes: u64,
    /// Data rows read.
    pub rows: u64,
}

/// Everything the migration workbook shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationBook {
    pub rows: Vec<MigrationRow>,
    pub customers: Vec<CustomerSummary>,
    pub activity: Vec<ActivityAggregate>,
    pub issues: Vec<Issue>,
    pub inputs: Vec<InputFile>,
    /// When build ran (UTC).
    pub built_at: NaiveDateTime,
    /// The day build took as "today" for windows and double-billing days.
    pub as_of: NaiveDate,
}
