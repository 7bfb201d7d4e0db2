//! Documented-shape and recorded-quirk bodies fed to the real client: a
//! pending order without subscription ids, a checkout with `orderErrors`
//! (and with `null` for it), a PascalCase PATCH answer, a byte-order mark
//! before JSON (success and error bodies), `null` where lists belong,
//! agreements, provisioning status and `refundableQuantity`. Values are
//! our own; shapes follow Microsoft's REST reference examples.

use csp_consolidate::api::types::{OrderStatus, SubscriptionStatus};
use csp_consolidate::api::{
    Agreement, AgreementContact, CUSTOMER_AGREEMENT, Cart, CustomerQuery, ErrorClass, Order,
    Subscription,
};
use uuid::Uuid;

use crate::support::scripted::{client, json, server};

const BOM: &str = "\u{feff}";

const PENDING_ORDER: &str = r#"{"id":"ord-7q2","referenceCustomerId":"cust-1",
 "billingCycle":"monthly","status":"pending","creationDate":"2026-11-30T10:00:00Z",
 "lineItems":[{"lineItemNumber":0,"offerId":"PRODA:0001:PRODA","quantity":6,
   "friendlyName":"Kiosk seats","termDuration":"P1Y","transactionType":"New",
   "links":{"sku":{"uri":"/products/PRODA/skus/0001","method":"GET","headers":null}}}],
 "links":{"provisioningStatus":{"uri":"/customers/cust-1/orders/ord-7q2/provisioningstatus",
   "method":"GET","headers":[]}},
 "attributes":{"objectType":"Order"}}"#;

#[tokio::test]
async fn a_pending_order_has_lines_without_subscription_ids() {
    let srv = server(|_, _| json(201, PENDING_ORDER)).start().await;
    let (client, _) = client(&srv);
    let order = client
        .create_order("cust-1", &Order::default(), Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(order.status, Some(OrderStatus::Pending));
    assert_eq!(order.line_items.len(), 1);
    assert_eq!(order.line_items[0].subscription_id, None);
    assert_eq!(order.line_items[0].transaction_type.as_deref(), Some("New"));
}

#[tokio::test]
async fn a_checkout_answer_after_a_byte_order_mark_is_read() {
    let body = format!(
        r#"{BOM}{{"orders":[{PENDING_ORDER}],"orderErrors":[{{"orderGroupId":"1",
        "code":800089,"description":"Seat limit reached for this product."}}]}}"#
    );
    let srv = server(move |_, _| json(201, &body)).start().await;
    let (client, _) = client(&srv);
    let result = client
        .checkout_cart("cust-1", "cart-1", Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(result.orders.len(), 1);
    assert_eq!(result.orders[0].status, Some(OrderStatus::Pending));
    assert_eq!(result.order_errors.len(), 1);
    assert_eq!(result.order_errors[0].code.as_deref(), Some("800089"));
    assert_eq!(result.order_errors[0].order_group_id.as_deref(), Some("1"));
}

#[tokio::test]
async fn null_lists_read_as_empty_everywhere() {
    let srv = server(|req, _| {
        if req.path.ends_with("/checkout") {
            json(201, r#"{"orders":[],"orderErrors":null}"#)
        } else if req.path.ends_with("/carts") {
            json(
                201,
                r#"{"id":"cart-9","status":"Active","lineItems":[{"id":0,
              "catalogItemId":"PRODA:0001:PRODA","quantity":2,"participants":null,
              "provisioningContext":null,"error":null}]}"#,
            )
        } else {
            json(
                200,
                r#"{"totalCount":2,"items":[
              {"id":"c1","customDomains":null,"companyProfile":{"companyName":"Alder"},
               "links":{"self":{"uri":"/customers/c1","method":"GET","headers":null}}},
              {"id":"c2","customDomains":["alder.example"],"companyProfile":null}],
              "links":{"self":{"uri":"/customers","method":"GET","headers":null}},
              "attributes":{"objectType":"Collection"}}"#,
            )
        }
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let page = client
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].custom_domains.is_empty());
    assert_eq!(page.items[1].custom_domains, vec!["alder.example"]);
    assert!(page.next.is_none());
    let cart = client
        .create_cart("c1", &Cart::default(), Uuid::new_v4())
        .await
        .unwrap();
    assert!(cart.line_items[0].participants.is_empty());
    assert!(cart.line_items[0].error.is_none());
    let result = client
        .checkout_cart("c1", "cart-9", Uuid::new_v4())
        .await
        .unwrap();
    assert!(result.order_errors.is_empty());
}

#[tokio::test]
async fn a_pascal_case_patch_answer_is_read() {
    let srv = server(|_, _| {
        json(
            200,
            r#"{"Id":"sub-44","OfferId":"PRODA:0001:PRODA","Quantity":3,"Status":"Suspended",
             "AutoRenewEnabled":false,"SuspensionReasons":null,
             "Attributes":{"Etag":"e-9","ObjectType":"Subscription"}}"#,
        )
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let wanted = Subscription {
        id: "sub-44".into(),
        status: Some(SubscriptionStatus::Suspended),
        ..Subscription::default()
    };
    let got = client
        .patch_subscription("cust-1", &wanted, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(got.id, "sub-44");
    assert_eq!(got.offer_id.as_deref(), Some("PRODA:0001:PRODA"));
    assert_eq!(got.quantity, Some(3));
    assert_eq!(got.status, Some(SubscriptionStatus::Suspended));
    assert_eq!(got.auto_renew_enabled, Some(false));
    assert_eq!(got.etag(), Some("e-9"));
}

#[tokio::test]
async fn an_error_body_after_a_byte_order_mark_keeps_its_code() {
    let srv = server(|_, _| {
        json(
            404,
            &format!(r#"{BOM}{{"code":800008,"description":"Cart was not found."}}"#),
        )
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let err = client
        .checkout_cart("cust-1", "gone", Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("800008"));
    assert_eq!(err.class(), ErrorClass::Rejected);
}

#[tokio::test]
async fn agreements_provisioning_and_refundable_quantity() {
    let srv = server(|req, _| match (req.method.as_str(), req.path.as_str()) {
        ("POST", _) => json(201, &req.body),
        (_, p) if p.ends_with("/agreements") => json(
            200,
            r#"{"totalCount":1,"items":[{"primaryContact":{"firstName":"Ines","lastName":"Ruiz",
              "email":"ines@alder.example","phoneNumber":null},"dateAgreed":"2026-10-01T00:00:00Z",
              "templateId":"tmpl-1","type":"MicrosoftCustomerAgreement"}]}"#,
        ),
        (_, p) if p.ends_with("/provisioningstatus") => json(
            200,
            r#"{"totalCount":2,"items":[
              {"lineItemNumber":0,"status":"fulfilled","quantity":6,"subscriptionId":"sub-1"},
              {"lineItemNumber":"1","status":"pending","quantity":2,"subscriptionId":null}]}"#,
        ),
        _ => json(
            200,
            r#"{"id":"sub-1","quantity":6,"refundableQuantity":{"totalQuantity":4,"details":null}}"#,
        ),
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let listed = client
        .list_agreements("cust-1", CUSTOMER_AGREEMENT)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].primary_contact.email, "ines@alder.example");
    let wanted = Agreement {
        primary_contact: AgreementContact {
            first_name: "Ines".into(),
            last_name: "Ruiz".into(),
            email: "ines@alder.example".into(),
            phone_number: None,
        },
        date_agreed: "2026-10-01T00:00:00Z".into(),
        template_id: "tmpl-1".into(),
        agreement_type: CUSTOMER_AGREEMENT.into(),
        ..Agreement::default()
    };
    let created = client
        .create_agreement("cust-1", &wanted, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(created, wanted);
    let sent = &srv.api_requests()[1];
    assert!(sent.path.ends_with("/customers/cust-1/agreements"));
    assert!(sent.body.contains(r#""type":"MicrosoftCustomerAgreement""#));
    let lines = client.order_provisioning("cust-1", "ord-1").await.unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].is_fulfilled());
    assert!(!lines[1].is_fulfilled());
    assert_eq!(lines[1].line_item_number, 1);
    let sub = client.get_subscription("cust-1", "sub-1").await.unwrap();
    assert_eq!(sub.refundable_quantity(), Some(4));
}
