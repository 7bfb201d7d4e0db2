//! Writing: orders, replays, carts and checkout, subscription PATCH rules.

use super::*;

#[tokio::test]
async fn order_replay_returns_the_first_response_and_buys_once() {
    let h = start(example(), |_| {}).await;
    let api = login(&h, "destination").await;
    let path = format!("/v1/customers/{C1}/orders");
    let rid = "0f000000-0000-4000-8000-000000000001";
    let (s1, first) = api.post(&path, order_body(LEGACY_E3, 12), Some(rid)).await;
    assert_eq!(s1, 201);
    let sid = first["lineItems"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s2, second) = api.post(&path, order_body(LEGACY_E3, 12), Some(rid)).await;
    assert_eq!(
        (s2, &second),
        (StatusCode::CREATED, &first),
        "replayed verbatim"
    );
    let world = h.state_snapshot();
    let bought: Vec<_> = subs_of(&world, "destination", C1)
        .into_iter()
        .filter(|s| s.offer_id == LEGACY_E3)
        .collect();
    assert_eq!(bought.len(), 1);
    assert_eq!(bought[0].id, sid);
    let (_, by_order) = api
        .get(&format!(
            "/v1/customers/{C1}/subscriptions?order_id={}",
            first["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_order["items"][0]["id"], sid.as_str());
    let (_, orders) = api.get(&path).await;
    assert_eq!(orders["items"].as_array().unwrap().len(), 1);
    let (s3, _) = api
        .post(
            &path,
            order_body(LEGACY_E3, 12),
            Some("0f000000-0000-4000-8000-000000000002"),
        )
        .await;
    assert_eq!(s3, 201, "a new request id is a new purchase");
    assert_eq!(h.counters().tenants["destination"].replays, 1);
}

#[tokio::test]
async fn checkout_partial_success_then_800065() {
    let h = start(example(), |_| {}).await;
    let api = login(&h, "destination").await;
    let cart = json!({"lineItems": [
        {"id": 0, "catalogItemId": BASIC, "quantity": 12, "billingCycle": "monthly", "termDuration": "P1Y", "friendlyName": "Basic - Sales"},
        {"id": 1, "catalogItemId": "NOPE:0001:NOPE", "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"},
    ]});
    let (s, created) = api
        .post(&format!("/v1/customers/{C1}/carts"), cart, None)
        .await;
    assert_eq!(s, 201);
    assert_eq!(created["status"], "Active");
    assert_eq!(created["lineItems"][1]["error"]["errorCode"], 10001);
    let checkout = format!(
        "/v1/customers/{C1}/carts/{}/checkout",
        created["id"].as_str().unwrap()
    );
    let (s, result) = api.post(&checkout, json!({}), None).await;
    assert_eq!(s, 201);
    assert_eq!(result["orders"].as_array().unwrap().len(), 1);
    assert_eq!(result["orderErrors"].as_array().unwrap().len(), 1);
    assert_eq!(result["orderErrors"][0]["code"], 10001);
    let sid = result["orders"][0]["lineItems"][0]["subscriptionId"]
        .as_str()
        .unwrap();
    let (s, sub) = api
        .get(&format!("/v1/customers/{C1}/subscriptions/{sid}"))
        .await;
    assert_eq!(
        (s, sub["quantity"].as_i64(), sub["friendlyName"].as_str()),
        (StatusCode::OK, Some(12), Some("Basic - Sales"))
    );
    assert!(sub["cancellationAllowedUntilDate"].is_string());
    let (s, again) = api.post(&checkout, json!({}), None).await;
    assert_eq!(
        (s, again["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(800065))
    );
    let (_, audit) = api.get("/v1/auditrecords").await;
    let rec = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["operationType"] == "create_order")
        .unwrap()
        .clone();
    let data = rec["customizedData"].as_array().unwrap();
    assert!(
        data.iter()
            .any(|kv| kv["key"] == "SubscriptionId-0" && kv["value"] == sid)
    );
    assert!(
        rec["resourceNewValue"]
            .as_str()
            .unwrap()
            .contains("\"LineItems\""),
        "PascalCase JSON string"
    );
}

#[tokio::test]
async fn cancel_only_inside_the_window_and_patch_rules() {
    let h = start(example(), |_| {}).await;
    let world = h.state_snapshot();
    let api = login(&h, "source").await;
    let late = sub_id(&world, C1, "Microsoft 365 E3");
    let fresh = sub_id(&world, C1, "Basic - Sales");
    let url = |sid: &str| format!("/v1/customers/{C1}/subscriptions/{sid}");
    let (_, mut body) = api.get(&url(&late)).await;
    body["status"] = json!("deleted");
    let (s, _, e) = api.patch(&url(&late), body.clone()).await;
    assert_eq!(
        (s, e["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(800040))
    );
    body["status"] = json!("active");
    body["billingCycle"] = json!("monthly");
    let (s, _, e) = api.patch(&url(&late), body).await;
    assert_eq!(
        (s, e["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(2054)),
        "E3 is annual"
    );
    let (_, mut body) = api.get(&url(&fresh)).await;
    body["Status"] = json!("deleted");
    body.as_object_mut().unwrap().remove("status");
    let (s, _, cancelled) = api.patch(&url(&fresh), body.clone()).await;
    assert_eq!(
        (s, cancelled["status"].as_str()),
        (StatusCode::OK, Some("deleted")),
        "PascalCase body accepted"
    );
    assert_eq!(cancelled["autoRenewEnabled"], false);
    let (s, _, e) = api.patch(&url(&fresh), body).await;
    assert_eq!(
        (s, e["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(2011))
    );
    let (_, mut suspended) = api.get(&url(&late)).await;
    suspended["status"] = json!("suspended");
    assert_eq!(api.patch(&url(&late), suspended.clone()).await.0, 200);
    suspended["quantity"] = json!(41);
    let (s, _, e) = api.patch(&url(&late), suspended).await;
    assert_eq!(
        (s, e["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(2001))
    );
    let (_, log) = api
        .get(&format!(
            "/v1/auditrecords?filter={}",
            urlencode(&format!(
                r#"{{"Field":"CustomerId","Value":"{C1}","Operator":"equals"}}"#
            ))
        ))
        .await;
    let updates = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["operationType"] == "update_subscription")
        .count();
    assert_eq!(updates, 2, "cancel and suspend were logged");
}

#[tokio::test]
async fn order_validation_and_sandbox_limits() {
    let h = start(example(), |_| {}).await;
    h.with_state(|w| {
        w.tenants
            .iter_mut()
            .find(|t| t.name == "destination")
            .unwrap()
            .sandbox = true
    });
    let api = login(&h, "destination").await;
    let path = format!("/v1/customers/{C1}/orders");
    let bad_numbers =
        json!({"lineItems": [{"lineItemNumber": 1, "offerId": LEGACY_E3, "quantity": 1}]});
    assert_eq!(api.post(&path, bad_numbers, None).await.1["code"], 800071);
    assert_eq!(
        api.post(&path, order_body(LEGACY_E3, 30), None).await.1["code"],
        800018
    );
    assert_eq!(
        api.post(
            &path,
            order_body("00000000-0000-0000-0000-00000000dead", 1),
            None
        )
        .await
        .1["code"],
        800004
    );
    let cart = json!({"lineItems": [{"id": 0, "catalogItemId": BASIC, "quantity": 26, "billingCycle": "monthly", "termDuration": "P1Y"}]});
    let (_, created) = api
        .post(&format!("/v1/customers/{C1}/carts"), cart, None)
        .await;
    let (s, result) = api
        .post(
            &format!(
                "/v1/customers/{C1}/carts/{}/checkout",
                created["id"].as_str().unwrap()
            ),
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        (s, result["orderErrors"][0]["code"].as_i64()),
        (StatusCode::CREATED, Some(10009))
    );
    assert_eq!(result["orders"].as_array().unwrap().len(), 0);
}
