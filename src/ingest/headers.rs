//! Header aliases and header-row detection.
//!
//! Partner Center exports are localized and their column order varies by
//! version, so columns are found by name, never by position. The names live
//! as data in `templates/headers/*.toml` (one file per locale, embedded in
//! the binary so the tool is self-contained); this module loads them into
//! one lookup per file kind and finds the header row of a grid wherever it
//! is (title rows above it are normal).

use std::collections::HashMap;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

/// The embedded alias tables, one per locale.
pub const LOCALE_TABLES: &[(&str, &str)] = &[
    ("en", include_str!("../../templates/headers/en.toml")),
    ("zh-TW", include_str!("../../templates/headers/zh-TW.toml")),
    ("zh-CN", include_str!("../../templates/headers/zh-CN.toml")),
    ("ja-JP", include_str!("../../templates/headers/ja-JP.toml")),
    ("ko-KR", include_str!("../../templates/headers/ko-KR.toml")),
    ("ru-RU", include_str!("../../templates/headers/ru-RU.toml")),
    ("de-DE", include_str!("../../templates/headers/de-DE.toml")),
    ("fr-FR", include_str!("../../templates/headers/fr-FR.toml")),
    ("pt-BR", include_str!("../../templates/headers/pt-BR.toml")),
];

/// What a file (or sheet) holds, told by its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Subscriptions,
    Customers,
    Activity,
}

/// A canonical column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    // Subscription exports.
    SubscriptionId,
    OfferName,
    FriendlyName,
    Quantity,
    Status,
    Reseller,
    BillingCycle,
    Term,
    TermEnd,
    StartDate,
    CancellationUntil,
    AutoRenew,
    OfferId,
    ParentSubscriptionId,
    BillingType,
    CustomerTenantId,
    CustomerName,
    CustomerDomain,
    // Customer lists.
    TenantId,
    CompanyName,
    PrimaryDomain,
    Relationship,
    Tags,
    // Activity logs.
    OccurredAt,
    AffectedCustomer,
    Action,
    Actor,
    ActivityStatus,
    Details,
}

impl Field {
    /// The field a TOML key names within a kind's table.
    fn from_key(kind: Kind, key: &str) -> Option<Field> {
        use Field::*;
        Some(match (kind, key) {
            (Kind::Subscriptions, "subscription_id") => SubscriptionId,
            (Kind::Subscriptions, "offer_name") => OfferName,
            (Kind::Subscriptions, "friendly_name") => FriendlyName,
            (Kind::Subscriptions, "quantity") => Quantity,
            (Kind::Subscriptions, "status") => Status,
            (Kind::Subscriptions, "reseller") => Reseller,
            (Kind::Subscriptions, "billing_cycle") => BillingCycle,
            (Kind::Subscriptions, "term") => Term,
            (Kind::Subscriptions, "term_end") => TermEnd,
            (Kind::Subscriptions, "start_date") => StartDate,
            (Kind::Subscriptions, "cancellation_until") => CancellationUntil,
            (Kind::Subscriptions, "auto_renew") => AutoRenew,
            (Kind::Subscriptions, "offer_id") => OfferId,
            (Kind::Subscriptions, "parent_subscription_id") => ParentSubscriptionId,
            (Kind::Subscriptions, "billing_type") => BillingType,
            (Kind::Subscriptions, "customer_tenant_id") => CustomerTenantId,
            (Kind::Subscriptions, "customer_name") => CustomerName,
            (Kind::Subscriptions, "customer_domain") => CustomerDomain,
            (Kind::Customers, "tenant_id") => TenantId,
            (Kind::Customers, "company_name") => CompanyName,
            (Kind::Customers, "primary_domain") => PrimaryDomain,
            (Kind::Customers, "relationship") => Relationship,
            (Kind::Customers, "tags") => Tags,
            (Kind::Activity, "occurred_at") => OccurredAt,
            (Kind::Activity, "affected_customer") => AffectedCustomer,
            (Kind::Activity, "action") => Action,
            (Kind::Activity, "actor") => Actor,
            (Kind::Activity, "status") => ActivityStatus,
            (Kind::Activity, "details") => Details,
            _ => return None,
        })
    }
}

/// Normalise a header or value word for comparison: NFKC (full-width →
/// ASCII), trimmed, lower case, without any space (every Unicode space:
/// NBSP, narrow NBSP, ideographic …), dash (`-` `‐` `–` `—` `−` …), quote
/// or apostrophe (`'` `’` `‘` `"` `“` `”` `«` `»` …), `_`, `/`, a BOM or a
/// zero-width character. Headers typed or exported with typographic
/// punctuation then match the plain aliases.
pub fn norm(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace() && !is_ignored_punctuation(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Punctuation that does not tell one header from another.
fn is_ignored_punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | '_'
            | '/'
            | '\''
            | '"'
            | '`'
            | '\u{b4}'
            | '\u{ab}'
            | '\u{bb}'
            | '\u{2bc}'
            | '\u{2010}'..='\u{2015}'
            | '\u{2018}'..='\u{201f}'
            | '\u{2032}'..='\u{2037}'
            | '\u{2039}'
            | '\u{203a}'
            | '\u{2212}'
            | '\u{fe58}'
            | '\u{fe63}'
            | '\u{300c}'..='\u{300f}'
            | '\u{feff}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{180e}'
    )
}

/// All alias tables merged across locales.
#[derive(Debug, Default)]
pub struct Aliases {
    /// Per kind: normalised header → (field, priority; lower wins).
    pub headers: HashMap<Kind, HashMap<String, (Field, usize)>>,
    /// Value tables (`status`, `billing_cycle`, `boolean`): normalised word →
    /// canonical key (`active`, `monthly`, `yes` …).
    pub values: HashMap<&'static str, HashMap<String, String>>,
    /// Action keywords in check order: (kind key, folded keyword).
    pub actions: Vec<(String, String)>,
    /// Per kind: normalised header → the locales whose tables list it.
    pub header_locales: HashMap<Kind, HashMap<String, Vec<&'static str>>>,
    /// Normalised words that start a totals line, any locale.
    pub totals: Vec<String>,
    /// Per locale: its `[layout]` conventions.
    pub layouts: HashMap<&'static str, Layout>,
}

/// A locale's conventions, evidence for files that do not settle them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Layout {
    /// Excel writes `,` as the decimal mark (and `.` or a space groups).
    pub decimal_comma: bool,
    /// `Some(true)` when `a/b/yyyy` dates are day first.
    pub day_first: Option<bool>,
}

/// The merged tables, parsed once.
pub static ALIASES: LazyLock<Aliases> = LazyLock::new(load);

fn load() -> Aliases {
    let mut out = Aliases::default();
    for (locale, text) in LOCALE_TABLES {
        // A malformed embedded table is a build defect caught by the unit
        // test below; at run time it is skipped rather than panicking.
        let Ok(table) = toml::from_str::<toml::Table>(text) else {
            continue;
        };
        for (section, kind) in [
            ("subscription", Kind::Subscriptions),
            ("customer", Kind::Customers),
            ("activity", Kind::Activity),
        ] {
            for (key, list) in string_lists(&table, section) {
                let Some(field) = Field::from_key(kind, &key) else {
                    continue;
                };
                let locales = out.header_locales.entry(kind).or_default();
                for alias in &list {
                    let l = locales.entry(norm(alias)).or_default();
                    if !l.contains(locale) {
                        l.push(locale);
                    }
                }
                let map = out.headers.entry(kind).or_default();
                for (i, alias) in list.iter().enumerate() {
                    let e = map.entry(norm(alias)).or_insert((field, i));
                    if e.0 == field && i < e.1 {
                        e.1 = i;
                    }
                }
            }
        }
        for section in ["status", "billing_cycle", "boolean"] {
            for (key, list) in string_lists(&table, section) {
                let map = out.values.entry(section).or_default();
                for word in list {
                    map.entry(norm(&word)).or_insert_with(|| key.clone());
                }
            }
        }
        if let Some(toml::Value::Table(layout)) = table.get("layout") {
            let words = layout.get("totals").and_then(toml::Value::as_array);
            out.totals.extend(
                words
                    .into_iter()
                    .flatten()
                    .filter_map(|w| w.as_str().map(norm)),
            );
            let text = |k: &str| layout.get(k).and_then(toml::Value::as_str).unwrap_or("");
            out.layouts.insert(
                locale,
                Layout {
                    decimal_comma: text("decimal") == ",",
                    day_first: (text("date_order") == "day_first").then_some(true),
                },
            );
        }
        for (key, list) in string_lists(&table, "action") {
            for word in list {
                out.actions.push((key.clone(), norm(&word)));
            }
        }
    }
    let order = [
        "other",
        "migration",
        "upgrade",
        "reactivate",
        "suspend",
        "cancel",
        "quantity_change",
        "purchase",
        "subscription_update",
    ];
    out.actions
        .sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(order.len()));
    out
}

fn string_lists(table: &toml::Table, section: &str) -> Vec<(String, Vec<String>)> {
    let Some(toml::Value::Table(t)) = table.get(section) else {
        return Vec::new();
    };
    t.iter()
        .map(|(k, v)| {
            let list = match v {
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            (k.clone(), list)
        })
        .collect()
}

/// A recognised header row: which column holds which field.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    pub kind: Kind,
    /// Index of the header row within the grid's rows.
    pub row_index: usize,
    pub fields: HashMap<Field, usize>,
    /// Columns not mapped to a field: (column, header text as written).
    pub extras: Vec<(usize, String)>,
    /// Whether this looks like the batch-migration tool's file.
    pub batch_migration: bool,
    /// Number of cells in the header row (data beyond it are extras too).
    pub width: usize,
    /// The locale whose aliases name most of the mapped columns (the first
    /// listed on a tie, so English wins when the names are shared).
    pub locale: &'static str,
}

impl HeaderMap {
    pub fn col(&self, f: Field) -> Option<usize> {
        self.fields.get(&f).copied()
    }
}

/// Map one row of header texts to a kind, if it is a header at all.
pub fn match_header(cells: &[String], row_index: usize) -> Option<HeaderMap> {
    let normed: Vec<String> = cells.iter().map(|c| norm(c)).collect();
    for kind in [Kind::Activity, Kind::Subscriptions, Kind::Customers] {
        let Some(table) = ALIASES.headers.get(&kind) else {
            continue;
        };
        let mut best: HashMap<Field, (usize, usize)> = HashMap::new();
        for (col, n) in normed.iter().enumerate() {
            if let Some(&(field, prio)) = table.get(n) {
                let e = best.entry(field).or_insert((prio, col));
                if prio < e.0 {
                    *e = (prio, col);
                }
            }
        }
        if !kind_satisfied(kind, &best) {
            continue;
        }
        let fields: HashMap<Field, usize> = best.iter().map(|(f, (_, c))| (*f, *c)).collect();
        let locale = header_locale(kind, &normed, &fields);
        let mapped: Vec<usize> = fields.values().copied().collect();
        let extras = cells
            .iter()
            .enumerate()
            .filter(|(c, _)| !mapped.contains(c))
            .map(|(c, h)| (c, h.trim().to_owned()))
            .collect();
        let batch_migration = normed
            .iter()
            .any(|n| n == "migrationeligible" || n == "legacysubscriptionid" || n == "ncepsa");
        return Some(HeaderMap {
            kind,
            row_index,
            fields,
            extras,
            batch_migration,
            width: cells.len(),
            locale,
        });
    }
    None
}

/// The locale that names most of a header's mapped columns.
fn header_locale(kind: Kind, normed: &[String], fields: &HashMap<Field, usize>) -> &'static str {
    let Some(table) = ALIASES.header_locales.get(&kind) else {
        return "en";
    };
    let mut best = ("en", 0usize);
    for (locale, _) in LOCALE_TABLES {
        let n = fields
            .values()
            .filter_map(|c| normed.get(*c))
            .filter(|h| table.get(*h).is_some_and(|l| l.contains(locale)))
            .count();
        if n > best.1 {
            best = (locale, n);
        }
    }
    best.0
}

/// Whether a text starts a totals line: a totals word of any locale
/// ("Total", "合計", "Summe", "Итого" …), alone or followed by a
/// non-letter ("Total:", "Summe (EUR)").
pub fn is_totals_word(text: &str) -> bool {
    let n = norm(text);
    ALIASES.totals.iter().any(|w| {
        !w.is_empty()
            && n.strip_prefix(w.as_str())
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphabetic()))
    })
}

/// A locale's layout conventions (the default when it has none).
pub fn layout_of(locale: &str) -> Layout {
    ALIASES.layouts.get(locale).copied().unwrap_or_default()
}

fn kind_satisfied(kind: Kind, f: &HashMap<Field, (usize, usize)>) -> bool {
    let has = |x: Field| f.contains_key(&x);
    match kind {
        Kind::Activity => {
            has(Field::OccurredAt) && has(Field::AffectedCustomer) && has(Field::Action)
        }
        Kind::Subscriptions => {
            has(Field::SubscriptionId)
                && (has(Field::OfferName) || has(Field::Quantity) || has(Field::Status))
        }
        Kind::Customers => has(Field::TenantId) && has(Field::CompanyName),
    }
}

/// How many rows from the top are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 40;

/// Find the header among the first rows of a grid.
pub fn find_header(rows: impl Iterator<Item = Vec<String>>) -> Option<HeaderMap> {
    rows.take(HEADER_SEARCH_ROWS)
        .enumerate()
        .find_map(|(i, cells)| match_header(&cells, i))
}

/// Whether a normalised text is any known header alias (code-page sniffing).
pub fn is_known_alias(normed: &str) -> bool {
    ALIASES.headers.values().any(|m| m.contains_key(normed))
}

/// Map a value through a value table (`status`, `billing_cycle`,
/// `boolean`) to its canonical key.
pub fn value_key(table: &str, text: &str) -> Option<&'static str> {
    let map = ALIASES.values.get(table)?;
    map.get(&norm(text)).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_table_parses_with_known_keys() {
        for (locale, text) in LOCALE_TABLES {
            let table: toml::Table =
                toml::from_str(text).unwrap_or_else(|e| panic!("{locale}: {e}"));
            for (section, kind) in [
                ("subscription", Kind::Subscriptions),
                ("customer", Kind::Customers),
                ("activity", Kind::Activity),
            ] {
                let lists = string_lists(&table, section);
                assert!(!lists.is_empty(), "{locale}: no [{section}]");
                for (key, list) in lists {
                    assert!(
                        Field::from_key(kind, &key).is_some(),
                        "{locale}: [{section}] {key}"
                    );
                    assert!(!list.is_empty(), "{locale}: [{section}] {key} empty");
                }
            }
            for section in ["status", "billing_cycle", "boolean", "action"] {
                assert!(
                    !string_lists(&table, section).is_empty(),
                    "{locale}: no [{section}]"
                );
            }
        }
    }

    #[test]
    fn no_alias_means_two_fields_of_one_kind() -> crate::TestResult {
        for kind in [Kind::Subscriptions, Kind::Customers, Kind::Activity] {
            let section = match kind {
                Kind::Subscriptions => "subscription",
                Kind::Customers => "customer",
                Kind::Activity => "activity",
            };
            let mut seen: HashMap<String, (Field, &str)> = HashMap::new();
            for (locale, text) in LOCALE_TABLES {
                let table: toml::Table = toml::from_str(text)?;
                for (key, list) in string_lists(&table, section) {
                    let field = Field::from_key(kind, &key).ok_or("no value")?;
                    for alias in list {
                        if let Some((other, where_)) = seen.insert(norm(&alias), (field, locale)) {
                            assert_eq!(other, field, "{alias:?} in {locale} and {where_}");
                        }
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn normalisation_ignores_width_case_and_separators() {
        assert_eq!(norm("Ｓｕｂｓｃｒｉｐｔｉｏｎ　ＩＤ"), "subscriptionid");
        assert_eq!(norm("\u{feff} Date-Time "), "datetime");
        assert_eq!(norm("日期 / 時間"), "日期時間");
        assert_eq!(norm("ID d\u{2019}abonnement"), norm("ID d'abonnement"));
        assert_eq!(norm("\u{ab}\u{a0}\u{c9}tat\u{202f}\u{bb}"), norm("État"));
        assert_eq!(norm("Abonnement\u{2013}ID"), norm("Abonnement-ID"));
        assert_eq!(norm("\u{201e}Подписка\u{201c}"), norm("Подписка"));
    }

    #[test]
    fn header_rows_pick_kind_and_prefer_specific_aliases() -> crate::TestResult {
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let h = match_header(
            &row(&[
                "CustomerTenantId",
                "LegacySubscriptionId",
                "LegacyProductName",
                "SeatCount",
                "CurrentSeatCount",
                "Odd",
            ]),
            0,
        )
        .ok_or("no value")?;
        assert_eq!(h.kind, Kind::Subscriptions);
        assert!(h.batch_migration);
        assert_eq!(h.col(Field::Quantity), Some(4));
        assert!(h.extras.iter().any(|(c, t)| *c == 3 && t == "SeatCount"));
        assert!(h.extras.iter().any(|(c, t)| *c == 5 && t == "Odd"));
        let c = match_header(
            &row(&["Microsoft ID", "Company name", "Primary domain name"]),
            2,
        )
        .ok_or("no value")?;
        assert_eq!(c.kind, Kind::Customers);
        let a = match_header(
            &row(&["Date-Time", "Affected customer", "Action", "Partner user"]),
            0,
        )
        .ok_or("no value")?;
        assert_eq!(a.kind, Kind::Activity);
        assert!(match_header(&row(&["Report", "", ""]), 0).is_none());
        assert_eq!(value_key("status", "已暫停"), Some("suspended"));
        assert_eq!(value_key("boolean", "Да"), Some("yes"));
        Ok(())
    }
}
