//! The push engine: buy each approved row at the destination exactly once.
//!
//! Per customer, at most three calls: read the customer (relationship
//! check), create one cart with all new-commerce lines, check it out — or
//! one order for legacy offers. A customer with both a cart and an order
//! skips the read: the cart creation answers the relationship question. Every write is journalled before it is sent
//! and settled after; a crash anywhere leaves a `pending` entry that the
//! next run settles first ([`super::settle`]) before sending anything new.
//! A row is bought only if no journal entry could already have bought it.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::json;
use tokio::task::JoinSet;

use super::agreement;
use super::crash::{self, Point};
use super::journal::{EntryState, Intent, Journal, JournalError, RequestKind, RowOutcome};
use super::outcomes::{checkout_outcomes, order_outcomes, record, row};
use super::port::{Attestation, BuyLine, CallError, PartnerApi};
use super::{provisioning, settle};
use crate::api::throttle::Throttle;
use crate::model::{Outcome, Phase};

/// The phase push records row outcomes under.
pub const PHASE: Phase = Phase::Push;

/// What to buy for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPush {
    pub customer_id: String,
    pub customer_name: String,
    /// New-commerce lines: one cart, one checkout.
    pub cart: Vec<BuyLine>,
    /// Legacy offer lines: one order.
    pub order: Vec<BuyLine>,
}

/// Knobs.
#[derive(Debug, Clone)]
pub struct PushOptions {
    pub initial_concurrency: usize,
    pub max_concurrency: usize,
    /// The message for customers without a reseller relationship;
    /// `{url}` and `{customer}` are replaced.
    pub relationship_message: String,
    /// Attest a customer's Microsoft Customer Agreement with these details
    /// when a purchase is refused for want of it; `None`: report the
    /// customer as waiting instead.
    pub attestation: Option<Attestation>,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            initial_concurrency: 4,
            max_concurrency: 16,
            relationship_message:
                "{customer} has not accepted the reseller relationship with the destination \
                                   account; send them this link: {url}"
                    .to_owned(),
            attestation: None,
        }
    }
}

/// Why a push stopped before the end.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the destination refused our credentials: {0}")]
    Auth(String),
}

/// Receives progress as customers finish.
pub trait PushProgress: Send + Sync {
    fn customer_done(&self, customer_id: &str, rows: &[RowOutcome], concurrency: usize);
}

impl PushProgress for () {
    fn customer_done(&self, _: &str, _: &[RowOutcome], _: usize) {}
}

/// Run the push. Settles in-doubt requests first, then works customers
/// concurrently. Returns every row outcome recorded for this phase.
///
/// # Errors
/// [`PushError::Journal`] if the journal cannot be written (nothing is sent
/// without a journal), [`PushError::Auth`] when credentials are refused.
pub async fn push<A: PartnerApi + 'static>(
    api: Arc<A>,
    journal: Arc<Journal>,
    customers: Vec<CustomerPush>,
    options: &PushOptions,
    progress: Arc<dyn PushProgress>,
) -> Result<Vec<RowOutcome>, PushError> {
    let blocked = settle::settle_purchases(api.as_ref(), &journal).await?;
    // Read once: each customer's rows are worked by one task only, so a
    // snapshot taken after settling stays true for every other customer.
    let settled = Arc::new(covered_rows(&journal)?);
    let waiting = Arc::new(provisioning::waiting(&journal)?);
    let throttle = Throttle::new(options.initial_concurrency, options.max_concurrency);
    let mut tasks = JoinSet::new();
    let all_customers = customers.clone();
    for customer in customers {
        let (api, journal, throttle, progress) = (
            api.clone(),
            journal.clone(),
            throttle.clone(),
            progress.clone(),
        );
        let blocked = blocked.contains(&customer.customer_id);
        let message = options.relationship_message.clone();
        let attestation = options.attestation.clone();
        let settled = settled.clone();
        let waiting = waiting.clone();
        tasks.spawn(async move {
            let _permit = throttle.acquire().await;
            resolve_provisioning(api.as_ref(), &journal, &customer, &waiting).await?;
            let rows = if blocked {
                mark_blocked(&journal, &customer, &settled)?
            } else {
                let ctx = Ctx {
                    relationship_message: &message,
                    attestation: attestation.as_ref(),
                };
                push_customer(api.as_ref(), &journal, &customer, &ctx, &settled).await?
            };
            throttle.observe(api.throttled());
            progress.customer_done(&customer.customer_id, &rows, throttle.limit());
            Ok::<_, PushError>(())
        });
    }
    join_workers(tasks, |()| {}).await?;
    sweep_provisioning(&api, &journal, all_customers, throttle).await?;
    Ok(journal.row_outcomes(PHASE)?)
}

/// Wait for every worker; the first error stops the others (credentials
/// or journal gone: nothing new may start) and is returned.
pub(crate) async fn join_workers<T: 'static>(
    mut tasks: JoinSet<Result<T, PushError>>,
    mut each: impl FnMut(T),
) -> Result<(), PushError> {
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(v)) => each(v),
            Ok(Err(err)) => {
                if first_error.is_none() {
                    first_error = Some(err);
                    tasks.abort_all();
                }
            }
            Err(join) if join.is_cancelled() => {}
            Err(join) => {
                first_error.get_or_insert(PushError::Auth(format!("a worker failed: {join}")));
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Resolve a customer's rows still `provisioning` (one order lookup).
async fn resolve_provisioning<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    customer: &CustomerPush,
    waiting: &provisioning::Waiting,
) -> Result<(), PushError> {
    let lines: Vec<&BuyLine> = customer.cart.iter().chain(&customer.order).collect();
    provisioning::resolve(api, journal, &customer.customer_id, &lines, waiting).await?;
    Ok(())
}

/// Last look, once every customer is done, at rows still `provisioning`
/// (orders placed this run): one order lookup per such customer.
async fn sweep_provisioning<A: PartnerApi + 'static>(
    api: &Arc<A>,
    journal: &Arc<Journal>,
    customers: Vec<CustomerPush>,
    throttle: Arc<Throttle>,
) -> Result<(), PushError> {
    let waiting = Arc::new(provisioning::waiting(journal)?);
    if waiting.is_empty() {
        return Ok(());
    }
    let mut tasks = JoinSet::new();
    for customer in customers {
        let (api, journal, throttle, waiting) = (
            api.clone(),
            journal.clone(),
            throttle.clone(),
            waiting.clone(),
        );
        tasks.spawn(async move {
            let _permit = throttle.acquire().await;
            resolve_provisioning(api.as_ref(), &journal, &customer, &waiting).await
        });
    }
    join_workers(tasks, |()| {}).await
}

/// Rows of a customer whose earlier request is still unsettled. Only rows
/// a pending purchase could have bought are in doubt; the others were
/// never sent and stay to be bought (by a later run, once the customer's
/// earlier request is settled: nothing new is sent for a blocked customer).
fn mark_blocked(
    journal: &Journal,
    customer: &CustomerPush,
    covered: &Covered,
) -> Result<Vec<RowOutcome>, PushError> {
    let pending = pending_rows(journal, &customer.customer_id)?;
    let mut out = Vec::new();
    for line in customer.cart.iter().chain(&customer.order) {
        let id = &line.source_subscription_id;
        let o = if pending.contains(id) {
            row(
                line,
                Outcome::InDoubt,
                None,
                None,
                Some(
                    "a request that may have bought this row has no definitive answer yet; \
                     the next push settles it with the same request id",
                ),
            )
        } else if covered.contains(id) {
            continue;
        } else {
            row(
                line,
                Outcome::NotSent,
                None,
                None,
                Some(
                    "not sent: an earlier request for this customer is still unsettled; \
                     run push again to settle it and send this row",
                ),
            )
        };
        journal.set_row_outcome(&o)?;
        out.push(o);
    }
    Ok(out)
}

/// Rows that must never be bought again under a new request.
type Covered = HashSet<String>;

/// Rows a purchase may already have bought: those recorded `bought`, those
/// in a purchase request still pending (settled first, never re-sent under
/// a new id), and those left `in_doubt` by a purchase that answered without
/// accounting for them. A row `in_doubt` that no unresolved purchase names
/// (it was never sent) is not covered: it is bought like any other.
fn covered_rows(journal: &Journal) -> Result<Covered, JournalError> {
    let mut pending = HashSet::new();
    let mut answered = HashSet::new();
    for e in journal.all()? {
        if !matches!(
            e.intent.kind,
            RequestKind::Checkout | RequestKind::CreateOrder
        ) {
            continue;
        }
        match e.state {
            EntryState::Pending => pending.extend(e.intent.rows),
            EntryState::Done => answered.extend(e.intent.rows),
            EntryState::Failed => {}
        }
    }
    let mut covered = pending;
    for o in journal.row_outcomes(PHASE)? {
        let id = o.source_subscription_id;
        let keep = match o.outcome {
            Outcome::InDoubt => answered.contains(&id),
            // Bought, provisioning, or already at the destination: never
            // bought again.
            other => other.may_have_bought(),
        };
        if keep {
            covered.insert(id);
        }
    }
    Ok(covered)
}

/// Rows of a customer in a purchase request still pending: it may have been
/// applied, so they must never be sent again under a new request id.
fn pending_rows(journal: &Journal, customer_id: &str) -> Result<HashSet<String>, JournalError> {
    let mut covered = HashSet::new();
    for e in journal.for_customer(customer_id)? {
        let purchase = matches!(
            e.intent.kind,
            RequestKind::Checkout | RequestKind::CreateOrder
        );
        if purchase && e.state == EntryState::Pending {
            covered.extend(e.intent.rows.iter().cloned());
        }
    }
    Ok(covered)
}

/// What a customer's purchase needs besides its lines.
struct Ctx<'a> {
    relationship_message: &'a str,
    attestation: Option<&'a Attestation>,
}

async fn push_customer<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    customer: &CustomerPush,
    ctx: &Ctx<'_>,
    settled: &Covered,
) -> Result<Vec<RowOutcome>, PushError> {
    let relationship_message = ctx.relationship_message;
    let pending = pending_rows(journal, &customer.customer_id)?;
    let covered = |id: &String| pending.contains(id) || settled.contains(id);
    let todo = |lines: &[BuyLine]| -> Vec<BuyLine> {
        lines
            .iter()
            .filter(|l| !covered(&l.source_subscription_id))
            .cloned()
            .collect()
    };
    let (cart, order) = (todo(&customer.cart), todo(&customer.order));
    if cart.is_empty() && order.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let waiting =
        |out: &mut Vec<RowOutcome>, lines: &[&BuyLine], msg: &str| -> Result<(), JournalError> {
            for line in lines {
                out.push(record(
                    journal,
                    row(
                        line,
                        Outcome::Waiting,
                        None,
                        Some(settle::NO_RELATIONSHIP),
                        Some(msg),
                    ),
                )?);
            }
            Ok(())
        };
    let all: Vec<&BuyLine> = cart.iter().chain(&order).collect();
    // The relationship read costs a call. A customer with both a cart and an
    // order skips it: the cart creation answers the same question (403
    // 20002, or 404 for an unknown customer) and buys nothing, so every
    // customer stays within three calls.
    let read_first = cart.is_empty() || order.is_empty();
    if read_first {
        match api.get_customer(&customer.customer_id).await {
            Ok(Some(c)) if c.relationship.eq_ignore_ascii_case("reseller") => {}
            Ok(_) => {
                let msg =
                    relationship_text(api, relationship_message, &customer.customer_name).await;
                waiting(&mut out, &all, &msg)?;
                return Ok(out);
            }
            Err(CallError::Auth(m)) => return Err(PushError::Auth(m)),
            Err(err) => {
                let msg = format!("could not read the customer: {err}");
                for line in &all {
                    out.push(record(
                        journal,
                        row(line, Outcome::Failed, None, None, Some(&msg)),
                    )?);
                }
                return Ok(out);
            }
        }
    }
    if !cart.is_empty() {
        let rows = buy_by_cart(
            api,
            journal,
            &customer.customer_id,
            &cart,
            ctx,
            &customer.customer_name,
        )
        .await?;
        let no_customer = rows.iter().any(|r| r.outcome == Outcome::Waiting);
        out.extend(rows);
        if no_customer && !order.is_empty() {
            // The cart said the customer has no relationship: the order
            // would be refused the same way.
            let msg = relationship_text(api, relationship_message, &customer.customer_name).await;
            waiting(&mut out, &order.iter().collect::<Vec<_>>(), &msg)?;
            return Ok(out);
        }
    }
    if !order.is_empty() {
        out.extend(buy_by_order(api, journal, &customer.customer_id, &order, ctx).await?);
    }
    Ok(out)
}

/// The invitation text for a customer without a reseller relationship.
async fn relationship_text<A: PartnerApi>(api: &A, template: &str, customer: &str) -> String {
    let url = api.relationship_request_url().await.unwrap_or_else(|_| {
        "(ask Partner Center: Customers → Request a reseller relationship)".into()
    });
    template
        .replace("{url}", &url)
        .replace("{customer}", customer)
}

async fn buy_by_cart<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    customer_id: &str,
    lines: &[BuyLine],
    ctx: &Ctx<'_>,
    customer_name: &str,
) -> Result<Vec<RowOutcome>, PushError> {
    let relationship_message = ctx.relationship_message;
    let rows: Vec<String> = lines
        .iter()
        .map(|l| l.source_subscription_id.clone())
        .collect();
    let cart_entry = journal.record_intent(Intent {
        kind: RequestKind::CreateCart,
        customer_id: customer_id.to_owned(),
        rows: rows.clone(),
        body: json!({ "lines": lines }),
        depends_on: None,
    })?;
    journal.mark_attempt(&cart_entry.request_id)?;
    crash::reached(Point::Intent);
    let answer = api
        .create_cart(customer_id, &cart_entry.request_id, lines)
        .await;
    crash::reached(Point::Answer);
    let cart = match answer {
        Ok(cart) => {
            journal.settle(
                &cart_entry.request_id,
                EntryState::Done,
                &serde_json::to_value(&cart).unwrap_or_default(),
            )?;
            crash::reached(Point::Settled);
            cart
        }
        Err(CallError::Uncertain(m)) => {
            // A cart buys nothing: the rows are certainly not bought yet.
            // The pending entry is closed as abandoned by the next run.
            let msg = format!(
                "cart creation got no definitive answer ({m}); nothing was bought; run push again"
            );
            return lines
                .iter()
                .map(|l| {
                    record(journal, row(l, Outcome::Failed, None, None, Some(&msg)))
                        .map_err(PushError::from)
                })
                .collect();
        }
        Err(err) => {
            let message = if no_relationship(&err) {
                relationship_text(api, relationship_message, customer_name).await
            } else {
                String::new()
            };
            return rejected_or_doubt(journal, &cart_entry.request_id, lines, err, &message);
        }
    };
    // At most two checkouts of the cart: the second only after attesting
    // the customer's agreement when the first was refused for want of it
    // (a refused checkout bought nothing and leaves the cart usable).
    let mut attested = false;
    loop {
        let checkout_entry = journal.record_intent(Intent {
            kind: RequestKind::Checkout,
            customer_id: customer_id.to_owned(),
            rows: rows.clone(),
            body: json!({ "cart_id": cart.cart_id, "lines": lines, "cart": cart }),
            depends_on: Some(cart_entry.request_id.clone()),
        })?;
        journal.mark_attempt(&checkout_entry.request_id)?;
        crash::reached(Point::Intent);
        let answer = api
            .checkout(customer_id, &cart.cart_id, &checkout_entry.request_id)
            .await;
        crash::reached(Point::Answer);
        return match answer {
            Ok(result) => {
                let value = serde_json::to_value(&result).unwrap_or_default();
                let rows = checkout_outcomes(lines, &cart, &result);
                journal.settle_with_rows(
                    &checkout_entry.request_id,
                    EntryState::Done,
                    &value,
                    &rows,
                )?;
                crash::reached(Point::Settled);
                Ok(rows)
            }
            Err(CallError::Rejected { code, .. }) if code == settle::CART_ALREADY_SUBMITTED => {
                // Someone (an earlier attempt) already checked this cart out:
                // find the order rather than buying again.
                Ok(settle::settle_checkout_by_lookup(api, journal, &checkout_entry).await?)
            }
            Err(CallError::Rejected { code, message, .. })
                if code == agreement::AGREEMENT_MISSING =>
            {
                let done =
                    agreement::after_refusal(api, customer_id, ctx.attestation, attested).await;
                match done {
                    Err(agreement::Refusal::Auth(m)) => Err(PushError::Auth(m)),
                    Ok(()) => {
                        let response =
                            json!({ "code": code, "message": message, "then": "attested" });
                        journal.settle(
                            &checkout_entry.request_id,
                            EntryState::Failed,
                            &response,
                        )?;
                        attested = true;
                        continue;
                    }
                    Err(agreement::Refusal::Wait(reason)) => Ok(agreement::waiting(
                        journal,
                        &checkout_entry.request_id,
                        lines,
                        &code,
                        &reason,
                    )?),
                }
            }
            Err(err) => {
                let message = if no_relationship(&err) {
                    relationship_text(api, relationship_message, customer_name).await
                } else {
                    String::new()
                };
                rejected_or_doubt(journal, &checkout_entry.request_id, lines, err, &message)
            }
        };
    }
}

async fn buy_by_order<A: PartnerApi>(
    api: &A,
    journal: &Journal,
    customer_id: &str,
    lines: &[BuyLine],
    ctx: &Ctx<'_>,
) -> Result<Vec<RowOutcome>, PushError> {
    let entry = journal.record_intent(Intent {
        kind: RequestKind::CreateOrder,
        customer_id: customer_id.to_owned(),
        rows: lines
            .iter()
            .map(|l| l.source_subscription_id.clone())
            .collect(),
        body: json!({ "lines": lines }),
        depends_on: None,
    })?;
    journal.mark_attempt(&entry.request_id)?;
    crash::reached(Point::Intent);
    let answer = api
        .create_order(customer_id, &entry.request_id, lines)
        .await;
    crash::reached(Point::Answer);
    match answer {
        Ok(order) => {
            let value = serde_json::to_value(&order).unwrap_or_default();
            let rows = order_outcomes(lines, &order);
            journal.settle_with_rows(&entry.request_id, EntryState::Done, &value, &rows)?;
            crash::reached(Point::Settled);
            Ok(rows)
        }
        Err(CallError::Rejected { code, .. }) if code == agreement::AGREEMENT_MISSING => {
            // Attest now when allowed; the order itself waits for the next
            // run either way (it was refused, nothing was bought).
            let reason =
                match agreement::after_refusal(api, customer_id, ctx.attestation, false).await {
                    Ok(()) => {
                        "the customer's agreement has just been attested; run push again".to_owned()
                    }
                    Err(agreement::Refusal::Wait(reason)) => reason,
                    Err(agreement::Refusal::Auth(m)) => return Err(PushError::Auth(m)),
                };
            Ok(agreement::waiting(
                journal,
                &entry.request_id,
                lines,
                &code,
                &reason,
            )?)
        }
        Err(err) => rejected_or_doubt(journal, &entry.request_id, lines, err, ""),
    }
}

/// Whether a rejection says the customer is not (yet) ours: no reseller
/// relationship (403 20002) or unknown at the destination (404).
fn no_relationship(err: &CallError) -> bool {
    matches!(err, CallError::Rejected { status, code, .. }
        if code == settle::NO_RELATIONSHIP || *status == 404)
}

/// A failed write: definitively rejected (settle as failed; rows failed, or
/// waiting with `waiting_message` when the customer is not ours yet) or
/// uncertain (leave pending; rows in doubt until settled).
fn rejected_or_doubt(
    journal: &Journal,
    request_id: &str,
    lines: &[BuyLine],
    err: CallError,
    waiting_message: &str,
) -> Result<Vec<RowOutcome>, PushError> {
    match &err {
        CallError::Auth(m) => Err(PushError::Auth(m.clone())),
        CallError::Rejected { code, message, .. } => {
            let (word, text) = if no_relationship(&err) && !waiting_message.is_empty() {
                (Outcome::Waiting, waiting_message.to_owned())
            } else {
                (Outcome::Failed, message.clone())
            };
            let rows: Vec<RowOutcome> = lines
                .iter()
                .map(|l| row(l, word, None, Some(code), Some(&text)))
                .collect();
            let response = json!({ "code": code, "message": message });
            journal.settle_with_rows(request_id, EntryState::Failed, &response, &rows)?;
            crash::reached(Point::Settled);
            Ok(rows)
        }
        CallError::Uncertain(m) => {
            let msg = format!(
                "no definitive answer ({m}); the next run settles it with the same request id"
            );
            lines
                .iter()
                .map(|l| {
                    record(journal, row(l, Outcome::InDoubt, None, None, Some(&msg)))
                        .map_err(PushError::from)
                })
                .collect()
        }
    }
}
