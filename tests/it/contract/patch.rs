//! Subscription PATCH: a plain 200 change, a 202 the client polls until
//! the change shows (the test lets the emulator apply it between polls),
//! a 202 that never shows (`StillPending`, `Transient`), and a PATCH the
//! service refuses (deleted subscription → 2011, `Rejected`).

use std::time::Duration;

use chrono::Utc;
use csp_consolidate::api::{ApiError, ErrorClass, SubscriptionStatus};
use csp_consolidate::emulator::Faults;
use uuid::Uuid;

use super::{
    CONTOSO, CONTOSO_BASIC, Partner, client, counters, customer_state, route_hits, start,
    tenant_state,
};

const GET_SUB: &str = "GET /v1/customers/{cid}/subscriptions/{sid}";

fn quantity_of(emu: &csp_consolidate::emulator::EmulatorHandle, sid: &str) -> i64 {
    let c = customer_state(emu, Partner::Source, CONTOSO);
    c.subscriptions
        .iter()
        .find(|s| s.id == sid)
        .unwrap()
        .quantity
}

#[tokio::test]
async fn patch_200_applies_at_once_and_is_audited() {
    let emu = start(|_| {}).await;
    let (src, timer) = client(&emu, Partner::Source);
    let mut sub = src.get_subscription(CONTOSO, CONTOSO_BASIC).await.unwrap();
    sub.quantity = Some(15);
    let done = src
        .patch_subscription(CONTOSO, &sub, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(done.quantity, Some(15));
    assert_eq!(quantity_of(&emu, CONTOSO_BASIC), 15);
    assert!(timer.sleeps().is_empty(), "a 200 needs no polling");
    let audit = tenant_state(&emu, Partner::Source).audit_records;
    let last = audit.last().unwrap();
    assert_eq!(last.operation_type, "update_subscription");
    assert!(last.resource_new_value.as_deref().unwrap().contains("15"));

    // Suspend: the status round-trips through the typed enum.
    let mut sub = done;
    sub.status = Some(SubscriptionStatus::Suspended);
    let done = src
        .patch_subscription(CONTOSO, &sub, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(done.status, Some(SubscriptionStatus::Suspended));
    let state = customer_state(&emu, Partner::Source, CONTOSO);
    let s = state
        .subscriptions
        .iter()
        .find(|s| s.id == CONTOSO_BASIC)
        .unwrap();
    assert_eq!(s.status, "suspended");
}

#[tokio::test]
async fn patch_202_is_polled_until_the_change_shows() {
    // The change takes an hour unless the test lets it land.
    let emu = start(|c| c.faults = Faults::parse("patch202=1,patchdelay=60m").unwrap()).await;
    let (src, timer) = client(&emu, Partner::Source);
    let mut sub = src.get_subscription(CONTOSO, CONTOSO_BASIC).await.unwrap();
    let gets_before = route_hits(&emu, Partner::Source, GET_SUB);
    let hook_emu = emu.clone();
    // Before the second poll, the back end finishes the change.
    timer.on_sleep(move |i, _| {
        if i == 1 {
            hook_emu.with_state(|w| {
                for t in &mut w.tenants {
                    for d in &mut t.deferred {
                        d.due = Utc::now() - chrono::Duration::seconds(1);
                    }
                }
            });
        }
    });
    sub.quantity = Some(20);
    let done = src
        .patch_subscription(CONTOSO, &sub, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(done.quantity, Some(20));
    assert_eq!(counters(&emu, Partner::Source).accepted_202, 1);
    let poll = Duration::from_secs(5);
    assert_eq!(
        timer.sleeps(),
        vec![poll, poll],
        "two polls, interval apart"
    );
    assert_eq!(
        route_hits(&emu, Partner::Source, GET_SUB) - gets_before,
        2,
        "the first poll saw the old value, the second the new"
    );
    assert_eq!(quantity_of(&emu, CONTOSO_BASIC), 20);
    assert!(tenant_state(&emu, Partner::Source).deferred.is_empty());
}

#[tokio::test]
async fn patch_202_that_never_shows_is_still_pending() {
    let emu = start(|c| c.faults = Faults::parse("patch202=1,patchdelay=60m").unwrap()).await;
    let (src, timer) = client(&emu, Partner::Source);
    let mut sub = src.get_subscription(CONTOSO, CONTOSO_BASIC).await.unwrap();
    sub.quantity = Some(30);
    let err = src
        .patch_subscription(CONTOSO, &sub, Uuid::new_v4())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::StillPending { polls: 5, .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Transient, "it may still apply");
    assert_eq!(timer.sleeps().len(), 5);
    assert_eq!(quantity_of(&emu, CONTOSO_BASIC), 12, "not applied yet");
    assert_eq!(tenant_state(&emu, Partner::Source).deferred.len(), 1);
}

#[tokio::test]
async fn patch_on_a_deleted_subscription_is_rejected() {
    let emu = start(|_| {}).await;
    let (src, _) = client(&emu, Partner::Source);
    let northwind = "8e1c0a55-0000-4000-8000-00000000c003";
    let deleted = "a1000000-0000-4000-8000-000000000057";
    let mut sub = src.get_subscription(northwind, deleted).await.unwrap();
    assert_eq!(sub.status, Some(SubscriptionStatus::Deleted));
    sub.quantity = Some(5);
    let err = src
        .patch_subscription(northwind, &sub, Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some("2011")));
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert_eq!(src.stats().retries, 0);
}
