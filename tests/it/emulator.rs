//! The emulator over real loopback HTTP, spoken to with raw reqwest the
//! way a Partner Center client would (the library's `api` client is
//! tested elsewhere). Every server binds 127.0.0.1:0.

use std::time::Duration;

use csp_consolidate::emulator::{self, EmulatorConfig, EmulatorHandle, Faults, World, seed};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const C1: &str = "8e1c0a55-0000-4000-8000-00000000c001"; // Contoso Lab
const NO_REL: &str = "8e1c0a55-0000-4000-8000-00000000c00c"; // Blue Yonder Airlines
const BASIC: &str = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
const LEGACY_E3: &str = "796B6B5F-613C-4E24-A17C-EBA730D49C02";

fn example() -> World {
    seed::parse(seed::EXAMPLE_SEED, "seed.json").unwrap()
}

async fn start(world: World, tweak: impl FnOnce(&mut EmulatorConfig)) -> EmulatorHandle {
    let mut config = EmulatorConfig::new(world);
    tweak(&mut config);
    emulator::spawn(config).await.unwrap()
}

/// A bearer-token session against one tenant.
struct Api {
    base: String,
    http: Client,
    token: String,
}

async fn login(h: &EmulatorHandle, tenant: &str) -> Api {
    let http = Client::builder().no_proxy().build().unwrap();
    let base = h.base_url();
    let resp = http
        .post(format!("{base}/{tenant}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &format!("{tenant}-app")),
            ("client_secret", &format!("{tenant}-secret")),
            ("resource", "https://api.partnercenter.microsoft.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["expires_in"].is_string(),
        "v1 numbers are strings: {body}"
    );
    Api {
        base,
        http,
        token: body["access_token"].as_str().unwrap().to_owned(),
    }
}

impl Api {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        rid: Option<&str>,
    ) -> reqwest::Result<(StatusCode, reqwest::header::HeaderMap, Value)> {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(r) = rid {
            req = req.header("MS-RequestId", r);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        Ok((
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        ))
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.call(Method::GET, path, None, None).await.unwrap();
        (s, b)
    }
    async fn post(&self, path: &str, body: Value, rid: Option<&str>) -> (StatusCode, Value) {
        let (s, _, b) = self
            .call(Method::POST, path, Some(body), rid)
            .await
            .unwrap();
        (s, b)
    }
    async fn patch(
        &self,
        path: &str,
        body: Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.call(Method::PATCH, path, Some(body), None)
            .await
            .unwrap()
    }
}

fn order_body(offer: &str, qty: i64) -> Value {
    json!({"referenceCustomerId": C1, "billingCycle": "monthly",
           "lineItems": [{"lineItemNumber": 0, "offerId": offer, "quantity": qty}]})
}

fn subs_of(world: &World, tenant: &str, customer: &str) -> Vec<emulator::state::Subscription> {
    let t = world.tenants.iter().find(|t| t.name == tenant).unwrap();
    t.customers
        .iter()
        .find(|c| c.id == customer)
        .unwrap()
        .subscriptions
        .clone()
}

fn sub_id(world: &World, customer: &str, created: &str) -> String {
    // The example seed's Contoso Lab: Basic bought 3 days ago, E3 45 days ago.
    let subs = subs_of(world, "source", customer);
    let s = subs
        .iter()
        .find(|s| s.friendly_name == created || s.offer_name == created)
        .unwrap();
    s.id.clone()
}

#[tokio::test]
async fn token_is_required_and_checked() {
    let h = start(example(), |c| c.token_ttl_secs = 1).await;
    let http = Client::builder().no_proxy().build().unwrap();
    let r = http
        .get(format!("{}/v1/customers", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["source"], "PartnerFD");
    let bad = http
        .post(format!("{}/destination/oauth2/token", h.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "destination-app"),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let refresh = http
        .post(format!(
            "{}/contoso-emea.onmicrosoft.com/oauth2/token",
            h.base_url()
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "source-app"),
            ("refresh_token", "source-refresh"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), 200, "alias + refresh-token grant");
    let api = login(&h, "destination").await;
    assert_eq!(api.get("/v1/customers").await.0, 200);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        api.get("/v1/customers").await.0,
        401,
        "an expired token is refused"
    );
}

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

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
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
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let h = start(example(), |c| c.state_path = Some(path.clone())).await;
    let api = login(&h, "destination").await;
    let rid = "0f000000-0000-4000-8000-0000000000e5";
    let order_path = format!("/v1/customers/{C1}/orders");
    let (s, first) = api
        .post(&order_path, order_body(LEGACY_E3, 9), Some(rid))
        .await;
    assert_eq!(s, 201);
    h.shutdown().await.unwrap();
    let world = emulator::load_world(None, Some(&path)).unwrap();
    assert!(
        subs_of(&world, "destination", C1)
            .iter()
            .any(|s| s.quantity == 9 && s.offer_id == LEGACY_E3)
    );
    let again = start(world, |c| c.state_path = Some(path.clone())).await;
    let api = login(&again, "destination").await;
    let (s, replayed) = api
        .post(&order_path, order_body(LEGACY_E3, 9), Some(rid))
        .await;
    assert_eq!(
        (s, &replayed),
        (StatusCode::CREATED, &first),
        "replay store persisted"
    );
    let n = subs_of(&again.state_snapshot(), "destination", C1)
        .iter()
        .filter(|s| s.offer_id == LEGACY_E3)
        .count();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn cli_prints_address_first_and_saves_on_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("rehearsal.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_csp-consolidate"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "fixtures/emulator/seed.json",
            "--state",
        ])
        .arg(&state)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let http = Client::builder().no_proxy().build().unwrap();
    let r = http
        .post(format!("{base}/source/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "source-app"),
            ("client_secret", "source-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let saved = emulator::load_world(None, Some(&state)).unwrap();
    assert_eq!(saved.tenants.len(), 2);
}
