//! The customer list ("Export customers", the batch-migration tool's
//! `customers.csv`, or `pull`'s file), and the index attribution and the
//! activity join look customers up in.
//!
//! Several lists may be given; a tenant listed twice is kept once (the
//! first) and the repeat becomes a warning, because two names for one
//! tenant would make joins by name unreliable. A totals line or footnote
//! under the list is not a customer (an info issue naming the row).

use std::collections::HashMap;
use std::sync::Arc;

use super::headers::{Field, HeaderMap};
use super::row_shape::{excerpt, is_totals};
use super::subscriptions::normalise_id;
use super::table::{Cell, Grid};
use crate::model::classify::is_guid;
use crate::model::{Customer, Issue, Relationship, name_key};

/// Read the customers of one recognised customer table.
pub fn read_customers(file: &Arc<str>, grid: &Grid, h: &HeaderMap) -> (Vec<Customer>, Vec<Issue>) {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for row in grid.rows.iter().skip(h.row_index + 1) {
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        let text = |f: Field| -> Option<String> {
            let t = row.get(h.col(f)?).text();
            let t = t.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let loc = |f: Field| grid.cell_loc(file, row, h.col(f).unwrap_or(0));
        // A totals line or a footnote under the list is not a customer.
        let company = text(Field::CompanyName);
        if is_totals(row)
            || (company.is_none() && text(Field::TenantId).is_some_and(|t| !is_guid(&t)))
        {
            issues.push(Issue::info(
                grid.row_loc(file, row),
                format!("\"{}\" is not a customer: ignored", excerpt(row)),
            ));
            continue;
        }
        let Some(tenant) = text(Field::TenantId).map(|t| normalise_id(&t)) else {
            issues.push(Issue::warning(
                loc(Field::TenantId),
                "customer row has no Microsoft ID: not read",
            ));
            continue;
        };
        if !is_guid(&tenant) {
            issues.push(Issue::warning(
                loc(Field::TenantId),
                format!(
                    "Microsoft ID \"{}\" is not a GUID",
                    super::row_shape::shorten(&tenant, 60)
                ),
            ));
        }
        let company_name = company.unwrap_or_default();
        if company_name.is_empty() {
            issues.push(Issue::warning(
                loc(Field::CompanyName),
                "customer has no company name",
            ));
        }
        out.push(Customer {
            tenant_id: tenant,
            company_name,
            primary_domain: text(Field::PrimaryDomain).map(|d| d.to_lowercase()),
            relationship: text(Field::Relationship).map(|r| Relationship::parse(&r)),
            tags: text(Field::Tags)
                .map(|t| {
                    t.split([',', ';', '|', '、'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            source: grid.row_loc(file, row),
        });
    }
    (out, issues)
}

/// Drop repeated tenants (first wins), with a warning per repeat.
pub fn dedupe(customers: &mut Vec<Customer>, issues: &mut Vec<Issue>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut keep = Vec::with_capacity(customers.len());
    for c in customers.drain(..) {
        if let Some(&i) = seen.get(&c.tenant_id) {
            let first: &Customer = &keep[i];
            issues.push(Issue::warning(
                c.source.clone(),
                format!(
                    "customer {} is listed again (first at {}): this row is ignored",
                    c.tenant_id, first.source
                ),
            ));
            continue;
        }
        seen.insert(c.tenant_id.clone(), keep.len());
        keep.push(c);
    }
    *customers = keep;
}

/// Customers by tenant ID, primary domain and company name.
#[derive(Debug, Default)]
pub struct CustomerIndex {
    pub by_tenant: HashMap<String, usize>,
    /// name_key(domain) → customers (normally one).
    pub by_domain: HashMap<String, Vec<usize>>,
    /// name_key(company name) → customers (several when names repeat).
    pub by_name: HashMap<String, Vec<usize>>,
}

impl CustomerIndex {
    pub fn new(customers: &[Customer]) -> Self {
        let mut ix = CustomerIndex::default();
        for (i, c) in customers.iter().enumerate() {
            ix.by_tenant.entry(c.tenant_id.clone()).or_insert(i);
            if let Some(d) = &c.primary_domain {
                ix.by_domain.entry(name_key(d)).or_default().push(i);
            }
            let k = name_key(&c.company_name);
            if !k.is_empty() {
                ix.by_name.entry(k).or_default().push(i);
            }
        }
        ix
    }
}
