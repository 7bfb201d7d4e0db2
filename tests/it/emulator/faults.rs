//! Faults: in-flight replays, rate limits, lost responses, 202 PATCHes,
//! read-after-write lag, and changing faults at runtime.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_while_in_flight_is_800060() {
    let h = start(example(), |c| {
        c.faults = Faults::parse("latency=1500ms").unwrap()
    })
    .await;
    let api = std::sync::Arc::new(login(&h, "destination").await);
    let path = format!("/v1/customers/{C1}/orders");
    let rid = "0f000000-0000-4000-8000-0000000000aa";
    let first = {
        let (api, path) = (api.clone(), path.clone());
        tokio::spawn(async move { api.post(&path, order_body(LEGACY_E3, 3), Some(rid)).await })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (s, conflict) = api.post(&path, order_body(LEGACY_E3, 3), Some(rid)).await;
    assert_eq!(
        (s, conflict["code"].as_i64()),
        (StatusCode::CONFLICT, Some(800060))
    );
    let (s1, b1) = first.await.unwrap();
    assert_eq!(s1, 201);
    let (s3, b3) = api.post(&path, order_body(LEGACY_E3, 3), Some(rid)).await;
    assert_eq!((s3, b3), (s1, b1));
    let n = subs_of(&h.state_snapshot(), "destination", C1)
        .iter()
        .filter(|s| s.offer_id == LEGACY_E3)
        .count();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let h = start(example(), |c| c.rate_limit_per_minute = 3).await;
    let api = login(&h, "source").await;
    for _ in 0..3 {
        assert_eq!(api.get("/v1/customers").await.0, 200);
    }
    let (s, headers, body) = api
        .call(Method::GET, "/v1/customers", None, None)
        .await
        .unwrap();
    assert_eq!(s, 429);
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(body["statusCode"], 429);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{wait} seconds"))
    );
    let other = login(&h, "destination").await;
    assert_eq!(
        other.get("/v1/customers").await.0,
        200,
        "limits are per tenant"
    );
    assert_eq!(h.counters().tenants["source"].throttled, 1);
    h.set_rate_limit(0);
    assert_eq!(api.get("/v1/customers").await.0, 200);
}

#[tokio::test]
async fn dropped_response_still_commits_and_replays() {
    let h = start(example(), |c| c.faults = Faults::parse("drop=1").unwrap()).await;
    let api = login(&h, "destination").await;
    let path = format!("/v1/customers/{C1}/orders");
    let rid = "0f000000-0000-4000-8000-0000000000d0";
    let lost = api
        .call(
            Method::POST,
            &path,
            Some(order_body(LEGACY_E3, 4)),
            Some(rid),
        )
        .await;
    assert!(
        lost.is_err(),
        "the client sees a broken connection, not a status: {lost:?}"
    );
    let world = h.state_snapshot();
    let bought: Vec<_> = subs_of(&world, "destination", C1)
        .into_iter()
        .filter(|s| s.offer_id == LEGACY_E3)
        .collect();
    assert_eq!(bought.len(), 1, "the purchase committed");
    assert_eq!(h.counters().tenants["destination"].dropped, 1);
    h.set_faults(Faults::default());
    let (s, body) = api.post(&path, order_body(LEGACY_E3, 4), Some(rid)).await;
    assert_eq!(s, 201);
    assert_eq!(
        body["lineItems"][0]["subscriptionId"],
        bought[0].id.as_str(),
        "the retry learns what was bought"
    );
    let n = subs_of(&h.state_snapshot(), "destination", C1)
        .iter()
        .filter(|s| s.offer_id == LEGACY_E3)
        .count();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn patch_202_applies_later() {
    let h = start(example(), |c| {
        c.faults = Faults::parse("patch202=1,patchdelay=300ms").unwrap()
    })
    .await;
    let api = login(&h, "source").await;
    let sid = sub_id(&h.state_snapshot(), C1, "Microsoft 365 E3");
    let url = format!("/v1/customers/{C1}/subscriptions/{sid}");
    let (_, mut body) = api.get(&url).await;
    body["status"] = json!("suspended");
    let (s, headers, _) = api.patch(&url, body.clone()).await;
    assert_eq!(s, 202);
    assert_eq!(
        headers["location"],
        format!("/customers/{C1}/subscriptions/{sid}").as_str()
    );
    let (_, now) = api.get(&url).await;
    assert_eq!(now["status"], "active", "not applied yet");
    let (s, _, e) = api.patch(&url, body).await;
    assert_eq!(
        (s, e["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(800081))
    );
    let mut seen = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if api.get(&url).await.1["status"] == "suspended" {
            seen = true;
            break;
        }
    }
    assert!(seen, "the 202 change became visible");
    assert_eq!(h.counters().tenants["source"].accepted_202, 1);
}

#[tokio::test]
async fn read_after_write_lag_hides_new_purchases() {
    let h = start(example(), |c| {
        c.faults = Faults::parse("lag=800ms").unwrap()
    })
    .await;
    let api = login(&h, "destination").await;
    let (s, order) = api
        .post(
            &format!("/v1/customers/{C1}/orders"),
            order_body(LEGACY_E3, 2),
            None,
        )
        .await;
    assert_eq!(s, 201);
    let oid = order["id"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/v1/customers/{C1}/orders/{oid}")).await.0,
        404
    );
    let lookup = format!("/v1/customers/{C1}/subscriptions?order_id={oid}");
    assert_eq!(
        api.get(&lookup).await.1["items"].as_array().unwrap().len(),
        0
    );
    let mut found = 0;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        found = api.get(&lookup).await.1["items"].as_array().unwrap().len();
        if found > 0 {
            break;
        }
    }
    assert_eq!(found, 1);
    assert_eq!(
        api.get(&format!("/v1/customers/{C1}/orders/{oid}")).await.0,
        200
    );
}

#[tokio::test]
async fn faults_change_at_runtime_through_admin() {
    let h = start(example(), |_| {}).await;
    let api = login(&h, "source").await;
    let admin = |spec: &str| {
        let http = api.http.clone();
        let url = format!("{}/_admin/faults", api.base);
        let spec = spec.to_owned();
        async move {
            http.put(url)
                .json(&json!({"spec": spec}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(admin("5xx=1").await, 200);
    let (s, e) = api.get("/v1/customers").await;
    assert_eq!(
        (s, e["source"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("PartnerFD"))
    );
    assert_eq!(admin("429=1,retryafter=7").await, 200);
    let (s, headers, _) = api
        .call(Method::GET, "/v1/customers", None, None)
        .await
        .unwrap();
    assert_eq!(
        (s, headers["retry-after"].to_str().unwrap()),
        (StatusCode::TOO_MANY_REQUESTS, "7")
    );
    assert_eq!(admin("bogus=1").await, 400);
    assert_eq!(admin("none").await, 200);
    assert_eq!(api.get("/v1/customers").await.0, 200);
    let state: Value = api
        .http
        .get(format!("{}/_admin/state", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = &state["counters"]["tenants"]["source"];
    assert_eq!(
        (
            c["injected5xx"].as_u64(),
            c["injected429"].as_u64(),
            c["requests"].as_u64()
        ),
        (Some(1), Some(1), Some(3))
    );
    assert_eq!(state["world"]["tenants"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn same_fault_seed_same_faults() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let h = start(example(), |c| {
            c.faults = Faults::parse("5xx=0.3,429=0.3,seed=7").unwrap();
        })
        .await;
        let api = login(&h, "source").await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(api.get("/v1/customers").await.0.as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    for code in [200, 429, 503] {
        assert!(
            runs[0].contains(&code),
            "{code} never happened: {:?}",
            runs[0]
        );
    }
}
