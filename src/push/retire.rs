//! Retire: stop the source subscriptions whose destination copy is
//! confirmed, without double billing, at the rate the API allows.
//!
//! Customers are worked concurrently, like push (the same adaptive
//! concurrency; the clients share one pacer per account). Per customer:
//! one listing of the destination's subscriptions confirms every copy, one
//! listing of the source's gives every live subscription, then one PATCH
//! per row. Only rows whose destination copy reads back `active` are
//! touched; every other row is reported as waiting for its copy, with why,
//! and a later run retires it — nothing is skipped silently. How each row
//! is retired is decided in the `change` submodule. Every PATCH is
//! journalled first; an in-doubt PATCH is settled by reading the
//! subscription (has the change shown?) and only then replayed with the
//! same request id. A row counts as
//! retired only when the service's answer (or a read after it) shows the
//! change.

mod change;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::crash::{self, Point};
use super::engine::{PushError, join_workers};
use super::journal::{Entry, EntryState, Intent, Journal, JournalError, RequestKind, RowOutcome};
use super::port::{CallError, PartnerApi, PatchOutcome, SubscriptionInfo};
use crate::api::throttle::Throttle;
use crate::model::{Outcome, Phase, Retirement};
use change::{Change, decide, note};

/// The phase retire records row outcomes under.
pub const PHASE: Phase = Phase::Retire;

/// One source subscription to retire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetireItem {
    pub customer_id: String,
    pub source_subscription_id: String,
    /// The copy push bought; `None` while push has not recorded it yet.
    pub destination_subscription_id: Option<String>,
    /// Why the row cannot be retired yet, decided before any call (the
    /// copy is not bought yet, say); `None` when it may be.
    pub not_ready: Option<String>,
    /// What the plan said to do with the source row.
    pub method: Retirement,
}

/// Knobs: customers worked at once (adapted to 429s between the two).
#[derive(Debug, Clone)]
pub struct RetireOptions {
    pub initial_concurrency: usize,
    pub max_concurrency: usize,
}

impl Default for RetireOptions {
    fn default() -> Self {
        RetireOptions {
            initial_concurrency: 4,
            max_concurrency: 16,
        }
    }
}

/// What a retire run did.
#[derive(Debug, Clone, Default)]
pub struct RetireRun {
    /// Every retire outcome in the journal, this run's and earlier ones.
    pub rows: Vec<RowOutcome>,
    /// Source subscriptions this run changed, each confirmed by the
    /// service's answer or a read after it.
    pub changed: usize,
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
        destination_subscription_id: item.destination_subscription_id.clone(),
        error_code: code.map(str::to_owned),
        error_message: message,
        at: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

fn waiting(item: &RetireItem, why: String) -> RowOutcome {
    outcome_row(
        item,
        Outcome::WaitingForCopy,
        None,
        Some(format!("{why}; the source is left alone until a later run")),
    )
}

/// Retire every item; the destination API confirms copies, the source API
/// is changed. Settles in-doubt PATCHes first.
///
/// # Errors
/// Journal failures and refused credentials.
pub async fn retire<S: PartnerApi + 'static, D: PartnerApi + 'static>(
    source: Arc<S>,
    destination: Arc<D>,
    journal: &Arc<Journal>,
    items: &[RetireItem],
    today: NaiveDate,
    options: &RetireOptions,
) -> Result<RetireRun, PushError> {
    let mut changed = 0;
    for entry in journal.in_doubt()? {
        if entry.intent.kind == RequestKind::PatchSubscription {
            changed += usize::from(settle_patch(source.as_ref(), journal, &entry).await?);
        }
    }
    let finished: HashSet<String> = journal
        .row_outcomes(PHASE)?
        .into_iter()
        .filter(|o| o.outcome.may_have_retired())
        .map(|o| o.source_subscription_id)
        .collect();
    let unresolved: HashSet<String> = journal
        .in_doubt()?
        .into_iter()
        .filter(|e| e.intent.kind == RequestKind::PatchSubscription)
        .flat_map(|e| e.intent.rows)
        .collect();
    let mut by_customer: BTreeMap<String, Vec<RetireItem>> = BTreeMap::new();
    for item in items {
        let id = &item.source_subscription_id;
        if finished.contains(id) {
            continue;
        }
        if unresolved.contains(id) {
            let msg = "a change sent earlier has not shown yet and could not be settled now; \
                       the next run checks it again (same request id)";
            let row = outcome_row(item, Outcome::InDoubt, None, Some(msg.to_owned()));
            journal.set_row_outcome(&row)?;
            continue;
        }
        by_customer
            .entry(item.customer_id.clone())
            .or_default()
            .push(item.clone());
    }
    let throttle = Throttle::new(options.initial_concurrency, options.max_concurrency);
    let mut tasks = JoinSet::new();
    for (customer, items) in by_customer {
        let (source, destination, journal, throttle) = (
            source.clone(),
            destination.clone(),
            journal.clone(),
            throttle.clone(),
        );
        tasks.spawn(async move {
            let _permit = throttle.acquire().await;
            let n = retire_customer(
                source.as_ref(),
                destination.as_ref(),
                &journal,
                &customer,
                &items,
                today,
            )
            .await?;
            throttle.observe(source.throttled() + destination.throttled());
            Ok::<_, PushError>(n)
        });
    }
    join_workers(tasks, |n| changed += n).await?;
    Ok(RetireRun {
        rows: journal.row_outcomes(PHASE)?,
        changed,
    })
}

/// Retire one customer's rows: two listings, then one PATCH per row.
/// Returns how many source subscriptions it changed.
async fn retire_customer<S: PartnerApi, D: PartnerApi>(
    source: &S,
    destination: &D,
    journal: &Journal,
    customer_id: &str,
    items: &[RetireItem],
    today: NaiveDate,
) -> Result<usize, PushError> {
    let auth = |e: &CallError| matches!(e, CallError::Auth(_));
    let mut ready = Vec::new();
    for item in items {
        let why = match (&item.not_ready, &item.destination_subscription_id) {
            (Some(why), _) => why.clone(),
            (None, None) => "push recorded the purchase but no destination subscription id yet \
                             (still provisioning)"
                .to_owned(),
            (None, Some(_)) => {
                ready.push(item);
                continue;
            }
        };
        journal.set_row_outcome(&waiting(item, why))?;
    }
    if ready.is_empty() {
        return Ok(0);
    }
    let copies = match destination.list_subscriptions(customer_id).await {
        Ok(list) => by_id(list),
        Err(e) if auth(&e) => return Err(PushError::Auth(e.to_string())),
        Err(e) => {
            for item in ready {
                let why = format!("could not confirm the destination copy: {e}");
                journal.set_row_outcome(&waiting(item, why))?;
            }
            return Ok(0);
        }
    };
    let mut confirmed = Vec::new();
    for item in ready {
        let dest_id = item.destination_subscription_id.as_deref().unwrap_or("");
        match copies.get(&dest_id.to_ascii_lowercase()) {
            Some(d) if d.status == "active" => confirmed.push((item, d)),
            Some(d) => {
                let why = format!("destination copy {} is {}, not active yet", d.id, d.status);
                journal.set_row_outcome(&waiting(item, why))?;
            }
            None => {
                let why = format!("destination copy {dest_id} is not visible yet");
                journal.set_row_outcome(&waiting(item, why))?;
            }
        }
    }
    if confirmed.is_empty() {
        return Ok(0);
    }
    let live = match source.list_subscriptions(customer_id).await {
        Ok(list) => by_id(list),
        Err(e) if auth(&e) => return Err(PushError::Auth(e.to_string())),
        Err(e) => {
            for (item, _) in confirmed {
                let msg = format!("could not read the source: {e}; a later run retries");
                journal.set_row_outcome(&outcome_row(item, Outcome::Failed, None, Some(msg)))?;
            }
            return Ok(0);
        }
    };
    let mut changed = 0;
    for (item, dest) in confirmed {
        let Some(sub) = live.get(&item.source_subscription_id.to_ascii_lowercase()) else {
            let msg = "source subscription not found".to_owned();
            let row = outcome_row(item, Outcome::Failed, Some("20003"), Some(msg));
            journal.set_row_outcome(&row)?;
            continue;
        };
        let (row, did) = retire_one(source, journal, item, sub, dest, today).await?;
        journal.set_row_outcome(&row)?;
        changed += usize::from(did);
    }
    Ok(changed)
}

fn by_id(list: Vec<SubscriptionInfo>) -> HashMap<String, SubscriptionInfo> {
    list.into_iter()
        .map(|s| (s.id.to_ascii_lowercase(), s))
        .collect()
}

/// Change one source subscription; the row, and whether this call changed
/// it (read back from the answer).
async fn retire_one<S: PartnerApi>(
    source: &S,
    journal: &Journal,
    item: &RetireItem,
    sub: &SubscriptionInfo,
    dest: &SubscriptionInfo,
    today: NaiveDate,
) -> Result<(RowOutcome, bool), PushError> {
    let change = decide(item.method, sub, today);
    if change.shows_in(sub) || (change == Change::Suspend && sub.status == "deleted") {
        let msg = format!("already {}", sub.status);
        return Ok((outcome_row(item, change.outcome(), None, Some(msg)), false));
    }
    let mut body = sub.body.clone();
    change.apply(&mut body);
    let entry = journal.record_intent(Intent {
        kind: RequestKind::PatchSubscription,
        customer_id: item.customer_id.clone(),
        rows: vec![item.source_subscription_id.clone()],
        body: json!({ "change": change.outcome().token(), "subscription": body,
                      "destination": item.destination_subscription_id }),
        depends_on: None,
    })?;
    journal.mark_attempt(&entry.request_id)?;
    crash::reached(Point::Intent);
    let result = source
        .patch_subscription(&item.customer_id, &entry.request_id, &body)
        .await;
    crash::reached(Point::Answer);
    let row = finish_patch(journal, &entry, item, &change, result, dest, today)?;
    crash::reached(Point::Settled);
    let did = row.outcome == change.outcome();
    Ok((row, did))
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
/// the PATCH with the journalled request id. Returns whether the row is now
/// confirmed changed.
async fn settle_patch<S: PartnerApi>(
    source: &S,
    journal: &Journal,
    entry: &Entry,
) -> Result<bool, JournalError> {
    let Some(sid) = entry.intent.rows.first() else {
        journal.settle(
            &entry.request_id,
            EntryState::Failed,
            &json!({ "error": "no row" }),
        )?;
        return Ok(false);
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
            .map(str::to_owned),
        not_ready: None,
        method: Retirement::DecideAtRetire,
    };
    let read = source.get_subscription(&item.customer_id, sid).await;
    crash::reached(Point::Answer);
    let Ok(Some(current)) = read else {
        return Ok(false);
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
        return Ok(true);
    }
    journal.mark_attempt(&entry.request_id)?;
    crash::reached(Point::Intent);
    let answer = source
        .patch_subscription(&item.customer_id, &entry.request_id, &body)
        .await;
    crash::reached(Point::Answer);
    let confirmed = match answer {
        Ok(PatchOutcome::Applied(sub)) if change.shows_in(&sub) => {
            let row = outcome_row(&item, change.outcome(), None, None);
            journal.settle_with_rows(&entry.request_id, EntryState::Done, &sub.body, &[row])?;
            true
        }
        Err(CallError::Rejected { code, message, .. }) => {
            let row = outcome_row(&item, Outcome::Failed, Some(&code), Some(message.clone()));
            journal.settle_with_rows(
                &entry.request_id,
                EntryState::Failed,
                &json!({ "code": code, "message": message }),
                &[row],
            )?;
            false
        }
        _ => return Ok(false),
    };
    crash::reached(Point::Settled);
    Ok(confirmed)
}
