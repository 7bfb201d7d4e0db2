//! Reading: paging, statuses, relationships, the activity log.

use super::*;

#[tokio::test]
async fn customers_page_with_continuation_tokens() {
    let h = start(seed::synthetic(230, 1, 3), |c| c.page_size = 50).await;
    let api = login(&h, "source").await;
    let (status, mut page) = api.get("/v1/customers").await;
    assert_eq!(status, 200);
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            ids.push(item["id"].as_str().unwrap().to_owned());
        }
        let Some(next) = page["links"]["next"].as_object().cloned() else {
            break;
        };
        assert_eq!(page["continuationToken"], next["headers"][0]["value"]);
        let mut req = api
            .http
            .get(format!("{}{}", api.base, next["uri"].as_str().unwrap()))
            .bearer_auth(&api.token);
        for h in next["headers"].as_array().unwrap() {
            req = req.header(h["key"].as_str().unwrap(), h["value"].as_str().unwrap());
        }
        page = req.send().await.unwrap().json().await.unwrap();
    }
    assert_eq!(pages, 5);
    assert_eq!(ids.len(), 230);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 230, "no customer twice");
    let filter =
        urlencode(r#"{"Field":"CompanyName","Value":"customer 0012","Operator":"starts_with"}"#);
    let (_, found) = api
        .get(&format!("/v1/customers?size=0&filter={filter}"))
        .await;
    assert_eq!(
        found["items"].as_array().unwrap().len(),
        10,
        "Customer 00120..00129"
    );
    let (s, big) = api.get("/v1/customers?size=9999").await;
    assert_eq!(
        (s, big["items"].as_array().unwrap().len()),
        (StatusCode::OK, 230),
        "size is capped at 500"
    );
    let dest = login(&h, "destination").await;
    let (_, d) = dest.get("/v1/customers?size=500").await;
    assert_eq!(
        d["items"].as_array().unwrap().len(),
        229,
        "the customer without relationship is not listed"
    );
}

#[tokio::test]
async fn every_status_is_served_verbatim() {
    let h = start(example(), |_| {}).await;
    let api = login(&h, "source").await;
    let (_, customers) = api.get("/v1/customers").await;
    let mut statuses = std::collections::BTreeSet::new();
    for c in customers["items"].as_array().unwrap() {
        let (s, subs) = api
            .get(&format!(
                "/v1/customers/{}/subscriptions",
                c["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(s, 200);
        for sub in subs["items"].as_array().unwrap() {
            statuses.insert(sub["status"].as_str().unwrap().to_owned());
            assert_eq!(sub["attributes"]["objectType"], "Subscription");
            assert!(
                sub.get("etag").is_none() && sub.get("visibleFrom").is_none(),
                "internal fields stay inside"
            );
        }
    }
    for s in [
        "active",
        "suspended",
        "deleted",
        "expired",
        "pending",
        "disabled",
    ] {
        assert!(statuses.contains(s), "{s} missing from {statuses:?}");
    }
    let (s, missing) = api
        .get(&format!(
            "/v1/customers/{C1}/subscriptions/00000000-0000-0000-0000-000000000000"
        ))
        .await;
    assert_eq!(
        (s, missing["code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(20003))
    );
}

#[tokio::test]
async fn audit_window_filter_and_paging() {
    let h = start(example(), |_| {}).await;
    let api = login(&h, "source").await;
    let day = |d: i64| {
        (chrono::Utc::now() - chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let (s, e) = api
        .get(&format!("/v1/auditrecords?startDate={}", day(100)))
        .await;
    assert_eq!(
        (s, e["source"].as_str()),
        (StatusCode::BAD_REQUEST, Some("PartnerFD"))
    );
    let (s, all) = api
        .get(&format!("/v1/auditrecords?startDate={}", day(89)))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        5,
        "the seed's five records"
    );
    let (_, recent) = api.get("/v1/auditrecords").await;
    assert_eq!(
        recent["items"].as_array().unwrap().len(),
        3,
        "default window is 30 days"
    );
    let (_, page) = api
        .get(&format!("/v1/auditrecords?startDate={}&size=2", day(89)))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let token = page["continuationToken"].as_str().unwrap();
    let (s, _, page2) = {
        let r = api
            .http
            .get(format!(
                "{}/v1/auditrecords?size=2&seekOperation=Next",
                api.base
            ))
            .bearer_auth(&api.token)
            .header("MS-ContinuationToken", token)
            .send()
            .await
            .unwrap();
        (r.status(), (), r.json::<Value>().await.unwrap())
    };
    assert_eq!(s, 200);
    assert_ne!(page2["items"][0]["id"], page["items"][0]["id"]);
    let f = urlencode(r#"{"Field":"ResourceType","Value":"SUBSCRIPTION","Operator":"equals"}"#);
    let (_, subs) = api
        .get(&format!(
            "/v1/auditrecords?startDate={}&filter={f}",
            day(89)
        ))
        .await;
    assert_eq!(subs["items"].as_array().unwrap().len(), 3);
    let f = urlencode(r#"{"Field":"CompanyName","Value":"contoso","Operator":"substring"}"#);
    let (_, contoso) = api
        .get(&format!(
            "/v1/auditrecords?startDate={}&filter={f}",
            day(89)
        ))
        .await;
    assert_eq!(contoso["items"].as_array().unwrap().len(), 1);
    let two = urlencode(
        r#"[{"Field":"CompanyName","Value":"a","Operator":"substring"},{"Field":"CustomerId","Value":"b","Operator":"equals"}]"#,
    );
    assert_eq!(
        api.get(&format!("/v1/auditrecords?filter={two}")).await.0,
        400,
        "one filter only"
    );
}

#[tokio::test]
async fn customer_without_relationship_is_20002() {
    let h = start(example(), |_| {}).await;
    let api = login(&h, "destination").await;
    assert_eq!(api.get(&format!("/v1/customers/{NO_REL}")).await.0, 404);
    let (s, e) = api
        .post(
            &format!("/v1/customers/{NO_REL}/orders"),
            order_body(LEGACY_E3, 1),
            None,
        )
        .await;
    assert_eq!(
        (s, e["code"].as_i64()),
        (StatusCode::FORBIDDEN, Some(20002))
    );
    let cart = json!({"lineItems": [{"id": 0, "catalogItemId": BASIC, "quantity": 1, "billingCycle": "monthly"}]});
    let (s, e) = api
        .post(&format!("/v1/customers/{NO_REL}/carts"), cart, None)
        .await;
    assert_eq!(
        (s, e["code"].as_i64()),
        (StatusCode::FORBIDDEN, Some(20002))
    );
    let (s, rel) = api.get("/v1/customers/relationshiprequests").await;
    assert_eq!(s, 200);
    assert!(
        rel["url"]
            .as_str()
            .unwrap()
            .contains("partnerId=0000bbbb-0000-4000-8000-000000000002")
    );
    assert_eq!(
        api.get(&format!("/v1/customers/{C1}")).await.0,
        200,
        "the source relationship is fine"
    );
}
