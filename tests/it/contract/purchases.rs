//! Purchases: legacy orders (create, list, get, `?order_id=`), new-commerce
//! carts with a partly bad checkout (`orderErrors`), a second checkout and
//! a customer without a relationship (both `Rejected`), and replays of the
//! same `MS-RequestId` that must buy exactly once and answer identically.

use csp_consolidate::api::types::{BillingCycle, OrderStatus};
use csp_consolidate::api::{Cart, CartLineItem, Client, ErrorClass, Order, OrderLineItem};
use uuid::Uuid;

use super::{
    BASIC, BLUE_YONDER, CONTOSO, LEGACY_E3, Partner, client, counters, customer_state, route_hits,
    start, tenant_state,
};

/// A catalog item the emulator does not sell.
const UNKNOWN_ITEM: &str = "CFQ7TTC0ZZZZ:0001:CFQ7TTC0ZZZZ";

/// A one-line legacy order.
pub fn legacy_order(customer: &str, quantity: i64) -> Order {
    Order {
        reference_customer_id: Some(customer.into()),
        billing_cycle: Some(BillingCycle::Monthly),
        line_items: vec![OrderLineItem {
            line_item_number: 0,
            offer_id: LEGACY_E3.into(),
            quantity,
            friendly_name: Some("E3 - Finance".into()),
            ..OrderLineItem::default()
        }],
        ..Order::default()
    }
}

/// A cart line for `item`, monthly billing on a one-year term.
fn cart_line(id: i64, item: &str, quantity: i64) -> CartLineItem {
    CartLineItem {
        id,
        catalog_item_id: item.into(),
        quantity,
        billing_cycle: Some(BillingCycle::Monthly),
        term_duration: Some("P1Y".into()),
        friendly_name: Some(format!("line {id}")),
        ..CartLineItem::default()
    }
}

fn cart(lines: Vec<CartLineItem>) -> Cart {
    Cart {
        line_items: lines,
        ..Cart::default()
    }
}

/// Create a one-line Business Basic cart and return its id.
async fn basic_cart(client: &Client, customer: &str) -> String {
    let created = client
        .create_cart(
            customer,
            &cart(vec![cart_line(0, BASIC, 4)]),
            Uuid::new_v4(),
        )
        .await
        .unwrap();
    created.id.expect("a cart id")
}

#[tokio::test]
async fn orders_create_list_get_and_find_by_order_id() {
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);
    let order = dst
        .create_order(CONTOSO, &legacy_order(CONTOSO, 3), Uuid::new_v4())
        .await
        .unwrap();
    let oid = order.id.clone().expect("an order id");
    assert_eq!(order.status, Some(OrderStatus::Completed));
    assert_eq!(order.line_items.len(), 1);
    let line = &order.line_items[0];
    assert_eq!((line.offer_id.as_str(), line.quantity), (LEGACY_E3, 3));
    let sid = line.subscription_id.clone().expect("subscription id");

    // Emulator state: one order, one subscription, linked to each other.
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1);
    assert_eq!(state.orders[0].id, oid);
    assert_eq!(state.subscriptions.len(), 1);
    assert_eq!(state.subscriptions[0].id, sid);
    assert_eq!(
        state.subscriptions[0].order_id.as_deref(),
        Some(oid.as_str())
    );

    let listed = dst.list_orders(CONTOSO).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id.as_deref(), Some(oid.as_str()));
    let got = dst.get_order(CONTOSO, &oid).await.unwrap();
    assert_eq!(got.id, order.id);
    assert_eq!(got.line_items, order.line_items);

    let by_order = dst.subscriptions_by_order(CONTOSO, &oid).await.unwrap();
    assert_eq!(by_order.len(), 1);
    assert_eq!(by_order[0].id, sid);
    assert_eq!(by_order[0].quantity, Some(3));
    assert_eq!(by_order[0].friendly_name.as_deref(), Some("E3 - Finance"));
    let none = dst
        .subscriptions_by_order(CONTOSO, "NOSUCHORDER")
        .await
        .unwrap();
    assert!(none.is_empty());

    let err = dst.get_order(CONTOSO, "NOSUCHORDER").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.class(), ErrorClass::Rejected);

    // The purchase is in the activity log, with its order and subscription.
    let audit = tenant_state(&emu, Partner::Destination).audit_records;
    let rec = audit
        .iter()
        .find(|r| r.operation_type == "create_order")
        .expect("create_order record");
    let data = |k: &str| rec.customized_data.iter().find(|kv| kv.key == k);
    assert_eq!(
        data("OrderId").map(|kv| kv.value.as_str()),
        Some(oid.as_str())
    );
    assert_eq!(
        data("SubscriptionId-0").map(|kv| kv.value.as_str()),
        Some(sid.as_str())
    );
}

#[tokio::test]
async fn order_rejections_are_classified_rejected() {
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);
    let mut unknown = legacy_order(CONTOSO, 3);
    unknown.line_items[0].offer_id = "00000000-0000-0000-0000-000000000000".into();
    let err = dst
        .create_order(CONTOSO, &unknown, Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some("800004")));
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert!(
        customer_state(&emu, Partner::Destination, CONTOSO)
            .orders
            .is_empty()
    );
    assert_eq!(dst.stats().retries, 0, "business errors are not retried");
}

#[tokio::test]
async fn cart_checkout_partial_success_then_second_checkout_rejected() {
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);
    let lines = vec![cart_line(0, BASIC, 12), cart_line(1, UNKNOWN_ITEM, 2)];
    let created = dst
        .create_cart(CONTOSO, &cart(lines), Uuid::new_v4())
        .await
        .unwrap();
    let cart_id = created.id.clone().expect("cart id");
    assert_eq!(created.line_items.len(), 2);
    let (good, bad) = (&created.line_items[0], &created.line_items[1]);
    assert!(good.error.is_none(), "{good:?}");
    let bad_code = bad.error.as_ref().and_then(|e| e.error_code.as_deref());
    assert_eq!(bad_code, Some("10001"));
    assert_ne!(good.order_group, bad.order_group);
    // A cart buys nothing yet.
    assert!(
        customer_state(&emu, Partner::Destination, CONTOSO)
            .orders
            .is_empty()
    );

    let result = dst
        .checkout_cart(CONTOSO, &cart_id, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(result.orders.len(), 1, "the good group was bought");
    assert_eq!(result.order_errors.len(), 1, "the bad group was reported");
    let oe = &result.order_errors[0];
    assert_eq!(oe.code.as_deref(), Some("10001"));
    assert_eq!(oe.order_group_id, bad.order_group);
    let order = &result.orders[0];
    assert_eq!(order.line_items.len(), 1);
    assert_eq!(order.line_items[0].offer_id, BASIC);
    let sid = order.line_items[0].subscription_id.clone().unwrap();

    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1);
    assert_eq!(state.subscriptions.len(), 1);
    assert_eq!(state.subscriptions[0].id, sid);
    assert_eq!(state.subscriptions[0].quantity, 12);
    assert_eq!(state.carts[0].status, "Ordered");

    let sub = dst.get_subscription(CONTOSO, &sid).await.unwrap();
    assert_eq!(sub.term_duration.as_deref(), Some("P1Y"));
    assert_eq!(sub.billing_cycle, Some(BillingCycle::Monthly));

    // A new request id is a new checkout: refused, nothing bought.
    let err = dst
        .checkout_cart(CONTOSO, &cart_id, Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some("800065")));
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert_eq!(
        customer_state(&emu, Partner::Destination, CONTOSO)
            .orders
            .len(),
        1
    );
    assert_eq!(dst.stats().retries, 0);
}

#[tokio::test]
async fn no_relationship_is_rejected_with_20002() {
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);
    let err = dst
        .create_order(BLUE_YONDER, &legacy_order(BLUE_YONDER, 1), Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(403), Some("20002")));
    assert_eq!(
        err.class(),
        ErrorClass::Rejected,
        "a 403 with a service code is a business answer, not bad credentials"
    );
    let err = dst
        .create_cart(
            BLUE_YONDER,
            &cart(vec![cart_line(0, BASIC, 1)]),
            Uuid::new_v4(),
        )
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(403), Some("20002")));
    assert_eq!(err.class(), ErrorClass::Rejected);
    let blue = customer_state(&emu, Partner::Destination, BLUE_YONDER);
    assert!(blue.orders.is_empty() && blue.carts.is_empty() && blue.subscriptions.is_empty());
    assert_eq!(dst.stats().retries, 0);
}

#[tokio::test]
async fn replayed_request_id_buys_once_and_answers_identically() {
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);

    let rid = Uuid::new_v4();
    let order = legacy_order(CONTOSO, 5);
    let first = dst.create_order(CONTOSO, &order, rid).await.unwrap();
    let again = dst.create_order(CONTOSO, &order, rid).await.unwrap();
    assert_eq!(first, again, "the replay is the first answer");
    assert_eq!(counters(&emu, Partner::Destination).replays, 1);
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.orders.len(), 1, "one purchase");
    assert_eq!(state.subscriptions.len(), 1);

    // Same for a cart and its checkout.
    let cart_rid = Uuid::new_v4();
    let body = cart(vec![cart_line(0, BASIC, 2)]);
    let c1 = dst.create_cart(CONTOSO, &body, cart_rid).await.unwrap();
    let c2 = dst.create_cart(CONTOSO, &body, cart_rid).await.unwrap();
    assert_eq!(c1, c2);
    let cart_id = c1.id.unwrap();
    let checkout_rid = Uuid::new_v4();
    let r1 = dst
        .checkout_cart(CONTOSO, &cart_id, checkout_rid)
        .await
        .unwrap();
    let r2 = dst
        .checkout_cart(CONTOSO, &cart_id, checkout_rid)
        .await
        .unwrap();
    assert_eq!(r1, r2, "a replayed checkout is not a second checkout");
    assert_eq!(r1.orders.len(), 1);
    assert_eq!(counters(&emu, Partner::Destination).replays, 3);

    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(state.carts.len(), 1);
    assert_eq!(state.orders.len(), 2, "the order and one checkout");
    assert_eq!(state.subscriptions.len(), 2);
    assert_eq!(
        route_hits(
            &emu,
            Partner::Destination,
            "POST /v1/customers/{cid}/carts/{id}/checkout"
        ),
        2,
        "both tries reached the emulator"
    );
    let audit = tenant_state(&emu, Partner::Destination).audit_records;
    let creates = audit
        .iter()
        .filter(|r| r.operation_type == "create_order")
        .count();
    assert_eq!(creates, 2);
}

#[tokio::test]
async fn a_second_cart_for_the_same_customer_is_independent() {
    // Guards the replay key: a new request id on the same route buys again.
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);
    for _ in 0..2 {
        let id = basic_cart(&dst, CONTOSO).await;
        let r = dst
            .checkout_cart(CONTOSO, &id, Uuid::new_v4())
            .await
            .unwrap();
        assert_eq!((r.orders.len(), r.order_errors.len()), (1, 0));
    }
    let state = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!((state.carts.len(), state.orders.len()), (2, 2));
    assert_eq!(counters(&emu, Partner::Destination).replays, 0);
}
