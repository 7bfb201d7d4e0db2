//! What happened to a row: the one outcome vocabulary that push, retire,
//! verify, the journal, the results workbooks and `--json` share.
//!
//! The journal and JSON store the stable token ([`Outcome::token`]); people
//! read the human words ([`Outcome::label`]). Nothing else matches outcome
//! text: every decision about an outcome is a method here.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The final word on one row for one phase (push or retire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Push: the destination copy was bought.
    Bought,
    /// Push: the order was placed (it exists and is never bought again),
    /// but its subscription is not provisioned yet; push resolves it.
    Provisioning,
    /// Push: the customer is not ready (no reseller relationship yet).
    Waiting,
    /// A definitive refusal; nothing changed for this row.
    Failed,
    /// A request that may have been applied; the next run settles it.
    InDoubt,
    /// Retire: the source licence was suspended.
    Suspended,
    /// Retire: the source subscription was cancelled.
    Cancelled,
    /// Retire: the source's auto-renew was turned off (it bills until its
    /// term ends).
    AutoRenewOff,
    /// Retire, journals before the waiting outcomes: the source was left
    /// alone. No longer written ([`Outcome::WaitingForCopy`] replaced it).
    Skipped,
    /// Push: the destination already held the copy (bought earlier by
    /// hand, or adopted by the reviewer); nothing was bought.
    #[serde(rename = "already_at_destination")]
    AlreadyThere,
    /// Push: not sent this run because an earlier request of the same
    /// customer is still unsettled; a later run sends it.
    NotSent,
    /// Retire: the destination copy is not confirmed active yet (still
    /// provisioning, pending, not visible, or unreadable); a later run
    /// retires the source.
    WaitingForCopy,
}

impl Outcome {
    /// Every outcome, in display order.
    pub const ALL: [Outcome; 12] = [
        Outcome::Bought,
        Outcome::Provisioning,
        Outcome::Waiting,
        Outcome::Failed,
        Outcome::InDoubt,
        Outcome::Suspended,
        Outcome::Cancelled,
        Outcome::AutoRenewOff,
        Outcome::Skipped,
        Outcome::AlreadyThere,
        Outcome::NotSent,
        Outcome::WaitingForCopy,
    ];

    /// The stable token stored in the journal and written to `--json`.
    pub const fn token(self) -> &'static str {
        match self {
            Outcome::Bought => "bought",
            Outcome::Provisioning => "provisioning",
            Outcome::Waiting => "waiting",
            Outcome::Failed => "failed",
            Outcome::InDoubt => "in_doubt",
            Outcome::Suspended => "suspended",
            Outcome::Cancelled => "cancelled",
            Outcome::AutoRenewOff => "auto_renew_off",
            Outcome::Skipped => "skipped",
            Outcome::AlreadyThere => "already_at_destination",
            Outcome::NotSent => "not_sent",
            Outcome::WaitingForCopy => "waiting_for_copy",
        }
    }

    /// The outcome a stored token names.
    pub fn from_token(token: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.token() == token)
    }

    /// The words people read (consoles and results workbooks).
    pub const fn label(self) -> &'static str {
        match self {
            Outcome::Bought => "bought",
            Outcome::Provisioning => "bought, provisioning",
            Outcome::Waiting => "waiting for the customer",
            Outcome::Failed => "failed",
            Outcome::InDoubt => "in doubt",
            Outcome::Suspended => "suspended",
            Outcome::Cancelled => "cancelled",
            Outcome::AutoRenewOff => "auto-renew off",
            Outcome::Skipped => "left alone",
            Outcome::AlreadyThere => "already at destination",
            Outcome::NotSent => "not sent yet",
            Outcome::WaitingForCopy => "waiting for the destination copy",
        }
    }

    /// The source was retired (the change shows at the source).
    pub const fn is_retired(self) -> bool {
        matches!(
            self,
            Outcome::Suspended | Outcome::Cancelled | Outcome::AutoRenewOff
        )
    }

    /// A purchase that may exist: never bought again.
    pub const fn may_have_bought(self) -> bool {
        matches!(
            self,
            Outcome::Bought | Outcome::Provisioning | Outcome::InDoubt | Outcome::AlreadyThere
        )
    }

    /// The destination holds the row's copy (bought or adopted): retire
    /// and verify work from it.
    pub const fn has_copy(self) -> bool {
        matches!(self, Outcome::Bought | Outcome::AlreadyThere)
    }

    /// A retire that is done or may be done: never sent again.
    pub const fn may_have_retired(self) -> bool {
        self.is_retired() || matches!(self, Outcome::InDoubt)
    }

    /// Nothing more to do for this row in its phase, and nothing to report.
    pub const fn is_success(self) -> bool {
        self.has_copy() || self.is_retired()
    }
}

/// The phase a row outcome belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Buying the copy at the destination.
    Push,
    /// Retiring the source.
    Retire,
}

impl Phase {
    /// The stable token stored in the journal.
    pub const fn token(self) -> &'static str {
        match self {
            Phase::Push => "push",
            Phase::Retire => "retire",
        }
    }

    /// The phase a stored token names.
    pub fn from_token(token: &str) -> Option<Phase> {
        [Phase::Push, Phase::Retire]
            .into_iter()
            .find(|p| p.token() == token)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_distinct() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_token(o.token()), Some(o));
        }
        let mut tokens: Vec<&str> = Outcome::ALL.iter().map(|o| o.token()).collect();
        tokens.sort_unstable();
        tokens.dedup();
        assert_eq!(tokens.len(), Outcome::ALL.len());
        assert_eq!(Outcome::from_token("retired"), None);
    }

    #[test]
    fn json_uses_the_tokens() -> crate::TestResult {
        for o in Outcome::ALL {
            assert_eq!(serde_json::to_string(&o)?, format!("\"{}\"", o.token()));
        }
        Ok(())
    }
}
