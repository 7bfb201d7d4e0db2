//! Writes against the scripted server: a POST retried after a 500 or a
//! timeout keeps its `MS-RequestId` and body, business errors are not
//! retried, PATCH answers 200 or 202 + polling; plus order reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use csp_consolidate::api::{
    ApiError, Cart, CartLineItem, ErrorClass, Order, OrderLineItem, Subscription,
    SubscriptionStatus,
};
use uuid::Uuid;

use crate::support::scripted::{client, client_with, config, json, server};

#[tokio::test]
async fn post_500_is_retried_with_the_same_request_id_and_body() {
    let srv = server(|_, n| {
        if n == 0 {
            json(
                500,
                r#"{"code":800005,"description":"create order failed"}"#,
            )
        } else {
            json(
                201,
                r#"{"id":"O1","lineItems":[{"lineItemNumber":0,"offerId":"OFFER","quantity":3,
                "subscriptionId":"s-new"}],"status":"completed"}"#,
            )
        }
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let rid = Uuid::new_v4();
    let order = Order {
        reference_customer_id: Some("c1".into()),
        line_items: vec![OrderLineItem {
            offer_id: "OFFER".into(),
            quantity: 3,
            ..OrderLineItem::default()
        }],
        ..Order::default()
    };
    let created = client.create_order("c1", &order, rid).await.unwrap();
    assert_eq!(
        created.line_items[0].subscription_id.as_deref(),
        Some("s-new")
    );
    let reqs = srv.api_requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/v1/customers/c1/orders");
        assert_eq!(r.header("ms-requestid"), Some(rid.to_string().as_str()));
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    assert_eq!(reqs[0].body, reqs[1].body);
    assert!(reqs[0].body.contains(r#""offerId":"OFFER""#));
}

#[tokio::test]
async fn business_400_is_not_retried_and_keeps_ids() {
    let srv = server(|_, _| {
        json(400, r#"{"code":800002,"description":"Invalid request input","data":[],"source":"PartnerFD"}"#)
            .header("MS-RequestId", "server-rid")
            .header("MS-CorrelationId", "server-cid")
    })
    .start()
    .await;
    let (client, timer) = client(&srv);
    let cart = Cart {
        line_items: vec![CartLineItem {
            catalog_item_id: "P:S:A".into(),
            quantity: 1,
            ..CartLineItem::default()
        }],
        ..Cart::default()
    };
    let err = client
        .create_cart("c1", &cart, Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(srv.api_requests().len(), 1);
    assert!(timer.sleeps().is_empty());
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert_eq!(err.code(), Some("800002"));
    assert_eq!(err.request_id(), Some("server-rid"));
    let detail = err.status_error().unwrap();
    assert_eq!(detail.correlation_id.as_deref(), Some("server-cid"));
    assert_eq!(detail.description.as_deref(), Some("Invalid request input"));
    assert!(detail.body.contains("PartnerFD"));
}

const SUB_ACTIVE: &str = r#"{"id":"s1","offerId":"P:S:A","quantity":5,"status":"active",
  "autoRenewEnabled":true,"billingCycle":"monthly","futureField":{"x":1},"attributes":{"etag":"e1"}}"#;

#[tokio::test]
async fn patch_202_then_polls_until_the_change_shows() {
    let srv = server(|req, n| match (req.method.as_str(), n) {
        ("PATCH", _) => json(202, "").header("Location", "/customers/c1/subscriptions/s1"),
        ("GET", 0) => json(404, r#"{"code":20003,"description":"not found yet"}"#),
        ("GET", 1) => json(200, SUB_ACTIVE),
        ("GET", _) => json(
            200,
            &SUB_ACTIVE.replace(r#""status":"active""#, r#""status":"suspended""#),
        ),
        _ => json(405, ""),
    })
    .start()
    .await;
    let mut cfg = config(&srv);
    cfg.poll.interval = Duration::from_secs(2);
    cfg.poll.max_interval = Duration::from_secs(4);
    let (client, timer) = client_with(cfg);
    let mut sub: Subscription = serde_json::from_str(SUB_ACTIVE).unwrap();
    sub.status = Some(SubscriptionStatus::Suspended);
    let rid = Uuid::new_v4();
    let done = client.patch_subscription("c1", &sub, rid).await.unwrap();
    assert_eq!(done.status, Some(SubscriptionStatus::Suspended));
    let reqs = srv.api_requests();
    assert_eq!(reqs[0].method, "PATCH");
    assert_eq!(reqs[0].path, "/v1/customers/c1/subscriptions/s1");
    let body: serde_json::Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(body["status"], "suspended");
    assert_eq!(
        body["futureField"]["x"], 1,
        "full body incl. unknown fields"
    );
    assert!(
        reqs[1..]
            .iter()
            .all(|r| r.path == "/v1/customers/c1/subscriptions/s1")
    );
    assert_eq!(reqs.len(), 4);
    // Three polls, backing off from 2 s to the 4 s cap; the 404 was "not
    // yet", not a failure.
    assert_eq!(
        timer.sleeps(),
        [2000, 3000, 4000].map(Duration::from_millis).to_vec()
    );
}

#[tokio::test]
async fn patch_202_that_never_shows_is_still_pending() {
    let srv = server(|req, _| match req.method.as_str() {
        "PATCH" => json(202, "").header("Location", "/v1/customers/c1/subscriptions/s1"),
        _ => json(200, SUB_ACTIVE),
    })
    .start()
    .await;
    let mut cfg = config(&srv);
    cfg.poll.attempts = 3;
    let (client, _) = client_with(cfg);
    let mut sub: Subscription = serde_json::from_str(SUB_ACTIVE).unwrap();
    sub.quantity = Some(9);
    let err = client
        .patch_subscription("c1", &sub, Uuid::new_v4())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::StillPending { polls: 3, .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(srv.api_requests().len(), 4);
}

#[tokio::test]
async fn patch_200_returns_the_body() {
    let srv = server(|_, _| {
        json(
            200,
            &SUB_ACTIVE.replace("\"quantity\":5", "\"quantity\":\"7\""),
        )
    })
    .start()
    .await;
    let (client, timer) = client(&srv);
    let mut sub: Subscription = serde_json::from_str(SUB_ACTIVE).unwrap();
    sub.quantity = Some(7);
    let done = client
        .patch_subscription("c1", &sub, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(done.quantity, Some(7));
    assert!(timer.sleeps().is_empty());
}

#[tokio::test]
async fn timeout_after_sending_retries_write_with_same_id() {
    let hits = Arc::new(AtomicUsize::new(0));
    let hits2 = Arc::clone(&hits);
    let srv = server(move |_, n| {
        hits2.fetch_add(1, Ordering::SeqCst);
        let ok = json(201, r#"{"orders":[{"id":"O1"}],"orderErrors":[{"orderGroupId":"1","code":10009,"description":"limit"}]}"#);
        if n == 0 { ok.delayed(Duration::from_secs(3)) } else { ok }
    })
    .start()
    .await;
    let mut cfg = config(&srv);
    cfg.timeout = Duration::from_millis(300);
    let (client, _) = client_with(cfg);
    let rid = Uuid::new_v4();
    let result = client.checkout_cart("c1", "cart-1", rid).await.unwrap();
    assert_eq!(result.orders[0].id.as_deref(), Some("O1"));
    assert_eq!(result.order_errors[0].code.as_deref(), Some("10009"));
    let reqs = srv.api_requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(
        reqs.iter()
            .all(|r| r.header("ms-requestid") == Some(rid.to_string().as_str()))
    );
    assert_eq!(reqs[0].path, "/v1/customers/c1/carts/cart-1/checkout");
}

#[tokio::test]
async fn relationship_request_and_orders_reads() {
    let srv = server(|req, _| match req.path.as_str() {
        "/v1/customers/relationshiprequests" => json(200, r#"{"url":"https://admin.microsoft.com/x?invType=ResellerRelationship","attributes":{"objectType":"RelationshipRequest"}}"#),
        "/v1/customers/c1/orders" => json(200, r#"{"totalCount":1,"items":[{"id":"O1","status":"pending"}]}"#),
        "/v1/customers/c1/orders/O1" => json(200, r#"{"id":"O1","status":"brand_new_state"}"#),
        _ => json(404, r#"{"code":20003}"#),
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let rel = client.relationship_request(None).await.unwrap();
    assert!(rel.url.contains("invType=ResellerRelationship"));
    assert_eq!(client.list_orders("c1").await.unwrap().len(), 1);
    let o = client.get_order("c1", "O1").await.unwrap();
    assert_eq!(o.status.unwrap().as_str(), "brand_new_state");
    let err = client.get_subscription("c1", "nope").await.unwrap_err();
    assert_eq!(
        (err.class(), err.code()),
        (ErrorClass::Rejected, Some("20003"))
    );
}
