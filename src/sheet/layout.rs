//! THE column spec of the Migration sheet: header text, order, kind, width,
//! and whether build or people own the column.
//!
//! The writer walks [`MIGRATION`] in order; the reader finds each column by
//! its header (never by index), so people may reorder, hide or add columns.
//! How a [`MigrationRow`] field becomes a cell and how a cell's canonical text
//! becomes a field again lives in [`super::cells`]; both sides go through the
//! same functions, so writer and reader cannot disagree.

use crate::model::MigrationRow;

/// Every column of the Migration sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Col {
    Customer,
    TenantId,
    PrimaryDomain,
    SourceSubscriptionId,
    Product,
    SourceOfferId,
    Nickname,
    Status,
    Seats,
    BillingType,
    Commerce,
    BillingCycle,
    Term,
    TermEnd,
    AutoRenew,
    Reseller,
    ChangesSinceExport,
    Action,
    TargetCatalogItem,
    TargetSeats,
    TargetBillingCycle,
    TargetTerm,
    Approved,
    ReviewerNote,
    SourceRetirement,
    DoubleBillingDays,
    Warnings,
    Source,
    OtherInputColumns,
}

/// What a column holds: drives the cell type written and how values read
/// back are normalised before they are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// An identifier: always written as text (no lost zeros, no 1.0E+15).
    Id,
    /// A whole number written as a number.
    Number,
    /// A calendar day written as a real Excel date.
    Date,
    /// Yes / No.
    Bool,
    /// One of a known set of words (status, commerce …), kept as text.
    Enum,
}

/// One column of the Migration sheet.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub col: Col,
    /// The header, exactly as DESIGN.md names it.
    pub header: &'static str,
    pub kind: Kind,
    /// Column width in Excel character units.
    pub width: f64,
    /// People edit this column (unlocked, highlighted); else build owns it
    /// (locked, fingerprinted in the meta sheet).
    pub review: bool,
    /// The reader refuses a workbook without this header.
    pub required: bool,
}

const fn spec(col: Col, header: &'static str, kind: Kind, width: f64) -> ColumnSpec {
    ColumnSpec {
        col,
        header,
        kind,
        width,
        review: false,
        required: true,
    }
}

const fn review(col: Col, header: &'static str, kind: Kind, width: f64) -> ColumnSpec {
    ColumnSpec {
        review: true,
        ..spec(col, header, kind, width)
    }
}

/// The Migration sheet's columns in the order the writer lays them out.
pub const MIGRATION: &[ColumnSpec] = &[
    spec(Col::Customer, "Customer", Kind::Text, 28.0),
    spec(Col::TenantId, "Customer tenant ID", Kind::Id, 38.0),
    spec(Col::PrimaryDomain, "Primary domain", Kind::Text, 28.0),
    spec(
        Col::SourceSubscriptionId,
        "Source subscription ID",
        Kind::Id,
        38.0,
    ),
    spec(Col::Product, "Product", Kind::Text, 32.0),
    spec(Col::SourceOfferId, "Source offer ID", Kind::Id, 32.0),
    spec(Col::Nickname, "Nickname", Kind::Text, 22.0),
    spec(Col::Status, "Status", Kind::Enum, 11.0),
    spec(Col::Seats, "Seats", Kind::Number, 8.0),
    spec(Col::BillingType, "Billing type", Kind::Enum, 11.0),
    spec(Col::Commerce, "Commerce", Kind::Enum, 14.0),
    spec(Col::BillingCycle, "Billing cycle", Kind::Enum, 12.0),
    spec(Col::Term, "Term", Kind::Enum, 8.0),
    spec(Col::TermEnd, "Term end", Kind::Date, 12.0),
    spec(Col::AutoRenew, "Auto-renew", Kind::Bool, 11.0),
    spec(Col::Reseller, "Reseller", Kind::Id, 14.0),
    spec(
        Col::ChangesSinceExport,
        "Changes since export",
        Kind::Text,
        30.0,
    ),
    spec(Col::Action, "Action", Kind::Enum, 26.0),
    review(
        Col::TargetCatalogItem,
        "Target catalog item",
        Kind::Id,
        34.0,
    ),
    review(Col::TargetSeats, "Target seats", Kind::Number, 12.0),
    review(
        Col::TargetBillingCycle,
        "Target billing cycle",
        Kind::Enum,
        18.0,
    ),
    review(Col::TargetTerm, "Target term", Kind::Enum, 11.0),
    review(Col::Approved, "Approved", Kind::Bool, 10.0),
    review(Col::ReviewerNote, "Reviewer note", Kind::Text, 30.0),
    spec(Col::SourceRetirement, "Source retirement", Kind::Text, 34.0),
    spec(
        Col::DoubleBillingDays,
        "Double-billing days",
        Kind::Number,
        12.0,
    ),
    spec(Col::Warnings, "Warnings", Kind::Text, 40.0),
    spec(Col::Source, "Source", Kind::Text, 36.0),
    ColumnSpec {
        required: false,
        ..spec(
            Col::OtherInputColumns,
            "Other input columns",
            Kind::Text,
            40.0,
        )
    },
];

/// The Migration sheet's name.
pub const MIGRATION_SHEET: &str = "Migration";

/// The spec of one column.
pub fn spec_of(col: Col) -> &'static ColumnSpec {
    // MIGRATION lists the columns in `Col` order (tested below), so the
    // discriminant is the index; the search is only a fallback.
    match MIGRATION.get(col as usize) {
        Some(s) if s.col == col => s,
        _ => MIGRATION
            .iter()
            .find(|s| s.col == col)
            .unwrap_or(&MIGRATION[0]),
    }
}

/// Build-owned columns, in layout order: the cells the meta sheet keeps
/// originals and a fingerprint of.
pub fn locked_columns() -> impl Iterator<Item = &'static ColumnSpec> {
    MIGRATION.iter().filter(|s| !s.review)
}

/// How headers are compared: trimmed, inner whitespace collapsed, case
/// folded. Renaming "Target seats" to "target  seats" still matches.
pub fn header_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The spec whose header matches `text`, if any.
pub fn spec_by_header(text: &str) -> Option<&'static ColumnSpec> {
    let key = header_key(text);
    MIGRATION.iter().find(|s| header_key(s.header) == key)
}

/// Whether a reviewed row is approved: `Yes`, `Y`, `TRUE`, `1`, `x`, `✓`
/// and localized yes words count; `No`, `False`, `0` and empty do not.
/// Anything else is `None` (the reviewer wrote something we cannot read).
pub fn parse_yes_no(text: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "yes", "y", "true", "1", "x", "✓", "✔", "☑", "ja", "j", "oui", "sí", "si", "sim", "да",
        "是", "はい", "예", "네", "tak", "sì", "evet", "kyllä", "igen",
    ];
    const NO: &[&str] = &[
        "",
        "no",
        "n",
        "false",
        "0",
        "-",
        "✗",
        "✘",
        "nein",
        "non",
        "não",
        "nao",
        "нет",
        "否",
        "いいえ",
        "아니요",
        "nie",
        "hayır",
        "ei",
        "nem",
    ];
    let t = text.trim().to_lowercase();
    if YES.contains(&t.as_str()) {
        Some(true)
    } else if NO.contains(&t.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// Whether people edit this column (it is unlocked and highlighted).
pub fn is_review(col: Col) -> bool {
    spec_of(col).review
}

/// A row's key: the lower-cased, trimmed source subscription ID.
pub fn row_key(row: &MigrationRow) -> String {
    key_of(&row.source_subscription_id)
}

/// Normalise a source subscription ID into a key.
pub fn key_of(id: &str) -> String {
    id.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_one_spec_and_headers_are_unique() {
        let mut headers: Vec<String> = MIGRATION.iter().map(|s| header_key(s.header)).collect();
        headers.sort();
        headers.dedup();
        assert_eq!(headers.len(), MIGRATION.len());
        for (i, s) in MIGRATION.iter().enumerate() {
            assert_eq!(spec_of(s.col).header, s.header, "column {i}");
        }
        assert_eq!(MIGRATION.len(), Col::OtherInputColumns as usize + 1);
    }

    #[test]
    fn review_columns_are_exactly_the_designed_ones() {
        let review: Vec<&str> = MIGRATION
            .iter()
            .filter(|s| s.review)
            .map(|s| s.header)
            .collect();
        assert_eq!(
            review,
            [
                "Target catalog item",
                "Target seats",
                "Target billing cycle",
                "Target term",
                "Approved",
                "Reviewer note"
            ]
        );
    }

    #[test]
    fn yes_no_accepts_what_people_type() {
        for yes in [
            "Yes", "yes", "Y", "TRUE", "true", "1", "x", "X", "✓", "Ja", "Oui", "Sí", "Sim", "Да",
            "是", "はい", "예",
        ] {
            assert_eq!(parse_yes_no(yes), Some(true), "{yes}");
        }
        for no in ["No", "", "  ", "FALSE", "0", "Nein", "нет"] {
            assert_eq!(parse_yes_no(no), Some(false), "{no}");
        }
        assert_eq!(parse_yes_no("maybe"), None);
        assert_eq!(
            spec_by_header("  target   SEATS ").map(|s| s.col),
            Some(Col::TargetSeats)
        );
    }
}
