//! Reads: seek paging of customers and audit records across several small
//! pages, customer and subscription lookups with their 404s, an unknown
//! subscription status that must not fail a listing, the audit window
//! checked before sending, and the relationship request URL.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use csp_consolidate::api::types::Relationship;
use csp_consolidate::api::{
    AuditFilter, AuditQuery, CustomerField, CustomerQuery, ErrorClass, SubscriptionStatus,
};

use super::{
    BLUE_YONDER, CONTOSO, CONTOSO_BASIC, Partner, client, customer_state, route_hits, start,
    tenant_state,
};

/// Ids of a tenant's customers with an accepted reseller relationship.
fn visible_ids(emu: &csp_consolidate::emulator::EmulatorHandle, partner: Partner) -> Vec<String> {
    tenant_state(emu, partner)
        .customers
        .iter()
        .filter(|c| c.has_relationship())
        .map(|c| c.id.clone())
        .collect()
}

#[tokio::test]
async fn customers_page_across_several_small_pages() {
    // Default page size 2: the source's 12 customers come in 6 pages.
    let emu = start(|c| c.page_size = 2).await;
    let (src, _) = client(&emu, Partner::Source);

    let first = src.list_customers(&CustomerQuery::default()).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let next = first.next.as_ref().expect("a next link on page 1");
    let token = next
        .headers
        .iter()
        .find(|h| h.key == "MS-ContinuationToken");
    assert_eq!(
        token.and_then(|h| h.value.as_deref()),
        first.continuation_token.as_deref(),
        "next link carries the body's continuation token"
    );
    let second = src.next_page(&first).await.unwrap().expect("page 2");
    assert_eq!(second.items.len(), 2);
    let page_one: HashSet<_> = first.items.iter().map(|c| c.id.clone()).collect();
    assert!(second.items.iter().all(|c| !page_one.contains(&c.id)));

    let before = route_hits(&emu, Partner::Source, "GET /v1/customers");
    let all = src
        .list_all_customers(&CustomerQuery::default())
        .await
        .unwrap();
    let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, visible_ids(&emu, Partner::Source));
    assert_eq!(ids.len(), 12);
    assert_eq!(
        route_hits(&emu, Partner::Source, "GET /v1/customers") - before,
        6,
        "six pages of two"
    );

    // An explicit size wins over the default: 5 + 5 + 2.
    let before = route_hits(&emu, Partner::Source, "GET /v1/customers");
    let q = CustomerQuery {
        size: Some(5),
        filter: None,
    };
    let first = src.list_customers(&q).await.unwrap();
    assert_eq!(first.items.len(), 5);
    assert_eq!(src.all_pages(first).await.unwrap().len(), 12);
    assert_eq!(
        route_hits(&emu, Partner::Source, "GET /v1/customers") - before,
        3
    );
}

#[tokio::test]
async fn customer_listing_hides_missing_relationships_and_filters() {
    let emu = start(|c| c.page_size = 3).await;
    let (dst, _) = client(&emu, Partner::Destination);
    let all = dst
        .list_all_customers(&CustomerQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 11);
    assert!(all.iter().all(|c| c.id != BLUE_YONDER));
    assert!(
        all.iter()
            .all(|c| c.relationship_to_partner == Some(Relationship::Reseller))
    );

    let q = CustomerQuery {
        size: None,
        filter: Some((CustomerField::CompanyName, "contoso".into())),
    };
    let hits = dst.list_all_customers(&q).await.unwrap();
    let names: Vec<_> = hits.iter().filter_map(|c| c.company_name()).collect();
    assert_eq!(names, ["Contoso Lab"]);

    // The filter is carried across pages: two matches, one per page.
    let q = CustomerQuery {
        size: Some(1),
        filter: Some((CustomerField::CompanyName, "w".into())),
    };
    let before = route_hits(&emu, Partner::Destination, "GET /v1/customers");
    let hits = dst.list_all_customers(&q).await.unwrap();
    let mut names: Vec<_> = hits.iter().filter_map(|c| c.company_name()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Wingtip Toys", "Woodgrove Bank"]);
    assert_eq!(
        route_hits(&emu, Partner::Destination, "GET /v1/customers") - before,
        2
    );
}

#[tokio::test]
async fn customer_by_id_and_404s() {
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);
    let c = dst.get_customer(CONTOSO).await.unwrap();
    assert_eq!(c.id, CONTOSO);
    assert_eq!(c.company_name(), Some("Contoso Lab"));
    assert_eq!(c.domain(), Some("contosolab.onmicrosoft.com"));

    let unknown = "8e1c0a55-0000-4000-8000-0000000000ff";
    for id in [unknown, BLUE_YONDER] {
        let err = dst.get_customer(id).await.unwrap_err();
        assert_eq!(err.status(), Some(404), "{id}: {err}");
        assert_eq!(err.code(), Some("20001"), "{id}: {err}");
        assert_eq!(err.class(), ErrorClass::Rejected, "{id}");
    }
    // A business 404 is an answer, not a failure to retry.
    assert_eq!(dst.stats().retries, 0);
}

#[tokio::test]
async fn subscriptions_list_and_by_id() {
    let emu = start(|_| {}).await;
    let (src, _) = client(&emu, Partner::Source);
    let subs = src.list_subscriptions(CONTOSO).await.unwrap();
    let state = customer_state(&emu, Partner::Source, CONTOSO);
    let mut got: Vec<_> = subs.iter().map(|s| s.id.clone()).collect();
    let mut want: Vec<_> = state.subscriptions.iter().map(|s| s.id.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);

    let one = src.get_subscription(CONTOSO, CONTOSO_BASIC).await.unwrap();
    let listed = subs.iter().find(|s| s.id == CONTOSO_BASIC).unwrap();
    assert_eq!(&one, listed, "get and list agree");
    assert_eq!(one.quantity, Some(12));
    assert_eq!(one.status, Some(SubscriptionStatus::Active));
    assert_eq!(one.offer_id.as_deref(), Some(super::BASIC));
    let until = one.cancellation_allowed_until().expect("NCE window");
    assert!(until > one.creation_date.as_deref().and_then(parse).unwrap());

    let missing = "a1000000-0000-4000-8000-0000000000ff";
    let err = src.get_subscription(CONTOSO, missing).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(404), Some("20003")));
    assert_eq!(err.class(), ErrorClass::Rejected);
    let blue = src.list_subscriptions(BLUE_YONDER).await.unwrap();
    assert_eq!(
        blue.len(),
        1,
        "Blue Yonder is a reseller customer at the source"
    );
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    csp_consolidate::api::types::parse_date(s)
}

#[tokio::test]
async fn unknown_status_is_kept_without_failing_the_list() {
    let emu = start(|_| {}).await;
    emu.with_state(|w| {
        let t = w.tenants.iter_mut().find(|t| t.name == "source").unwrap();
        let c = t.customer_mut(CONTOSO).unwrap();
        c.subscription_mut(CONTOSO_BASIC).unwrap().status = "frozen".into();
    });
    let (src, _) = client(&emu, Partner::Source);
    let subs = src.list_subscriptions(CONTOSO).await.unwrap();
    assert_eq!(subs.len(), 3, "one odd value does not fail the page");
    let frozen = subs.iter().find(|s| s.id == CONTOSO_BASIC).unwrap();
    assert_eq!(
        frozen.status,
        Some(SubscriptionStatus::Other("frozen".into()))
    );
    assert_eq!(frozen.status.as_ref().map(|s| s.as_str()), Some("frozen"));
    assert!(
        subs.iter()
            .filter(|s| s.id != CONTOSO_BASIC)
            .all(|s| s.status == Some(SubscriptionStatus::Active))
    );
    let one = src.get_subscription(CONTOSO, CONTOSO_BASIC).await.unwrap();
    assert_eq!(one.status, frozen.status);
}

#[tokio::test]
async fn audit_records_page_and_filter() {
    let emu = start(|_| {}).await;
    let (src, timer) = client(&emu, Partner::Source);
    let today = DateTime::<Utc>::from(csp_consolidate::api::Timer::now(&*timer)).date_naive();
    let q = AuditQuery {
        start_date: today - Duration::days(89),
        end_date: Some(today),
        size: Some(2),
        filter: None,
    };
    let first = src.audit_records(&q).await.unwrap();
    assert_eq!(first.items.len(), 2);
    assert!(!first.is_last());

    let before = route_hits(&emu, Partner::Source, "GET /v1/auditrecords");
    let all = src.all_audit_records(&q).await.unwrap();
    let seeded = tenant_state(&emu, Partner::Source).audit_records;
    assert_eq!(all.len(), seeded.len(), "every seeded record, once");
    assert_eq!(all.len(), 5);
    let ids: HashSet<_> = all.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(
        route_hits(&emu, Partner::Source, "GET /v1/auditrecords") - before,
        3,
        "pages of 2, 2, 1"
    );
    let dates: Vec<_> = all
        .iter()
        .map(|r| r.operation_date.as_deref().and_then(parse).unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let mut by_customer = q.clone();
    by_customer.filter = Some(AuditFilter::CustomerId(CONTOSO.into()));
    let mine = src.all_audit_records(&by_customer).await.unwrap();
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .all(|r| r.customer_id.as_deref() == Some(CONTOSO))
    );
    assert!(mine.len() < all.len());
}

#[tokio::test]
async fn audit_window_is_checked_before_sending() {
    let emu = start(|_| {}).await;
    let (src, timer) = client(&emu, Partner::Source);
    let today = DateTime::<Utc>::from(csp_consolidate::api::Timer::now(&*timer)).date_naive();
    let too_old = AuditQuery {
        start_date: today - Duration::days(91),
        end_date: None,
        size: None,
        filter: None,
    };
    let backwards = AuditQuery {
        start_date: today - Duration::days(3),
        end_date: Some(today - Duration::days(4)),
        size: None,
        filter: None,
    };
    let future = AuditQuery::day(today + Duration::days(2));
    for q in [&too_old, &backwards, &future] {
        let err = src.all_audit_records(q).await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Invalid, "{q:?}: {err}");
    }
    assert_eq!(route_hits(&emu, Partner::Source, "GET /v1/auditrecords"), 0);
    assert_eq!(src.stats().tries, 0, "nothing was sent");

    // The oldest allowed day is accepted by both sides.
    let oldest = AuditQuery::day(today - Duration::days(90));
    assert!(src.all_audit_records(&oldest).await.is_ok());
    assert_eq!(route_hits(&emu, Partner::Source, "GET /v1/auditrecords"), 1);
}

#[tokio::test]
async fn relationship_request_url_names_the_partner() {
    let emu = start(|_| {}).await;
    let (dst, _) = client(&emu, Partner::Destination);
    let partner_id = tenant_state(&emu, Partner::Destination).partner_id;
    let r = dst.relationship_request(None).await.unwrap();
    assert!(r.url.starts_with("https://"), "{}", r.url);
    assert!(
        r.url.contains(&format!("partnerId={partner_id}")),
        "{}",
        r.url
    );
    assert_eq!(
        route_hits(
            &emu,
            Partner::Destination,
            "GET /v1/customers/relationshiprequests"
        ),
        1
    );
}
