//! The rules a reviewed row must pass before push may buy it.
//!
//! Always blocking: an edited locked cell (named with old and new value), a
//! row whose key is not in the Meta sheet (added by hand), an Approved cell
//! we cannot read. Blocking on approved rows: Action not Recreate, no
//! customer tenant ID, target seats not a whole number ≥ 1, a missing or
//! malformed target catalog item, an unreadable target billing cycle or
//! term, a new-commerce item without term or billing cycle, and the same
//! subscription approved on two rows.

use std::collections::HashMap;

use super::{LineCells, LineItem, Problem, PurchasePath};
use crate::model::classify::{OfferShape, is_guid, offer_shape};
use crate::model::{Action, BillingCycle, Location, ReviewDecision, parse_term};
use crate::sheet::layout::{key_of, parse_yes_no, spec_of};
use crate::sheet::{Col, MIGRATION_SHEET, ReviewedBook, ReviewedRow};

/// Approved sheet rows per subscription key.
pub(super) type Approvals = HashMap<String, Vec<u32>>;

pub(super) fn approvals(book: &ReviewedBook) -> Approvals {
    let mut map: Approvals = HashMap::new();
    for r in book.rows.iter().filter(|r| r.row.approved) {
        map.entry(key_of(&r.row.source_subscription_id))
            .or_default()
            .push(r.sheet_row);
    }
    map
}

/// Collects a row's problems.
struct Check<'a> {
    book: &'a ReviewedBook,
    row: &'a ReviewedRow,
    problems: Vec<Problem>,
}

impl Check<'_> {
    fn push(&mut self, blocking: bool, col: Col, message: String) {
        self.problems.push(Problem {
            blocking,
            location: self.book.cell(self.row, col).to_string(),
            message,
            source_subscription_id: Some(self.row.row.source_subscription_id.clone()),
        });
    }

    fn block(&mut self, col: Col, message: String) {
        self.push(true, col, message);
    }

    fn blocked(&self) -> bool {
        self.problems.iter().any(|p| p.blocking)
    }
}

/// Check one row; an approved row without blocking problems becomes a
/// line item.
pub(super) fn check_row(
    book: &ReviewedBook,
    row: &ReviewedRow,
    approvals: &Approvals,
) -> (Option<LineItem>, Vec<Problem>) {
    let mut check = Check {
        book,
        row,
        problems: Vec::new(),
    };
    always(&mut check);
    if !row.row.approved {
        return (None, check.problems);
    }
    approved(&mut check, approvals);
    let path = purchase_path(row);
    targets(&mut check, path);
    if check.blocked() {
        return (None, check.problems);
    }
    let item = path.and_then(|path| line_item(book, row, path));
    (item, check.problems)
}

fn always(check: &mut Check) {
    let row = check.row;
    for edit in &row.locked_edits {
        let header = spec_of(edit.col).header;
        check.block(
            edit.col,
            format!(
                "locked cell edited: {header} was {:?}, now {:?}; build owns this column, undo the edit or rebuild the workbook",
                edit.original, edit.found
            ),
        );
    }
    if row.meta_row.is_none() {
        check.block(
            Col::SourceSubscriptionId,
            format!(
                "subscription {:?} is not in the Meta sheet: this row was added by hand, copied, or its ID was edited; only rows build wrote can be pushed",
                row.row.source_subscription_id
            ),
        );
    }
    if parse_yes_no(&row.raw.approved).is_none() {
        check.block(
            Col::Approved,
            format!(
                "Approved must be Yes or No (empty means No), found {:?}",
                row.raw.approved
            ),
        );
    }
}

fn approved(check: &mut Check, approvals: &Approvals) {
    let row = &check.row.row;
    if row.action != Action::Recreate {
        check.block(
            Col::Approved,
            format!(
                "approved, but the Action is {:?}: only Recreate rows can be pushed; set Approved to No",
                row.action.text()
            ),
        );
    }
    if row.tenant_id.trim().is_empty() {
        check.block(
            Col::TenantId,
            "approved, but the customer has no tenant ID: add the customer to the customer list and rebuild".to_owned(),
        );
    } else if !is_guid(&row.tenant_id) {
        check.block(
            Col::TenantId,
            format!("customer tenant ID {:?} is not a GUID", row.tenant_id),
        );
    }
    let key = key_of(&row.source_subscription_id);
    if let Some(rows) = approvals.get(&key).filter(|r| r.len() > 1) {
        let others: Vec<String> = rows
            .iter()
            .map(|r| Location::row("", MIGRATION_SHEET, *r).place_text())
            .collect();
        check.block(
            Col::SourceSubscriptionId,
            format!(
                "subscription {} is approved on {} rows ({}); approve it once",
                row.source_subscription_id,
                rows.len(),
                others.join(", ")
            ),
        );
    }
    if let Some(c) = row.changes_since_export.as_ref().filter(|c| c.count > 0) {
        check.push(
            false,
            Col::ChangesSinceExport,
            format!(
                "{} subscription change(s) since the export: check the seat count is still right",
                c.count
            ),
        );
    }
}

/// Cart for `PRODUCT:SKU:AVAILABILITY`, order for a legacy GUID.
fn purchase_path(row: &ReviewedRow) -> Option<PurchasePath> {
    match offer_shape(row.row.target_catalog_item.as_deref()?) {
        OfferShape::NcePurchasable => Some(PurchasePath::Cart),
        OfferShape::LegacyGuid => Some(PurchasePath::Order),
        _ => None,
    }
}

fn targets(check: &mut Check, path: Option<PurchasePath>) {
    seats_and_item(check, path);
    cycle_and_term(check, path);
}

fn seats_and_item(check: &mut Check, path: Option<PurchasePath>) {
    let row = check.row;
    let raw = &row.raw;
    if row.row.target_seats.is_none() {
        let found = if raw.target_seats.is_empty() {
            "nothing".to_owned()
        } else {
            format!("{:?}", raw.target_seats)
        };
        check.block(
            Col::TargetSeats,
            format!("target seats must be a whole number ≥ 1, found {found}"),
        );
    }
    match row.row.target_catalog_item.as_deref() {
        None => check.block(
            Col::TargetCatalogItem,
            "missing target catalog item: type PRODUCT:SKU:AVAILABILITY (new commerce) or a legacy offer GUID".to_owned(),
        ),
        Some(item) if path.is_none() => check.block(
            Col::TargetCatalogItem,
            format!(
                "target catalog item {item:?} is neither PRODUCT:SKU:AVAILABILITY (12:4:12 letters and digits) nor a legacy offer GUID"
            ),
        ),
        Some(_) => {}
    }
}

fn cycle_and_term(check: &mut Check, path: Option<PurchasePath>) {
    let row = check.row;
    let raw = &row.raw;
    let cycle_ok = match &row.row.target_billing_cycle {
        None => true,
        Some(c) => !matches!(
            c,
            BillingCycle::Other(_) | BillingCycle::None | BillingCycle::Unknown
        ),
    };
    if !cycle_ok {
        check.block(
            Col::TargetBillingCycle,
            format!(
                "target billing cycle {:?} is not one of Monthly, Annual, Triennial, Biennial, One time",
                raw.target_billing_cycle
            ),
        );
    }
    let term_ok = raw.target_term.is_empty() || parse_term(&raw.target_term).is_some();
    if !term_ok {
        check.block(
            Col::TargetTerm,
            format!(
                "target term {:?} is not a term such as P1M, P1Y, P3Y or \"1 year\"",
                raw.target_term
            ),
        );
    }
    if path == Some(PurchasePath::Cart) {
        if raw.target_term.is_empty() {
            check.block(
                Col::TargetTerm,
                "a new-commerce item needs a target term (P1M, P1Y or P3Y)".to_owned(),
            );
        }
        if raw.target_billing_cycle.is_empty() {
            check.block(
                Col::TargetBillingCycle,
                "a new-commerce item needs a target billing cycle (Monthly, Annual or Triennial)"
                    .to_owned(),
            );
        }
    }
}

fn line_item(book: &ReviewedBook, reviewed: &ReviewedRow, path: PurchasePath) -> Option<LineItem> {
    let row = &reviewed.row;
    Some(LineItem {
        customer_tenant_id: row.tenant_id.clone(),
        customer_name: row.customer.clone(),
        source_subscription_id: row.source_subscription_id.clone(),
        catalog_item: row.target_catalog_item.clone()?,
        path,
        seats: row.target_seats?,
        billing_cycle: row
            .target_billing_cycle
            .as_ref()
            .map(BillingCycle::api_name),
        term: row.target_term.clone(),
        friendly_name: row.nickname.clone(),
        source_product: row.product.clone(),
        source_status: row.status.as_ref().map(|s| s.as_str().to_owned()),
        source_term_end: row.term_end,
        retire: row.retirement,
        double_billing_days: row.double_billing_days,
        row: Location::row(book.file.as_str(), MIGRATION_SHEET, reviewed.sheet_row).to_string(),
        source_seats: row.seats,
        decision: ReviewDecision::parse(&row.reviewer_note),
        cells: LineCells {
            catalog_item: book.cell(reviewed, Col::TargetCatalogItem).to_string(),
            seats: book.cell(reviewed, Col::TargetSeats).to_string(),
            billing_cycle: book.cell(reviewed, Col::TargetBillingCycle).to_string(),
            term: book.cell(reviewed, Col::TargetTerm).to_string(),
            note: book.cell(reviewed, Col::ReviewerNote).to_string(),
            source_seats: book.cell(reviewed, Col::Seats).to_string(),
            status: book.cell(reviewed, Col::Status).to_string(),
        },
        at_destination: None,
    })
}
