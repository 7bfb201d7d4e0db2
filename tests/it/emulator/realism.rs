//! The realistic emulator (the default outside these tests): a purchase is
//! `pending` without subscription ids until provisioned, the provisioning
//! status route tells per line, carts expire, legacy offers are refused
//! for new purchases, and purchases need the customer's attested Microsoft
//! Customer Agreement (agreements route, 403 13605 without it).

use super::*;
use crate::support::emu::start_realistic;

fn cart_body(item: &str, qty: i64) -> Value {
    json!({"lineItems": [{"id": 0, "catalogItemId": item, "quantity": qty,
           "billingCycle": "monthly", "termDuration": "P1Y"}]})
}

fn attest_body(template: &str) -> Value {
    json!({"primaryContact": {"firstName": "Noor", "lastName": "Haddad",
           "email": "noor@contoso-lab.example"},
           "dateAgreed": "2026-11-02T00:00:00Z", "templateId": template,
           "type": "MicrosoftCustomerAgreement"})
}

/// Attest C1's agreement through the API (list the template first).
async fn attest(api: &Api) {
    let (_, templates) = api
        .get("/v1/agreements?agreementType=MicrosoftCustomerAgreement")
        .await;
    let template = templates["items"][0]["templateId"].as_str().unwrap();
    let (status, _) = api
        .post(
            &format!("/v1/customers/{C1}/agreements"),
            attest_body(template),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn purchases_need_an_attested_customer_agreement() {
    let h = start_realistic(example(), 0, |_| {}).await;
    let api = login(&h, "destination").await;
    let (s, _) = api
        .post(
            &format!("/v1/customers/{C1}/carts"),
            cart_body(BASIC, 2),
            None,
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "a cart can be made before attesting"
    );
    let (s, _) = api
        .post(
            &format!("/v1/customers/{C1}/orders"),
            order_body(BASIC, 2),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, listed) = api.get(&format!("/v1/customers/{C1}/agreements")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    attest(&api).await;
    let (_, listed) = api
        .get(&format!(
            "/v1/customers/{C1}/agreements?agreementType=MicrosoftCustomerAgreement"
        ))
        .await;
    assert_eq!(
        listed["items"][0]["primaryContact"]["email"],
        "noor@contoso-lab.example"
    );
    let template = listed["items"][0]["templateId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, again) = api
        .post(
            &format!("/v1/customers/{C1}/agreements"),
            attest_body(&template),
            None,
        )
        .await;
    assert_eq!(
        (s, again["code"].as_i64()),
        (StatusCode::CONFLICT, Some(600061))
    );
    let (s, _) = api
        .post(
            &format!("/v1/customers/{C1}/orders"),
            order_body(BASIC, 2),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn a_customer_without_agreement_is_refused_with_13605_at_checkout() {
    let h = start_realistic(example(), 0, |_| {}).await;
    let api = login(&h, "destination").await;
    let (_, cart) = api
        .post(
            &format!("/v1/customers/{C1}/carts"),
            cart_body(BASIC, 2),
            None,
        )
        .await;
    let id = cart["id"].as_str().unwrap();
    let checkout = format!("/v1/customers/{C1}/carts/{id}/checkout");
    let (s, body) = api.post(&checkout, json!({}), None).await;
    assert_eq!(
        (s, body["code"].as_i64()),
        (StatusCode::FORBIDDEN, Some(13605))
    );
    attest(&api).await;
    let (s, _) = api.post(&checkout, json!({}), None).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "the refused checkout did not use the cart"
    );
}

#[tokio::test]
async fn legacy_offers_are_refused_for_new_purchases() {
    let h = start_realistic(example(), 0, |_| {}).await;
    let api = login(&h, "destination").await;
    attest(&api).await;
    let before = subs_of(&h.state_snapshot(), "destination", C1).len();
    let (s, body) = api
        .post(
            &format!("/v1/customers/{C1}/orders"),
            order_body(LEGACY_E3, 3),
            None,
        )
        .await;
    assert_eq!(
        (s, body["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(500600))
    );
    assert_eq!(
        subs_of(&h.state_snapshot(), "destination", C1).len(),
        before
    );
}

#[tokio::test]
async fn an_order_is_pending_until_provisioned() {
    let h = start_realistic(example(), 700, |_| {}).await;
    let api = login(&h, "destination").await;
    attest(&api).await;
    let (_, cart) = api
        .post(
            &format!("/v1/customers/{C1}/carts"),
            cart_body(BASIC, 3),
            None,
        )
        .await;
    let id = cart["id"].as_str().unwrap();
    let (s, answer) = api
        .post(
            &format!("/v1/customers/{C1}/carts/{id}/checkout"),
            json!({}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let order = &answer["orders"][0];
    assert_eq!(order["status"], "pending");
    assert!(order["lineItems"][0].get("subscriptionId").is_none());
    let oid = order["id"].as_str().unwrap().to_owned();
    let status_path = format!("/v1/customers/{C1}/orders/{oid}/provisioningstatus");
    let (_, status) = api.get(&status_path).await;
    assert_eq!(status["items"][0]["status"], "pending");
    let (_, subs) = api
        .get(&format!("/v1/customers/{C1}/subscriptions?order_id={oid}"))
        .await;
    assert_eq!(subs["items"][0]["status"], "pending");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, status) = api.get(&status_path).await;
    assert_eq!(status["items"][0]["status"], "fulfilled");
    let sid = status["items"][0]["subscriptionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, order) = api.get(&format!("/v1/customers/{C1}/orders/{oid}")).await;
    assert_eq!(order["status"], "completed");
    assert_eq!(order["lineItems"][0]["subscriptionId"], sid.as_str());
    let (_, sub) = api
        .get(&format!("/v1/customers/{C1}/subscriptions/{sid}"))
        .await;
    assert_eq!(sub["status"], "active");
}

#[tokio::test]
async fn an_expired_cart_cannot_be_checked_out() {
    let h = start_realistic(example(), 0, |c| c.realism.cart_ttl_secs = 1).await;
    let api = login(&h, "destination").await;
    attest(&api).await;
    let (_, cart) = api
        .post(
            &format!("/v1/customers/{C1}/carts"),
            cart_body(BASIC, 2),
            None,
        )
        .await;
    let id = cart["id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, body) = api
        .post(
            &format!("/v1/customers/{C1}/carts/{id}/checkout"),
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        (s, body["code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(800008))
    );
    let (s, _) = api.get(&format!("/v1/customers/{C1}/carts/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = api
        .post(
            &format!("/v1/customers/{C1}/carts/unknown-cart/checkout"),
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        (s, body["code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(800008))
    );
}
