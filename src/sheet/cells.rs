//! Cell values of the Migration sheet: how each [`MigrationRow`] field is
//! rendered into a cell, how any cell read back is normalised into one
//! canonical text, and how canonical text is parsed into the field again.
//!
//! Normalisation is what makes the locked-cell check survive re-saves:
//! Excel, LibreOffice and openpyxl may turn `12` into `12.0`, a date into a
//! serial number, a shared string into an inline one. Canonical text is
//! whole numbers without a decimal point, dates as ISO `YYYY-MM-DD`,
//! booleans as `Yes`/`No`, strings trimmed.
//!
//! `write_value` puts one value into a worksheet cell; it lives here, below
//! both the Migration writer and the summary sheets, so neither imports the
//! other.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Worksheet, XlsxError};

use super::layout::{Col, Kind, parse_yes_no};
use crate::model::{
    Action, BillingCycle, BillingType, ChangesSince, Commerce, MigrationRow, Retirement, SubStatus,
    parse_term,
};

/// Excel's limit on characters in one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// A cell value independent of the xlsx crates.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDateTime),
}

/// A sheet's used range as read back, with absolute positions: `rows[0]`
/// is sheet row `first_row` (1-based), `rows[i][0]` is column `first_col`
/// (0-based, A = 0).
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub first_row: u32,
    pub first_col: u32,
    pub rows: Vec<Vec<CellValue>>,
}

impl Grid {
    /// The cell at an absolute 1-based row and 0-based column.
    pub fn get(&self, row: u32, col: u32) -> &CellValue {
        const EMPTY: &CellValue = &CellValue::Empty;
        let (Some(r), Some(c)) = (
            row.checked_sub(self.first_row),
            col.checked_sub(self.first_col),
        ) else {
            return EMPTY;
        };
        self.rows
            .get(r as usize)
            .and_then(|cells| cells.get(c as usize))
            .unwrap_or(EMPTY)
    }

    /// Absolute 1-based row numbers of the grid.
    pub fn row_numbers(&self) -> impl Iterator<Item = u32> + use<> {
        let first = self.first_row;
        (0..self.rows.len() as u32).map(move |i| first + i)
    }

    /// Absolute 0-based column numbers of the grid.
    pub fn col_numbers(&self) -> impl Iterator<Item = u32> + use<> {
        let first = self.first_col;
        let width = self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
        (0..width).map(move |i| first + i)
    }
}

/// The plain text of a cell (no kind applied): what a person sees.
pub fn plain(value: &CellValue) -> String {
    normalise(Kind::Text, value)
}

fn text(s: &str) -> CellValue {
    if s.trim().is_empty() {
        CellValue::Empty
    } else {
        CellValue::Text(clip(s).to_owned())
    }
}

fn opt_text(s: Option<&str>) -> CellValue {
    s.map_or(CellValue::Empty, text)
}

fn number(n: Option<f64>) -> CellValue {
    n.map_or(CellValue::Empty, CellValue::Number)
}

fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// Cut a string to Excel's per-cell limit on a character boundary.
pub fn clip(s: &str) -> &str {
    if s.len() <= MAX_CELL_CHARS {
        return s; // fewer bytes than the limit: fewer characters too
    }
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// Texts cut to Excel's limit while a workbook was written, by cell, so
/// each cut becomes a warning at the cell it shortened. Shared by the
/// threads that write sheets.
#[derive(Debug, Default)]
pub struct Clipped(std::sync::Mutex<Vec<ClippedCell>>);

/// One cut: the sheet, its 0-based row and column, and the characters the
/// text had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClippedCell {
    pub sheet: &'static str,
    pub row: u32,
    pub col: u16,
    pub chars: usize,
}

impl Clipped {
    /// `s` as written at (`sheet`, 0-based `row`, `col`): cut to the
    /// limit, and the cut recorded. Every text any sheet writes goes
    /// through here (or through [`render`], whose cuts `build` reports at
    /// the input row).
    pub fn cell<'a>(&self, sheet: &'static str, row: u32, col: u16, s: &'a str) -> &'a str {
        let out = clip(s);
        if out.len() < s.len() {
            self.note(ClippedCell {
                sheet,
                row,
                col,
                chars: s.chars().count(),
            });
        }
        out
    }

    /// Record a cut made elsewhere.
    pub fn note(&self, cell: ClippedCell) {
        // A poisoned lock means another writer thread panicked; its error
        // is reported there, and this note is lost rather than a panic here.
        if let Ok(mut v) = self.0.lock() {
            v.push(cell);
        }
    }

    /// The cuts so far, in sheet, row and column order.
    pub fn cells(&self) -> Vec<ClippedCell> {
        let mut v = self.0.lock().map(|v| v.clone()).unwrap_or_default();
        v.sort_by(|a, b| (a.sheet, a.row, a.col).cmp(&(b.sheet, b.row, b.col)));
        v
    }

    /// The cuts as warnings located in the workbook at `file`.
    pub fn issues(&self, file: &str) -> Vec<crate::model::Issue> {
        self.cells()
            .into_iter()
            .map(|c| clip_issue(file, &c))
            .collect()
    }
}

/// The warning for one cut cell.
pub fn clip_issue(file: &str, c: &ClippedCell) -> crate::model::Issue {
    crate::model::Issue::warning(
        crate::model::Location::cell(file, c.sheet, c.row + 1, u32::from(c.col)),
        format!(
            "{} characters, more than the {MAX_CELL_CHARS} an Excel cell holds: cut here",
            c.chars
        ),
    )
}

/// The cell build writes for one field of a row.
pub fn render(row: &MigrationRow, col: Col) -> CellValue {
    match col {
        Col::Customer => text(&row.customer),
        Col::TenantId => text(&row.tenant_id),
        Col::PrimaryDomain => opt_text(row.primary_domain.as_deref()),
        Col::SourceSubscriptionId => text(&row.source_subscription_id),
        Col::Product => text(&row.product),
        Col::SourceOfferId => opt_text(row.source_offer_id.as_deref()),
        Col::Nickname => opt_text(row.nickname.as_deref()),
        Col::Status => opt_text(row.status.as_ref().map(SubStatus::as_str)),
        Col::Seats => number(row.seats.map(f64::from)),
        Col::BillingType => text(row.billing_type.as_str()),
        Col::Commerce => text(row.commerce.as_str()),
        Col::BillingCycle => opt_text(row.billing_cycle.as_ref().map(BillingCycle::as_str)),
        Col::Term => opt_text(row.term.as_deref()),
        Col::TermEnd => row.term_end.map_or(CellValue::Empty, |d| {
            CellValue::Date(d.and_time(Default::default()))
        }),
        Col::AutoRenew => opt_text(row.auto_renew.map(yes_no)),
        Col::Reseller => opt_text(row.reseller.as_deref()),
        Col::ChangesSinceExport => opt_text(
            row.changes_since_export
                .as_ref()
                .map(changes_text)
                .as_deref(),
        ),
        Col::Action => text(&row.action.text()),
        Col::TargetCatalogItem => opt_text(row.target_catalog_item.as_deref()),
        Col::TargetSeats => number(row.target_seats.map(f64::from)),
        Col::TargetBillingCycle => {
            opt_text(row.target_billing_cycle.as_ref().map(BillingCycle::as_str))
        }
        Col::TargetTerm => opt_text(row.target_term.as_deref()),
        Col::Approved => opt_text(row.approved.then_some("Yes")),
        Col::ReviewerNote => text(&row.reviewer_note),
        Col::SourceRetirement => text(&row.retirement.text()),
        Col::DoubleBillingDays => number(row.double_billing_days.map(|d| d as f64)),
        Col::Warnings => text(&row.warnings.join("\n")),
        Col::Source => text(&row.source),
        Col::OtherInputColumns => text(&extras_text(&row.extras)),
    }
}

/// `3 (last 2026-01-05 14:03 Quantity change)`, or `0`.
fn changes_text(c: &ChangesSince) -> String {
    match &c.last {
        Some((when, what)) => format!(
            "{} (last {} {what})",
            c.count,
            when.format("%Y-%m-%d %H:%M")
        ),
        None => c.count.to_string(),
    }
}

fn parse_changes(t: &str) -> Option<ChangesSince> {
    let (count, rest) = match t.split_once(" (last ") {
        Some((c, r)) => (c, Some(r.strip_suffix(')').unwrap_or(r))),
        None => (t, None),
    };
    let count = count.trim().parse().ok()?;
    let last = rest.and_then(|r| {
        let when = NaiveDateTime::parse_from_str(r.get(..16)?, "%Y-%m-%d %H:%M").ok()?;
        Some((when, r.get(16..)?.trim().to_owned()))
    });
    Some(ChangesSince { count, last })
}

/// One `header: value` per line.
fn extras_text(extras: &[(String, String)]) -> String {
    extras
        .iter()
        .map(|(h, v)| format!("{h}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The canonical text of a cell read back, given the column's kind.
pub fn normalise(kind: Kind, value: &CellValue) -> String {
    match value {
        CellValue::Empty => String::new(),
        CellValue::Number(n) if kind == Kind::Date => serial_to_date(*n)
            .map(|d| d.to_string())
            .unwrap_or_else(|| number_text(*n)),
        CellValue::Number(n) => number_text(*n),
        CellValue::Bool(b) if kind == Kind::Bool => yes_no(*b).to_owned(),
        CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        CellValue::Date(dt) => date_text(*dt),
        CellValue::Text(s) => normalise_text(kind, s),
    }
}

fn normalise_text(kind: Kind, s: &str) -> String {
    let t = s.trim().replace("\r\n", "\n");
    match kind {
        Kind::Number => t
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map_or(t.clone(), number_text),
        Kind::Date => parse_date_text(&t).map_or(t, |d| d.to_string()),
        Kind::Bool => match parse_yes_no(&t) {
            Some(b) if !t.is_empty() => yes_no(b).to_owned(),
            _ => t,
        },
        Kind::Text | Kind::Id | Kind::Enum => t,
    }
}

/// Whole numbers without a decimal point; others in shortest form.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn date_text(dt: NaiveDateTime) -> String {
    if dt.time() == Default::default() {
        dt.date().to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// An Excel 1900-system serial day number as a date (serials past the
/// 1900 leap-year bug, i.e. from March 1900 on).
pub fn serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_signed(Duration::days(serial.floor() as i64))
}

/// ISO dates, with or without a time part (`2026-12-01T00:00:00`).
fn parse_date_text(t: &str) -> Option<NaiveDate> {
    let head = t.get(..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

fn opt(t: &str) -> Option<String> {
    (!t.is_empty()).then(|| t.to_owned())
}

/// Set a row's field from the canonical text of its cell. Lenient: a value
/// that does not parse leaves the field empty; the reader keeps the raw
/// text of review cells so `plan` can say what it found.
pub fn apply(row: &mut MigrationRow, col: Col, t: &str) {
    match col {
        Col::Customer => row.customer = t.to_owned(),
        Col::TenantId => row.tenant_id = t.to_lowercase(),
        Col::PrimaryDomain => row.primary_domain = opt(t),
        Col::SourceSubscriptionId => row.source_subscription_id = t.to_owned(),
        Col::Product => row.product = t.to_owned(),
        Col::SourceOfferId => row.source_offer_id = opt(t),
        Col::Nickname => row.nickname = opt(t),
        Col::Status => row.status = opt(t).map(|s| SubStatus::parse(&s)),
        Col::Seats => row.seats = t.parse().ok(),
        Col::BillingType => {
            row.billing_type = BillingType::parse(t).unwrap_or(BillingType::License)
        }
        Col::Commerce => row.commerce = Commerce::parse(t),
        Col::BillingCycle => row.billing_cycle = opt(t).map(|s| BillingCycle::parse(&s)),
        Col::Term => row.term = opt(t),
        Col::TermEnd => row.term_end = parse_date_text(t),
        Col::AutoRenew => row.auto_renew = opt(t).and_then(|s| parse_yes_no(&s)),
        Col::Reseller => row.reseller = opt(t),
        Col::ChangesSinceExport => row.changes_since_export = parse_changes(t),
        Col::Action => {
            row.action = Action::parse(t)
                .unwrap_or_else(|| Action::Skip(format!("unrecognised action {t:?}")));
        }
        Col::TargetCatalogItem => row.target_catalog_item = opt(t),
        Col::TargetSeats => row.target_seats = whole_at_least_one(t),
        Col::TargetBillingCycle => {
            row.target_billing_cycle = opt(t).map(|s| BillingCycle::parse(&s));
        }
        Col::TargetTerm => row.target_term = opt(t).map(|s| parse_term(&s).unwrap_or(s)),
        Col::Approved => row.approved = parse_yes_no(t).unwrap_or(false),
        Col::ReviewerNote => row.reviewer_note = t.to_owned(),
        Col::SourceRetirement => {
            row.retirement = Retirement::parse(t).unwrap_or(Retirement::DecideAtRetire);
        }
        Col::DoubleBillingDays => row.double_billing_days = t.parse().ok(),
        Col::Warnings => {
            row.warnings = t
                .lines()
                .map(str::to_owned)
                .filter(|l| !l.is_empty())
                .collect()
        }
        Col::Source => row.source = t.to_owned(),
        Col::OtherInputColumns => row.extras = parse_extras(t),
    }
}

/// A seat count people typed: a whole number ≥ 1 (canonical text is
/// already integer-like when the cell held `12.0`).
pub fn whole_at_least_one(t: &str) -> Option<u32> {
    t.parse::<u32>().ok().filter(|n| *n >= 1)
}

fn parse_extras(t: &str) -> Vec<(String, String)> {
    t.lines()
        .filter_map(|l| {
            let (h, v) = l.split_once(": ")?;
            Some((h.to_owned(), v.to_owned()))
        })
        .collect()
}

/// A blank row to fill from cells (fields start empty).
pub fn blank_row() -> MigrationRow {
    MigrationRow {
        customer: String::new(),
        tenant_id: String::new(),
        primary_domain: None,
        source_subscription_id: String::new(),
        product: String::new(),
        source_offer_id: None,
        nickname: None,
        status: None,
        seats: None,
        billing_type: BillingType::License,
        commerce: Commerce::Unknown,
        billing_cycle: None,
        term: None,
        term_end: None,
        auto_renew: None,
        reseller: None,
        changes_since_export: None,
        action: Action::Skip(String::new()),
        target_catalog_item: None,
        target_seats: None,
        target_billing_cycle: None,
        target_term: None,
        approved: false,
        reviewer_note: String::new(),
        retirement: Retirement::None,
        double_billing_days: None,
        warnings: Vec::new(),
        source: String::new(),
        extras: Vec::new(),
    }
}

/// Write one value with a format. Text is always a string cell.
pub(crate) fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &CellValue,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        CellValue::Empty => ws.write_blank(row, col, format)?,
        CellValue::Text(s) => ws.write_string_with_format(row, col, clip(s), format)?,
        CellValue::Number(n) => ws.write_number_with_format(row, col, *n, format)?,
        CellValue::Bool(b) => ws.write_boolean_with_format(row, col, *b, format)?,
        CellValue::Date(dt) => {
            ws.write_datetime_with_format(row, col, excel_datetime(dt)?, format)?
        }
    };
    Ok(())
}

/// A chrono date-time as an Excel one (years outside 1900–9999 are an
/// error Excel would refuse too).
fn excel_datetime(dt: &NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    let year =
        u16::try_from(dt.year()).map_err(|_| XlsxError::DateTimeRangeError(dt.to_string()))?;
    // ok: chrono keeps month, day, hour, minute and second in u8 range.
    ExcelDateTime::from_ymd(year, dt.month() as u8, dt.day() as u8)?.and_hms(
        dt.hour() as u16,
        dt.minute() as u8,
        dt.second() as u8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::layout::MIGRATION;

    #[test]
    fn re_saved_values_normalise_to_the_same_text() -> crate::TestResult {
        assert_eq!(normalise(Kind::Number, &CellValue::Number(12.0)), "12");
        assert_eq!(
            normalise(Kind::Number, &CellValue::Text(" 12.0 ".into())),
            "12"
        );
        assert_eq!(normalise(Kind::Number, &CellValue::Text("12".into())), "12");
        assert_eq!(normalise(Kind::Number, &CellValue::Number(12.5)), "12.5");
        assert_eq!(
            normalise(Kind::Id, &CellValue::Number(1e15 + 1.0)),
            "1000000000000001"
        );
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).ok_or("no value")?;
        assert_eq!(
            normalise(Kind::Date, &CellValue::Number(46357.0)),
            "2026-12-01"
        );
        assert_eq!(
            normalise(
                Kind::Date,
                &CellValue::Date(day.and_hms_opt(0, 0, 0).ok_or("no value")?)
            ),
            "2026-12-01"
        );
        assert_eq!(
            normalise(Kind::Date, &CellValue::Text("2026-12-01T00:00:00".into())),
            "2026-12-01"
        );
        assert_eq!(normalise(Kind::Bool, &CellValue::Bool(true)), "Yes");
        assert_eq!(
            normalise(Kind::Bool, &CellValue::Text("true".into())),
            "Yes"
        );
        assert_eq!(
            normalise(Kind::Text, &CellValue::Text("=1+1 ".into())),
            "=1+1"
        );
        Ok(())
    }

    #[test]
    fn changes_since_export_round_trips() -> crate::TestResult {
        let when = NaiveDate::from_ymd_opt(2026, 1, 5)
            .ok_or("no value")?
            .and_hms_opt(14, 3, 0)
            .ok_or("no value")?;
        for c in [
            ChangesSince {
                count: 0,
                last: None,
            },
            ChangesSince {
                count: 3,
                last: Some((when, "Quantity change (seats)".into())),
            },
        ] {
            assert_eq!(parse_changes(&changes_text(&c)), Some(c));
        }
        Ok(())
    }

    #[test]
    fn every_column_renders_and_applies_back() {
        let mut row = blank_row();
        row.customer = "Contoso".into();
        row.seats = Some(7);
        row.term_end = NaiveDate::from_ymd_opt(2027, 1, 31);
        row.extras = vec![("Region".into(), "EU: west".into())];
        row.warnings = vec!["one".into(), "two".into()];
        let mut back = blank_row();
        for s in MIGRATION {
            apply(&mut back, s.col, &normalise(s.kind, &render(&row, s.col)));
        }
        assert_eq!(back, row);
    }
}
