//! The decisions made for a row: what to do with it ([`Action`]) and how
//! to retire its source once the copy is confirmed ([`Retirement`]).
//!
//! `classify` makes them, the workbook carries them as text (written and
//! parsed back here), `plan` hands them to push and retire unchanged. One
//! enum per decision: no other module keeps its own copy.

use chrono::NaiveDate;
use serde::Serialize;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    #[serde(rename = "nothing")]
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

    /// What `plan` tells people retire will do; `double_billing_days`
    /// is appended where the source keeps billing.
    pub fn describe(&self, double_billing_days: Option<i64>) -> String {
        let days = double_billing_days
            .map(|d| format!("; about {d} day(s) billed twice"))
            .unwrap_or_default();
        match self {
            Retirement::Suspend => "suspend the same UTC day as the purchase".to_owned(),
            Retirement::Cancel { window_ends } => {
                format!("cancel (cancellation window ends {window_ends}){days}")
            }
            Retirement::StopAutoRenew { term_ends: Some(d) } => {
                format!("turn auto-renew off; the source bills until its term ends {d}{days}")
            }
            Retirement::StopAutoRenew { term_ends: None } => {
                format!("turn auto-renew off; term end unknown{days}")
            }
            Retirement::DecideAtRetire => "decided at retire (commerce unknown)".to_owned(),
            Retirement::None => "nothing to retire".to_owned(),
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

/// A reviewer's answer when the destination already holds a copy of a
/// row, written in the reviewer note: `Adopt <subscription id>` (use that
/// subscription, buy nothing) or `Buy anyway` (buy a second one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "subscription_id", rename_all = "snake_case")]
pub enum ReviewDecision {
    Adopt(String),
    BuyAnyway,
}

impl ReviewDecision {
    /// The decision a reviewer note starts with, if any (case and spacing
    /// are forgiven; anything after the decision is the reviewer's own).
    pub fn parse(note: &str) -> Option<ReviewDecision> {
        let t = note.trim();
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("buy anyway") {
            return Some(ReviewDecision::BuyAnyway);
        }
        let rest = lower.strip_prefix("adopt")?;
        let id: String = t[t.len() - rest.len()..]
            .trim_start_matches([' ', ':'])
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
            .collect();
        (!id.is_empty()).then(|| ReviewDecision::Adopt(id.to_ascii_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewer_decisions_are_read_from_the_note() {
        let id = "5c0a7b2e-0000-4000-8000-00000000000a";
        assert_eq!(
            ReviewDecision::parse(&format!(
                "Adopt {}: bought by hand in May",
                id.to_uppercase()
            )),
            Some(ReviewDecision::Adopt(id.to_owned()))
        );
        assert_eq!(
            ReviewDecision::parse("  buy ANYWAY, they need two"),
            Some(ReviewDecision::BuyAnyway)
        );
        assert_eq!(ReviewDecision::parse("adopt"), None);
        assert_eq!(ReviewDecision::parse("approved in the demo"), None);
    }

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
