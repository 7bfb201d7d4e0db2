//! Push against the realistic emulator: the paths the kind emulator never
//! exercised. A checkout whose answer is lost and whose cart expires before
//! the rerun (the replay is refused, yet the first attempt bought: the
//! order lookup must win), an order that stays pending over several runs
//! (`provisioning`, then `bought` with its subscription), and a customer
//! whose Microsoft Customer Agreement is missing (waiting with the reason,
//! then attested from the configured details and bought).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use csp_consolidate::emulator::EmulatorHandle;
use csp_consolidate::model::Outcome;
use csp_consolidate::push::adapter::ClientApi;
use csp_consolidate::push::engine::{CustomerPush, PushOptions, push};
use csp_consolidate::push::journal::{Journal, RowOutcome};
use csp_consolidate::push::port::{
    Attestation, BuyLine, CallError, CartCreated, CatalogEntry, CheckoutResult, CustomerInfo,
    OrderInfo, PartnerApi, PatchOutcome, SubscriptionInfo,
};
use serde_json::Value;

use crate::push::{BASIC, E3, client};
use crate::support::emu;

const CONTOSO: &str = "8e1c0a55-0000-4000-8000-00000000c001";

fn line(id: &str, item: &str, qty: u32) -> BuyLine {
    BuyLine {
        source_subscription_id: id.into(),
        catalog_item: item.into(),
        quantity: qty,
        billing_cycle: Some("monthly".into()),
        term: Some("P1Y".into()),
        // Deliberately not what the service will echo.
        friendly_name: Some(format!("moved {id}")),
    }
}

fn contoso() -> Vec<CustomerPush> {
    vec![CustomerPush {
        customer_id: CONTOSO.into(),
        customer_name: "Contoso Lab".into(),
        cart: vec![line("row-basic", BASIC, 7), line("row-e3", E3, 3)],
        order: vec![],
    }]
}

/// Mark Contoso's agreement attested in the emulator's state.
fn attest_in_state(h: &EmulatorHandle) {
    h.with_state(|w| {
        for t in w.tenants.iter_mut().filter(|t| t.name == "destination") {
            if let Some(c) = t.customer_mut(CONTOSO) {
                c.agreements
                    .push(csp_consolidate::emulator::seed::attested("contoso.example"));
            }
        }
    });
}

/// Contoso's destination subscriptions of `offer`.
fn copies(h: &EmulatorHandle, offer: &str) -> Vec<csp_consolidate::emulator::state::Subscription> {
    let world = h.state_snapshot();
    let t = world
        .tenants
        .iter()
        .find(|t| t.name == "destination")
        .unwrap();
    let c = t.customer(CONTOSO).unwrap();
    c.subscriptions
        .iter()
        .filter(|s| s.offer_id == offer)
        .cloned()
        .collect()
}

async fn run(
    api: Arc<impl PartnerApi + 'static>,
    journal: &Arc<Journal>,
    options: &PushOptions,
) -> Vec<RowOutcome> {
    push(api, journal.clone(), contoso(), options, Arc::new(()))
        .await
        .unwrap()
}

fn outcome_of(rows: &[RowOutcome], id: &str) -> RowOutcome {
    rows.iter()
        .find(|r| r.source_subscription_id == id)
        .cloned()
        .unwrap_or_else(|| panic!("no row {id} in {rows:?}"))
}

fn journal(dir: &tempfile::TempDir) -> Arc<Journal> {
    Arc::new(Journal::open(&dir.path().join("push.journal"), &[]).unwrap())
}

/// The real adapter, except that the first checkout's answer is lost after
/// the service applied it (as a dropped connection would).
struct LoseFirstCheckout {
    inner: ClientApi,
    lost: AtomicBool,
}

impl PartnerApi for LoseFirstCheckout {
    async fn get_customer(&self, c: &str) -> Result<Option<CustomerInfo>, CallError> {
        self.inner.get_customer(c).await
    }
    async fn create_cart(&self, c: &str, r: &str, l: &[BuyLine]) -> Result<CartCreated, CallError> {
        self.inner.create_cart(c, r, l).await
    }
    async fn checkout(&self, c: &str, cart: &str, r: &str) -> Result<CheckoutResult, CallError> {
        let answer = self.inner.checkout(c, cart, r).await;
        if answer.is_ok() && !self.lost.swap(true, Ordering::SeqCst) {
            return Err(CallError::Uncertain("connection reset".into()));
        }
        answer
    }
    async fn create_order(&self, c: &str, r: &str, l: &[BuyLine]) -> Result<OrderInfo, CallError> {
        self.inner.create_order(c, r, l).await
    }
    async fn list_orders(&self, c: &str) -> Result<Vec<OrderInfo>, CallError> {
        self.inner.list_orders(c).await
    }
    async fn get_subscription(
        &self,
        c: &str,
        s: &str,
    ) -> Result<Option<SubscriptionInfo>, CallError> {
        self.inner.get_subscription(c, s).await
    }
    async fn list_subscriptions(&self, c: &str) -> Result<Vec<SubscriptionInfo>, CallError> {
        self.inner.list_subscriptions(c).await
    }
    async fn patch_subscription(
        &self,
        c: &str,
        r: &str,
        b: &Value,
    ) -> Result<PatchOutcome, CallError> {
        self.inner.patch_subscription(c, r, b).await
    }
    async fn attest_agreement(&self, c: &str, r: &str, a: &Attestation) -> Result<(), CallError> {
        self.inner.attest_agreement(c, r, a).await
    }
    async fn get_catalog_item(
        &self,
        item: &str,
        country: &str,
    ) -> Result<Option<CatalogEntry>, CallError> {
        self.inner.get_catalog_item(item, country).await
    }
    async fn relationship_request_url(&self) -> Result<String, CallError> {
        self.inner.relationship_request_url().await
    }
    fn throttled(&self) -> u64 {
        self.inner.throttled()
    }
}

#[tokio::test]
async fn a_lost_checkout_whose_cart_expired_is_found_not_bought_again() {
    let h = emu::start_realistic(emu::example(), 0, |_| {}).await;
    attest_in_state(&h);
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(&dir);
    let api = Arc::new(LoseFirstCheckout {
        inner: client(&h, "destination"),
        lost: AtomicBool::new(false),
    });
    let first = run(api.clone(), &journal, &PushOptions::default()).await;
    assert_eq!(outcome_of(&first, "row-basic").outcome, Outcome::InDoubt);
    assert_eq!(copies(&h, BASIC).len(), 1, "the lost checkout did buy");
    // Before the rerun the cart expires and the service forgets the
    // request id: the replay is refused with "cart not found".
    h.with_state(|w| {
        for t in w.tenants.iter_mut() {
            t.replays.clear();
            for c in &mut t.customers {
                for cart in &mut c.carts {
                    cart.expiration_timestamp = Utc::now() - chrono::Duration::minutes(1);
                }
            }
        }
    });
    let second = run(api.clone(), &journal, &PushOptions::default()).await;
    for (id, offer) in [("row-basic", BASIC), ("row-e3", E3)] {
        let row = outcome_of(&second, id);
        assert_eq!(row.outcome, Outcome::Bought, "{row:?}");
        let subs = copies(&h, offer);
        assert_eq!(subs.len(), 1, "{id} bought exactly once");
        assert_eq!(
            row.destination_subscription_id.as_deref(),
            Some(subs[0].id.as_str())
        );
    }
    let third = run(api, &journal, &PushOptions::default()).await;
    assert_eq!(outcome_of(&third, "row-basic").outcome, Outcome::Bought);
    assert_eq!(copies(&h, BASIC).len(), 1);
}

#[tokio::test]
async fn an_order_pending_for_several_runs_is_resolved_not_rebought() {
    let h = emu::start_realistic(emu::example(), 1_500, |_| {}).await;
    attest_in_state(&h);
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(&dir);
    let api = Arc::new(client(&h, "destination"));
    let options = PushOptions::default();
    for _ in 0..2 {
        let rows = run(api.clone(), &journal, &options).await;
        let row = outcome_of(&rows, "row-basic");
        assert_eq!(row.outcome, Outcome::Provisioning, "{row:?}");
        assert!(row.destination_subscription_id.is_none());
        assert!(row.destination_order_id.is_some());
        assert_eq!(copies(&h, BASIC).len(), 1);
        assert_eq!(copies(&h, BASIC)[0].status, "pending");
    }
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    let rows = run(api, &journal, &options).await;
    for (id, offer) in [("row-basic", BASIC), ("row-e3", E3)] {
        let row = outcome_of(&rows, id);
        let subs = copies(&h, offer);
        assert_eq!(subs.len(), 1, "{id} bought exactly once");
        assert_eq!(subs[0].status, "active");
        assert_eq!(row.outcome, Outcome::Bought);
        assert_eq!(
            row.destination_subscription_id.as_deref(),
            Some(subs[0].id.as_str())
        );
    }
}

#[tokio::test]
async fn a_missing_customer_agreement_waits_then_is_attested_from_config() {
    let h = emu::start_realistic(emu::example(), 0, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(&dir);
    let api = Arc::new(client(&h, "destination"));
    let rows = run(api.clone(), &journal, &PushOptions::default()).await;
    let row = outcome_of(&rows, "row-basic");
    assert_eq!(row.outcome, Outcome::Waiting, "{row:?}");
    assert_eq!(row.error_code.as_deref(), Some("13605"));
    assert!(row.error_message.unwrap().contains("[attestation]"));
    assert!(copies(&h, BASIC).is_empty());
    let options = PushOptions {
        attestation: Some(Attestation {
            first_name: "Noor".into(),
            last_name: "Haddad".into(),
            email: "noor@contoso-lab.example".into(),
            phone_number: None,
            date_agreed: "2026-11-02T00:00:00Z".into(),
        }),
        ..PushOptions::default()
    };
    let rows = run(api, &journal, &options).await;
    assert_eq!(outcome_of(&rows, "row-basic").outcome, Outcome::Bought);
    assert_eq!(copies(&h, BASIC).len(), 1);
    let world = h.state_snapshot();
    let c = world
        .tenants
        .iter()
        .find(|t| t.name == "destination")
        .and_then(|t| t.customer(CONTOSO))
        .unwrap();
    assert_eq!(c.agreements.len(), 1);
    assert_eq!(
        c.agreements[0]["primaryContact"]["email"],
        "noor@contoso-lab.example"
    );
}

/// Every fault key at once on the realistic emulator (throttling, 5xx,
/// answers lost after commit, read lag, wire quirks, pending orders,
/// agreements to attest): repeated runs end with every row bought exactly
/// once, with its subscription.
#[tokio::test]
async fn every_fault_at_once_still_buys_each_row_exactly_once() {
    let faults = csp_consolidate::emulator::Faults::parse(
        "429=0.05,5xx=0.05,drop=0.15,lag=100ms,latency=5ms,bom=1,nulllists=1,pascalpatch=1,seed=11",
    )
    .unwrap();
    let h = emu::start_realistic(emu::example(), 300, |c| c.faults = faults).await;
    let customers: Vec<CustomerPush> = (1..=12)
        .map(|n| {
            let cid = format!("8e1c0a55-0000-4000-8000-00000000c{n:03x}");
            CustomerPush {
                customer_id: cid,
                customer_name: format!("customer {n}"),
                cart: vec![
                    line(&format!("r{n}-a"), BASIC, n),
                    line(&format!("r{n}-b"), E3, n + 1),
                ],
                order: vec![],
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(&dir);
    let api = Arc::new(client(&h, "destination"));
    let options = PushOptions {
        attestation: Some(Attestation {
            first_name: "Ada".into(),
            last_name: "Osei".into(),
            email: "ada@customer.example".into(),
            phone_number: None,
            date_agreed: "2026-10-20".into(),
        }),
        ..PushOptions::default()
    };
    let mut rows = Vec::new();
    for _ in 0..8 {
        rows = push(
            api.clone(),
            journal.clone(),
            customers.clone(),
            &options,
            Arc::new(()),
        )
        .await
        .unwrap();
        let open = rows.iter().any(|r| {
            matches!(
                r.outcome,
                Outcome::InDoubt | Outcome::Provisioning | Outcome::Failed
            )
        });
        if !open && journal.in_doubt().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let world = h.state_snapshot();
    let dest = world
        .tenants
        .iter()
        .find(|t| t.name == "destination")
        .unwrap();
    for c in &customers {
        let have = &dest.customer(&c.customer_id).unwrap().subscriptions;
        for l in &c.cart {
            let r = outcome_of(&rows, &l.source_subscription_id);
            if c.customer_id.ends_with("c00c") {
                assert_eq!(r.outcome, Outcome::Waiting, "no relationship: {r:?}");
                continue;
            }
            assert_eq!(r.outcome, Outcome::Bought, "{r:?}");
            let copies: Vec<_> = have
                .iter()
                .filter(|s| s.offer_id == l.catalog_item && s.quantity == i64::from(l.quantity))
                .collect();
            assert_eq!(copies.len(), 1, "{} bought once", l.source_subscription_id);
            assert_eq!(
                r.destination_subscription_id.as_deref(),
                Some(copies[0].id.as_str())
            );
        }
    }
}
