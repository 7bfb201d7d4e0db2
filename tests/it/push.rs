//! End to end: the push engine through the real client, over loopback, to
//! the emulator with faults on (429, 5xx, answers dropped after commit).
//! Every line must end bought exactly once, whatever the faults did.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use csp_consolidate::api::ManualTimer;
use csp_consolidate::emulator::{EmulatorHandle, Faults};
use csp_consolidate::model::Outcome;
use csp_consolidate::push::adapter::ClientApi;
use csp_consolidate::push::engine::{CustomerPush, PushOptions, push};
use csp_consolidate::push::journal::Journal;
use csp_consolidate::push::port::BuyLine;

use crate::support::emu;

pub const BASIC: &str = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
pub const E3: &str = "CFQ7TTC0LCHC:0002:CFQ7TTC0KDQT";
pub const LEGACY_E1: &str = "91FD106F-4B2C-4938-95AC-F54F74E9A239";
const NO_RELATIONSHIP: &str = "8e1c0a55-0000-4000-8000-00000000c00c";

pub async fn emulator_with(faults: &str) -> EmulatorHandle {
    let faults = Faults::parse(faults).unwrap_or_else(|e| panic!("faults: {e}"));
    emu::start(emu::example(), |c| c.faults = faults).await
}

/// A client for an emulator tenant that never really sleeps.
pub fn client(h: &EmulatorHandle, tenant: &str) -> ClientApi {
    let mut config = emu::seed_config(h, tenant);
    config.poll.interval = std::time::Duration::from_millis(20);
    config.poll.max_interval = std::time::Duration::from_millis(20);
    let timer = Arc::new(ManualTimer::new(SystemTime::now()));
    ClientApi::new(emu::client(config, timer))
}

fn line(id: &str, item: &str, qty: u32) -> BuyLine {
    BuyLine {
        source_subscription_id: id.into(),
        catalog_item: item.into(),
        quantity: qty,
        billing_cycle: Some("monthly".into()),
        term: if item.contains(':') {
            Some("P1Y".into())
        } else {
            None
        },
        friendly_name: Some(format!("moved {id}")),
    }
}

/// Every customer of the example seed: NCE lines by cart, legacy by order.
fn plan() -> Vec<CustomerPush> {
    (1..=12)
        .map(|n| {
            let cid = format!("8e1c0a55-0000-4000-8000-00000000c{n:03x}");
            let mut cart = vec![line(&format!("s{n}-a"), BASIC, n)];
            if n % 2 == 0 {
                cart.push(line(&format!("s{n}-b"), E3, 2 * n));
            }
            let order = if n % 3 == 0 {
                vec![line(&format!("s{n}-c"), LEGACY_E1, n + 1)]
            } else {
                vec![]
            };
            CustomerPush {
                customer_id: cid,
                customer_name: format!("customer {n}"),
                cart,
                order,
            }
        })
        .collect()
}

/// Destination subscriptions per friendly name: (count, quantity).
fn bought(emu: &EmulatorHandle) -> HashMap<String, (usize, i64)> {
    let world = emu.state_snapshot();
    let mut out: HashMap<String, (usize, i64)> = HashMap::new();
    for tenant in world.tenants.iter().filter(|t| t.name == "destination") {
        for c in &tenant.customers {
            for s in &c.subscriptions {
                let e = out
                    .entry(s.friendly_name.clone())
                    .or_insert((0, s.quantity));
                e.0 += 1;
            }
        }
    }
    out
}

async fn run_until_settled(
    api: &ClientApi,
    journal: &Arc<Journal>,
    rounds: usize,
) -> HashMap<String, Outcome> {
    let mut last = HashMap::new();
    for _ in 0..rounds {
        let rows = push(
            Arc::new(api.clone()),
            journal.clone(),
            plan(),
            &PushOptions::default(),
            Arc::new(()),
        )
        .await
        .unwrap_or_else(|e| panic!("push: {e}"));
        last = rows
            .into_iter()
            .map(|r| (r.source_subscription_id, r.outcome))
            .collect();
        let open = last
            .values()
            .any(|o| *o == Outcome::InDoubt || *o == Outcome::Failed);
        if !open && journal.in_doubt().map(|d| d.is_empty()).unwrap_or(false) {
            break;
        }
    }
    last
}

fn check_exactly_once(emu: &EmulatorHandle, outcomes: &HashMap<String, Outcome>) {
    let bought = bought(emu);
    for c in plan() {
        for l in c.cart.iter().chain(&c.order) {
            let name = l.friendly_name.clone().unwrap_or_default();
            let got = bought.get(&name).copied();
            if c.customer_id == NO_RELATIONSHIP {
                assert_eq!(
                    got, None,
                    "{name}: bought for a customer without relationship"
                );
                assert_eq!(
                    outcomes.get(&l.source_subscription_id).copied(),
                    Some(Outcome::Waiting)
                );
            } else {
                assert_eq!(
                    got,
                    Some((1, i64::from(l.quantity))),
                    "{name}: want exactly one with the target seats"
                );
                assert_eq!(
                    outcomes.get(&l.source_subscription_id).copied(),
                    Some(Outcome::Bought)
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_buys_each_row_once_with_at_most_three_calls_per_customer() {
    let emu = emulator_with("").await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let journal =
        Arc::new(Journal::open(&dir.path().join("j"), &[]).unwrap_or_else(|e| panic!("{e}")));
    let api = client(&emu, "destination");
    let outcomes = run_until_settled(&api, &journal, 1).await;
    check_exactly_once(&emu, &outcomes);
    let counters = emu.counters();
    let dest = counters
        .tenants
        .get("destination")
        .cloned()
        .unwrap_or_default();
    for c in plan() {
        let calls = dest.by_customer.get(&c.customer_id).copied().unwrap_or(0);
        // Cart only: read + cart + checkout. Cart and order: cart +
        // checkout + order (the cart answers the relationship question).
        // Without a relationship: the read (or the refused cart) only.
        let expected = if c.customer_id == NO_RELATIONSHIP {
            1
        } else {
            3
        };
        assert_eq!(calls, expected, "calls for {}", c.customer_id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_is_exactly_once_under_429_5xx_and_dropped_answers() {
    for seed in [1, 2, 3] {
        let emu = emulator_with(&format!(
            "429=0.15,5xx=0.15,drop=0.25,retryafter=1,seed={seed}"
        ))
        .await;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let journal =
            Arc::new(Journal::open(&dir.path().join("j"), &[]).unwrap_or_else(|e| panic!("{e}")));
        let api = client(&emu, "destination");
        let outcomes = run_until_settled(&api, &journal, 6).await;
        check_exactly_once(&emu, &outcomes);
        let dest = emu
            .counters()
            .tenants
            .get("destination")
            .cloned()
            .unwrap_or_default();
        assert!(
            dest.dropped > 0 && dest.injected_5xx > 0 && dest.throttled > 0,
            "faults must have fired: {dest:?}"
        );
    }
}
