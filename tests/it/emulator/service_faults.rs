//! Faults that bite the way the service's do (issue 18): a retry of an
//! already-sent request meets 429/5xx like a first try; a write can commit
//! after its client gave up (and a retry meanwhile is told it is in
//! flight); a 202's `Location` is a path the emulator answers; a PATCH that
//! changes nothing leaves no activity record.

use super::*;

/// The `update_subscription` records of the source tenant.
fn updates(h: &EmulatorHandle) -> usize {
    h.state_snapshot()
        .tenants
        .iter()
        .filter(|t| t.name == "source")
        .flat_map(|t| &t.audit_records)
        .filter(|a| a.operation_type == "update_subscription")
        .count()
}

fn status_of(h: &EmulatorHandle, sid: &str) -> String {
    subs_of(&h.state_snapshot(), "source", C1)
        .into_iter()
        .find(|s| s.id == *sid)
        .map(|s| s.status)
        .unwrap_or_default()
}

/// Contoso Lab's E3 at the source, and its body with the status suspended.
async fn suspend_body(h: &EmulatorHandle, api: &Api) -> (String, String, Value) {
    let sid = sub_id(&h.state_snapshot(), C1, "Microsoft 365 E3");
    let url = format!("/v1/customers/{C1}/subscriptions/{sid}");
    let (_, mut body) = api.get(&url).await;
    body["status"] = json!("suspended");
    (sid, url, body)
}

#[tokio::test]
async fn a_replayed_request_id_meets_faults_like_a_first_try() {
    let h = start(example(), |c| c.faults = Faults::parse("drop=1").unwrap()).await;
    let api = login(&h, "source").await;
    let (sid, url, body) = suspend_body(&h, &api).await;
    let before = updates(&h);
    let rid = "0f000000-0000-4000-8000-0000000000e1";
    let lost = api
        .call(Method::PATCH, &url, Some(body.clone()), Some(rid))
        .await;
    assert!(lost.is_err(), "answer dropped: {lost:?}");
    assert_eq!(status_of(&h, &sid), "suspended", "the first try committed");
    h.set_faults(Faults::parse("5xx=1").unwrap());
    let (s, _, _) = api
        .call(Method::PATCH, &url, Some(body.clone()), Some(rid))
        .await
        .unwrap();
    assert_eq!(s, 503, "a replay is not exempt from faults");
    h.set_faults(Faults::parse("429=1,retryafter=2").unwrap());
    let (s, headers, _) = api
        .call(Method::PATCH, &url, Some(body.clone()), Some(rid))
        .await
        .unwrap();
    assert_eq!(
        (s, headers["retry-after"].to_str().unwrap()),
        (StatusCode::TOO_MANY_REQUESTS, "2")
    );
    h.set_faults(Faults::default());
    let (s, _, replayed) = api
        .call(Method::PATCH, &url, Some(body), Some(rid))
        .await
        .unwrap();
    assert_eq!(
        (s, replayed["status"].as_str()),
        (StatusCode::OK, Some("suspended"))
    );
    let c = &h.counters().tenants["source"];
    assert_eq!((c.replays, c.injected_5xx, c.injected_429), (1, 1, 1));
    assert_eq!(updates(&h), before + 1, "applied once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_commit_lands_after_the_client_gave_up_and_a_retry_meanwhile_is_409() {
    let h = start(example(), |c| {
        c.faults = Faults::parse("late=1,latedelay=600ms").unwrap()
    })
    .await;
    let api = login(&h, "source").await;
    let (sid, url, body) = suspend_body(&h, &api).await;
    let before = updates(&h);
    let rid = "0f000000-0000-4000-8000-0000000000e2";
    let lost = api
        .call(Method::PATCH, &url, Some(body.clone()), Some(rid))
        .await;
    assert!(lost.is_err(), "the connection is dropped at once: {lost:?}");
    assert_eq!(status_of(&h, &sid), "active", "not committed yet");
    h.set_faults(Faults::default());
    let (s, _, conflict) = api
        .call(Method::PATCH, &url, Some(body.clone()), Some(rid))
        .await
        .unwrap();
    assert_eq!(
        (s, conflict["code"].as_i64()),
        (StatusCode::CONFLICT, Some(800060)),
        "the same request id is still in flight"
    );
    let mut waited = 0;
    while status_of(&h, &sid) != "suspended" {
        assert!(waited < 3000, "the late write never committed");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 50;
    }
    assert!(
        waited >= 300,
        "committed only after the delay ({waited} ms)"
    );
    let (s, _, replayed) = api
        .call(Method::PATCH, &url, Some(body), Some(rid))
        .await
        .unwrap();
    assert_eq!(
        (s, replayed["status"].as_str()),
        (StatusCode::OK, Some("suspended")),
        "the stored answer of the late write is replayed"
    );
    let c = &h.counters().tenants["source"];
    assert_eq!(
        (c.late_commits, c.in_flight_conflicts, c.replays),
        (1, 1, 1)
    );
    assert_eq!(updates(&h), before + 1);
}

#[tokio::test]
async fn the_location_of_a_202_is_answered() {
    let h = start(example(), |c| {
        c.faults = Faults::parse("patch202=1,patchdelay=0ms").unwrap()
    })
    .await;
    let api = login(&h, "source").await;
    let (sid, url, body) = suspend_body(&h, &api).await;
    let (s, headers, _) = api.patch(&url, body).await;
    assert_eq!(s, 202);
    let location = headers["location"].to_str().unwrap().to_owned();
    assert!(!location.starts_with("/v1"), "{location}");
    let (s, polled) = api.get(&location).await;
    assert_eq!(s, 200, "GET {location}");
    assert_eq!(polled["id"], sid.as_str());
    assert_eq!(polled["status"], "suspended", "a zero delay is due at once");
}

#[tokio::test]
async fn a_patch_that_changes_nothing_leaves_no_activity_record() {
    let h = start(example(), |_| {}).await;
    let api = login(&h, "source").await;
    let (_, url, suspended) = suspend_body(&h, &api).await;
    let before = updates(&h);
    let (_, unchanged) = api.get(&url).await;
    let (s, _, _) = api.patch(&url, unchanged).await;
    assert_eq!(s, 200);
    assert_eq!(updates(&h), before, "nothing changed, nothing logged");
    assert_eq!(api.patch(&url, suspended).await.0, 200);
    assert_eq!(updates(&h), before + 1);
}
