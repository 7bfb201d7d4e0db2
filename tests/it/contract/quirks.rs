//! The real client against the emulator with every wire quirk switched on
//! (`bom=1,nulllists=1,pascalpatch=1`): pages with `null` lists, bodies
//! after a byte-order mark, a PascalCase PATCH answer, and a checkout whose
//! `orderErrors` is `null` all read as with a plain service. Also checks
//! that the quirks really reach the wire.

use csp_consolidate::api::types::SubscriptionStatus;
use csp_consolidate::api::{Cart, CartLineItem, CustomerQuery};
use csp_consolidate::emulator::Faults;
use uuid::Uuid;

use super::{BASIC, CONTOSO, CONTOSO_BASIC, Partner, client, customer_state, start};

const ALL_QUIRKS: &str = "bom=1,nulllists=1,pascalpatch=1";

#[tokio::test]
async fn every_quirk_on_reads_like_a_plain_service() {
    let emu = start(|c| c.faults = Faults::parse(ALL_QUIRKS).unwrap()).await;
    // The quirks are on the wire: raw bytes start with a BOM and carry null.
    let (src, _) = client(&emu, Partner::Source);
    let customers = src
        .list_all_customers(&CustomerQuery::default())
        .await
        .unwrap();
    assert!(customers.len() > 3);
    assert!(customers.iter().all(|c| c.custom_domains.is_empty()));
    let subs = src.list_subscriptions(CONTOSO).await.unwrap();
    assert!(!subs.is_empty());
    let mut sub = src.get_subscription(CONTOSO, CONTOSO_BASIC).await.unwrap();
    sub.status = Some(SubscriptionStatus::Suspended);
    let done = src
        .patch_subscription(CONTOSO, &sub, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(done.id, CONTOSO_BASIC);
    assert_eq!(done.status, Some(SubscriptionStatus::Suspended));
    let (dst, _) = client(&emu, Partner::Destination);
    let cart = dst
        .create_cart(
            CONTOSO,
            &Cart {
                line_items: vec![CartLineItem {
                    catalog_item_id: BASIC.into(),
                    quantity: 2,
                    ..CartLineItem::default()
                }],
                ..Cart::default()
            },
            Uuid::new_v4(),
        )
        .await
        .unwrap();
    let id = cart.id.unwrap();
    let result = dst
        .checkout_cart(CONTOSO, &id, Uuid::new_v4())
        .await
        .unwrap();
    assert_eq!(result.orders.len(), 1);
    assert!(result.order_errors.is_empty());
    let bought = customer_state(&emu, Partner::Destination, CONTOSO);
    assert_eq!(
        bought
            .subscriptions
            .iter()
            .filter(|s| s.offer_id == BASIC)
            .count(),
        1
    );
}

#[tokio::test]
async fn the_quirks_are_really_on_the_wire() {
    let emu = start(|c| c.faults = Faults::parse(ALL_QUIRKS).unwrap()).await;
    let base = emu.base_url();
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base}/source/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "source-app"),
            ("client_secret", "source-secret"),
            ("resource", "https://api.partnercenter.microsoft.com"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().unwrap();
    let bytes = http
        .get(format!("{base}/v1/customers/{CONTOSO}"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8_lossy(&bytes[3..]).to_string();
    assert!(text.contains(r#""customDomains":null"#), "{text}");
    // Serde on its own fails on that body: the client's rule is what reads it.
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err());
}
