//! What build wrote into a row's review cells, worked out from the values
//! build kept of that row: a review cell that still holds it was not
//! edited. The Meta sheet keeps only the locked cells, so this follows
//! `classify`'s target rules (seats, cycle and term from the source; the
//! catalog item from a purchasable offer, else from the offer map or
//! nothing, which only a fresh build of the same row can tell), and only on
//! Recreate rows.

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::Trust;
    use crate::sheet::earlier::KEPT;

    fn row(action: &str, offer: &str, review: Vec<(Col, CellValue)>) -> EarlierRow {
        let kept: Vec<&str> = KEPT
            .iter()
            .map(|c| match c {
                Col::Seats => "12",
                Col::BillingCycle => "Monthly",
                Col::Term => "P1Y",
                Col::SourceOfferId => offer,
                Col::Action => action,
                _ => "",
            })
            .collect();
        EarlierRow {
            id: "sub".into(),
            sheet_row: 2,
            kept: kept.join("\u{1f}"),
            review,
            added: Vec::new(),
            trust: Trust::Untouched,
        }
    }

    #[test]
    fn targets_are_build_s_only_on_recreate_rows() {
        let offer = "cfq7ttc0lh18:0001:cfq7ttc0k5bf";
        let r = row("Recreate", offer, Vec::new());
        assert_eq!(written(Col::TargetSeats, &r, None).as_deref(), Some("12"));
        assert_eq!(
            written(Col::TargetCatalogItem, &r, None).as_deref(),
            Some("CFQ7TTC0LH18:0001:CFQ7TTC0K5BF")
        );
        // A blank target where build wrote one is an edit too.
        assert!(edited(Col::TargetSeats, &r));
        let skip = row("Skip: zero seats", offer, Vec::new());
        assert_eq!(written(Col::TargetSeats, &skip, None).as_deref(), Some(""));
        assert!(!edited(Col::TargetSeats, &skip));
    }

    #[test]
    fn a_mapped_or_missing_target_is_told_only_by_the_fresh_row() {
        let seats = (Col::TargetSeats, CellValue::Number(12.0));
        let approved = (Col::Approved, CellValue::Text("ja".into()));
        let legacy = "91FD106F-4B2C-4938-95AC-F54F74E9A239";
        let mapped = row("Recreate", legacy, vec![seats, approved]);
        assert_eq!(written(Col::TargetCatalogItem, &mapped, None), None);
        assert!(
            !edited(Col::TargetSeats, &mapped),
            "12.0 is the 12 build wrote"
        );
        assert!(edited(Col::Approved, &mapped));
        let mut fresh = crate::sheet::cells::blank_row();
        fresh.target_catalog_item = Some("CFQ7TTC0LF8R:0001:CFQ7TTC0K5BC".into());
        assert_eq!(
            written(Col::TargetCatalogItem, &mapped, Some(&fresh)).as_deref(),
            Some("CFQ7TTC0LF8R:0001:CFQ7TTC0K5BC")
        );
    }
}
