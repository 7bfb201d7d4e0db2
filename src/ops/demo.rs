//! `demo`, library side: the reviewer's approvals the demo makes, the
//! emulator world it seeds from the workbook, and clients for that world.
//! The narration stays in `cli::demo`.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::build::BuildSettings;
use crate::api::{ApiError, Client, ClientConfig, Cloud, Credential, Secret};
use crate::ingest::IngestSpec;
use crate::model::{Action, BillingCycle, MigrationBook, Retirement};
use crate::plan::{Plan, PurchasePath};
use crate::push::adapter::ClientApi;

/// Remove a journal and its SQLite side files (`-wal`, `-shm`, `.lock`);
/// true when there was one.
///
/// # Errors
/// When a file exists but cannot be removed.
pub fn remove_journal(path: &Path) -> std::io::Result<bool> {
    let mut removed = false;
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(name)) {
            Ok(()) => removed |= suffix.is_empty(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// The bundled fixtures: `given`, else `./fixtures`, else the source
/// tree's; `None` when none holds a `Customers.csv`.
pub fn fixtures_dir(given: Option<&Path>) -> Option<PathBuf> {
    let candidates = [
        given.map(Path::to_path_buf),
        Some(PathBuf::from("fixtures")),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("Customers.csv").is_file())
}

/// The build of the bundled fixtures, writing `out`.
pub fn build_settings(fixtures: &Path, out: &Path, now: NaiveDateTime) -> BuildSettings {
    let activity = std::fs::read_dir(fixtures.join("activity"))
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    BuildSettings {
        ingest: IngestSpec {
            exports: vec![fixtures.join("exports")],
            customers: Some(fixtures.join("Customers.csv")),
            activity,
            exported_at: None,
            day_first: None,
        },
        offer_map: Some(fixtures.join("offer-map.csv")).filter(|p| p.is_file()),
        out: out.to_path_buf(),
        as_of: now.date(),
        now,
    }
}

/// The reviewer's edits: approve Recreate rows that have a target item;
/// where a new-commerce target has no term or billing cycle (a legacy
/// source has none), choose one year billed monthly, as a reviewer would.
pub fn approve(book: &MigrationBook) -> MigrationBook {
    let mut reviewed = book.clone();
    for row in &mut reviewed.rows {
        let Some(target) = row.target_catalog_item.as_deref() else {
            continue;
        };
        if row.action != Action::Recreate
            || row.tenant_id.is_empty()
            || row.target_seats.unwrap_or(0) < 1
        {
            continue;
        }
        let mut note = "approved in the demo".to_owned();
        if target.contains(':') && (row.target_term.is_none() || row.target_billing_cycle.is_none())
        {
            row.target_term.get_or_insert_with(|| "P1Y".to_owned());
            row.target_billing_cycle
                .get_or_insert(BillingCycle::Monthly);
            note.push_str("; reviewer chose a 1-year term billed monthly");
        }
        row.approved = true;
        row.reviewer_note = note;
    }
    reviewed
}

/// A client for tenant `tenant` of the demo world served at `base`.
///
/// # Errors
/// When the client cannot be built.
pub fn client(base: &str, tenant: &str) -> Result<ClientApi, ApiError> {
    // The emulator's demo credentials; a real account reads its secret from
    // the environment (see csp-consolidate.toml).
    let secret = Secret::new(format!("{tenant}-secret"));
    let mut config = ClientConfig::new(
        Cloud::Global,
        tenant,
        format!("{tenant}-app"),
        Credential::ClientSecret(secret),
    );
    config.api_url = Some(base.to_owned());
    config.token_url = Some(base.to_owned());
    Ok(ClientApi::new(Client::new(config)?))
}

/// The destination subscription the demo world holds from the start, as
/// if bought early by hand (the refresh must adopt it, not buy again).
pub const BOUGHT_BY_HAND: &str = "e0b1e0b1-0000-4000-8000-00000000e001";

/// The signer push attests for the demo's one customer without an attested
/// Microsoft Customer Agreement (what `[attestation]` holds in real use).
pub fn attestation() -> crate::push::port::Attestation {
    crate::push::port::Attestation {
        first_name: "Demo".into(),
        last_name: "Signer".into(),
        email: "signer@customer.example".into(),
        phone_number: None,
        date_agreed: "2026-11-01T00:00:00Z".into(),
    }
}

/// A world where the source holds the workbook's subscriptions and the
/// destination the same customers (all but one have accepted the reseller
/// relationship, so the "waiting" path shows too; one already holds one of
/// its rows, bought early by hand, so the adoption shows too).
pub fn world(book: &MigrationBook, plan: &Plan) -> serde_json::Value {
    let iso = |d: Option<NaiveDate>, fallback: &str| {
        d.map_or_else(|| fallback.to_owned(), |d| format!("{d}T00:00:00Z"))
    };
    let mut catalog = std::collections::BTreeMap::new();
    for item in plan.line_items() {
        let legacy = item.path == PurchasePath::Order;
        catalog.insert(
            item.catalog_item.clone(),
            json!({ "id": item.catalog_item, "name": item.source_product, "minQuantity": 1, "maxQuantity": 100000,
                    "billingCycles": ["monthly", "annual", "triennial"],
                    "terms": if legacy { json!([]) } else { json!(["P1M", "P1Y", "P3Y"]) } }),
        );
    }
    let mut buying = plan.customers.iter().filter(|c| !c.line_items.is_empty());
    let waiting = buying.next().map(|c| c.tenant_id.clone());
    // One customer whose Microsoft Customer Agreement is not attested yet:
    // push attests it from the demo's `[attestation]` details.
    let unattested = buying.next().map(|c| c.tenant_id.clone());
    let early = plan
        .customers
        .iter()
        .filter(|c| Some(&c.tenant_id) != waiting.as_ref())
        .flat_map(|c| c.line_items.iter())
        .rfind(|i| i.path == PurchasePath::Cart);
    let mut source_customers = Vec::new();
    let mut dest_customers = Vec::new();
    for c in book.customers.iter().filter(|c| !c.tenant_id.is_empty()) {
        let subs: Vec<_> = book
            .rows
            .iter()
            .filter(|r| r.tenant_id == c.tenant_id && r.action == Action::Recreate)
            .map(|r| {
                let (window, ends) = match &r.retirement {
                    Retirement::Cancel { window_ends } => (Some(*window_ends), r.term_end),
                    _ => (None, r.term_end),
                };
                json!({ "id": r.source_subscription_id,
                        "offerId": r.source_offer_id.clone().unwrap_or_else(|| "91FD106F-4B2C-4938-95AC-F54F74E9A239".into()),
                        "offerName": r.product, "friendlyName": r.nickname.clone().unwrap_or_else(|| r.product.clone()),
                        "quantity": r.seats.unwrap_or(1), "unitType": "Licenses",
                        "creationDate": "now-60d", "effectiveStartDate": "now-60d",
                        "commitmentEndDate": iso(ends, "now+300d"),
                        "cancellationAllowedUntilDate": window.map(|w| format!("{w}T23:59:59Z")),
                        "status": "active", "autoRenewEnabled": true, "billingType": "license",
                        "billingCycle": r.billing_cycle.as_ref().map_or("monthly".to_owned(), |b| b.api_name()),
                        "termDuration": r.term.clone().unwrap_or_else(|| "P1M".into()) })
            })
            .collect();
        let base = json!({ "id": c.tenant_id, "companyName": c.company_name,
                           "domain": c.primary_domain.clone().unwrap_or_else(|| "example.onmicrosoft.com".into()) });
        let mut src = base.clone();
        src["relationship"] = json!("reseller");
        src["subscriptions"] = json!(subs);
        source_customers.push(src);
        let mut dst = base;
        dst["relationship"] = json!(if waiting.as_deref() == Some(c.tenant_id.as_str()) {
            "none"
        } else {
            "reseller"
        });
        if let Some(i) = early.filter(|i| i.customer_tenant_id == c.tenant_id) {
            dst["subscriptions"] = json!([{ "id": BOUGHT_BY_HAND, "offerId": i.catalog_item,
                "offerName": i.source_product, "friendlyName": "bought by hand",
                "quantity": i.seats, "unitType": "Licenses",
                "creationDate": "now-10d", "effectiveStartDate": "now-10d",
                "commitmentEndDate": "now+355d", "status": "active", "autoRenewEnabled": true,
                "billingType": "license",
                "billingCycle": i.billing_cycle.clone().unwrap_or_else(|| "monthly".into()),
                "termDuration": i.term.clone().unwrap_or_else(|| "P1Y".into()) }]);
        }
        if unattested.as_deref() != Some(c.tenant_id.as_str()) {
            let domain = c
                .primary_domain
                .as_deref()
                .unwrap_or("example.onmicrosoft.com");
            dst["agreements"] = json!([crate::emulator::seed::attested(domain)]);
        }
        dest_customers.push(dst);
    }
    json!({
        "catalog": catalog.into_values().collect::<Vec<_>>(),
        "tenants": [
            { "name": "source", "partnerId": "0000aaaa-0000-4000-8000-000000000001",
              "credentials": [{ "clientId": "source-app", "clientSecret": "source-secret" }], "customers": source_customers },
            { "name": "destination", "partnerId": "0000bbbb-0000-4000-8000-000000000002",
              "credentials": [{ "clientId": "destination-app", "clientSecret": "destination-secret" }], "customers": dest_customers }
        ]
    })
}
