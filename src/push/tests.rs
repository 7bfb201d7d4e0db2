//! Exactly-once tests of the engine against an in-memory Partner Center
//! with scripted faults: answers lost after the service applied a request,
//! a service that forgets request ids, crashes between journal and send.
//! (End-to-end tests over HTTP against the emulator live in tests/it.)

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::engine::{CustomerPush, PushOptions, push};
use super::journal::{EntryState, Intent, Journal, RequestKind};
use super::port::*;
use crate::model::{Outcome, Phase};

/// What the scripted dice make of one call (see [`Fake::roll`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Roll {
    Normal,
    /// No answer, and nothing applied (429/503 until the client gave up).
    NotApplied,
    /// Applied, but the answer was lost (dropped connection, late commit).
    Lost,
    /// The process dies while the request is on its way, before it lands.
    CrashBefore,
    /// The process dies after the service applied the request.
    CrashAfter,
}

/// Random answers: each call goes wrong with probability `p`, the way
/// `rng` says; the call numbered `crash_at` kills the run.
pub(super) struct Dice {
    pub rng: fastrand::Rng,
    pub p: f64,
    pub crash_at: Option<u64>,
}

#[derive(Default)]
pub(super) struct State {
    relationships: HashMap<String, String>,
    carts: HashMap<String, (String, Vec<BuyLine>, bool)>,
    orders: HashMap<String, Vec<OrderInfo>>,
    /// request id → stored answer (the idempotency store).
    replay: HashMap<String, Value>,
    /// Writes whose answer is lost after they were applied, by kind.
    drop_next: Vec<&'static str>,
    forget_request_ids: bool,
    pub subscriptions_created: u64,
    calls: u64,
    seq: u64,
    pub dice: Option<Dice>,
    /// Calls rolled so far (what `Dice::crash_at` counts).
    pub rolled: u64,
}

#[derive(Default)]
pub(super) struct Fake {
    s: Mutex<State>,
    throttled: AtomicU64,
    /// Told when a scripted crash happens (the test then drops the run).
    pub crashed: tokio::sync::Notify,
}

/// A call that never answers: the run it belongs to is about to be killed.
async fn hang<T>() -> T {
    std::future::pending().await
}

impl Fake {
    /// Roll the dice for one call (always `Normal` without dice).
    fn roll(&self, s: &mut State) -> Roll {
        s.rolled += 1;
        let rolled = s.rolled;
        let Some(d) = s.dice.as_mut() else {
            return Roll::Normal;
        };
        if d.crash_at == Some(rolled) {
            self.crashed.notify_one();
            return if d.rng.bool() {
                Roll::CrashBefore
            } else {
                Roll::CrashAfter
            };
        }
        if d.rng.f64() >= d.p {
            return Roll::Normal;
        }
        if d.rng.bool() {
            Roll::NotApplied
        } else {
            Roll::Lost
        }
    }

    /// A read: answered, or no answer (a crash hangs it).
    async fn read<T>(&self, answer: impl FnOnce(&State) -> T) -> Result<T, CallError> {
        let roll = {
            let mut s = self.lock();
            s.calls += 1;
            self.roll(&mut s)
        };
        match roll {
            Roll::Normal => Ok(answer(&self.lock())),
            Roll::NotApplied | Roll::Lost => Err(CallError::Uncertain("503".into())),
            Roll::CrashBefore | Roll::CrashAfter => hang().await,
        }
    }

    pub(super) fn with_customers(ids: &[(&str, &str)]) -> Arc<Fake> {
        let fake = Fake::default();
        {
            let mut s = fake.lock();
            for (id, rel) in ids {
                s.relationships.insert((*id).to_owned(), (*rel).to_owned());
            }
        }
        Arc::new(fake)
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.s
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes for a customer without a reseller relationship: 403 20002.
    fn refuse_strangers(&self, customer_id: &str) -> Result<(), CallError> {
        let mut s = self.lock();
        if s.relationships.get(customer_id).map(String::as_str) == Some("reseller") {
            return Ok(());
        }
        s.calls += 1;
        Err(CallError::Rejected {
            status: 403,
            code: "20002".into(),
            message: "no relationship".into(),
        })
    }

    pub(super) fn bought(&self) -> u64 {
        self.lock().subscriptions_created
    }

    fn place(s: &mut State, customer: &str, lines: &[BuyLine]) -> OrderInfo {
        s.seq += 1;
        let id = format!("order-{}", s.seq);
        let lines = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                s.subscriptions_created += 1;
                OrderLine {
                    line_number: i as u32,
                    offer_id: l.catalog_item.clone(),
                    quantity: l.quantity,
                    friendly_name: l.friendly_name.clone(),
                    subscription_id: Some(format!("sub-{}-{i}", s.seq)),
                }
            })
            .collect();
        let order = OrderInfo {
            id,
            creation_date: Some(chrono::Utc::now().to_rfc3339()),
            lines,
        };
        s.orders
            .entry(customer.to_owned())
            .or_default()
            .push(order.clone());
        order
    }

    /// Replay a stored answer, or run `apply` and store its answer; lose the
    /// answer if a drop is scripted for this kind or the dice say so. A
    /// scripted crash never answers.
    async fn write<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        kind: &'static str,
        request_id: &str,
        apply: impl FnOnce(&mut State) -> Result<T, CallError>,
    ) -> Result<T, CallError> {
        let answer = self.write_now(kind, request_id, apply);
        match answer {
            Some(a) => a,
            None => hang().await,
        }
    }

    fn write_now<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        kind: &'static str,
        request_id: &str,
        apply: impl FnOnce(&mut State) -> Result<T, CallError>,
    ) -> Option<Result<T, CallError>> {
        let mut s = self.lock();
        s.calls += 1;
        let roll = self.roll(&mut s);
        match roll {
            Roll::NotApplied => return Some(Err(CallError::Uncertain("429".into()))),
            Roll::CrashBefore => return None,
            _ => {}
        }
        if let Some(v) = s.replay.get(request_id).filter(|_| !s.forget_request_ids) {
            let stored =
                serde_json::from_value(v.clone()).map_err(|e| CallError::Uncertain(e.to_string()));
            return match roll {
                Roll::CrashAfter => None,
                Roll::Lost => Some(Err(CallError::Uncertain("lost".into()))),
                _ => Some(stored),
            };
        }
        let answer = match apply(&mut s) {
            Ok(a) => a,
            Err(e) => return (roll != Roll::CrashAfter).then_some(Err(e)),
        };
        s.replay.insert(
            request_id.to_owned(),
            serde_json::to_value(&answer).unwrap_or_default(),
        );
        if roll == Roll::CrashAfter {
            return None;
        }
        let scripted = s.drop_next.iter().position(|k| *k == kind);
        if let Some(pos) = scripted {
            s.drop_next.remove(pos);
        }
        if scripted.is_some() || roll == Roll::Lost {
            return Some(Err(CallError::Uncertain(
                "connection reset after the request was sent".into(),
            )));
        }
        Some(Ok(answer))
    }
}

impl PartnerApi for Fake {
    async fn get_customer(&self, customer_id: &str) -> Result<Option<CustomerInfo>, CallError> {
        self.read(|s| {
            s.relationships.get(customer_id).map(|rel| CustomerInfo {
                id: customer_id.to_owned(),
                company_name: customer_id.to_owned(),
                relationship: rel.clone(),
                country: Some("US".into()),
            })
        })
        .await
    }

    async fn create_cart(
        &self,
        customer_id: &str,
        request_id: &str,
        lines: &[BuyLine],
    ) -> Result<CartCreated, CallError> {
        self.refuse_strangers(customer_id)?;
        self.write("cart", request_id, |s| {
            s.seq += 1;
            let cart_id = format!("cart-{}", s.seq);
            s.carts.insert(
                cart_id.clone(),
                (customer_id.to_owned(), lines.to_vec(), false),
            );
            Ok(CartCreated {
                cart_id,
                ..Default::default()
            })
        })
        .await
    }

    async fn checkout(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id: &str,
    ) -> Result<CheckoutResult, CallError> {
        self.write("checkout", request_id, |s| {
            let Some((_, lines, done)) = s.carts.get(cart_id).cloned() else {
                return Err(CallError::Rejected {
                    status: 404,
                    code: "800008".into(),
                    message: "cart not found".into(),
                });
            };
            if done {
                return Err(CallError::Rejected {
                    status: 400,
                    code: "800065".into(),
                    message: "cart already submitted".into(),
                });
            }
            if let Some(c) = s.carts.get_mut(cart_id) {
                c.2 = true;
            }
            let (bad, good): (Vec<_>, Vec<_>) = lines
                .iter()
                .enumerate()
                .partition(|(_, l)| l.catalog_item.starts_with("BAD"));
            let good: Vec<BuyLine> = good.into_iter().map(|(_, l)| l.clone()).collect();
            let orders = if good.is_empty() {
                vec![]
            } else {
                vec![Fake::place(s, customer_id, &good)]
            };
            let errors = bad
                .iter()
                .map(|(i, _)| OrderError {
                    order_group: format!("g{i}"),
                    code: "10001".into(),
                    description: "invalid catalog item".into(),
                    lines: vec![*i as u32],
                })
                .collect();
            Ok(CheckoutResult { orders, errors })
        })
        .await
    }

    async fn create_order(
        &self,
        customer_id: &str,
        request_id: &str,
        lines: &[BuyLine],
    ) -> Result<OrderInfo, CallError> {
        self.refuse_strangers(customer_id)?;
        self.write("order", request_id, |s| {
            Ok(Fake::place(s, customer_id, lines))
        })
        .await
    }

    async fn list_orders(&self, customer_id: &str) -> Result<Vec<OrderInfo>, CallError> {
        self.read(|s| s.orders.get(customer_id).cloned().unwrap_or_default())
            .await
    }

    async fn get_subscription(
        &self,
        _: &str,
        _: &str,
    ) -> Result<Option<SubscriptionInfo>, CallError> {
        Ok(None)
    }

    async fn list_subscriptions(&self, _: &str) -> Result<Vec<SubscriptionInfo>, CallError> {
        Ok(vec![])
    }

    async fn patch_subscription(
        &self,
        _: &str,
        _: &str,
        _: &Value,
    ) -> Result<PatchOutcome, CallError> {
        Err(CallError::Rejected {
            status: 400,
            code: "0".into(),
            message: "not in this fake".into(),
        })
    }

    async fn get_catalog_item(
        &self,
        catalog_item: &str,
        _country: &str,
    ) -> Result<Option<CatalogEntry>, CallError> {
        // The in-memory service sells everything it is asked for.
        Ok(Some(CatalogEntry {
            id: catalog_item.to_owned(),
            name: catalog_item.to_owned(),
            purchasable: true,
            min_quantity: Some(1),
            max_quantity: None,
            billing_cycles: Vec::new(),
            terms: Vec::new(),
        }))
    }

    async fn attest_agreement(
        &self,
        _customer_id: &str,
        _request_id: &str,
        _attestation: &super::port::Attestation,
    ) -> Result<(), CallError> {
        self.lock().calls += 1;
        Ok(())
    }

    async fn relationship_request_url(&self) -> Result<String, CallError> {
        Ok("https://admin.example/invite?partnerId=dest".into())
    }

    fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }
}

pub(super) fn line(id: &str, item: &str, qty: u32) -> BuyLine {
    BuyLine {
        source_subscription_id: id.into(),
        catalog_item: item.into(),
        quantity: qty,
        billing_cycle: Some("monthly".into()),
        term: Some("P1Y".into()),
        friendly_name: Some(format!("copy of {id}")),
    }
}

pub(super) fn customers() -> Vec<CustomerPush> {
    vec![
        CustomerPush {
            customer_id: "c1".into(),
            customer_name: "Contoso".into(),
            cart: vec![
                line("s1", "CFQ7TTC0LH18:0001:CFQ7TTC0K971", 5),
                line("s2", "CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF", 3),
            ],
            order: vec![line("s3", "796B6B5F-0000-4000-8000-0000000000E3", 2)],
        },
        CustomerPush {
            customer_id: "c2".into(),
            customer_name: "Fabrikam".into(),
            cart: vec![line("s4", "CFQ7TTC0LH18:0001:CFQ7TTC0K971", 1)],
            order: vec![],
        },
    ]
}

async fn run(fake: &Arc<Fake>, journal: &Arc<Journal>) -> HashMap<String, Outcome> {
    let rows = push(
        fake.clone(),
        journal.clone(),
        customers(),
        &PushOptions::default(),
        Arc::new(()),
    )
    .await
    .unwrap_or_default();
    rows.into_iter()
        .map(|r| (r.source_subscription_id, r.outcome))
        .collect()
}

pub(super) fn journal(dir: &tempfile::TempDir) -> Arc<Journal> {
    Arc::new(
        Journal::open(&dir.path().join("j.sqlite"), &[]).unwrap_or_else(|e| panic!("journal: {e}")),
    )
}

#[tokio::test]
async fn buys_every_row_once_with_three_calls_per_customer() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = Fake::with_customers(&[("c1", "reseller"), ("c2", "reseller")]);
    let j = journal(&dir);
    let out = run(&fake, &j).await;
    assert!(
        ["s1", "s2", "s3", "s4"]
            .iter()
            .all(|s| out.get(*s).copied() == Some(Outcome::Bought)),
        "{out:?}"
    );
    assert_eq!(fake.bought(), 4);
    // c1 (cart and order): cart + checkout + order, its relationship
    // answered by the cart; c2 (cart only): read + cart + checkout.
    assert_eq!(fake.lock().calls, 6);
    // A second run buys nothing more and sends nothing new.
    let again = run(&fake, &j).await;
    assert_eq!(again, out);
    assert_eq!(fake.bought(), 4);
    assert_eq!(fake.lock().calls, 6);
}

#[tokio::test]
async fn a_lost_checkout_answer_is_settled_by_replay_not_rebought() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = Fake::with_customers(&[("c1", "reseller"), ("c2", "reseller")]);
    fake.lock().drop_next = vec!["checkout", "checkout", "order"];
    let j = journal(&dir);
    let first = run(&fake, &j).await;
    assert_eq!(first.get("s1").copied(), Some(Outcome::InDoubt));
    assert_eq!(fake.bought(), 4, "the service applied everything once");
    let second = run(&fake, &j).await;
    assert!(second.values().all(|o| *o == Outcome::Bought), "{second:?}");
    assert_eq!(fake.bought(), 4, "settling must not buy again");
    assert!(j.in_doubt().unwrap_or_default().is_empty());
}

#[tokio::test]
async fn an_order_whose_request_id_was_forgotten_is_found_by_lookup() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = Fake::with_customers(&[("c1", "reseller"), ("c2", "reseller")]);
    {
        let mut s = fake.lock();
        s.drop_next = vec!["order"];
        s.forget_request_ids = true;
    }
    let j = journal(&dir);
    run(&fake, &j).await;
    let second = run(&fake, &j).await;
    assert_eq!(second.get("s3").copied(), Some(Outcome::Bought));
    assert_eq!(
        fake.bought(),
        4,
        "lookup found the order; a replay would have bought again"
    );
}

#[tokio::test]
async fn a_crash_between_journal_and_send_is_sent_once_on_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = Fake::with_customers(&[("c1", "reseller"), ("c2", "reseller")]);
    let j = journal(&dir);
    // The previous run journalled the order for c1 and died before sending.
    let lines = vec![line("s3", "796B6B5F-0000-4000-8000-0000000000E3", 2)];
    j.record_intent(Intent {
        kind: RequestKind::CreateOrder,
        customer_id: "c1".into(),
        rows: vec!["s3".into()],
        body: serde_json::json!({ "lines": lines }),
        depends_on: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run(&fake, &j).await;
    assert!(out.values().all(|o| *o == Outcome::Bought), "{out:?}");
    assert_eq!(fake.bought(), 4);
    let orders = j.all().unwrap_or_default();
    assert_eq!(
        orders
            .iter()
            .filter(|e| e.intent.kind == RequestKind::CreateOrder)
            .count(),
        1
    );
    assert!(orders.iter().all(|e| e.state == EntryState::Done));
}

#[tokio::test]
async fn customers_without_relationship_wait_and_bad_lines_fail_alone() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = Fake::with_customers(&[("c1", "reseller"), ("c2", "none")]);
    let j = journal(&dir);
    let mut list = customers();
    list[0].cart[1].catalog_item = "BADITEM00000:0001:CFQ7TTC0K5BF".into();
    let rows = push(
        fake.clone(),
        j.clone(),
        list,
        &PushOptions::default(),
        Arc::new(()),
    )
    .await
    .unwrap_or_default();
    let by: HashMap<_, _> = rows
        .iter()
        .map(|r| (r.source_subscription_id.as_str(), r))
        .collect();
    assert_eq!(by["s1"].outcome, Outcome::Bought);
    assert_eq!(by["s2"].outcome, Outcome::Failed);
    assert_eq!(by["s2"].error_code.as_deref(), Some("10001"));
    assert_eq!(by["s4"].outcome, Outcome::Waiting);
    let msg = by["s4"].error_message.clone().unwrap_or_default();
    assert!(
        msg.contains("Fabrikam") && msg.contains("https://admin.example/invite"),
        "{msg}"
    );
    assert_eq!(fake.bought(), 2);
}

#[tokio::test]
async fn a_customer_with_cart_and_order_learns_of_a_missing_relationship_from_the_cart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = Fake::with_customers(&[("c1", "none"), ("c2", "reseller")]);
    let j = journal(&dir);
    let out = run(&fake, &j).await;
    for s in ["s1", "s2", "s3"] {
        assert_eq!(out.get(s).copied(), Some(Outcome::Waiting), "{s}: {out:?}");
    }
    assert_eq!(out.get("s4").copied(), Some(Outcome::Bought));
    assert_eq!(fake.bought(), 1);
    // c1: one refused cart and no order attempt; c2: read + cart + checkout.
    assert_eq!(fake.lock().calls, 4);
    let rows = j.row_outcomes(Phase::Push).unwrap_or_default();
    let msg = rows
        .iter()
        .find(|r| r.source_subscription_id == "s3")
        .and_then(|r| r.error_message.clone());
    assert!(msg.is_some_and(|m| m.contains("https://admin.example/invite")));
}
