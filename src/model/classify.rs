//! Decisions: turn attributed source subscriptions into migration rows.
//!
//! For each subscription this decides the billing type (licence or Azure
//! usage), the commerce kind (legacy or new commerce, from the offer ID's
//! shape), the action (Recreate, Microsoft support, Skip with a reason), the
//! target defaults people review, and how the source is retired without
//! paying twice. Pure logic over the model: no I/O, and "today" is a
//! parameter so results are reproducible.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::inputs::{Inputs, OfferMap};
use super::issue::Issue;
use super::location::{Location, Place};
use super::migration::{Action, CustomerSummary, MigrationRow, Retirement};
use super::records::{Customer, SourceSubscription};
use super::types::{BillingType, Commerce, SubStatus, fold};

/// The Azure plan product ID (new-commerce, usage-based).
const AZURE_PLAN_PRODUCT: &str = "DZH318Z0BPS6";

/// The result of classification.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classified {
    pub rows: Vec<MigrationRow>,
    pub customers: Vec<CustomerSummary>,
    /// Issues found while deciding (duplicates, unknown customers …).
    pub issues: Vec<Issue>,
    /// Where each row came from, in row order (for
    /// issues found after classification).
    pub sources: Vec<Location>,
}

/// The shape of an offer ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferShape {
    /// A legacy offer GUID.
    LegacyGuid,
    /// A legacy Azure offer `MS-AZR-…`.
    LegacyAzure,
    /// New commerce `PRODUCT:SKU:AVAILABILITY`: purchasable as is.
    NcePurchasable,
    /// New commerce `PRODUCT` or `PRODUCT:SKU`: needs an availability.
    NcePartial,
    Unknown,
}

/// Classify an offer ID by its shape.
pub fn offer_shape(offer_id: &str) -> OfferShape {
    let id = offer_id.trim();
    if id.len() > 7 && id[..7].eq_ignore_ascii_case("MS-AZR-") {
        return OfferShape::LegacyAzure;
    }
    if is_guid(id) {
        return OfferShape::LegacyGuid;
    }
    let parts: Vec<&str> = id.split(':').collect();
    let alnum =
        |p: &str, len: usize| p.len() == len && p.chars().all(|c| c.is_ascii_alphanumeric());
    let product_ok = parts.first().is_some_and(|p| alnum(p, 12));
    match parts.as_slice() {
        [_, sku, avail] if product_ok && alnum(sku, 4) && alnum(avail, 12) => {
            OfferShape::NcePurchasable
        }
        [_, sku] if product_ok && alnum(sku, 4) => OfferShape::NcePartial,
        [_] if product_ok => OfferShape::NcePartial,
        _ => OfferShape::Unknown,
    }
}

/// Whether `s` is a GUID in 8-4-4-4-12 form (any case, optional braces).
pub fn is_guid(s: &str) -> bool {
    let s = s.trim().trim_start_matches('{').trim_end_matches('}');
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Billing type: the input's own word, else the offer ID or product name.
pub fn billing_type(sub: &SourceSubscription) -> BillingType {
    if let Some(bt) = sub.billing_type {
        return bt;
    }
    let offer = sub
        .offer_id
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    let product = fold(&sub.product);
    if offer.starts_with("MS-AZR-")
        || offer.starts_with(AZURE_PLAN_PRODUCT)
        || product == "azureplan"
        || product == "microsoftazure"
    {
        BillingType::Usage
    } else {
        BillingType::License
    }
}

/// Commerce kind from the offer ID's shape, else from the product name or
/// the presence of a cancellation window (only new commerce has one).
pub fn commerce(sub: &SourceSubscription) -> Commerce {
    if let Some(c) = sub.commerce {
        return c;
    }
    match sub.offer_id.as_deref().map(offer_shape) {
        Some(OfferShape::LegacyGuid | OfferShape::LegacyAzure) => return Commerce::Legacy,
        Some(OfferShape::NcePurchasable | OfferShape::NcePartial) => return Commerce::NewCommerce,
        _ => {}
    }
    match fold(&sub.product).as_str() {
        "azureplan" => Commerce::NewCommerce,
        "microsoftazure" => Commerce::Legacy,
        _ if sub.cancellation_allowed_until.is_some() => Commerce::NewCommerce,
        _ => Commerce::Unknown,
    }
}

/// Build the migration rows and customer summaries.
///
/// Rows come out sorted by customer, product and subscription ID. A
/// subscription that appears in two inputs is kept once (the first read)
/// and the other occurrence becomes an issue.
pub fn classify(inputs: &mut Inputs, offer_map: &OfferMap, as_of: NaiveDate) -> Classified {
    // The subscriptions are consumed: their text moves into the rows rather
    // than being copied (25,000 rows would otherwise be held twice), and
    // their buffer shrinks as the rows grow (see `next_first`).
    let mut subscriptions = std::mem::take(&mut inputs.subscriptions);
    subscriptions.reverse();
    let inputs: &Inputs = inputs;
    let customers: HashMap<&str, &Customer> = inputs
        .customers
        .iter()
        .map(|c| (c.tenant_id.as_str(), c))
        .collect();
    let row_issues = index_issues_by_row(&inputs.issues);
    let reported_files: HashSet<&str> = inputs
        .issues
        .iter()
        .filter(|i| i.location.place == Place::File)
        .map(|i| &*i.location.file)
        .collect();
    let mut out = Classified::default();
    out.rows.reserve_exact(subscriptions.len());
    out.sources.reserve_exact(subscriptions.len());
    // Lower-case subscription ID → index of its row.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(subscriptions.len());

    while let Some(sub) = next_first(&mut subscriptions) {
        let key = sub.subscription_id.trim().to_ascii_lowercase();
        if let Some(&first) = seen.get(&key) {
            let first = out.rows.get(first).map_or("", |r| r.source.as_str());
            out.issues.push(Issue::warning(
                sub.source,
                format!("subscription {key} was already read from {first}; this copy is ignored"),
            ));
            continue;
        }
        seen.insert(key, out.rows.len());
        out.sources.push(sub.source.clone());
        let messages = row_issues.get(&row_key(&sub.source));
        let file_reported = reported_files.contains(&*sub.source.file);
        let mut row = decide(
            sub,
            &customers,
            inputs,
            offer_map,
            as_of,
            file_reported,
            &mut out.issues,
        );
        if let Some(msgs) = messages {
            row.warnings.extend(msgs.iter().cloned());
        }
        out.rows.push(row);
    }
    drop(seen);
    sort_rows(&mut out.rows, &mut out.sources);
    out.customers = summarize(inputs, &out.rows);
    out
}

/// The next subscription of a reversed list. The list's buffer is halved
/// whenever it is half empty, so the subscriptions already turned into
/// rows stop holding memory while the rows grow.
fn next_first(reversed: &mut Vec<SourceSubscription>) -> Option<SourceSubscription> {
    let sub = reversed.pop();
    if reversed.capacity() > 1024 && reversed.len() < reversed.capacity() / 2 {
        reversed.shrink_to_fit();
    }
    sub
}

/// Sort rows (and their sources alike) by customer, tenant, product and
/// subscription ID. Only the folded customer name is computed ahead; the
/// rest compare in place, and the order is applied by swapping.
fn sort_rows(rows: &mut [MigrationRow], sources: &mut [Location]) {
    let customer: Vec<String> = rows.iter().map(|r| fold(&r.customer)).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&rows[a], &rows[b]);
        customer[a]
            .cmp(&customer[b])
            .then_with(|| ra.tenant_id.cmp(&rb.tenant_id))
            .then_with(|| ra.product.cmp(&rb.product))
            .then_with(|| ra.source_subscription_id.cmp(&rb.source_subscription_id))
    });
    drop(customer);
    // Position i takes the element at order[i]: follow each cycle once.
    for i in 0..order.len() {
        let mut j = i;
        loop {
            let k = order[j];
            order[j] = j;
            if k == i || k == j {
                break;
            }
            rows.swap(j, k);
            if k < sources.len() && j < sources.len() {
                sources.swap(j, k);
            }
            j = k;
        }
    }
}

/// Decide one row.
fn decide(
    sub: SourceSubscription,
    customers: &HashMap<&str, &Customer>,
    inputs: &Inputs,
    offer_map: &OfferMap,
    as_of: NaiveDate,
    file_reported: bool,
    issues: &mut Vec<Issue>,
) -> MigrationRow {
    let tenant = sub
        .customer_tenant_id
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let customer = customers.get(tenant.as_str()).copied();
    let mut warnings = Vec::new();
    if !tenant.is_empty() && customer.is_none() && !inputs.customers.is_empty() {
        warnings.push(format!("customer {tenant} is not in the customer list"));
    }
    let billing_type = billing_type(&sub);
    let commerce = commerce(&sub);
    let action = action_for(&sub, &tenant, billing_type, &mut warnings);
    let retire = (action == Action::Recreate).then(|| retirement_for(&sub, commerce, as_of));
    let source = sub.source.to_string();

    let mut row = MigrationRow {
        customer: customer
            .map(|c| c.company_name.clone())
            .or(sub.customer_name)
            .unwrap_or_default(),
        tenant_id: tenant.clone(),
        primary_domain: customer.and_then(|c| c.primary_domain.clone()),
        source_subscription_id: sub.subscription_id.trim().to_ascii_lowercase(),
        product: sub.product,
        source_offer_id: sub.offer_id,
        nickname: sub.nickname,
        status: sub.status,
        seats: sub.quantity,
        billing_type,
        commerce,
        billing_cycle: sub.billing_cycle,
        term: sub.term,
        term_end: sub.term_end,
        auto_renew: sub.auto_renew,
        reseller: sub.reseller,
        changes_since_export: None,
        action,
        target_catalog_item: None,
        target_seats: None,
        target_billing_cycle: None,
        target_term: None,
        approved: false,
        reviewer_note: String::new(),
        retirement: Retirement::None,
        double_billing_days: None,
        warnings,
        source,
        extras: sub.extras,
    };

    if inputs.activity.given {
        let changes = inputs
            .activity
            .per_subscription
            .get(&row.source_subscription_id)
            .or_else(|| inputs.activity.per_customer.get(&tenant))
            .cloned()
            .unwrap_or_default();
        if let Some((when, what)) = &changes.last {
            row.warnings.push(format!(
                "changed since the export ({} action(s), last \"{what}\" at {}): seats may be stale",
                changes.count,
                when.format("%Y-%m-%d %H:%M")
            ));
        }
        row.changes_since_export = Some(changes);
    }

    if let Some((retirement, days)) = retire {
        fill_targets(&mut row, sub.target_offer_id.as_deref(), offer_map);
        match (&retirement, days) {
            (Retirement::DecideAtRetire, _) => row.warnings.push(
                "commerce unknown (no offer ID): retire will read the live subscription to decide".into(),
            ),
            (Retirement::StopAutoRenew { term_ends: None }, _) => row.warnings.push(
                "new commerce past its cancellation window and term end unknown: double billing until the term ends".into(),
            ),
            (Retirement::StopAutoRenew { term_ends: Some(d) }, Some(n)) if n > 0 => row.warnings.push(format!(
                "new commerce past its cancellation window: the source keeps billing {n} day(s), until {d}"
            )),
            _ => {}
        }
        row.retirement = retirement;
        row.double_billing_days = days;
    }
    if row.tenant_id.is_empty() && !file_reported {
        issues.push(Issue::error(
            sub.source.clone(),
            "no customer for this subscription: add a customer column, name the file after the customer, or pass --customers",
        ));
    }
    row
}

/// The action for a subscription, with the reason when skipped.
fn action_for(
    sub: &SourceSubscription,
    tenant: &str,
    bt: BillingType,
    warnings: &mut Vec<String>,
) -> Action {
    if tenant.is_empty() {
        return Action::Skip("customer unknown".into());
    }
    match &sub.status {
        None => warnings.push("no status in the export: taken as Active".into()),
        Some(SubStatus::Active) => {}
        Some(SubStatus::Suspended) => return Action::Skip("suspended at source".into()),
        Some(SubStatus::Pending) => {
            return Action::Skip("pending at source: re-export once provisioned".into());
        }
        Some(SubStatus::Other(s)) => {
            warnings.push(format!("unknown status \"{s}\""));
            return Action::Skip(format!("unknown status {s}"));
        }
        Some(other) => return Action::Skip(format!("status is {other}")),
    }
    if bt == BillingType::Usage {
        return Action::MicrosoftSupport;
    }
    match sub.quantity {
        None => Action::Skip("no seat count".into()),
        Some(0) => Action::Skip("zero seats".into()),
        Some(_) => Action::Recreate,
    }
}

/// Target defaults: catalog item from a purchasable offer or the offer map;
/// seats, cycle and term from the source.
fn fill_targets(row: &mut MigrationRow, proposed: Option<&str>, offer_map: &OfferMap) {
    let offer = row.source_offer_id.as_deref();
    let is_purchasable = |o: &&str| offer_shape(o) == OfferShape::NcePurchasable;
    // The source's own new-commerce item, else the one the input proposes
    // (the batch-migration tool's NcePsa), else the offer map.
    let purchasable = offer
        .filter(is_purchasable)
        .or_else(|| proposed.filter(is_purchasable));
    row.target_catalog_item = purchasable
        .map(|o| o.trim().to_ascii_uppercase())
        .or_else(|| offer_map.lookup(offer, &row.product).map(str::to_owned));
    if row.target_catalog_item.is_none() {
        row.warnings.push(match offer.map(offer_shape) {
            Some(OfferShape::NcePartial) => {
                "offer ID has no availability: fill in Target catalog item or map it in --offer-map"
                    .into()
            }
            _ => "no target catalog item: fill it in or map this offer in --offer-map".into(),
        });
    }
    row.target_seats = row.seats;
    row.target_billing_cycle = row.billing_cycle.clone();
    row.target_term = row.term.clone();
}

/// How to retire the source, and the days it bills after the copy starts.
fn retirement_for(
    sub: &SourceSubscription,
    commerce: Commerce,
    as_of: NaiveDate,
) -> (Retirement, Option<i64>) {
    match commerce {
        Commerce::Legacy => (Retirement::Suspend, Some(0)),
        Commerce::NewCommerce => match sub.cancellation_allowed_until {
            Some(window_ends) if window_ends >= as_of => {
                (Retirement::Cancel { window_ends }, Some(0))
            }
            _ => {
                let days = sub.term_end.map(|end| (end - as_of).num_days().max(0));
                (
                    Retirement::StopAutoRenew {
                        term_ends: sub.term_end,
                    },
                    days,
                )
            }
        },
        Commerce::Unknown => (Retirement::DecideAtRetire, None),
    }
}

/// The (file, row) a location points into, for matching issues to rows.
fn row_key(loc: &Location) -> (String, u64) {
    let row = match &loc.place {
        Place::Cell { row, .. } | Place::Row { row, .. } => u64::from(*row),
        Place::Line(line) | Place::Field { line, .. } => *line,
        Place::File => 0,
    };
    (loc.file.to_string(), row)
}

fn index_issues_by_row(issues: &[Issue]) -> HashMap<(String, u64), Vec<String>> {
    let mut map: HashMap<(String, u64), Vec<String>> = HashMap::new();
    for issue in issues {
        if issue.location.place != Place::File {
            map.entry(row_key(&issue.location))
                .or_default()
                .push(issue.message.clone());
        }
    }
    map
}

fn empty_summary(name: &str, tenant: &str, domain: Option<&String>) -> CustomerSummary {
    CustomerSummary {
        company_name: name.to_owned(),
        tenant_id: tenant.to_owned(),
        primary_domain: domain.cloned(),
        relationship: None,
        subscriptions: 0,
        seats_to_move: 0,
        azure_subscriptions: 0,
        changes_since_export: None,
        last_activity: None,
        issues: 0,
    }
}

/// One summary per customer: every customer in the list, plus any tenant
/// that only the exports name. Sorted by company name.
fn summarize(inputs: &Inputs, rows: &[MigrationRow]) -> Vec<CustomerSummary> {
    let mut by_tenant: BTreeMap<String, CustomerSummary> = BTreeMap::new();
    for c in &inputs.customers {
        by_tenant
            .entry(c.tenant_id.clone())
            .or_insert_with(|| CustomerSummary {
                relationship: c.relationship.clone(),
                ..empty_summary(&c.company_name, &c.tenant_id, c.primary_domain.as_ref())
            });
    }
    for row in rows.iter().filter(|r| !r.tenant_id.is_empty()) {
        let s = by_tenant.entry(row.tenant_id.clone()).or_insert_with(|| {
            empty_summary(&row.customer, &row.tenant_id, row.primary_domain.as_ref())
        });
        s.subscriptions += 1;
        if row.action == Action::Recreate {
            s.seats_to_move += u64::from(row.seats.unwrap_or(0));
        }
        if row.billing_type == BillingType::Usage {
            s.azure_subscriptions += 1;
        }
        if !row.warnings.is_empty() {
            s.issues += 1;
        }
    }
    let activity = &inputs.activity;
    for s in by_tenant.values_mut() {
        if activity.given {
            s.changes_since_export = Some(
                activity
                    .per_customer
                    .get(&s.tenant_id)
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        s.last_activity = activity.last_activity.get(&s.tenant_id).copied();
    }
    let mut out: Vec<CustomerSummary> = by_tenant.into_values().collect();
    out.sort_by_cached_key(|c| (fold(&c.company_name), c.tenant_id.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::ChangesSince;
    use crate::model::types::BillingCycle;
    use chrono::NaiveDateTime;

    const T1: &str = "8e1c0a55-0000-4000-8000-00000000c001";

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn sub(
        id: &str,
        product: &str,
        offer: Option<&str>,
        qty: Option<u32>,
        status: &str,
    ) -> SourceSubscription {
        SourceSubscription {
            subscription_id: id.into(),
            customer_tenant_id: Some(T1.into()),
            product: product.into(),
            offer_id: offer.map(str::to_owned),
            quantity: qty,
            status: Some(SubStatus::parse(status)),
            source: Location::row("c.xlsx", "Sheet1", 2),
            ..Default::default()
        }
    }

    fn inputs(subs: Vec<SourceSubscription>) -> Inputs {
        Inputs {
            customers: vec![Customer {
                tenant_id: T1.into(),
                company_name: "Contoso".into(),
                primary_domain: Some("contoso.onmicrosoft.com".into()),
                relationship: None,
                tags: vec![],
                source: Location::line("Customers.csv", 2),
            }],
            subscriptions: subs,
            ..Default::default()
        }
    }

    #[test]
    fn offer_shapes() {
        assert_eq!(
            offer_shape("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
            OfferShape::NcePurchasable
        );
        assert_eq!(offer_shape("CFQ7TTC0LH18:0001"), OfferShape::NcePartial);
        assert_eq!(
            offer_shape("796B6B5F-0000-4000-8000-0000000000E3"),
            OfferShape::LegacyGuid
        );
        assert_eq!(offer_shape("MS-AZR-0145P"), OfferShape::LegacyAzure);
        assert_eq!(offer_shape("hello"), OfferShape::Unknown);
    }

    #[test]
    fn actions_follow_status_billing_and_seats() {
        let as_of = day("2026-11-20");
        let mut input = inputs(vec![
            sub(
                "a",
                "Microsoft 365 Business Basic",
                Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
                Some(12),
                "active",
            ),
            sub(
                "b",
                "Microsoft Azure",
                Some("MS-AZR-0145P"),
                Some(1),
                "active",
            ),
            sub("c", "Office 365 E3", None, Some(3), "deleted"),
            sub("d", "Office 365 E1", None, Some(3), "suspended"),
            sub("e", "Office 365 E1", None, None, "active"),
            sub("f", "Office 365 E1", None, Some(2), "frozen"),
        ]);
        let out = classify(&mut input, &OfferMap::default(), as_of);
        let by_id: HashMap<&str, &MigrationRow> = out
            .rows
            .iter()
            .map(|r| (r.source_subscription_id.as_str(), r))
            .collect();
        assert_eq!(by_id["a"].action, Action::Recreate);
        assert_eq!(
            by_id["a"].target_catalog_item.as_deref(),
            Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971")
        );
        assert_eq!(by_id["a"].target_seats, Some(12));
        assert_eq!(by_id["b"].action, Action::MicrosoftSupport);
        assert_eq!(by_id["b"].billing_type, BillingType::Usage);
        assert_eq!(by_id["c"].action, Action::Skip("status is Deleted".into()));
        assert_eq!(
            by_id["d"].action,
            Action::Skip("suspended at source".into())
        );
        assert_eq!(by_id["e"].action, Action::Skip("no seat count".into()));
        assert_eq!(
            by_id["f"].action,
            Action::Skip("unknown status frozen".into())
        );
        assert_eq!(out.customers.len(), 1);
        assert_eq!(out.customers[0].seats_to_move, 12);
        assert_eq!(out.customers[0].azure_subscriptions, 1);
    }

    #[test]
    fn retirement_avoids_double_billing() {
        let as_of = day("2026-11-20");
        let mut inside = sub(
            "a",
            "M365",
            Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
            Some(5),
            "active",
        );
        inside.cancellation_allowed_until = Some(day("2026-11-22"));
        let mut past = sub(
            "b",
            "M365",
            Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971"),
            Some(5),
            "active",
        );
        past.cancellation_allowed_until = Some(day("2026-01-08"));
        past.term_end = Some(day("2026-12-31"));
        let legacy = sub(
            "c",
            "Office 365 E3",
            Some("796B6B5F-0000-4000-8000-0000000000E3"),
            Some(5),
            "active",
        );
        let unknown = sub("d", "Office 365 E3", None, Some(5), "active");
        let out = classify(
            &mut inputs(vec![inside, past, legacy, unknown]),
            &OfferMap::default(),
            as_of,
        );
        let r: HashMap<&str, &MigrationRow> = out
            .rows
            .iter()
            .map(|r| (r.source_subscription_id.as_str(), r))
            .collect();
        assert_eq!(
            r["a"].retirement,
            Retirement::Cancel {
                window_ends: day("2026-11-22")
            }
        );
        assert_eq!(r["a"].double_billing_days, Some(0));
        assert_eq!(
            r["b"].retirement,
            Retirement::StopAutoRenew {
                term_ends: Some(day("2026-12-31"))
            }
        );
        assert_eq!(r["b"].double_billing_days, Some(41));
        assert_eq!(r["c"].retirement, Retirement::Suspend);
        assert!(r["c"].target_catalog_item.is_none());
        assert!(r["c"].warnings.iter().any(|w| w.contains("offer-map")));
        assert_eq!(r["d"].retirement, Retirement::DecideAtRetire);
    }

    #[test]
    fn offer_map_fills_legacy_targets_and_duplicates_are_reported() {
        let mut map = OfferMap::default();
        map.insert_product("Office 365 E3", "CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF");
        let mut a = sub("a", "Office 365 E3", None, Some(4), "active");
        a.billing_cycle = Some(BillingCycle::Monthly);
        let mut dup = sub("A", "Office 365 E3", None, Some(4), "active");
        dup.source = Location::line("other.csv", 7);
        let out = classify(&mut inputs(vec![a, dup]), &map, day("2026-11-20"));
        assert_eq!(out.rows.len(), 1);
        assert_eq!(
            out.rows[0].target_catalog_item.as_deref(),
            Some("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF")
        );
        assert_eq!(
            out.rows[0].target_billing_cycle,
            Some(BillingCycle::Monthly)
        );
        assert_eq!(out.issues.len(), 1);
        assert!(
            out.issues[0]
                .to_string()
                .starts_with("other.csv: line 7: warning: subscription a")
        );
    }

    #[test]
    fn changes_since_export_warn_and_unknown_customers_skip() {
        let mut input = inputs(vec![sub("a", "E3", None, Some(4), "active")]);
        let mut nobody = sub("z", "E3", None, Some(1), "active");
        nobody.customer_tenant_id = None;
        input.subscriptions.push(nobody);
        input.activity.given = true;
        let when = NaiveDateTime::parse_from_str("2026-11-02 10:00:00", "%Y-%m-%d %H:%M:%S")
            .unwrap_or_default();
        input.activity.per_customer.insert(
            T1.into(),
            ChangesSince {
                count: 2,
                last: Some((when, "Changed quantity".into())),
            },
        );
        let out = classify(&mut input, &OfferMap::default(), day("2026-11-20"));
        let a = out.rows.iter().find(|r| r.source_subscription_id == "a");
        assert!(a.is_some_and(|a| {
            a.warnings
                .iter()
                .any(|w| w.contains("changed since the export (2 action(s)"))
        }));
        let z = out.rows.iter().find(|r| r.source_subscription_id == "z");
        assert_eq!(
            z.map(|z| z.action.clone()),
            Some(Action::Skip("customer unknown".into()))
        );
        assert!(
            out.issues
                .iter()
                .any(|i| i.message.starts_with("no customer"))
        );
    }
}
