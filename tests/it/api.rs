//! The Partner Center client against a scripted server over real HTTP on
//! loopback: retries and their delays, paging, token renewal, error shapes
//! and secret hygiene. Writes (orders, carts, PATCH) are in `api/writes.rs`;
//! the scripted server is `support/scripted.rs`.

mod quirks;
mod writes;

use std::sync::Arc;
use std::time::Duration;

use csp_consolidate::api::{ApiError, AuditQuery, Credential, CustomerQuery, ErrorClass, Secret};
use uuid::Uuid;

use crate::support::scripted::{SECRET, client, client_with, config, json, server};

const CUSTOMER: &str = r#"{"id":"c1","companyProfile":{"tenantId":"c1","domain":"contoso.onmicrosoft.com",
  "companyName":"Contoso"},"relationshipToPartner":"reseller","attributes":{"etag":"1","objectType":"Customer"}}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test]
async fn read_503_twice_then_200_backs_off_and_keeps_request_id() {
    let srv = server(|_, n| {
        if n < 2 {
            json(503, "")
        } else {
            json(200, CUSTOMER)
        }
    })
    .start()
    .await;
    let (client, timer) = client(&srv);
    let c = client.get_customer("c1").await.unwrap();
    assert_eq!(c.company_name(), Some("Contoso"));
    let reqs = srv.api_requests();
    assert_eq!(reqs.len(), 3);
    let id = reqs[0].header("ms-requestid").unwrap();
    assert!(Uuid::parse_str(id).is_ok());
    assert!(reqs.iter().all(|r| r.header("ms-requestid") == Some(id)));
    assert_eq!(timer.sleeps(), vec![ms(500), ms(1000)]);
    let stats = client.stats();
    assert_eq!((stats.tries, stats.retries, stats.token_fetches), (3, 2, 1));
}

#[tokio::test]
async fn gives_up_after_max_attempts_as_transient() {
    let srv = server(|_, _| json(502, r#"{"message":"bad gateway"}"#))
        .start()
        .await;
    let (client, timer) = client(&srv);
    let err = client.get_customer("c1").await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(err.status(), Some(502));
    assert_eq!(srv.api_requests().len(), 4);
    assert_eq!(timer.sleeps(), vec![ms(500), ms(1000), ms(2000)]);
}

#[tokio::test]
async fn honours_retry_after_on_429_and_reports_it() {
    let srv = server(|_, n| {
        if n == 0 {
            json(
                429,
                r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 7 seconds."}"#,
            )
            .header("Retry-After", "7")
        } else {
            json(200, CUSTOMER)
        }
    })
    .start()
    .await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = Arc::clone(&seen);
    let timer = Arc::new(csp_consolidate::api::ManualTimer::new(
        std::time::SystemTime::now(),
    ));
    let client = csp_consolidate::api::Client::builder(config(&srv))
        .timer(timer.clone())
        .on_throttle(move |t| seen2.lock().unwrap().push(t.clone()))
        .build()
        .unwrap();
    client.get_customer("c1").await.unwrap();
    assert_eq!(timer.sleeps(), vec![Duration::from_secs(7)]);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].retry_after, Some(Duration::from_secs(7)));
    assert_eq!(seen[0].op, "GET /v1/customers/c1");
    assert_eq!(client.stats().throttled, 1);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    // The fake clock is 2025-06-30T12:00:00Z; the server asks for 12:00:30.
    let srv = server(|_, n| {
        if n == 0 {
            json(429, "").header("Retry-After", "Mon, 30 Jun 2025 12:00:30 GMT")
        } else {
            json(200, CUSTOMER)
        }
    })
    .start()
    .await;
    let (client, timer) = client(&srv);
    client.get_customer("c1").await.unwrap();
    assert_eq!(timer.sleeps(), vec![Duration::from_secs(30)]);
}

#[tokio::test]
async fn customers_follow_next_links_with_continuation_token() {
    let srv = server(|req, _| match req.header("ms-continuationtoken") {
        None => json(200, r#"{"totalCount":2,"items":[{"id":"c1"},{"id":"c2"}],"continuationToken":"tok-2",
            "links":{"next":{"uri":"/v1/customers?size=2&seekOperation=Next","method":"GET",
            "headers":[{"key":"MS-ContinuationToken","value":"tok-2"}]}}}"#),
        Some("tok-2") => json(200, r#"{"totalCount":2,"items":[{"id":"c3"},{"id":"c4","relationshipToPartner":"brand_new"}],
            "links":{"next":{"uri":"customers?size=2&seekOperation=Next","method":"GET",
            "headers":[{"key":"MS-ContinuationToken","value":"tok-3"}]}}}"#),
        Some("tok-3") => json(200, r#"{"totalCount":1,"items":[{"id":"c5"}],"links":{}}"#),
        Some(other) => json(400, &format!(r#"{{"message":"bad token {other}"}}"#)),
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let query = CustomerQuery {
        size: Some(2),
        filter: None,
    };
    let all = client.list_all_customers(&query).await.unwrap();
    let ids: Vec<_> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2", "c3", "c4", "c5"]);
    let uris: Vec<_> = srv.api_requests().into_iter().map(|r| r.uri).collect();
    assert_eq!(
        uris,
        [
            "/v1/customers?size=2",
            "/v1/customers?size=2&seekOperation=Next",
            "/v1/customers?size=2&seekOperation=Next"
        ]
    );
}

#[tokio::test]
async fn repeated_continuation_stops_with_paging_error() {
    let srv = server(|_, _| {
        json(
            200,
            r#"{"items":[{"id":"c1"}],"links":{"next":{"uri":"/v1/customers?seekOperation=Next",
            "headers":[{"key":"MS-ContinuationToken","value":"same"}]}}}"#,
        )
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let err = client
        .list_all_customers(&CustomerQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Paging { .. }), "{err:?}");
    assert!(srv.api_requests().len() <= 3);
}

#[tokio::test]
async fn customer_filter_is_url_encoded_json() {
    let srv = server(|_, _| json(200, r#"{"items":[]}"#)).start().await;
    let (client, _) = client(&srv);
    let query = CustomerQuery {
        size: Some(0),
        filter: Some((csp_consolidate::api::CustomerField::Domain, "con to".into())),
    };
    let page = client.list_customers(&query).await.unwrap();
    assert!(page.items.is_empty() && page.is_last());
    let uri = &srv.api_requests()[0].uri;
    assert!(
        uri.starts_with("/v1/customers?size=0&filter=%7B%22Field%22%3A%22Domain%22"),
        "{uri}"
    );
    assert!(uri.contains("starts_with"), "{uri}");
}

#[tokio::test]
async fn token_is_cached_then_renewed_before_expiry() {
    let srv = server(|req, _| {
        json(
            200,
            &CUSTOMER.replace("Contoso", req.header("authorization").unwrap_or("")),
        )
    })
    .token_expires_in("3600")
    .start()
    .await;
    let (client, timer) = client(&srv);
    let a = client.get_customer("c1").await.unwrap();
    let b = client.clone().get_customer("c1").await.unwrap();
    assert_eq!(a.company_name(), Some("Bearer tok-1"));
    assert_eq!(b.company_name(), Some("Bearer tok-1"));
    assert_eq!(srv.token_requests().len(), 1);
    timer.advance(Duration::from_secs(3550)); // inside the renewal margin
    let c = client.get_customer("c1").await.unwrap();
    assert_eq!(c.company_name(), Some("Bearer tok-2"));
    let tokens = srv.token_requests();
    assert_eq!(tokens.len(), 2);
    let form = &tokens[0].body;
    assert_eq!(tokens[0].path, "/partner.onmicrosoft.com/oauth2/token");
    assert!(form.contains("grant_type=client_credentials"), "{form}");
    assert!(form.contains("client_id=app-id"), "{form}");
    assert!(
        form.contains("resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"),
        "{form}"
    );
}

#[tokio::test]
async fn refresh_token_flow_uses_the_rotated_token() {
    let srv = server(|_, _| json(200, CUSTOMER))
        .token(|req, n| {
            let rotated = format!("rt-{}", n + 2);
            assert!(req.body.contains("grant_type=refresh_token"));
            json(
                200,
                &format!(
                    r#"{{"access_token":"at-{n}","expires_in":"60","refresh_token":"{rotated}"}}"#
                ),
            )
        })
        .start()
        .await;
    let mut cfg = config(&srv);
    cfg.credential = Credential::RefreshToken {
        refresh_token: Secret::new("rt-1"),
        client_secret: None,
    };
    let (client, timer) = client_with(cfg);
    client.get_customer("c1").await.unwrap();
    timer.advance(Duration::from_secs(120));
    client.get_customer("c1").await.unwrap();
    let tokens = srv.token_requests();
    assert_eq!(tokens.len(), 2);
    assert!(tokens[0].body.contains("refresh_token=rt-1"));
    assert!(tokens[0].body.contains("scope=openid"));
    assert!(!tokens[0].body.contains("client_secret"));
    assert!(
        tokens[1].body.contains("refresh_token=rt-2"),
        "{}",
        tokens[1].body
    );
}

#[tokio::test]
async fn api_401_renews_the_token_once() {
    let srv = server(|req, _| {
        if req.header("authorization") == Some("Bearer tok-1") {
            json(401, "")
        } else {
            json(200, CUSTOMER)
        }
    })
    .start()
    .await;
    let (client, timer) = client(&srv);
    client.get_customer("c1").await.unwrap();
    assert_eq!(srv.token_requests().len(), 2);
    assert!(timer.sleeps().is_empty());

    let always = server(|_, _| json(401, r#"{"message":"expired"}"#))
        .start()
        .await;
    let (client2, _) = crate::support::scripted::client(&always);
    let err = client2.get_customer("c1").await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Auth);
    assert_eq!(always.api_requests().len(), 2);
}

#[tokio::test]
async fn token_error_is_auth_and_never_shows_the_secret() {
    let srv = server(|_, _| json(200, CUSTOMER))
        .token(|_, _| {
            json(401, r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#)
        })
        .start()
        .await;
    let (client, timer) = client(&srv);
    let err = client.get_customer("c1").await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Auth);
    assert_eq!(err.code(), Some("invalid_client"));
    assert!(
        timer.sleeps().is_empty(),
        "token auth errors are not retried"
    );
    assert!(srv.api_requests().is_empty());
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("AADSTS7000215"));
    assert!(srv.token_requests()[0].body.contains("client_secret="));
}

#[tokio::test]
async fn token_endpoint_outage_means_the_call_was_not_sent() {
    let srv = server(|_, _| json(200, CUSTOMER))
        .token(|_, _| json(503, ""))
        .start()
        .await;
    let (client, timer) = client(&srv);
    let err = client.get_customer("c1").await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::NotSent, "{err:?}");
    assert!(err.to_string().contains("no access token"), "{err}");
    assert!(srv.api_requests().is_empty());
    assert_eq!(srv.token_requests().len(), 4, "token requests are retried");
    assert_eq!(timer.sleeps().len(), 3);
    assert_eq!(client.stats().tries, 0);
}

#[tokio::test]
async fn every_request_carries_the_standard_headers() {
    let srv = server(|_, _| json(200, r#"{"items":[]}"#)).start().await;
    let (client, _) = client(&srv);
    client.list_subscriptions("c1").await.unwrap();
    client.subscriptions_by_order("c1", "Ord 1").await.unwrap();
    let reqs = srv.api_requests();
    assert_eq!(reqs[1].uri, "/v1/customers/c1/subscriptions?order_id=Ord+1");
    for r in &reqs {
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(r.header("authorization"), Some("Bearer tok-1"));
        let cid = r.header("ms-correlationid").unwrap();
        assert_eq!(Uuid::parse_str(cid).unwrap(), client.correlation_id());
        assert!(Uuid::parse_str(r.header("ms-requestid").unwrap()).is_ok());
        assert_eq!(r.header("content-type"), None);
        assert!(
            r.header("user-agent")
                .unwrap()
                .starts_with("csp-consolidate/")
        );
    }
    assert_ne!(
        reqs[0].header("ms-requestid"),
        reqs[1].header("ms-requestid")
    );
}

#[tokio::test]
async fn unreachable_host_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let srv_like = format!("http://{addr}");
    let mut cfg = config(&server(|_, _| json(200, "")).start().await);
    cfg.api_url = Some(srv_like.clone());
    cfg.token_url = Some(srv_like);
    let (client, timer) = client_with(cfg);
    let err = client.get_customer("c1").await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::NotSent, "{err:?}");
    assert_eq!(timer.sleeps().len(), 3, "connect errors are retried");
}

#[tokio::test]
async fn audit_window_is_checked_before_sending_and_pages_follow() {
    let srv = server(|req, _| match req.header("ms-continuationtoken") {
        None => json(
            200,
            r#"{"items":[{"id":"a1","operationType":"create_order","operationStatus":"succeeded"}],
            "links":{"next":{"uri":"/v1/auditrecords?seekOperation=Next",
            "headers":[{"key":"MS-ContinuationToken","value":"t2"}]}}}"#,
        ),
        Some(_) => json(
            200,
            r#"{"items":[{"id":"a2","operationStatus":"whatever"}]}"#,
        ),
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    // Fake today is 2025-06-30: 2025-03-01 is more than 90 days back.
    let bad = AuditQuery::parse("2025-03-01", None).unwrap();
    let err = client.audit_records(&bad).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Invalid);
    assert!(
        srv.requests().is_empty(),
        "nothing sent, not even a token request"
    );
    let mut q = AuditQuery::parse("2025-06-29", Some("2025-06-30")).unwrap();
    q.filter = Some(csp_consolidate::api::AuditFilter::CustomerId("c1".into()));
    let all = client.all_audit_records(&q).await.unwrap();
    assert_eq!(
        all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["a1", "a2"]
    );
    let first = &srv.api_requests()[0].uri;
    assert!(
        first.starts_with("/v1/auditrecords?startDate=2025-06-29&endDate=2025-06-30&filter="),
        "{first}"
    );
}

#[tokio::test]
async fn unreadable_2xx_names_the_json_path() {
    let srv = server(|_, _| {
        json(
            200,
            r#"{"items":[{"id":"s1"},{"id":"s2","quantity":"lots"}]}"#,
        )
    })
    .start()
    .await;
    let (client, _) = client(&srv);
    let err = client.list_subscriptions("c1").await.unwrap_err();
    assert!(err.to_string().contains("items[1].quantity"), "{err}");
    assert_eq!(err.class(), ErrorClass::Transient);
}

#[test]
fn http_to_a_remote_host_is_refused() {
    let mut cfg = csp_consolidate::api::ClientConfig::new(
        csp_consolidate::api::Cloud::Global,
        "t",
        "a",
        Credential::ClientSecret(Secret::new("x")),
    );
    cfg.api_url = Some("http://partner.example.com".into());
    let err = csp_consolidate::api::Client::new(cfg).unwrap_err();
    assert!(err.to_string().contains("https is required"), "{err}");
}
