//! Which customer a per-customer subscription export belongs to.
//!
//! The UI export names no customer, so (DESIGN order) the customer comes
//! from a tenant-id / customer column in the file; else from the file name
//! or its folder name matched against the customer list by tenant ID,
//! primary domain or company name (case-, width- and space-insensitive,
//! ignoring words like "subscriptions"/"export" and dates people add);
//! else one issue for the file. Never a guess: a name that fits several
//! customers is an issue too.

use std::collections::HashMap;
use std::path::Path;

use super::customers::CustomerIndex;
use super::subscriptions::{ParsedSub, normalise_id};
use crate::model::classify::is_guid;
use crate::model::{Customer, Issue, Location, name_key};

/// Words people put around a customer's name in export file names.
const NOISE: &[&str] = &[
    "subscriptions",
    "subscription",
    "subs",
    "sub",
    "export",
    "exports",
    "exported",
    "list",
    "data",
    "csp",
    "partnercenter",
    "pc",
    "copy",
    "final",
    "all",
    "customer",
    "订阅",
    "訂閱",
    "サブスクリプション",
    "구독",
    "подписки",
    "abonnements",
    "abonnemente",
    "assinaturas",
];

/// The result of looking a name up.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    One(usize),
    /// Several customers fit: their indices.
    Several(Vec<usize>),
    None,
}

/// Match a file by its name, then its folder's name.
pub fn by_path(path: &Path, customers: &[Customer], ix: &CustomerIndex) -> Match {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let mut several = None;
    for candidate in [stem, folder] {
        match by_text(candidate, customers, ix) {
            Match::One(i) => return Match::One(i),
            Match::Several(v) => several = several.or(Some(v)),
            Match::None => {}
        }
    }
    several.map_or(Match::None, Match::Several)
}

/// Match one name text: a tenant GUID in it, then domain, then company.
pub fn by_text(text: &str, _customers: &[Customer], ix: &CustomerIndex) -> Match {
    if text.trim().is_empty() {
        return Match::None;
    }
    for g in guids_in(text) {
        if let Some(&i) = ix.by_tenant.get(&g) {
            return Match::One(i);
        }
    }
    let mut several = None;
    for key in candidate_keys(text) {
        for map in [&ix.by_domain, &ix.by_name] {
            match map.get(&key).map(Vec::as_slice) {
                Some([i]) => return Match::One(*i),
                Some(v) if v.len() > 1 => several = several.or_else(|| Some(v.to_vec())),
                _ => {}
            }
        }
    }
    several.map_or(Match::None, Match::Several)
}

/// The whole text, then the text without noise words and dates at its ends.
fn candidate_keys(text: &str) -> Vec<String> {
    let mut keys = vec![name_key(text)];
    let tokens: Vec<&str> = text
        .split([' ', '_', '-', '(', ')', '[', ']', '　', '+'])
        .filter(|t| !t.is_empty())
        .collect();
    let noise = |t: &&str| {
        let k = name_key(t);
        k.is_empty()
            || NOISE.contains(&k.as_str())
            || t.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    let start = tokens
        .iter()
        .position(|t| !noise(t))
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|t| !noise(t))
        .map_or(start, |i| i + 1);
    if start < end {
        let stripped = name_key(&tokens[start..end].join(" "));
        if !keys.contains(&stripped) {
            keys.push(stripped);
        }
    }
    keys.retain(|k| !k.is_empty());
    keys
}

/// Lower-case GUIDs found anywhere in a text.
pub fn guids_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        if b[i].is_ascii_hexdigit()
            && let Ok(s) = std::str::from_utf8(&b[i..i + 36])
            && is_guid(s)
        {
            out.push(s.to_ascii_lowercase());
            i += 36;
            continue;
        }
        i += 1;
    }
    out
}

/// Attribute the rows of one subscription table in place. `file_match`
/// is the file/folder-name match, used only for rows the file's own
/// columns do not attribute. Issues: one per distinct unmatched name in a
/// customer column, and one for the file when rows stay unattributed.
pub fn attribute_rows(
    rows: &mut [ParsedSub],
    file: &str,
    file_match: &Match,
    customers: &[Customer],
    ix: &CustomerIndex,
    issues: &mut Vec<Issue>,
) {
    let mut unmatched: HashMap<String, (Location, u32)> = HashMap::new();
    let mut unattributed = 0u32;
    for p in rows.iter_mut() {
        let sub = &mut p.sub;
        if sub
            .customer_tenant_id
            .as_deref()
            .is_some_and(|t| !t.is_empty())
        {
            continue;
        }
        let by_column = p
            .customer_domain
            .as_deref()
            .map(|d| by_text(d, customers, ix))
            .filter(|m| matches!(m, Match::One(_)))
            .or_else(|| {
                sub.customer_name
                    .as_deref()
                    .map(|n| by_text(n, customers, ix))
            });
        let chosen = match (&by_column, file_match) {
            (Some(Match::One(i)), _) => Some(*i),
            (Some(_), _) if sub.customer_name.is_some() => {
                let name = sub.customer_name.clone().unwrap_or_default();
                let e = unmatched.entry(name).or_insert((sub.source.clone(), 0));
                e.1 += 1;
                None
            }
            (_, Match::One(i)) => Some(*i),
            _ => None,
        };
        match chosen.and_then(|i| customers.get(i)) {
            Some(c) => {
                sub.customer_tenant_id = Some(normalise_id(&c.tenant_id));
                sub.customer_name
                    .get_or_insert_with(|| c.company_name.clone());
            }
            None => unattributed += 1,
        }
    }
    let mut names: Vec<_> = unmatched.into_iter().collect();
    names.sort_by(|a, b| a.1.0.cmp(&b.1.0));
    for (name, (loc, n)) in names {
        issues.push(Issue::error(
            loc,
            format!(
                "customer \"{name}\" ({n} rows) matches no single customer in the customer list"
            ),
        ));
    }
    if unattributed > 0 && !matches!(file_match, Match::One(_)) {
        let why = match file_match {
            Match::Several(v) => format!(
                "its name fits {} customers ({})",
                v.len(),
                v.iter()
                    .filter_map(|i| customers.get(*i))
                    .map(|c| c.company_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ if customers.is_empty() => "no customer list was given (--customers)".to_owned(),
            _ => "neither the file nor its folder name matches a customer's tenant ID, domain or company name".to_owned(),
        };
        issues.push(Issue::error(
            Location::file(file),
            format!("cannot tell which customer these {unattributed} subscription(s) belong to: {why}; rename the file after the customer or add a customer column"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(t: &str, name: &str, domain: &str) -> Customer {
        Customer {
            tenant_id: t.into(),
            company_name: name.into(),
            primary_domain: Some(domain.into()),
            relationship: None,
            tags: vec![],
            source: Location::file("c.csv"),
        }
    }

    #[test]
    fn names_domains_and_guids_in_file_names() {
        let cs = vec![
            customer(
                "11111111-1111-1111-1111-111111111111",
                "Contoso Ltd.",
                "contoso.onmicrosoft.com",
            ),
            customer(
                "22222222-2222-2222-2222-222222222222",
                "Fabrikam",
                "fabrikam.com",
            ),
            customer("33333333-3333-3333-3333-333333333333", "Twin", "twin1.com"),
            customer("44444444-4444-4444-4444-444444444444", "Twin", "twin2.com"),
        ];
        let ix = CustomerIndex::new(&cs);
        let m = |p: &str| by_path(Path::new(p), &cs, &ix);
        assert_eq!(
            m("x/contoso-ltd_subscriptions_2024-05-01.xlsx"),
            Match::One(0)
        );
        assert_eq!(m("x/Subscriptions - CONTOSO LTD (1).csv"), Match::One(0));
        assert_eq!(m("x/contoso.onmicrosoft.com.xlsx"), Match::One(0));
        assert_eq!(
            m("x/export 22222222-2222-2222-2222-222222222222.xlsx"),
            Match::One(1)
        );
        assert_eq!(m("Fabrikam/export.xlsx"), Match::One(1));
        assert_eq!(m("x/twin.xlsx"), Match::Several(vec![2, 3]));
        assert_eq!(m("x/unknown.xlsx"), Match::None);
    }
}
