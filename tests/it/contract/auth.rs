//! Sign-in: tokens are renewed when the client's clock says they are due,
//! a token the service no longer accepts (401) is renewed once and the
//! call resent, App+User refresh tokens work, and bad credentials are
//! class `Auth` without a single API call (and without leaking secrets).

use std::time::Duration;

use csp_consolidate::api::{Credential, ErrorClass, Secret};

use super::{CONTOSO, Partner, client, client_with, config, counters, start};

#[tokio::test]
async fn token_is_cached_then_renewed_when_due() {
    let emu = start(|c| c.token_ttl_secs = 120).await;
    let (dst, timer) = client(&emu, Partner::Destination);
    dst.get_customer(CONTOSO).await.unwrap();
    dst.list_orders(CONTOSO).await.unwrap();
    assert_eq!(dst.stats().token_fetches, 1, "cached between calls");
    assert_eq!(counters(&emu, Partner::Destination).tokens_issued, 1);

    // Past expiry minus the renewal margin on the client's clock.
    timer.advance(Duration::from_secs(61));
    dst.list_orders(CONTOSO).await.unwrap();
    assert_eq!(dst.stats().token_fetches, 2);
    assert_eq!(counters(&emu, Partner::Destination).tokens_issued, 2);
    assert_eq!(dst.stats().retries, 0, "renewed before use, no 401");
}

#[tokio::test]
async fn token_rejected_by_the_service_is_renewed_once() {
    // A one-second token: the client's (manual) clock does not move, so it
    // keeps using the token after the emulator has expired it.
    let emu = start(|c| c.token_ttl_secs = 1).await;
    let (dst, _) = client(&emu, Partner::Destination);
    dst.get_customer(CONTOSO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let c = dst.get_customer(CONTOSO).await.unwrap();
    assert_eq!(c.id, CONTOSO);
    let stats = dst.stats();
    assert_eq!(stats.token_fetches, 2, "renewed after the 401");
    assert_eq!(stats.tries, 3, "first call, the 401, the resend");
    assert_eq!(counters(&emu, Partner::Destination).tokens_issued, 2);
}

#[tokio::test]
async fn app_plus_user_refresh_token_signs_in() {
    let emu = start(|_| {}).await;
    let cred = Credential::RefreshToken {
        refresh_token: Secret::new("destination-refresh"),
        client_secret: Some(Partner::Destination.secret()),
    };
    let (user, _) = client_with(config(&emu, Partner::Destination, cred));
    let r = user.relationship_request(None).await.unwrap();
    assert!(r.url.contains("partnerId="), "{}", r.url);
    assert_eq!(counters(&emu, Partner::Destination).tokens_issued, 1);
}

#[tokio::test]
async fn bad_credentials_are_auth_errors_and_send_nothing() {
    let emu = start(|_| {}).await;
    let cases = [
        (
            Credential::ClientSecret(Secret::new("wrong-secret")),
            "invalid_client",
        ),
        (
            Credential::RefreshToken {
                refresh_token: Secret::new("stale-refresh"),
                client_secret: None,
            },
            "invalid_grant",
        ),
    ];
    for (cred, code) in cases {
        let (bad, _) = client_with(config(&emu, Partner::Destination, cred));
        let err = bad.list_orders(CONTOSO).await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Auth, "{err}");
        assert_eq!(err.code(), Some(code), "{err}");
        assert_eq!(err.status(), Some(401));
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("wrong-secret") && !text.contains("stale-refresh"),
            "{text}"
        );
        let stats = bad.stats();
        assert_eq!((stats.tries, stats.token_fetches), (0, 1), "not retried");
    }
    let c = counters(&emu, Partner::Destination);
    assert_eq!(
        (c.requests, c.tokens_issued),
        (0, 0),
        "no API call reached it"
    );

    // A tenant the authority does not know is an Auth error too.
    let mut cfg = config(
        &emu,
        Partner::Destination,
        Credential::ClientSecret(Partner::Destination.secret()),
    );
    cfg.tenant = "nobody.onmicrosoft.com".into();
    let (lost, _) = client_with(cfg);
    let err = lost.get_customer(CONTOSO).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Auth, "{err}");
}
