//! Failures on the wire: 429 (injected, and from the real token bucket)
//! with `Retry-After` honoured exactly, 503 retried and then given up on,
//! and a write whose response is lost after it committed: the client's
//! retry with the same `MS-RequestId` must get the stored answer, and the
//! emulator must hold exactly one purchase.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use csp_consolidate::api::{ApiError, Client, ErrorClass, RetryPolicy, Throttled};
use csp_consolidate::emulator::Faults;
use uuid::Uuid;

use super::purchases::legacy_order;
use super::{CONTOSO, HookTimer, Partner, client, config, counters, customer_state, start};
use csp_consolidate::api::Credential;

/// A destination client whose every 429 is recorded.
fn throttle_watched(
    emu: &csp_consolidate::emulator::EmulatorHandle,
) -> (Client, Arc<HookTimer>, Arc<Mutex<Vec<Throttled>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let timer = HookTimer::new();
    let cfg = config(
        emu,
        Partner::Destination,
        Credential::ClientSecret(Partner::Destination.secret()),
    );
    let client = Client::builder(cfg)
        .timer(timer.clone())
        .on_throttle(move |t| log.lock().unwrap().push(t.clone()))
        .build()
        .unwrap();
    (client, timer, seen)
}

#[tokio::test]
async fn injected_429_waits_retry_after_then_succeeds() {
    let emu = start(|c| c.rate_limit_per_minute = 0).await;
    let (dst, timer, seen) = throttle_watched(&emu);
    // Sign in first so the 429 hits the API call, not the token endpoint.
    dst.get_customer(CONTOSO).await.unwrap();
    emu.set_faults(Faults::parse("429=1,retryafter=1").unwrap());
    let hook_emu = emu.clone();
    timer.on_sleep(move |_, _| hook_emu.set_faults(Faults::default()));

    let orders = dst.list_orders(CONTOSO).await.unwrap();
    assert!(orders.is_empty());
    assert_eq!(timer.sleeps(), vec![Duration::from_secs(1)], "Retry-After");
    let stats = dst.stats();
    assert_eq!((stats.throttled, stats.retries), (1, 1));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].retry_after, Some(Duration::from_secs(1)));
    assert_eq!(seen[0].op, format!("GET /v1/customers/{CONTOSO}/orders"));
    let c = counters(&emu, Partner::Destination);
    assert_eq!((c.injected_429, c.throttled), (1, 1));
}

#[tokio::test]
async fn rate_limit_429_on_a_write_is_retried_with_the_same_request_id() {
    // Two requests a minute: the third is throttled by the token bucket.
    let emu = start(|c| c.rate_limit_per_minute = 2).await;
    let (dst, timer, seen) = throttle_watched(&emu);
    dst.get_customer(CONTOSO).await.unwrap();
    dst.list_orders(CONTOSO).await.unwrap();
    let hook_emu = emu.clone();
    timer.on_sleep(move |_, _| hook_emu.set_rate_limit(0));

    let order = dst
        .create_order(CONTOSO, &legacy_order(CONTOSO, 2), Uuid::new_v4())
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let said = seen[0].retry_after.expect("the bucket says how long");
    assert!(said >= Duration::from_secs(1), "{said:?}");
    assert_eq!(timer.sleeps(), vec![said], "waited exactly Retry-After");
    assert_eq!(dst.stats().throttled, 1);
    let c = counters(&emu, Partner::Destination);
    assert_eq!((c.throttled, c.injected_429), (1, 0));
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1, "one purchase");
    assert_eq!(state.orders[0].id, order.id.unwrap());
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let emu = start(|c| c.rate_limit_per_minute = 0).await;
    let (dst, timer) = client(&emu, Partner::Destination);
    dst.get_customer(CONTOSO).await.unwrap();
    emu.set_faults(Faults::parse("5xx=1").unwrap());
    let hook_emu = emu.clone();
    // Two 503s, then the service recovers.
    timer.on_sleep(move |i, _| {
        if i == 1 {
            hook_emu.set_faults(Faults::default());
        }
    });
    let order = dst
        .create_order(CONTOSO, &legacy_order(CONTOSO, 1), Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(timer.sleeps().len(), 2);
    assert_eq!(dst.stats().retries, 2);
    assert_eq!(counters(&emu, Partner::Destination).injected_5xx, 2);
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1);
    assert_eq!(Some(state.orders[0].id.clone()), order.id);
}

#[tokio::test]
async fn persistent_server_errors_give_up_as_transient() {
    let emu = start(|c| c.rate_limit_per_minute = 0).await;
    let mut cfg = config(
        &emu,
        Partner::Destination,
        Credential::ClientSecret(Partner::Destination.secret()),
    );
    cfg.retry = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let (dst, timer) = super::client_with(cfg);
    dst.get_customer(CONTOSO).await.unwrap();
    emu.set_faults(Faults::parse("5xx=1").unwrap());
    let err = dst.list_orders(CONTOSO).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(timer.sleeps().len(), 2, "3 tries, 2 waits");
    assert_eq!(counters(&emu, Partner::Destination).injected_5xx, 3);
}

#[tokio::test]
async fn dropped_response_after_commit_is_settled_by_the_replay() {
    let emu = start(|c| c.rate_limit_per_minute = 0).await;
    let (dst, timer) = client(&emu, Partner::Destination);
    dst.get_customer(CONTOSO).await.unwrap();
    emu.set_faults(Faults::parse("drop=1").unwrap());

    let order = dst
        .create_order(CONTOSO, &legacy_order(CONTOSO, 7), Uuid::new_v4())
        .await
        .unwrap();
    emu.set_faults(Faults::default());
    let c = counters(&emu, Partner::Destination);
    assert_eq!(c.dropped, 1, "the first answer was lost");
    assert_eq!(c.replays, 1, "the retry got the stored answer");
    assert_eq!(dst.stats().retries, 1);
    assert_eq!(timer.sleeps().len(), 1);
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1, "exactly one purchase");
    assert_eq!(state.subscriptions.len(), 1);
    assert_eq!(Some(state.orders[0].id.clone()), order.id);
    assert_eq!(
        order.line_items[0].subscription_id.as_deref(),
        Some(state.subscriptions[0].id.as_str())
    );
}

#[tokio::test]
async fn dropped_response_without_retries_is_reported_as_maybe_applied() {
    let emu = start(|c| c.rate_limit_per_minute = 0).await;
    let mut cfg = config(
        &emu,
        Partner::Destination,
        Credential::ClientSecret(Partner::Destination.secret()),
    );
    cfg.retry = RetryPolicy::none();
    let (dst, _) = super::client_with(cfg);
    dst.get_customer(CONTOSO).await.unwrap();
    emu.set_faults(Faults::parse("drop=1").unwrap());
    let rid = Uuid::new_v4();
    let order = legacy_order(CONTOSO, 7);
    let err = dst.create_order(CONTOSO, &order, rid).await.unwrap_err();
    assert!(matches!(err, ApiError::NoResponse { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Transient);
    // It was applied: settling with the same request id returns it.
    emu.set_faults(Faults::default());
    let settled = dst.create_order(CONTOSO, &order, rid).await.unwrap();
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1);
    assert_eq!(Some(state.orders[0].id.clone()), settled.id);
}

#[tokio::test]
async fn replay_while_the_first_is_in_flight_is_transient_not_rejected() {
    // Every request takes a second; a second try with the same request id
    // arrives while the first is still being processed.
    let emu = start(|c| c.rate_limit_per_minute = 0).await;
    let (dst, _) = client(&emu, Partner::Destination);
    dst.get_customer(CONTOSO).await.unwrap();
    emu.set_faults(Faults::parse("latency=1s").unwrap());
    let rid = Uuid::new_v4();
    let order = legacy_order(CONTOSO, 4);
    let first = {
        let (dst, order) = (dst.clone(), order.clone());
        tokio::spawn(async move { dst.create_order(CONTOSO, &order, rid).await })
    };
    let route = "POST /v1/customers/{cid}/orders";
    while super::route_hits(&emu, Partner::Destination, route) == 0 {
        tokio::task::yield_now().await;
    }
    let err = dst.create_order(CONTOSO, &order, rid).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(409), Some("800060")));
    assert_eq!(
        err.class(),
        ErrorClass::Transient,
        "the same request is being applied: settle it, never record it as refused"
    );
    assert_eq!(counters(&emu, Partner::Destination).in_flight_conflicts, 1);

    let bought = first.await.unwrap().unwrap();
    emu.set_faults(Faults::default());
    let settled = dst.create_order(CONTOSO, &order, rid).await.unwrap();
    assert_eq!(settled, bought, "settling replays the first answer");
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1, "exactly one purchase");
}
