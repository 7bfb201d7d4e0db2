//! Seeds: load a world from a JSON file (or saved state), check it, and
//! synthesize large worlds for benchmarks and paging tests.
//!
//! A seed and a saved state are the same format ([`World`]), so a saved
//! rehearsal is also a valid seed. Loading reports the file, line and
//! column of a bad field, and the tenant/customer of a semantic problem.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Duration, Utc};

use super::errors::EmulatorError;
use super::state::{
    AuditRecord, CatalogItem, Credential, Customer, KeyValue, Subscription, Tenant, World,
};

/// The small bundled example (`fixtures/emulator/seed.json`).
pub const EXAMPLE_SEED: &str = include_str!("../../fixtures/emulator/seed.json");

/// Read and check a seed or saved-state file.
pub fn load(path: &Path) -> Result<World, EmulatorError> {
    let text = std::fs::read_to_string(path).map_err(|source| EmulatorError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, &path.display().to_string())
}

/// Parse and check seed text; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<World, EmulatorError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let world: World = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let inner = err.inner();
        EmulatorError::Json {
            origin: origin.to_owned(),
            line: inner.line(),
            column: inner.column(),
            message: format!("{}: {}", err.path(), inner),
        }
    })?;
    prepare(world, origin)
}

/// Normalise ids (lower-case customer ids, customers sorted for lookup)
/// and reject what would make the emulator ambiguous.
pub fn prepare(mut world: World, origin: &str) -> Result<World, EmulatorError> {
    let bad = |message: String| EmulatorError::Seed {
        origin: origin.to_owned(),
        message,
    };
    if world.tenants.is_empty() {
        return Err(bad(
            "no tenants: a seed needs at least one partner tenant".into()
        ));
    }
    let mut names = BTreeSet::new();
    for tenant in &mut world.tenants {
        if !names.insert(tenant.name.to_ascii_lowercase()) {
            return Err(bad(format!("tenant `{}` appears twice", tenant.name)));
        }
        if tenant.credentials.is_empty() {
            return Err(bad(format!("tenant `{}` has no credentials", tenant.name)));
        }
        for customer in &mut tenant.customers {
            customer.id = customer.id.trim().to_ascii_lowercase();
        }
        tenant.customers.sort_by(|a, b| a.id.cmp(&b.id));
        // ok: windows(2) always yields two-element slices.
        if let Some(pair) = tenant.customers.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(bad(format!(
                "tenant `{}`: customer {} appears twice",
                tenant.name, pair[0].id
            )));
        }
        tenant.audit_records.sort_by_key(|r| r.operation_date);
    }
    Ok(world)
}

/// A deterministic GUID-shaped id.
pub fn guid(kind: u32, n: u64) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// A synthetic world: tenants `source` and `destination` (credentials
/// `source-app`/`source-secret`, `destination-app`/`destination-secret`),
/// `customers` customers each with `subs_per_customer` subscriptions at the
/// source in rotating statuses, the same customers at the destination
/// (the last one without an accepted relationship), and one `create_order`
/// audit record per source subscription spread over the last 60 days.
pub fn synthetic(customers: usize, subs_per_customer: usize, seed: u64) -> World {
    let mut rng = fastrand::Rng::with_seed(seed);
    let catalog = synthetic_catalog();
    let mut source = synthetic_tenant("source", 0x5001);
    let mut destination = synthetic_tenant("destination", 0xd001);
    for c in 0..customers {
        let id = guid(0xc0570000, c as u64);
        let customer = |relationship: &str| Customer {
            id: id.clone(),
            company_name: format!("Customer {c:05}"),
            domain: format!("customer{c:05}.onmicrosoft.com"),
            relationship: relationship.into(),
            allow_delegated_access: false,
            country: None,
            subscriptions: Vec::new(),
            orders: Vec::new(),
            carts: Vec::new(),
            agreements: vec![attested(&format!("customer{c:05}.onmicrosoft.com"))],
        };
        let mut src = customer("reseller");
        for s in 0..subs_per_customer {
            let n = c.saturating_mul(subs_per_customer).saturating_add(s) as u64;
            // ok: the synthetic catalog is a non-empty constant list.
            let item = &catalog[rng.usize(..catalog.len())];
            let sub = synthetic_subscription(item, n, s, &mut rng);
            source
                .audit_records
                .push(creation_record(&source, &src, &sub));
            src.subscriptions.push(sub);
        }
        source.customers.push(src);
        let last = c + 1 == customers;
        destination
            .customers
            .push(customer(if last { "none" } else { "reseller" }));
    }
    let world = World {
        catalog,
        tenants: vec![source, destination],
    };
    // ok: ids are distinct by construction and both tenants have credentials.
    prepare(world.clone(), "synthetic").unwrap_or(world)
}

/// A Microsoft Customer Agreement attestation signed at `domain`.
pub fn attested(domain: &str) -> serde_json::Value {
    serde_json::json!({
        "primaryContact": {"firstName": "Pat", "lastName": "Signer", "email": format!("pat@{domain}")},
        "dateAgreed": "2026-01-15T00:00:00Z",
        "templateId": "7a1c2d3e-0b4f-4a6d-9e8f-1c2b3a4d5e6f",
        "type": crate::emulator::state::AGREEMENT_TYPE,
    })
}

fn synthetic_tenant(name: &str, partner: u64) -> Tenant {
    Tenant {
        name: name.into(),
        aliases: vec![format!("{name}.onmicrosoft.com")],
        partner_id: guid(0xaa000000, partner),
        user_principal_name: format!("ops@{name}.example"),
        credentials: vec![Credential {
            client_id: format!("{name}-app"),
            client_secret: Some(format!("{name}-secret")),
            refresh_token: None,
        }],
        sandbox: false,
        customers: Vec::new(),
        audit_records: Vec::new(),
        replays: Default::default(),
        deferred: Vec::new(),
        next_provisioning: None,
    }
}

fn synthetic_catalog() -> Vec<CatalogItem> {
    let item = |id: &str, name: &str| CatalogItem {
        id: id.into(),
        name: name.into(),
        min_quantity: 1,
        max_quantity: 300,
        billing_cycles: Vec::new(),
        terms: Vec::new(),
        billing_type: "license".into(),
        purchasable: true,
    };
    vec![
        item(
            "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
            "Microsoft 365 Business Basic",
        ),
        item(
            "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM",
            "Microsoft 365 Business Standard",
        ),
        item("CFQ7TTC0LCHC:0002:CFQ7TTC0KDQT", "Microsoft 365 E3"),
        item(
            "796B6B5F-613C-4E24-A17C-EBA730D49C02",
            "Office 365 E3 (legacy)",
        ),
    ]
}

const STATUSES: [&str; 8] = [
    "active",
    "active",
    "active",
    "suspended",
    "deleted",
    "expired",
    "pending",
    "disabled",
];

fn synthetic_subscription(
    item: &CatalogItem,
    n: u64,
    index: usize,
    rng: &mut fastrand::Rng,
) -> Subscription {
    let now = Utc::now();
    let age = Duration::days(rng.i64(1..60));
    let created = now - age;
    let nce = item.is_new_commerce();
    Subscription {
        id: guid(0x5b000000, n),
        offer_id: item.id.clone(),
        offer_name: item.name.clone(),
        friendly_name: format!("{} #{index}", item.name),
        quantity: rng.i64(1..200),
        unit_type: "Licenses".into(),
        creation_date: created,
        effective_start_date: created,
        commitment_end_date: created + Duration::days(365),
        cancellation_allowed_until_date: nce.then(|| created + Duration::days(7)),
        billing_cycle_end_date: Some(created + Duration::days(30)),
        // ok: the index is reduced modulo the array length.
        status: STATUSES[(n % STATUSES.len() as u64) as usize].into(),
        auto_renew_enabled: true,
        is_trial: false,
        billing_type: "license".into(),
        billing_cycle: if rng.bool() { "monthly" } else { "annual" }.into(),
        term_duration: Some("P1Y".into()),
        parent_subscription_id: None,
        order_id: Some(format!("SYN{n:08}")),
        partner_id: None,
        suspension_reasons: Vec::new(),
        etag: 1,
        visible_from: None,
    }
}

fn creation_record(tenant: &Tenant, customer: &Customer, sub: &Subscription) -> AuditRecord {
    let kv = |k: &str, v: &str| KeyValue {
        key: k.into(),
        value: v.into(),
    };
    let order = sub.order_id.clone().unwrap_or_default();
    AuditRecord {
        id: format!(
            "{}_{}_createorder_{}",
            tenant.partner_id, customer.id, sub.id
        ),
        partner_id: tenant.partner_id.clone(),
        customer_id: customer.id.clone(),
        customer_name: customer.company_name.clone(),
        user_principal_name: tenant.user_principal_name.clone(),
        application_id: String::new(),
        resource_type: "order".into(),
        operation_type: "create_order".into(),
        original_correlation_id: String::new(),
        operation_date: sub.creation_date,
        resource_old_value: None,
        resource_new_value: None,
        operation_status: "succeeded".into(),
        customized_data: vec![
            kv("OrderId", &order),
            kv("BillingCycle", &sub.billing_cycle),
            kv("OfferId-0", &sub.offer_id),
            kv("SubscriptionId-0", &sub.id),
            kv("SubscriptionName-0", &sub.friendly_name),
            kv("Quantity-0", &sub.quantity.to_string()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_seed_loads() -> crate::TestResult {
        let world = parse(EXAMPLE_SEED, "seed.json")?;
        assert_eq!(world.tenants.len(), 2);
        let source = &world.tenants[0];
        let statuses: BTreeSet<&str> = source
            .customers
            .iter()
            .flat_map(|c| c.subscriptions.iter().map(|s| s.status.as_str()))
            .collect();
        for s in [
            "active",
            "suspended",
            "deleted",
            "expired",
            "pending",
            "disabled",
        ] {
            assert!(statuses.contains(s), "missing status {s}");
        }
        let dest = &world.tenants[1];
        assert!(dest.customers.iter().any(|c| !c.has_relationship()));
        Ok(())
    }

    #[test]
    fn synthetic_sizes_and_determinism() {
        let a = synthetic(30, 4, 9);
        let b = synthetic(30, 4, 9);
        assert_eq!(a.tenants[0].customers.len(), 30);
        let subs: usize = a.tenants[0]
            .customers
            .iter()
            .map(|c| c.subscriptions.len())
            .sum();
        assert_eq!(subs, 120);
        assert_eq!(a.tenants[0].audit_records.len(), 120);
        let qa: Vec<i64> = a.tenants[0]
            .customers
            .iter()
            .flat_map(|c| c.subscriptions.iter().map(|s| s.quantity))
            .collect();
        let qb: Vec<i64> = b.tenants[0]
            .customers
            .iter()
            .flat_map(|c| c.subscriptions.iter().map(|s| s.quantity))
            .collect();
        assert_eq!(qa, qb);
        assert_eq!(
            a.tenants[1]
                .customers
                .iter()
                .filter(|c| !c.has_relationship())
                .count(),
            1
        );
    }

    #[test]
    fn bad_seed_names_line_and_field() {
        let err = parse("{\"tenants\": [{\"name\": 5}]}", "s.json")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.json: line 1"), "{err}");
        assert!(err.contains("tenants[0].name"), "{err}");
    }
}
