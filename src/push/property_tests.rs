//! Property test of the engine: over random answer sequences (no answer,
//! answers lost after the service applied the request) and random crash
//! points (the run dies while a request is on its way, before or after it
//! lands), every row of an accepting customer ends bought exactly once
//! once the service answers again, every row of a customer without a
//! reseller relationship ends waiting with the reason, and no row is left
//! without one at any run's end. Seeded and bounded: the same cases on
//! every run, a few seconds in all.

use std::collections::HashMap;
use std::sync::Arc;

use super::engine::{CustomerPush, PushOptions, push};
use super::journal::{Journal, RowOutcome};
use super::tests::{Dice, Fake, customers, journal, line};
use crate::model::Outcome;

/// Seeded cases per test run.
const CASES: u64 = 120;
/// Faulty runs per case at most, then clean runs at most.
const FAULTY_RUNS: usize = 5;
const CLEAN_RUNS: usize = 3;

/// c1 (cart + order) and c2 (cart) accept us; c3 has no relationship.
fn all_customers() -> Vec<CustomerPush> {
    let mut list = customers();
    list.push(CustomerPush {
        customer_id: "c3".into(),
        customer_name: "Northwind".into(),
        cart: vec![line("s5", "CFQ7TTC0LH18:0001:CFQ7TTC0K971", 4)],
        order: vec![line("s6", "796B6B5F-0000-4000-8000-0000000000E3", 1)],
    });
    list
}

const ACCEPTING_ROWS: [&str; 4] = ["s1", "s2", "s3", "s4"];

/// One run; `None` when the dice killed it (its future is dropped mid-way,
/// exactly where the crash happened: the journal keeps what was committed).
async fn run_once(fake: &Arc<Fake>, journal: &Arc<Journal>) -> Option<Vec<RowOutcome>> {
    let options = PushOptions::default();
    let run = push(
        fake.clone(),
        journal.clone(),
        all_customers(),
        &options,
        Arc::new(()),
    );
    tokio::select! {
        biased;
        () = fake.crashed.notified() => None,
        rows = run => Some(rows.unwrap_or_else(|e| panic!("push: {e}"))),
    }
}

/// No row is left without a word: anything not done says why.
fn assert_reasons(rows: &[RowOutcome], context: &str) {
    for r in rows.iter().filter(|r| !r.outcome.is_success()) {
        assert!(
            r.error_message.as_deref().is_some_and(|m| !m.is_empty()),
            "{context}: {} is {} without a reason",
            r.source_subscription_id,
            r.outcome.token()
        );
    }
}

#[tokio::test]
async fn every_row_ends_bought_once_or_waiting_whatever_the_answers_and_crashes() {
    let mut crashes = 0;
    for seed in 0..CASES {
        let mut rng = fastrand::Rng::with_seed(seed);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let fake = Fake::with_customers(&[("c1", "reseller"), ("c2", "reseller"), ("c3", "none")]);
        let j = journal(&dir);
        for run in 0..rng.usize(1..=FAULTY_RUNS) {
            {
                let mut s = fake.lock();
                let crash_at = rng.bool().then(|| s.rolled + rng.u64(1..10));
                s.dice = Some(Dice {
                    rng: fastrand::Rng::with_seed(rng.u64(..)),
                    p: rng.f64() * 0.7,
                    crash_at,
                });
            }
            match run_once(&fake, &j).await {
                Some(rows) => assert_reasons(&rows, &format!("seed {seed}, faulty run {run}")),
                None => crashes += 1,
            }
        }
        fake.lock().dice = None;
        let mut last: HashMap<String, RowOutcome> = HashMap::new();
        for run in 0..CLEAN_RUNS {
            let rows = run_once(&fake, &j)
                .await
                .unwrap_or_else(|| panic!("seed {seed}: a clean run crashed"));
            assert_reasons(&rows, &format!("seed {seed}, clean run {run}"));
            last = rows
                .into_iter()
                .map(|r| (r.source_subscription_id.clone(), r))
                .collect();
            if ACCEPTING_ROWS
                .iter()
                .all(|s| last.get(*s).map(|r| r.outcome) == Some(Outcome::Bought))
            {
                break;
            }
        }
        for s in ACCEPTING_ROWS {
            assert_eq!(
                last.get(s).map(|r| r.outcome),
                Some(Outcome::Bought),
                "seed {seed}: {s} is stuck: {last:?}"
            );
        }
        for s in ["s5", "s6"] {
            assert_eq!(
                last.get(s).map(|r| r.outcome),
                Some(Outcome::Waiting),
                "seed {seed}: {s}"
            );
        }
        assert_eq!(
            fake.bought(),
            ACCEPTING_ROWS.len() as u64,
            "seed {seed}: every accepting row bought exactly once"
        );
        assert!(
            j.in_doubt().unwrap_or_default().is_empty(),
            "seed {seed}: requests left in doubt"
        );
    }
    assert!(
        crashes >= CASES / 3,
        "the dice must kill runs often: {crashes} crashes in {CASES} cases"
    );
}
