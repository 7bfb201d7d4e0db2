//! Carry a review into a rebuilt book, row by row, keyed by source
//! subscription ID.
//!
//! | the row in the rebuild | review cells | Approved | marked |
//! |---|---|---|---|
//! | source facts unchanged | all, as typed (blank ones too) | as typed | — |
//! | source facts changed | the ones reviewers edited; the others follow the new facts | reset to `No` | warning `changed since review: Seats 12 → 15` |
//! | new | build's | empty | warning `new since the review` |
//! | gone | — | — | Changes sheet and an Issue, with its old approval |
//! | review not trusted (locked cell edited, no or edited Meta entry, ID twice) | build's | empty | warning, and an Issue at the old cell |
//!
//! Columns reviewers added are carried with the review. The Changes sheet
//! counts all of it per customer.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::defaults::edited;
use crate::model::{Issue, MigrationBook, MigrationRow};
use crate::sheet::cells::{CellValue, normalise, render};
use crate::sheet::changes::{
    ChangeKind, ChangeRow, Changes, CustomerChanges, MAX_ADDED_COLUMNS, shown,
};
use crate::sheet::layout::{Col, MIGRATION, parse_yes_no, row_key, spec_of};
use crate::sheet::{Additions, EarlierReview, EarlierRow, Trust};

/// The source facts: a change in any of them resets the approval.
const FACTS: [Col; 13] = [
    Col::TenantId,
    Col::Product,
    Col::SourceOfferId,
    Col::Status,
    Col::Seats,
    Col::BillingType,
    Col::Commerce,
    Col::BillingCycle,
    Col::Term,
    Col::TermEnd,
    Col::AutoRenew,
    Col::Reseller,
    Col::Action,
];

/// The warning on a row new since the review.
pub const NEW_WARNING: &str = "new since the review";

/// What a carry did, for the summary line and `--json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CarrySummary {
    pub from: String,
    pub unchanged: usize,
    /// Source facts changed: approval reset.
    pub changed: usize,
    pub new: usize,
    pub gone: usize,
    /// In both, but the review could not be trusted.
    pub not_carried: usize,
}

/// Carry `earlier` into `book`: sets warnings on the book's rows, adds
/// issues for gone and untrusted rows, and returns the cells to write.
pub fn carry(book: &mut MigrationBook, earlier: EarlierReview) -> (Additions, CarrySummary) {
    let mut new_count: HashMap<String, usize> = HashMap::new();
    for row in &book.rows {
        *new_count.entry(row_key(row)).or_default() += 1;
    }
    let mut old: HashMap<String, EarlierRow> = HashMap::with_capacity(earlier.rows.len());
    let mut issues = untrusted_issues(&earlier);
    let file = earlier.file.clone();
    let columns = earlier.columns.clone();
    let mut added_headers = earlier.added_headers.clone();
    if added_headers.len() > MAX_ADDED_COLUMNS {
        let dropped = added_headers.split_off(MAX_ADDED_COLUMNS);
        issues.push(Issue::warning(
            crate::model::Location::file(file.as_str()),
            format!(
                "more than {MAX_ADDED_COLUMNS} columns added by reviewers: {} not carried over",
                dropped.join(", ")
            ),
        ));
    }
    let mut gone_rows = Vec::new();
    for row in earlier.rows {
        let key = row.key();
        if new_count.contains_key(&key) {
            // Duplicates were marked untrusted by the reader: any one will do.
            old.entry(key).or_insert(row);
        } else {
            gone_rows.push(row);
        }
    }
    let mut changes = Tally::default();
    let mut additions = Additions {
        review: Vec::with_capacity(book.rows.len()),
        added_headers,
        added: Vec::with_capacity(book.rows.len()),
        changes: Changes {
            from: file.clone(),
            ..Changes::default()
        },
    };
    for row in &mut book.rows {
        let key = row_key(row);
        let before = old.remove(&key);
        let (review, added) = match before {
            None => {
                row.warnings.push(NEW_WARNING.to_owned());
                changes.row(ChangeKind::New, row, String::new(), String::new());
                (Vec::new(), Vec::new())
            }
            Some(_) if new_count.get(&key).copied().unwrap_or(0) > 1 => {
                let why = "the subscription appears more than once in the new exports";
                row.warnings.push(format!("review not carried: {why}"));
                changes.row(ChangeKind::NotCarried, row, why.to_owned(), String::new());
                (Vec::new(), Vec::new())
            }
            Some(before) => carry_row(row, before, &mut changes),
        };
        additions.review.push(review);
        additions.added.push(added);
    }
    for row in gone_rows {
        let approved = shown_approved(&row);
        let customer = row.kept(Col::Customer).to_owned();
        let product = row.kept(Col::Product).to_owned();
        let at = {
            let c = columns.get(&Col::SourceSubscriptionId).copied();
            match c {
                Some(c) => crate::model::Location::cell(
                    file.as_str(),
                    crate::sheet::MIGRATION_SHEET,
                    row.sheet_row,
                    c,
                ),
                None => crate::model::Location::row(
                    file.as_str(),
                    crate::sheet::MIGRATION_SHEET,
                    row.sheet_row,
                ),
            }
        };
        let was = if approved.is_empty() {
            "not approved".to_owned()
        } else {
            format!("Approved was {approved:?}")
        };
        issues.push(Issue::warning(
            at,
            format!(
                "subscription {} ({customer}, {product}) is gone from the new exports ({was} in the review): not in the rebuilt workbook",
                row.id
            ),
        ));
        changes.push(
            ChangeKind::Gone,
            &customer,
            ChangeRow {
                kind: ChangeKind::Gone,
                customer: customer.clone(),
                subscription_id: row.id.clone(),
                product,
                detail: "not in the new exports".to_owned(),
                approved_before: approved,
            },
        );
    }
    book.issues.extend(issues);
    let summary = changes.summary(file);
    additions.changes.per_customer = changes.customers.into_values().collect();
    additions.changes.rows = changes.rows;
    (additions, summary)
}

/// One row present before and now: the cells to write and the added cells.
fn carry_row(
    row: &mut MigrationRow,
    before: EarlierRow,
    changes: &mut Tally,
) -> (Vec<(Col, CellValue)>, Vec<CellValue>) {
    let approved = shown_approved(&before);
    if before.trust != Trust::Untouched {
        let why = untrusted_reason(&before.trust);
        row.warnings.push(format!("review not carried: {why}"));
        changes.row(ChangeKind::NotCarried, row, why, approved);
        return (Vec::new(), Vec::new());
    }
    let diffs: Vec<String> = FACTS
        .iter()
        .filter_map(|&col| {
            let was = before.kept(col);
            let now = normalise(spec_of(col).kind, &render(row, col));
            (was != now).then(|| {
                format!(
                    "{} {} → {}",
                    spec_of(col).header,
                    shown_text(was),
                    shown_text(&now)
                )
            })
        })
        .collect();
    let review_cols = MIGRATION.iter().filter(|s| s.review).map(|s| s.col);
    if diffs.is_empty() {
        changes.unchanged(&row.customer);
        let cells = review_cols
            .map(|col| {
                let v = before.review_cell(col).cloned().unwrap_or(CellValue::Empty);
                (col, v)
            })
            .collect();
        return (cells, before.added);
    }
    let detail = diffs.join(", ");
    row.warnings.push(format!("changed since review: {detail}"));
    let mut cells = Vec::new();
    for col in review_cols {
        if col == Col::Approved {
            if parse_yes_no(&approved) != Some(false) {
                cells.push((col, CellValue::Text("No".to_owned())));
            }
        } else if edited(col, &before) {
            let v = before.review_cell(col).cloned().unwrap_or(CellValue::Empty);
            cells.push((col, v));
        }
    }
    changes.row(ChangeKind::Changed, row, detail, approved);
    (cells, before.added)
}

/// The Approved cell as the reviewer left it ("" if blank).
fn shown_approved(row: &EarlierRow) -> String {
    row.review_cell(Col::Approved)
        .map(shown)
        .unwrap_or_default()
}

fn shown_text(t: &str) -> String {
    if t.is_empty() {
        "(empty)".to_owned()
    } else {
        t.replace('\n', " ")
    }
}

fn untrusted_reason(trust: &Trust) -> String {
    match trust {
        Trust::Untouched => String::new(),
        Trust::LockedEdits(edits) => {
            let names: Vec<&str> = edits.iter().map(|e| spec_of(e.col).header).collect();
            format!(
                "locked cell(s) edited in the reviewed workbook ({})",
                names.join(", ")
            )
        }
        Trust::NoMeta => "the row is not one build wrote (no Meta entry)".to_owned(),
        Trust::MetaEdited => "its Meta sheet entry was edited".to_owned(),
        Trust::Duplicate => {
            "the subscription appears more than once in the reviewed workbook".to_owned()
        }
    }
}

/// One located issue per locked cell edited, and per row whose review is
/// otherwise untrusted, in the reviewed workbook.
fn untrusted_issues(earlier: &EarlierReview) -> Vec<Issue> {
    let mut issues = Vec::new();
    for row in &earlier.rows {
        match &row.trust {
            Trust::Untouched => {}
            Trust::LockedEdits(edits) => {
                for e in edits {
                    issues.push(Issue::warning(
                        earlier.cell(row, e.col),
                        format!(
                            "locked cell edited: {} was {:?}, now {:?}; the review of subscription {} is not carried over",
                            spec_of(e.col).header,
                            e.original,
                            e.found,
                            row.id
                        ),
                    ));
                }
            }
            other => issues.push(Issue::warning(
                earlier.cell(row, Col::SourceSubscriptionId),
                format!(
                    "the review of subscription {} is not carried over: {}",
                    row.id,
                    untrusted_reason(other)
                ),
            )),
        }
    }
    issues
}

/// Counts per customer and the listed rows.
#[derive(Default)]
struct Tally {
    customers: BTreeMap<String, CustomerChanges>,
    rows: Vec<ChangeRow>,
}

impl Tally {
    fn customer(&mut self, name: &str) -> &mut CustomerChanges {
        self.customers
            .entry(name.to_owned())
            .or_insert_with(|| CustomerChanges {
                customer: name.to_owned(),
                ..CustomerChanges::default()
            })
    }

    fn unchanged(&mut self, customer: &str) {
        self.customer(customer).unchanged += 1;
    }

    fn row(&mut self, kind: ChangeKind, row: &MigrationRow, detail: String, approved: String) {
        let change = ChangeRow {
            kind,
            customer: row.customer.clone(),
            subscription_id: row.source_subscription_id.clone(),
            product: row.product.clone(),
            detail,
            approved_before: approved,
        };
        self.push(kind, &row.customer, change);
    }

    fn push(&mut self, kind: ChangeKind, customer: &str, change: ChangeRow) {
        let c = self.customer(customer);
        match kind {
            ChangeKind::New => c.new += 1,
            ChangeKind::Changed => c.changed += 1,
            ChangeKind::Gone => c.gone += 1,
            ChangeKind::NotCarried => c.not_carried += 1,
        }
        self.rows.push(change);
    }

    fn summary(&self, from: String) -> CarrySummary {
        let mut s = CarrySummary {
            from,
            ..CarrySummary::default()
        };
        for c in self.customers.values() {
            s.unchanged += c.unchanged as usize;
            s.changed += c.changed as usize;
            s.new += c.new as usize;
            s.gone += c.gone as usize;
            s.not_carried += c.not_carried as usize;
        }
        s
    }
}
