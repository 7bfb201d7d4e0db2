//! Subscription rows from any subscription-shaped table: the per-customer
//! UI export, the batch-migration tool's `subscriptions.csv`, or a file
//! `pull` wrote from the API.
//!
//! Works on a [`Grid`] whose header row was recognised, so the same code
//! reads every locale and file type. Values are normalised (IDs lower
//! case, counts whole, dates resolved without guessing, status and billing
//! words mapped to the model's enums); anything that cannot be used becomes
//! an issue at its cell and the rest of the row is still read.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use super::headers::{Field, HeaderMap, layout_of, value_key};
use super::numbers::{DotGroups, FileEvidence, column_evidence, is_dotted_date, parse_count};
pub use super::row_shape::normalise_id;
use super::row_shape::{IdShape, RowKind, row_kind, shorten};
use super::table::{Cell, Grid, Row};
use super::values::{RawDate, Resolved, parse_bool, quantity_from_f64, scan_date};
use crate::model::{
    BillingCycle, BillingType, Commerce, Issue, Location, SourceSubscription, SubStatus,
    col_letters, parse_term,
};

/// What a subscription table is read with.
pub struct SheetCtx<'a> {
    pub file: &'a Arc<str>,
    pub grid: &'a Grid,
    pub header: &'a HeaderMap,
    /// From `--day-first`, else `None`.
    pub day_first: Option<bool>,
    pub exported_at: Option<NaiveDateTime>,
}

/// A subscription plus what only attribution needs.
#[derive(Debug, Clone)]
pub struct ParsedSub {
    pub sub: SourceSubscription,
    /// The customer's domain, when the file has such a column.
    pub customer_domain: Option<String>,
}

const DATE_FIELDS: [Field; 3] = [Field::TermEnd, Field::StartDate, Field::CancellationUntil];

/// Read every data row below the header. Rows that are not subscriptions
/// (totals lines, footnotes, a second table) are left out with an issue
/// each; a later header row of the same kind (concatenated exports, a
/// second table with its own columns) maps the rows below it.
pub fn read_subscriptions(ctx: &SheetCtx<'_>) -> (Vec<ParsedSub>, Vec<Issue>) {
    let h = ctx.header;
    let data = ctx.grid.rows.iter().skip(h.row_index + 1);
    let date_cols: Vec<usize> = DATE_FIELDS.iter().filter_map(|f| h.col(*f)).collect();
    // The batch-migration tool writes invariant-culture dates (MM/dd/yyyy).
    let default_order = h.batch_migration.then_some(false);
    // Then the header's language: de, fr, ru and pt-BR write d/M/yyyy.
    let order = ctx
        .day_first
        .or_else(|| file_date_order(data.clone(), &date_cols))
        .or(default_order)
        .or(layout_of(h.locale).day_first);
    let shape = IdShape::of(data.clone(), h.col(Field::SubscriptionId));
    let dot_groups = quantity_format(ctx, &date_cols);
    let mut later: Option<HeaderMap> = None;
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for row in data {
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        let here = SheetCtx {
            header: later.as_ref().unwrap_or(h),
            ..*ctx
        };
        match row_kind((ctx.file, ctx.grid), here.header, row, shape) {
            RowKind::Subscription => {
                if let Some(p) = read_row(&here, row, (order, dot_groups), &mut issues) {
                    out.push(p);
                }
            }
            RowKind::Header(next) => later = Some(next),
            RowKind::Not(issue) => issues.push(issue),
        }
    }
    (out, issues)
}

/// Which mark groups thousands in the Quantity column: its own values
/// first, else the file's dates, delimiter and header language.
fn quantity_format(ctx: &SheetCtx<'_>, date_cols: &[usize]) -> DotGroups {
    let h = ctx.header;
    let data = || ctx.grid.rows.iter().skip(h.row_index + 1);
    let texts = |c: usize| {
        data().filter_map(move |r| match r.get(c) {
            Cell::Text(t) => Some(t.as_str()),
            _ => None,
        })
    };
    let column = h
        .col(Field::Quantity)
        .and_then(|c| column_evidence(texts(c)));
    let file = FileEvidence {
        delimiter: ctx.grid.delimiter,
        locale: h.locale,
        dotted_dates: date_cols.iter().any(|c| texts(*c).any(is_dotted_date)),
    };
    column.or_else(|| file.dot_groups())
}

/// The day/month order a file's slashed dates show unambiguously, if any
/// (and only if all its evidence agrees).
pub fn file_date_order<'a>(rows: impl Iterator<Item = &'a Row>, cols: &[usize]) -> Option<bool> {
    let (mut day_first, mut month_first) = (false, false);
    for row in rows {
        for &c in cols {
            if let Cell::Text(t) = row.get(c)
                && let Some(e) = scan_date(t).and_then(|d| d.evidence())
            {
                day_first |= e;
                month_first |= !e;
            }
        }
    }
    match (day_first, month_first) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// A date cell, resolved with the file's order; issues at the cell.
pub fn cell_datetime(
    cell: &Cell,
    order: Option<bool>,
    loc: impl FnOnce() -> Location,
    issues: &mut Vec<Issue>,
) -> Option<NaiveDateTime> {
    let raw = match cell {
        Cell::Date(d) => return Some(*d),
        Cell::Number(n) => return super::values::from_excel_serial(*n),
        Cell::Text(t) if !t.trim().is_empty() => t.trim(),
        _ => return None,
    };
    match scan_date(raw).map(|d| (d, d.resolve(order))) {
        Some((_, Resolved::Ok(d))) => Some(d),
        Some((RawDate::Slashed { a, b, year, .. }, Resolved::Ambiguous)) => {
            issues.push(Issue::error(
                loc(),
                format!(
                    "date \"{raw}\" is ambiguous: {a}/{b}/{year} can be day/month or month/day; pass --day-first or --month-first"
                ),
            ));
            None
        }
        _ => {
            let raw = shorten(raw, 60);
            issues.push(Issue::error(loc(), format!("\"{raw}\" is not a date")));
            None
        }
    }
}

fn read_row(
    ctx: &SheetCtx<'_>,
    row: &Row,
    (order, dot_groups): (Option<bool>, DotGroups),
    issues: &mut Vec<Issue>,
) -> Option<ParsedSub> {
    let h = ctx.header;
    let file = ctx.file.as_ref();
    let text = |f: Field| -> Option<String> {
        let t = row.get(h.col(f)?).text();
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    let cell_loc = |f: Field| ctx.grid.cell_loc(file, row, h.col(f).unwrap_or(0));
    let id = normalise_id(&text(Field::SubscriptionId).unwrap_or_default());
    let date = |f: Field, issues: &mut Vec<Issue>| {
        let c = h.col(f)?;
        cell_datetime(
            row.get(c),
            order,
            || ctx.grid.cell_loc(file, row, c),
            issues,
        )
        .map(|d| d.date())
    };
    let mut sub = SourceSubscription {
        subscription_id: id,
        customer_tenant_id: text(Field::CustomerTenantId).map(|t| normalise_id(&t)),
        customer_name: text(Field::CustomerName),
        product: text(Field::OfferName).unwrap_or_default(),
        offer_id: text(Field::OfferId),
        nickname: text(Field::FriendlyName),
        status: text(Field::Status).map(|t| status_of(&t)),
        quantity: None,
        billing_type: text(Field::BillingType).and_then(|t| BillingType::parse(&t)),
        commerce: None,
        target_offer_id: None,
        billing_cycle: text(Field::BillingCycle).map(|t| cycle_of(&t)),
        term: None,
        term_end: date(Field::TermEnd, issues),
        start_date: date(Field::StartDate, issues),
        cancellation_allowed_until: date(Field::CancellationUntil, issues),
        auto_renew: None,
        reseller: text(Field::Reseller),
        parent_subscription_id: text(Field::ParentSubscriptionId).map(|t| normalise_id(&t)),
        exported_at: ctx.exported_at,
        extras: Vec::new(),
        source: ctx.grid.row_loc(file, row),
    };
    if let Some(c) = h.col(Field::Quantity) {
        let loc = || ctx.grid.cell_loc(file, row, c);
        sub.quantity = quantity_of(row.get(c), dot_groups, loc, issues);
    }
    if let Some(t) = text(Field::Term) {
        sub.term = term_of(&t);
        if sub.term.is_none() {
            issues.push(Issue::warning(
                cell_loc(Field::Term),
                format!("term \"{}\" not understood", shorten(&t, 60)),
            ));
        }
    }
    if let Some(c) = h.col(Field::AutoRenew) {
        sub.auto_renew = match row.get(c) {
            Cell::Bool(b) => Some(*b),
            Cell::Number(n) => Some(*n != 0.0),
            cell if cell.is_blank() => None,
            cell => {
                let t = cell.text();
                let b = parse_bool(&t);
                if b.is_none() {
                    issues.push(Issue::warning(
                        cell_loc(Field::AutoRenew),
                        format!("auto-renew \"{}\" is not yes or no", shorten(&t, 60)),
                    ));
                }
                b
            }
        };
    }
    let beyond = (h.width..row.cells.len()).map(|c| (c, String::new()));
    for (c, header) in h.extras.iter().cloned().chain(beyond) {
        let v = row.get(c).text();
        if !v.trim().is_empty() {
            let name = if header.is_empty() {
                let abs = ctx
                    .grid
                    .col_offset
                    .saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
                format!("Column {}", col_letters(abs))
            } else {
                header
            };
            sub.extras.push((name, v.into_owned()));
        }
    }
    if h.batch_migration {
        batch_migration_facts(&mut sub);
    }
    let customer_domain = text(Field::CustomerDomain).map(|d| d.to_lowercase());
    Some(ParsedSub {
        sub,
        customer_domain,
    })
}

/// What the batch-migration tool's file says without a mapped column: it
/// lists legacy subscriptions only (`LegacySubscriptionId`), each with the
/// new-commerce item it becomes (`NcePsa`, kept among the extras).
fn batch_migration_facts(sub: &mut SourceSubscription) {
    sub.commerce = Some(Commerce::Legacy);
    sub.target_offer_id = sub
        .extras
        .iter()
        .find(|(h, v)| super::headers::norm(h) == "ncepsa" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned());
}

fn quantity_of(
    cell: &Cell,
    dot_groups: DotGroups,
    loc: impl FnOnce() -> Location,
    issues: &mut Vec<Issue>,
) -> Option<u32> {
    let r = match cell {
        Cell::Number(n) => quantity_from_f64(*n),
        c if c.is_blank() => return None,
        c => parse_count(&c.text(), dot_groups),
    };
    match r {
        Ok(q) => Some(q),
        Err(e) => {
            let shown = shorten(cell.text().trim(), 60);
            issues.push(Issue::error(loc(), e.message(&shown)));
            None
        }
    }
}

/// A status word in any locale → the model's enum (unknown kept).
pub fn status_of(t: &str) -> SubStatus {
    value_key("status", t).map_or_else(|| SubStatus::parse(t), SubStatus::parse)
}

/// A billing-cycle word in any locale → the model's enum (unknown kept).
pub fn cycle_of(t: &str) -> BillingCycle {
    match value_key("billing_cycle", t) {
        Some(k) => BillingCycle::parse(k),
        None => BillingCycle::parse(t),
    }
}

/// A term as ISO 8601, also from localized phrases ("1 год", "3 Jahre", "1年").
pub fn term_of(t: &str) -> Option<String> {
    if let Some(iso) = parse_term(t) {
        return Some(iso);
    }
    let lower = t.trim().to_lowercase();
    let digits: String = lower.chars().take_while(char::is_ascii_digit).collect();
    let n = if digits.is_empty() {
        "1".to_owned()
    } else {
        digits
    };
    let rest = lower.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    const YEAR: &[&str] = &["年", "год", "лет", "jahr", "an", "ano", "년", "year"];
    const MONTH: &[&str] = &[
        "月",
        "месяц",
        "monat",
        "mois",
        "mês",
        "mes",
        "개월",
        "month",
    ];
    if MONTH
        .iter()
        .any(|w| rest.starts_with(w) || rest.contains("个月") || rest.contains("か月"))
    {
        return Some(format!("P{n}M"));
    }
    if YEAR.iter().any(|w| rest.starts_with(w)) {
        return Some(format!("P{n}Y"));
    }
    None
}

/// A date cell read alone (no ambiguity resolution beyond `order`).
pub fn date_of(cell: &Cell, order: Option<bool>) -> Option<NaiveDate> {
    let mut sink = Vec::new();
    cell_datetime(cell, order, || Location::file(""), &mut sink).map(|d| d.date())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localized_words_map_to_enums() {
        assert_eq!(status_of("已暫停"), SubStatus::Suspended);
        assert_eq!(status_of("Приостановлено"), SubStatus::Suspended);
        assert_eq!(status_of("アクティブ"), SubStatus::Active);
        assert_eq!(status_of("weird"), SubStatus::Other("weird".into()));
        assert_eq!(cycle_of("Jährlich"), BillingCycle::Annual);
        assert_eq!(cycle_of("每月"), BillingCycle::Monthly);
        assert_eq!(term_of("1 год").as_deref(), Some("P1Y"));
        assert_eq!(term_of("3 Jahre").as_deref(), Some("P3Y"));
        assert_eq!(term_of("1年").as_deref(), Some("P1Y"));
        assert_eq!(term_of("1 mois").as_deref(), Some("P1M"));
        assert_eq!(term_of("P1Y").as_deref(), Some("P1Y"));
        assert_eq!(term_of("whenever"), None);
        assert_eq!(normalise_id(" {ABC-1} "), "abc-1");
    }
}
