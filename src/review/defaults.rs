//! What build wrote into a row's review cells, worked out from the values
//! build kept of that row: a review cell that still holds it was not
//! edited. The Meta sheet keeps only the locked cells, so this follows
//! `classify`'s target rules (seats, cycle and term from the source; the
//! catalog item from a purchasable offer, else nothing with a warning, else
//! the offer map, which only a fresh build of the same row can tell), and
//! only on Recreate rows.

use crate::model::classify::{OfferShape, offer_shape};
use crate::model::{Action, MigrationRow};
use crate::sheet::cells::{normalise, render};
use crate::sheet::layout::{Col, spec_of};
use crate::sheet::{EarlierRow, cells::CellValue};

/// The canonical text of a review cell as typed ("" when blank).
pub fn canonical(col: Col, value: Option<&CellValue>) -> String {
    value.map_or_else(String::new, |v| normalise(spec_of(col).kind, v))
}

/// The canonical text build wrote into review column `col` of `row`, when
/// it can be told; `fresh` is the same row as built now, if any.
pub fn written(col: Col, row: &EarlierRow, fresh: Option<&MigrationRow>) -> Option<String> {
    let from_fresh = || fresh.map(|f| normalise(spec_of(col).kind, &render(f, col)));
    // Build fills targets on Recreate rows only.
    let recreate = row.kept(Col::Action) == Action::Recreate.text();
    match col {
        Col::Approved | Col::ReviewerNote => Some(String::new()),
        Col::TargetSeats | Col::TargetBillingCycle | Col::TargetTerm | Col::TargetCatalogItem
            if !recreate =>
        {
            Some(String::new())
        }
        Col::TargetSeats => Some(row.kept(Col::Seats).to_owned()),
        Col::TargetBillingCycle => Some(row.kept(Col::BillingCycle).to_owned()),
        Col::TargetTerm => Some(row.kept(Col::Term).to_owned()),
        Col::TargetCatalogItem => {
            let offer = row.kept(Col::SourceOfferId).trim();
            if offer_shape(offer) == OfferShape::NcePurchasable {
                Some(offer.to_ascii_uppercase())
            } else if row.kept(Col::Warnings).lines().any(|w| {
                w.starts_with("no target catalog item")
                    || w.starts_with("offer ID has no availability")
            }) {
                Some(String::new())
            } else {
                from_fresh()
            }
        }
        _ => from_fresh(),
    }
}

/// Whether the review cell `col` of `row` differs from what build wrote
/// (a filled cell whose original cannot be told counts as edited).
pub fn edited(col: Col, row: &EarlierRow) -> bool {
    let now = canonical(col, row.review_cell(col));
    match written(col, row, None) {
        Some(was) => now != was,
        None => !now.is_empty(),
    }
}
