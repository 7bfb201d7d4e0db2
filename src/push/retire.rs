//! Retire: stop the source subscriptions whose destination copy is
//! confirmed, without double billing.
//!
//! Only rows whose destination subscription reads back `active` are
//! touched. Legacy licences are suspended (the source article asks for the
//! same UTC day as the purchase; a later day is warned about). New-commerce
//! suspension does not stop billing, so new commerce is cancelled while the
//! cancellation window is open, and otherwise auto-renew is turned off and
//! the date the source term ends is reported. Every PATCH is journalled
//! first; an in-doubt PATCH is settled by reading the subscription (has the
//! change shown?) and only then replayed with the same request id.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use super::crash::{self, Point};
use super::engine::PushError;
use super::journal::{Entry, EntryState, Intent, Journal, JournalError, RequestKind, RowOutcome};
use super::port::{CallError, PartnerApi, PatchOutcome, SubscriptionInfo};
use crate::model::{Outcome, Phase, Retirement};

/// The phase retire records row outcomes under.
pub const PHASE: Phase = Phase::Retire;

/// One source subscription to retire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetireItem {
    pub customer_id: String,
    pub source_subscription_id: String,
    pub destination_subscription_id: String,
    /// What the plan said to do with the source row.
    pub method: Retirement,
}

/// The live change a row needs, decided from the source subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Suspend,
    Cancel,
    AutoRenewOff { term_ends: Option<String> },
}

impl Change {
    fn outcome(&self) -> Outcome {
        match self {
            Change::Suspend => Outcome::Suspended,
            Change::Cancel => Outcome::Cancelled,
            Change::AutoRenewOff { .. } => Outcome::AutoRenewOff,
        }
    }

    /// The change a journalled intent recorded (by its outcome token).
    fn from_recorded(token: Option<&str>) -> Change {
        match token.and_then(Outcome::from_token) {
            Some(Outcome::Suspended) => Change::Suspend,
            Some(Outcome::Cancelled) => Change::Cancel,
            _ => Change::AutoRenewOff { term_ends: None },
        }
    }

    fn apply(&self, body: &mut Value) {
        match self {
            Change::Suspend => body["status"] = json!("suspended"),
            Change::Cancel => body["status"] = json!("deleted"),
            Change::AutoRenewOff { .. } => body["autoRenewEnabled"] = json!(false),
        }
    }

    fn shows_in(&self, sub: &SubscriptionInfo) -> bool {
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

/// Decide the change from the plan's retirement and the live
/// subscription.
fn decide(method: Retirement, sub: &SubscriptionInfo, today: NaiveDate) -> Change {
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
        .and_then(date_part)
        .is_some_and(|d| d >= today);
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

fn outcome_row(
    item: &RetireItem,
    outcome: Outcome,
    code: Option<&str>,
    message: Option<String>,
) -> RowOutcome {
    RowOutcome {
        source_subscription_id: item.source_subscription_id.clone(),
        phase: PHASE,
        outcome,
        destination_order_id: None,
        destination_subscription_id: Some(item.destination_subscription_id.clone()),
        error_code: code.map(str::to_owned),
        error_message: message,
        at: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

/// The note reported with a successful change.
fn note(change: &Change, dest: &SubscriptionInfo, today: NaiveDate) -> Option<String> {
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

/// Retire every item; the destination API confirms copies, the source API
/// is changed. Settles in-doubt PATCHes first.
///
/// # Errors
/// Journal failures and refused credentials.
pub async fn retire<S: PartnerApi, D: PartnerApi>(
    source: &S,
    destination: &D,
    journal: &Arc<Journal>,
    items: &[RetireItem],
    today: NaiveDate,
) -> Result<Vec<RowOutcome>, PushError> {
    for entry in journal.in_doubt()? {
        if entry.intent.kind == RequestKind::PatchSubscription {
            settle_patch(source, journal, &entry).await?;
        }
    }
    let done = journal.row_outcomes(PHASE)?;
    for item in items {
        let finished = done.iter().any(|o| {
            o.source_subscription_id == item.source_subscription_id && o.outcome.may_have_retired()
        });
        let pending = journal.for_customer(&item.customer_id)?.iter().any(|e| {
            e.state == EntryState::Pending && e.intent.rows.contains(&item.source_subscription_id)
        });
        if finished || pending {
            continue;
        }
        let row = retire_one(source, destination, journal, item, today).await?;
        journal.set_row_outcome(&row)?;
    }
    Ok(journal.row_outcomes(PHASE)?)
}

async fn retire_one<S: PartnerApi, D: PartnerApi>(
    source: &S,
    destination: &D,
    journal: &Journal,
    item: &RetireItem,
    today: NaiveDate,
) -> Result<RowOutcome, PushError> {
    let auth = |e: &CallError| matches!(e, CallError::Auth(_));
    let dest = match destination
        .get_subscription(&item.customer_id, &item.destination_subscription_id)
        .await
    {
        Ok(Some(d)) if d.status == "active" => d,
        Ok(Some(d)) => {
            let msg = format!(
                "destination copy {} is {}, not active: source left alone",
                d.id, d.status
            );
            return Ok(outcome_row(item, Outcome::Skipped, None, Some(msg)));
        }
        Ok(None) => {
            let msg = "destination copy not found: source left alone".to_owned();
            return Ok(outcome_row(item, Outcome::Skipped, None, Some(msg)));
        }
        Err(e) if auth(&e) => return Err(PushError::Auth(e.to_string())),
        Err(e) => {
            return Ok(outcome_row(
                item,
                Outcome::Skipped,
                None,
                Some(format!("could not confirm the destination copy: {e}")),
            ));
        }
    };
    let sub = match source
        .get_subscription(&item.customer_id, &item.source_subscription_id)
        .await
    {
        Ok(Some(s)) => s,
        Ok(None) => {
            return Ok(outcome_row(
                item,
                Outcome::Failed,
                Some("20003"),
                Some("source subscription not found".into()),
            ));
        }
        Err(e) if auth(&e) => return Err(PushError::Auth(e.to_string())),
        Err(e) => {
            return Ok(outcome_row(
                item,
                Outcome::Failed,
                None,
                Some(format!("could not read the source: {e}")),
            ));
        }
    };
    let change = decide(item.method, &sub, today);
    if change.shows_in(&sub) || (change == Change::Suspend && sub.status == "deleted") {
        return Ok(outcome_row(
            item,
            change.outcome(),
            None,
            Some(format!("already {}", sub.status)),
        ));
    }
    let mut body = sub.body.clone();
    change.apply(&mut body);
    let entry = journal.record_intent(Intent {
        kind: RequestKind::PatchSubscription,
        customer_id: item.customer_id.clone(),
        rows: vec![item.source_subscription_id.clone()],
        body: json!({ "change": change.outcome().token(), "subscription": body, "destination": item.destination_subscription_id }),
        depends_on: None,
    })?;
    journal.mark_attempt(&entry.request_id)?;
    crash::reached(Point::Intent);
    let result = source
        .patch_subscription(&item.customer_id, &entry.request_id, &body)
        .await;
    crash::reached(Point::Answer);
    let row = finish_patch(journal, &entry, item, &change, result, &dest, today)?;
    crash::reached(Point::Settled);
    Ok(row)
}

fn finish_patch(
    journal: &Journal,
    entry: &Entry,
    item: &RetireItem,
    change: &Change,
    result: Result<PatchOutcome, CallError>,
    dest: &SubscriptionInfo,
    today: NaiveDate,
) -> Result<RowOutcome, PushError> {
    match result {
        Ok(PatchOutcome::Applied(sub)) if change.shows_in(&sub) => {
            let row = outcome_row(item, change.outcome(), None, note(change, dest, today));
            journal.settle_with_rows(
                &entry.request_id,
                EntryState::Done,
                &sub.body,
                std::slice::from_ref(&row),
            )?;
            Ok(row)
        }
        Ok(_) | Err(CallError::Uncertain(_)) => {
            let msg =
                "the change was sent but has not shown yet; the next run checks it".to_owned();
            Ok(outcome_row(item, Outcome::InDoubt, None, Some(msg)))
        }
        Err(CallError::Auth(m)) => Err(PushError::Auth(m)),
        Err(CallError::Rejected { code, message, .. }) => {
            let row = outcome_row(item, Outcome::Failed, Some(&code), Some(message.clone()));
            let response = json!({ "code": code, "message": message });
            journal.settle_with_rows(
                &entry.request_id,
                EntryState::Failed,
                &response,
                std::slice::from_ref(&row),
            )?;
            Ok(row)
        }
    }
}

/// Read the subscription: if the change shows, it was applied; else replay
/// the PATCH with the journalled request id.
async fn settle_patch<S: PartnerApi>(
    source: &S,
    journal: &Journal,
    entry: &Entry,
) -> Result<(), JournalError> {
    let Some(sid) = entry.intent.rows.first() else {
        return journal.settle(
            &entry.request_id,
            EntryState::Failed,
            &json!({ "error": "no row" }),
        );
    };
    let body = entry
        .intent
        .body
        .get("subscription")
        .cloned()
        .unwrap_or(Value::Null);
    let change = Change::from_recorded(entry.intent.body.get("change").and_then(Value::as_str));
    let item = RetireItem {
        customer_id: entry.intent.customer_id.clone(),
        source_subscription_id: sid.clone(),
        destination_subscription_id: entry
            .intent
            .body
            .get("destination")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        method: Retirement::DecideAtRetire,
    };
    let read = source.get_subscription(&item.customer_id, sid).await;
    crash::reached(Point::Answer);
    let Ok(Some(current)) = read else {
        return Ok(());
    };
    if change.shows_in(&current) {
        let row = outcome_row(
            &item,
            change.outcome(),
            None,
            Some("settled: the change had been applied".into()),
        );
        journal.settle_with_rows(&entry.request_id, EntryState::Done, &current.body, &[row])?;
        crash::reached(Point::Settled);
        return Ok(());
    }
    journal.mark_attempt(&entry.request_id)?;
    crash::reached(Point::Intent);
    let answer = source
        .patch_subscription(&item.customer_id, &entry.request_id, &body)
        .await;
    crash::reached(Point::Answer);
    match answer {
        Ok(PatchOutcome::Applied(sub)) if change.shows_in(&sub) => {
            let row = outcome_row(&item, change.outcome(), None, None);
            journal.settle_with_rows(&entry.request_id, EntryState::Done, &sub.body, &[row])?;
        }
        Err(CallError::Rejected { code, message, .. }) => {
            let row = outcome_row(&item, Outcome::Failed, Some(&code), Some(message.clone()));
            journal.settle_with_rows(
                &entry.request_id,
                EntryState::Failed,
                &json!({ "code": code, "message": message }),
                &[row],
            )?;
        }
        _ => return Ok(()),
    }
    crash::reached(Point::Settled);
    Ok(())
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
        let mut body = json!({ "status": "active", "autoRenewEnabled": true });
        Change::AutoRenewOff { term_ends: None }.apply(&mut body);
        assert_eq!(
            body,
            json!({ "status": "active", "autoRenewEnabled": false })
        );
    }
}
