//! Reading the live accounts for a plan (the "refresh" before `plan`,
//! `push` and their dry runs decide anything).
//!
//! Per customer in the plan: the destination's view of the customer
//! (relationship, market) and its subscriptions — two reads — and, when a
//! source account is given, the source's subscriptions — one read. Then one
//! catalog read per distinct target item and market. Reads run
//! concurrently under the same adaptive throttle as push; the client's
//! pacer keeps them under the rate limit. The result is data only
//! ([`LiveState`]); [`crate::plan::live::apply`] decides what it means.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::task::JoinSet;

use crate::api::throttle::Throttle;
use crate::model::{Outcome, Phase};
use crate::plan::Plan;
use crate::plan::live::{
    JournalView, LiveCatalog, LiveCustomer, LiveState, LiveSub, Reads, Recorded,
};
use crate::push::journal::{Entry, Journal, JournalError, RequestKind, RowOutcome};
use crate::push::port::{CallError, CatalogEntry, PartnerApi, SubscriptionInfo};

/// Receives progress as customers and catalog items are read.
pub trait RefreshProgress: Send + Sync {
    /// `done` of `total` reads groups finished (customers, then items).
    fn read(&self, done: usize, total: usize);
}

impl RefreshProgress for () {
    fn read(&self, _: usize, _: usize) {}
}

/// The accounts a refresh reads, with their names for messages.
pub struct Accounts<D, S> {
    pub destination: Arc<D>,
    pub destination_name: String,
    pub source: Option<(Arc<S>, String)>,
}

fn live_sub(s: &SubscriptionInfo) -> LiveSub {
    LiveSub {
        id: s.id.clone(),
        offer_id: s.offer_id.clone(),
        quantity: s.quantity,
        status: s.status.clone(),
        auto_renew: s.auto_renew,
        order_id: s.order_id.clone(),
    }
}

fn live_catalog(c: CatalogEntry) -> LiveCatalog {
    LiveCatalog {
        name: c.name,
        purchasable: c.purchasable,
        min_quantity: c.min_quantity,
        max_quantity: c.max_quantity,
        billing_cycles: c.billing_cycles,
        terms: c.terms,
    }
}

/// Refused credentials stop the refresh; every other failure is kept on
/// the customer or item it concerns.
fn keep<T>(r: Result<T, CallError>) -> Result<Result<T, String>, CallError> {
    match r {
        Err(CallError::Auth(m)) => Err(CallError::Auth(m)),
        Err(e) => Ok(Err(e.to_string())),
        Ok(v) => Ok(Ok(v)),
    }
}

/// Read everything the plan's customers and target items need.
///
/// # Errors
/// [`CallError::Auth`] when either account refuses our credentials.
pub async fn refresh<D, S>(
    plan: &Plan,
    accounts: &Accounts<D, S>,
    concurrency: usize,
    progress: &dyn RefreshProgress,
) -> Result<LiveState, CallError>
where
    D: PartnerApi + 'static,
    S: PartnerApi + 'static,
{
    let dest_reads = Arc::new(AtomicU64::new(0));
    let source_reads = Arc::new(AtomicU64::new(0));
    let throttle = Throttle::new(concurrency.clamp(1, 4), concurrency.max(1));
    let customers: Vec<String> = plan
        .customers
        .iter()
        .filter(|c| !c.line_items.is_empty() && !c.tenant_id.is_empty())
        .map(|c| c.tenant_id.clone())
        .collect();
    let total = customers.len();
    let mut tasks = JoinSet::new();
    for id in customers {
        let dest = accounts.destination.clone();
        let source = accounts.source.as_ref().map(|(s, _)| s.clone());
        let (throttle, dr, sr) = (throttle.clone(), dest_reads.clone(), source_reads.clone());
        tasks.spawn(async move {
            let _permit = throttle.acquire().await;
            dr.fetch_add(1, Ordering::Relaxed);
            let customer = keep(dest.get_customer(&id).await)?;
            let relationship_visible = matches!(customer, Ok(Some(_)));
            let destination = if relationship_visible {
                dr.fetch_add(1, Ordering::Relaxed);
                keep(dest.list_subscriptions(&id).await)?.map(|v| v.iter().map(live_sub).collect())
            } else {
                // Not our customer at the destination yet: it holds nothing of ours.
                Ok(Vec::new())
            };
            let source = match source {
                Some(s) => {
                    sr.fetch_add(1, Ordering::Relaxed);
                    let subs = keep(s.list_subscriptions(&id).await)?;
                    throttle.observe(s.throttled());
                    Some(subs.map(|v| v.iter().map(live_sub).collect()))
                }
                None => None,
            };
            throttle.observe(dest.throttled());
            let country = customer
                .as_ref()
                .ok()
                .and_then(|c| c.as_ref()?.country.clone());
            let relationship = customer.map(|c| c.map(|c| c.relationship));
            Ok::<_, CallError>((
                id,
                LiveCustomer {
                    relationship,
                    country,
                    destination,
                    source,
                },
            ))
        });
    }
    let mut state = LiveState {
        destination_account: accounts.destination_name.clone(),
        source_account: accounts.source.as_ref().map(|(_, n)| n.clone()),
        ..LiveState::default()
    };
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (id, customer) = joined.map_err(|e| CallError::Uncertain(e.to_string()))??;
        state.customers.insert(id, customer);
        done += 1;
        progress.read(done, total);
    }
    let items: BTreeSet<(String, String)> = plan
        .to_buy()
        .map(|i| {
            (
                i.catalog_item.to_ascii_uppercase(),
                state.country_of(&i.customer_tenant_id),
            )
        })
        .collect();
    let mut reads = JoinSet::new();
    for (item, country) in items {
        let dest = accounts.destination.clone();
        let throttle = throttle.clone();
        reads.spawn(async move {
            let _permit = throttle.acquire().await;
            let entry = keep(dest.get_catalog_item(&item, &country).await)?;
            throttle.observe(dest.throttled());
            Ok::<_, CallError>(((item, country), entry.map(|e| e.map(live_catalog))))
        });
    }
    let mut catalog_reads = 0;
    while let Some(joined) = reads.join_next().await {
        let (key, entry) = joined.map_err(|e| CallError::Uncertain(e.to_string()))??;
        state.catalog.insert(key, entry);
        catalog_reads += 1;
    }
    let waiting = state
        .customers
        .values()
        .any(|c| !matches!(&c.relationship, Ok(Some(r)) if r.eq_ignore_ascii_case("reseller")));
    let mut link_reads = 0;
    if waiting {
        link_reads = 1;
        state.invitation = accounts.destination.relationship_request_url().await.ok();
    }
    state.reads = Reads {
        destination: dest_reads.load(Ordering::Relaxed) + link_reads,
        source: source_reads.load(Ordering::Relaxed),
        catalog: catalog_reads,
    };
    Ok(state)
}

/// What the journal says push did: its row outcomes, plus the rows and
/// customers of purchases still in doubt (`pending`).
pub fn journal_view(pushed: &[RowOutcome], pending: &[Entry]) -> JournalView {
    let mut recorded: HashMap<String, Recorded> = pushed
        .iter()
        .map(|o| {
            (
                o.source_subscription_id.clone(),
                Recorded {
                    outcome: o.outcome,
                    destination_subscription_id: o.destination_subscription_id.clone(),
                },
            )
        })
        .collect();
    let mut unsettled_customers = std::collections::HashSet::new();
    for e in pending.iter().filter(|e| {
        matches!(
            e.intent.kind,
            RequestKind::Checkout | RequestKind::CreateOrder
        )
    }) {
        unsettled_customers.insert(e.intent.customer_id.clone());
        for row in &e.intent.rows {
            recorded.entry(row.clone()).or_insert(Recorded {
                outcome: Outcome::InDoubt,
                destination_subscription_id: None,
            });
        }
    }
    JournalView {
        recorded,
        unsettled_customers,
    }
}

/// The journal's view when a journal exists at `path` (read without
/// creating one).
///
/// # Errors
/// When the journal exists but cannot be read.
pub fn read_journal(
    path: &std::path::Path,
) -> Result<(Vec<RowOutcome>, JournalView), JournalError> {
    if !path.exists() {
        return Ok((Vec::new(), JournalView::default()));
    }
    let journal = Journal::open(path, &[])?;
    let pushed = journal.row_outcomes(Phase::Push)?;
    let view = journal_view(&pushed, &journal.in_doubt()?);
    Ok((pushed, view))
}

/// Rows push recorded as final (bought or already there): not sent again.
pub fn done_earlier(pushed: &[RowOutcome]) -> usize {
    pushed
        .iter()
        .filter(|o| o.outcome.has_copy() || o.outcome == Outcome::InDoubt)
        .count()
}

/// Refresh and apply: the plan as the accounts and the journal show it
/// now. `pushed` is the journal's push record (empty without a journal).
///
/// # Errors
/// [`CallError::Auth`] when an account refuses our credentials.
pub async fn refresh_plan<D, S>(
    plan: &mut Plan,
    accounts: &Accounts<D, S>,
    journal: &JournalView,
    concurrency: usize,
    progress: &dyn RefreshProgress,
) -> Result<(), CallError>
where
    D: PartnerApi + 'static,
    S: PartnerApi + 'static,
{
    let state = refresh(plan, accounts, concurrency, progress).await?;
    crate::plan::live::apply(plan, &state, journal);
    Ok(())
}
