//! How to retire one source subscription: the change it needs (decided
//! from the plan and the live subscription), how that change is sent and
//! recognised, and the note reported with it.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::super::port::SubscriptionInfo;
use crate::model::{Outcome, Retirement};

/// The live change a row needs, decided from the source subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    Suspend,
    Cancel,
    AutoRenewOff { term_ends: Option<String> },
}

impl Change {
    pub(super) fn outcome(&self) -> Outcome {
        match self {
            Change::Suspend => Outcome::Suspended,
            Change::Cancel => Outcome::Cancelled,
            Change::AutoRenewOff { .. } => Outcome::AutoRenewOff,
        }
    }

    /// The change a journalled intent recorded (by its outcome token).
    pub(super) fn from_recorded(token: Option<&str>) -> Change {
        match token.and_then(Outcome::from_token) {
            Some(Outcome::Suspended) => Change::Suspend,
            Some(Outcome::Cancelled) => Change::Cancel,
            _ => Change::AutoRenewOff { term_ends: None },
        }
    }

    pub(super) fn apply(&self, body: &mut Value) {
        match self {
            Change::Suspend => body["status"] = json!("suspended"),
            Change::Cancel => body["status"] = json!("deleted"),
            Change::AutoRenewOff { .. } => body["autoRenewEnabled"] = json!(false),
        }
    }

    pub(super) fn shows_in(&self, sub: &SubscriptionInfo) -> bool {
        match self {
            Change::Suspend => sub.status == "suspended",
            Change::Cancel => sub.status == "deleted",
            Change::AutoRenewOff { .. } => sub.auto_renew == Some(false),
        }
    }
}

fn is_new_commerce(sub: &SubscriptionInfo) -> bool {
    sub.offer_id.contains(':')
        || sub.body.pointer("/productType/id").and_then(Value::as_str) == Some("OnlineServicesNCE")
}

fn date_part(s: &str) -> Option<NaiveDate> {
    s.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Whether a cancellation window ending at `until` is still open on
/// `today`. On its last day the time counts: a window that closed this
/// morning refuses a cancel (800040) this afternoon.
fn window_open_on(until: &str, today: NaiveDate) -> bool {
    match date_part(until) {
        Some(d) if d > today => true,
        Some(d) if d == today => chrono::DateTime::parse_from_rfc3339(until)
            .ok()
            .is_none_or(|t| t.with_timezone(&chrono::Utc) > chrono::Utc::now()),
        _ => false,
    }
}

/// Decide the change from the plan's retirement and the live
/// subscription.
pub(super) fn decide(method: Retirement, sub: &SubscriptionInfo, today: NaiveDate) -> Change {
    let new_commerce = match method {
        Retirement::Suspend => false,
        Retirement::Cancel { .. } | Retirement::StopAutoRenew { .. } => true,
        Retirement::DecideAtRetire | Retirement::None => is_new_commerce(sub),
    };
    if !new_commerce {
        return Change::Suspend;
    }
    let window_open = sub
        .cancellation_allowed_until
        .as_deref()
        .is_some_and(|until| window_open_on(until, today));
    if window_open {
        Change::Cancel
    } else {
        Change::AutoRenewOff {
            term_ends: sub
                .commitment_end
                .as_deref()
                .and_then(date_part)
                .map(|d| d.to_string()),
        }
    }
}

/// The note reported with a successful change.
pub(super) fn note(change: &Change, dest: &SubscriptionInfo, today: NaiveDate) -> Option<String> {
    match change {
        Change::AutoRenewOff {
            term_ends: Some(end),
        } => {
            let days = date_part(end)
                .map(|d| (d - today).num_days().max(0))
                .unwrap_or(0);
            Some(format!(
                "new commerce past its cancellation window: the source bills until {end} ({days} day(s) of double billing)"
            ))
        }
        Change::AutoRenewOff { term_ends: None } => {
            Some("auto-renew off; the source term end is unknown".into())
        }
        Change::Suspend => {
            let bought = dest.creation_date.as_deref().and_then(date_part);
            match bought {
                Some(d) if d != today => Some(format!(
                    "WARNING: suspended on {today}, but the destination copy was bought on {d}: the source article asks for the same UTC day to avoid double billing"
                )),
                _ => None,
            }
        }
        Change::Cancel => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(offer: &str, status: &str, window: Option<&str>, end: Option<&str>) -> SubscriptionInfo {
        SubscriptionInfo {
            id: "s".into(),
            offer_id: offer.into(),
            quantity: 1,
            status: status.into(),
            auto_renew: Some(true),
            order_id: None,
            creation_date: Some("2026-11-20T08:00:00Z".into()),
            cancellation_allowed_until: window.map(str::to_owned),
            commitment_end: end.map(str::to_owned),
            body: json!({ "id": "s", "status": status }),
        }
    }

    #[test]
    fn the_live_subscription_decides_how_to_retire() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
        let nce = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
        assert_eq!(
            decide(
                Retirement::DecideAtRetire,
                &sub("796B6B5F-0000-4000-8000-0000000000E3", "active", None, None),
                today
            ),
            Change::Suspend
        );
        assert_eq!(
            decide(
                Retirement::DecideAtRetire,
                &sub(nce, "active", Some("2026-11-22T00:00:00Z"), None),
                today
            ),
            Change::Cancel
        );
        assert_eq!(
            decide(
                Retirement::Cancel { window_ends: today },
                &sub(
                    nce,
                    "active",
                    Some("2026-11-19T00:00:00Z"),
                    Some("2027-03-01T00:00:00Z")
                ),
                today
            ),
            Change::AutoRenewOff {
                term_ends: Some("2027-03-01".into())
            }
        );
        let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
        let real_today = chrono::Utc::now().date_naive();
        assert!(!window_open_on(&past, real_today), "closed earlier today");
        assert!(window_open_on("2026-11-20", today), "a bare date: all day");
        let mut body = json!({ "status": "active", "autoRenewEnabled": true });
        Change::AutoRenewOff { term_ends: None }.apply(&mut body);
        assert_eq!(
            body,
            json!({ "status": "active", "autoRenewEnabled": false })
        );
    }
}
