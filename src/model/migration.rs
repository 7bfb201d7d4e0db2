//! The migration workbook as data: one [`MigrationRow`] per source
//! subscription plus the per-customer, activity and input summaries.
//!
//! `build` produces a [`MigrationBook`]; `sheet` writes it; `plan` reads the
//! reviewed rows back. The decisions (action, target, retirement) are made
//! in [`super::classify`].

use chrono::{NaiveDate, NaiveDateTime};

use super::issue::Issue;
use super::records::{ActivityAggregate, ChangesSince};
use super::types::{BillingCycle, BillingType, Commerce, Relationship, SubStatus};

/// What the tool will do with a source subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Buy the same seats at the destination, then retire the source.
    Recreate,
    /// Usage-based Azure: Microsoft migrates it, nothing to buy.
    MicrosoftSupport,
    /// Nothing to do, and why.
    Skip(String),
}

impl Action {
    /// The workbook text: `Recreate`, `Microsoft support`, `Skip: <reason>`.
    pub fn text(&self) -> String {
        match self {
            Action::Recreate => "Recreate".to_owned(),
            Action::MicrosoftSupport => "Microsoft support".to_owned(),
            Action::Skip(reason) => format!("Skip: {reason}"),
        }
    }

    /// Parse the workbook text back.
    pub fn parse(text: &str) -> Option<Action> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("recreate") {
            Some(Action::Recreate)
        } else if t.eq_ignore_ascii_case("microsoft support") {
            Some(Action::MicrosoftSupport)
        } else {
            let rest = t.strip_prefix("Skip").or_else(|| t.strip_prefix("skip"))?;
            Some(Action::Skip(rest.trim_start_matches(':').trim().to_owned()))
        }
    }
}

/// How the source subscription is retired once its copy is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retirement {
    /// Legacy licence: suspend, the same UTC day as the purchase.
    Suspend,
    /// New commerce inside the cancellation window, which ends on this day.
    Cancel { window_ends: NaiveDate },
    /// New commerce past the window: turn auto-renew off; the source keeps
    /// billing until its term ends (if known).
    StopAutoRenew { term_ends: Option<NaiveDate> },
    /// Commerce unknown: `retire` reads the live subscription and decides.
    DecideAtRetire,
    /// Nothing to retire (skipped rows, Azure migrated by Microsoft).
    None,
}

impl Retirement {
    /// The workbook text.
    pub fn text(&self) -> String {
        match self {
            Retirement::Suspend => "Suspend".to_owned(),
            Retirement::Cancel { window_ends } => format!("Cancel (window ends {window_ends})"),
            Retirement::StopAutoRenew { term_ends: Some(d) } => {
                format!("Stop auto-renew (term ends {d})")
            }
            Retirement::StopAutoRenew { term_ends: None } => {
                "Stop auto-renew (term end unknown)".to_owned()
            }
            Retirement::DecideAtRetire => "Decide at retire (commerce unknown)".to_owned(),
            Retirement::None => String::new(),
        }
    }

    /// Parse the workbook text back.
    pub fn parse(text: &str) -> Option<Retirement> {
        let t = text.trim();
        let date_in = |s: &str| {
            let start = s.find(|c: char| c.is_ascii_digit())?;
            NaiveDate::parse_from_str(s.get(start..start + 10)?, "%Y-%m-%d").ok()
        };
        if t.is_empty() {
            Some(Retirement::None)
        } else if t.eq_ignore_ascii_case("suspend") {
            Some(Retirement::Suspend)
        } else if t.starts_with("Cancel") {
            Some(Retirement::Cancel {
                window_ends: date_in(t)?,
            })
        } else if t.starts_with("Stop auto-renew") {
            Some(Retirement::StopAutoRenew {
                term_ends: date_in(t),
            })
        } else if t.starts_with("Decide at retire") {
            Some(Retirement::DecideAtRetire)
        } else {
            None
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_and_retirement_texts_round_trip() {
        for a in [
            Action::Recreate,
            Action::MicrosoftSupport,
            Action::Skip("status is Deleted".into()),
        ] {
            assert_eq!(Action::parse(&a.text()), Some(a));
        }
        let d = NaiveDate::from_ymd_opt(2026, 12, 1);
        for r in [
            Retirement::Suspend,
            Retirement::Cancel {
                window_ends: d.unwrap_or_default(),
            },
            Retirement::StopAutoRenew { term_ends: d },
            Retirement::StopAutoRenew { term_ends: None },
            Retirement::DecideAtRetire,
            Retirement::None,
        ] {
            assert_eq!(Retirement::parse(&r.text()), Some(r));
        }
    }
}
