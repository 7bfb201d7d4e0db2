//! Why a table's header was not recognised, when it almost was.
//!
//! "No recognised header" sends a person hunting through a file whose
//! header looks right to them. When a row near the top names most of a
//! file kind's columns but misses one it needs (a header typed as
//! `Abo‐Nr.` instead of `Abonnement-ID`), the issue says which row, which
//! columns were understood and which texts were not.

use super::headers::{ALIASES, Field, HEADER_SEARCH_ROWS, Kind, norm};
use super::row_shape::shorten;
use super::table::Grid;
use crate::model::{Issue, Location};

/// A row that is almost a header: the best one found.
pub struct NearMiss {
    /// How many of the kind's columns it names.
    pub score: usize,
    pub issue: Issue,
}

/// The columns a kind cannot do without, with the name a person knows.
fn required(kind: Kind) -> &'static [(Field, &'static str)] {
    match kind {
        Kind::Subscriptions => &[(Field::SubscriptionId, "Subscription ID")],
        Kind::Customers => &[
            (Field::TenantId, "Microsoft ID"),
            (Field::CompanyName, "Company name"),
        ],
        Kind::Activity => &[
            (Field::OccurredAt, "Date-Time"),
            (Field::AffectedCustomer, "Affected customer"),
            (Field::Action, "Action"),
        ],
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Subscriptions => "subscription export",
        Kind::Customers => "customer list",
        Kind::Activity => "activity log",
    }
}

/// Cells of a row considered as header candidates.
const MAX_HEADER_CELLS: usize = 1024;

/// The row of `grid` that comes closest to a header (at least two known
/// columns of one kind), as an issue at that row.
pub fn near_miss(file: &str, grid: &Grid) -> Option<NearMiss> {
    let mut best: Option<NearMiss> = None;
    for row in grid.rows.iter().take(HEADER_SEARCH_ROWS) {
        // A header has at most a few hundred columns; a hostile row of a
        // million cells must not cost a million lookups per kind.
        let texts: Vec<String> = row
            .cells
            .iter()
            .take(MAX_HEADER_CELLS)
            .map(|c| c.text().into_owned())
            .collect();
        for kind in [Kind::Subscriptions, Kind::Customers, Kind::Activity] {
            let Some(table) = ALIASES.headers.get(&kind) else {
                continue;
            };
            let mut known: Vec<(Field, &str)> = Vec::new();
            let mut unknown: Vec<&str> = Vec::new();
            for t in texts.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
                match table.get(&norm(t)) {
                    Some((f, _)) if !known.iter().any(|(k, _)| k == f) => known.push((*f, t)),
                    Some(_) => {}
                    None => unknown.push(t),
                }
            }
            let score = known.len();
            if score < 2 || best.as_ref().is_some_and(|b| b.score >= score) {
                continue;
            }
            let missing: Vec<&str> = required(kind)
                .iter()
                .filter(|(f, _)| !known.iter().any(|(k, _)| k == f))
                .map(|(_, n)| *n)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let quote = |v: &[&str]| {
                v.iter()
                    .map(|t| format!("\"{}\"", shorten(t, 40)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let understood: Vec<&str> = known.iter().map(|(_, t)| *t).collect();
            let not_understood = if unknown.is_empty() {
                "every other header was understood".to_owned()
            } else {
                format!("not understood: {}", quote(&unknown))
            };
            let message = format!(
                "no recognised header: this row looks like a {}'s header ({} understood) but has no {} column ({not_understood}): file skipped",
                kind_name(kind),
                quote(&understood),
                missing.join(", "),
            );
            let at: Location = grid.row_loc(file, row);
            best = Some(NearMiss {
                score,
                issue: Issue::error(at, message),
            });
        }
    }
    best
}
