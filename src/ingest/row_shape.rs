//! Which rows of a subscription table are subscriptions.
//!
//! Tables as people save them carry rows that are not records: a totals
//! line under the table ("Total", "合計", "Summe" beside a sum of the
//! quantities), a footnote, a second table after a blank row. Reading any
//! text in the ID column as a subscription inflated the seats to move, so
//! a row is a subscription only when its ID has the shape of one: a GUID
//! (any case, braces allowed), or, in a table where no row has a GUID, a
//! short token of letters and digits (IDs a test or another tool made up).
//! Any other row is ignored with an `info` issue naming it, or a warning
//! when it looks like a subscription that lost its ID.

use super::headers::{Field, HeaderMap, Kind, is_totals_word, match_header, value_key};
use super::table::{Cell, Grid, Row};
use super::values::scan_date;
use crate::model::Issue;
use crate::model::classify::is_guid;

/// The IDs one table's rows are held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdShape {
    /// Some row's ID is a GUID: then every subscription's is.
    guids: bool,
}

impl IdShape {
    /// The shape a table's ID column shows.
    pub fn of<'a>(rows: impl Iterator<Item = &'a Row>, col: Option<usize>) -> IdShape {
        let guids = col.is_some_and(|c| {
            let mut rows = rows;
            rows.any(|r| matches!(r.get(c), Cell::Text(t) if is_guid(t)))
        });
        IdShape { guids }
    }

    /// Whether a (trimmed) ID text has the shape of a subscription ID.
    pub fn fits(&self, id: &str) -> bool {
        if is_guid(id) {
            return true;
        }
        !self.guids && is_token_id(id)
    }
}

/// A made-up ID: up to 64 ASCII letters, digits and `-_.:`, with at least
/// one letter and one digit, that is not a date.
fn is_token_id(id: &str) -> bool {
    let b = id.as_bytes();
    (1..=64).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
        && b.iter().any(u8::is_ascii_digit)
        && b.iter().any(u8::is_ascii_alphabetic)
        && scan_date(id).is_none()
}

/// IDs compare lower case, without braces or spaces.
pub fn normalise_id(s: &str) -> String {
    s.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim()
        .to_ascii_lowercase()
}

/// Whether a row that is not a subscription looks like one that lost its
/// ID: a known status word, or a product name beside a quantity. A totals
/// line never does.
pub fn looks_like_data(row: &Row, h: &HeaderMap) -> bool {
    if is_totals(row) {
        return false;
    }
    let text = |f: Field| {
        h.col(f)
            .map(|c| row.get(c).text().trim().to_owned())
            .unwrap_or_default()
    };
    let status = text(Field::Status);
    if !status.is_empty() && value_key("status", &status).is_some() {
        return true;
    }
    !text(Field::OfferName).is_empty() && !text(Field::Quantity).is_empty()
}

/// Whether any text cell of a row starts with a totals word.
pub fn is_totals(row: &Row) -> bool {
    row.cells
        .iter()
        .any(|c| matches!(c, Cell::Text(t) if is_totals_word(t)))
}

/// The row's non-blank cells joined with ` | `, cut to about 80
/// characters: enough for a person to recognise it in an issue.
pub fn excerpt(row: &Row) -> String {
    const MAX: usize = 80;
    let joined = row
        .cells
        .iter()
        .filter(|c| !c.is_blank())
        .map(|c| c.text().trim().to_owned())
        .collect::<Vec<_>>()
        .join(" | ");
    shorten(&joined, MAX)
}

/// A text cut to `max` characters, with `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or(text)),
        None => text.to_owned(),
    }
}

/// What one non-blank row below the header is.
pub enum RowKind {
    Subscription,
    /// Another subscription header: it maps the rows below it.
    Header(HeaderMap),
    /// Not a subscription: the issue saying so.
    Not(Issue),
}

pub fn row_kind((file, grid): (&str, &Grid), h: &HeaderMap, row: &Row, shape: IdShape) -> RowKind {
    let raw = h
        .col(Field::SubscriptionId)
        .map(|c| row.get(c).text().trim().to_owned())
        .unwrap_or_default();
    let id = normalise_id(&raw);
    if !id.is_empty() && shape.fits(&id) {
        return RowKind::Subscription;
    }
    let texts: Vec<String> = row.cells.iter().map(|c| c.text().into_owned()).collect();
    if let Some(next) = match_header(&texts, 0).filter(|m| m.kind == Kind::Subscriptions) {
        return RowKind::Header(next);
    }
    let at = grid.row_loc(file, row);
    let what = excerpt(row);
    if is_totals(row) {
        return RowKind::Not(Issue::info(
            at,
            format!("totals line \"{what}\": not a subscription, ignored"),
        ));
    }
    let data = looks_like_data(row, h);
    RowKind::Not(match (id.is_empty(), data) {
        (true, true) => Issue::error(
            grid.cell_loc(file, row, h.col(Field::SubscriptionId).unwrap_or(0)),
            "row has no subscription ID: not read",
        ),
        (true, false) => Issue::info(
            at,
            format!("\"{what}\" has no subscription ID: not a subscription, ignored"),
        ),
        (false, true) => Issue::warning(
            at,
            format!(
                "\"{}\" is not a subscription ID, though the row looks like a subscription (\"{what}\"): not read",
                shorten(&raw, 60)
            ),
        ),
        (false, false) => Issue::info(
            at,
            format!(
                "\"{what}\" is not a subscription (\"{}\" is not a subscription ID): ignored",
                shorten(&raw, 60)
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Row {
        Row {
            number: 9,
            cells: cells
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text((*c).to_owned())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn ids_are_guids_or_tokens_when_no_row_has_a_guid() {
        let guid = "6C4CA06F-2A0B-4F52-8DC6-B0D59E420FD0";
        let with = [row(&[guid]), row(&["Total"])];
        let shape = IdShape::of(with.iter(), Some(0));
        assert!(shape.fits(guid));
        assert!(shape.fits("{6c4ca06f-2a0b-4f52-8dc6-b0d59e420fd0}"));
        assert!(!shape.fits("h8"));
        let without = [row(&["h8"]), row(&["Total"])];
        let shape = IdShape::of(without.iter(), Some(0));
        for id in ["h8", "z1", "sub-01", "S1:0001"] {
            assert!(shape.fits(id), "{id}");
        }
        for not in [
            "Total",
            "合計",
            "Summe:",
            "1200",
            "* Prices exclude VAT",
            "2026-11-10",
            "",
        ] {
            assert!(!shape.fits(not), "{not}");
        }
    }

    #[test]
    fn totals_words_in_every_locale_and_not_inside_names() {
        for t in [
            "Total",
            "TOTAL:",
            "Totals",
            "合計",
            "Summe",
            "Итого",
            "합계",
            "总计",
            "Total général",
        ] {
            assert!(is_totals(&row(&["", t, "1200"])), "{t}");
        }
        for t in ["Totally Office", "Summer sale", "Microsoft 365 E3"] {
            assert!(!is_totals(&row(&[t])), "{t}");
        }
    }

    #[test]
    fn excerpts_are_short() {
        let long = "x".repeat(200);
        let e = excerpt(&row(&["Total", "", &long]));
        assert!(e.starts_with("Total | xxx") && e.ends_with('…'));
        assert_eq!(e.chars().count(), 81);
    }
}
