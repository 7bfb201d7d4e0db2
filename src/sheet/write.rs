//! Write the migration workbook with rust_xlsxwriter, driven by the layout.
//!
//! Cell types follow the column kind: identifiers and free text are written
//! as strings (never formulas, so `=cmd|…` from an input stays inert text;
//! no lost leading zeros, no 1.0E+15), counts as numbers, days as real
//! dates. Review columns are unlocked and tinted yellow; build columns are
//! locked and grey-headed.
//!
//! Sheet protection: the Migration sheet is deliberately NOT protected.
//! Excel refuses to sort a range holding locked cells on a protected sheet,
//! and reviewers must sort and filter freely. The cells still carry their
//! locked/unlocked flags (so a team that turns protection on gets the right
//! behaviour), but the real guard is the fingerprint in the hidden,
//! protected Meta sheet: `plan` blocks on any edited locked cell and names
//! it with its old and new value.

use std::path::Path;

use rust_xlsxwriter::{
    CustomSerializeField, DataValidation, DataValidationErrorStyle, Format, FormatBorder,
    SerializeFieldOptions, Table, TableColumn, TableStyle, Workbook, Worksheet, XlsxError,
};

use super::SheetError;
use super::cells::{CellValue, Clipped, render, write_value};
use super::changes::{Additions, MAX_ADDED_COLUMNS, write_changes};
use super::layout::{Col, Kind, MIGRATION, MIGRATION_SHEET};
use super::meta::write_meta;
use super::summary;
use crate::model::{Issue, MigrationBook};

const LOCKED_HEADER: u32 = 0xD9D9D9;
const REVIEW_HEADER: u32 = 0xFFD966;
const REVIEW_FILL: u32 = 0xFFF2CC;

/// Write `book` to `path` atomically ([`crate::fsio`]), so a crash never
/// leaves a half-written workbook.
///
/// # Errors
/// [`SheetError::Write`] when the workbook cannot be assembled (a value
/// beyond Excel's limits), [`SheetError::Io`] when the file cannot be
/// written or renamed.
///
/// Returns a warning for each cell of a sheet other than Migration that
/// was cut to Excel's limit (Migration's cuts are `build`'s to report, at
/// the input row); they are listed in the Issues sheet too.
///
/// The book is consumed: it is dropped once every sheet is written, so its
/// memory is free before the file is compressed and Migration's table is
/// registered (see `start_migration`).
pub fn write_workbook(book: MigrationBook, path: &Path) -> Result<Vec<Issue>, SheetError> {
    write_workbook_with(book, None, path)
}

/// [`write_workbook`] with what a rebuild carries from a review: the
/// reviewers' cells and columns in Migration, and a Changes sheet.
///
/// # Errors
/// As [`write_workbook`].
pub fn write_workbook_with(
    book: MigrationBook,
    additions: Option<Additions>,
    path: &Path,
) -> Result<Vec<Issue>, SheetError> {
    let shown = path.display().to_string();
    let wrap = |error| SheetError::Write {
        path: path.to_owned(),
        error,
    };
    // The big sheets are written row by row in constant-memory mode: rows
    // stream to a temporary file instead of being held, which keeps a
    // 25,000-row build under 100 MB. Activity is the exception: its text
    // repeats (a few thousand names, a few dozen actions over 50,000 rows),
    // so it shares strings, which shrinks its XML by a third for a table of
    // distinct strings of a few hundred KB.
    let mut wb = Workbook::new();
    // Level 1 deflate: about half the save time of the default 6 for a
    // file some 20% larger.
    wb.set_zip_compression_level(1);
    wb.add_worksheet_with_constant_memory().map_err(wrap)?;
    wb.add_worksheet_with_constant_memory().map_err(wrap)?;
    wb.add_worksheet();
    wb.add_worksheet_with_constant_memory().map_err(wrap)?;
    wb.add_worksheet_with_low_memory().map_err(wrap)?;
    wb.add_worksheet_with_constant_memory().map_err(wrap)?;
    if let Some(a) = &additions {
        write_changes(wb.add_worksheet(), &a.changes).map_err(wrap)?;
    }
    let [migration, customers, summary, issues, activity, meta, ..] = &mut wb.worksheets_mut()[..]
    else {
        return Err(wrap(XlsxError::ParameterError(
            "six sheets expected".into(),
        )));
    };
    // Sheets are independent (each keeps its own format table, merged in
    // sheet order on save), so they are written on two threads: Migration's
    // rows and two small sheets on one, Activity and Meta on the other,
    // about equal halves of the work. Issues comes last: it lists the
    // cells the others had to cut to Excel's limit.
    let clipped = Clipped::default();
    let additions = additions.unwrap_or_default();
    let formats = start_migration(migration, &book, &additions.added_headers).map_err(wrap)?;
    let (rows, rest) = std::thread::scope(|scope| {
        let book = &book;
        let clipped = &clipped;
        let additions = &additions;
        let rows = scope.spawn(|| -> Result<(), XlsxError> {
            migration_rows(migration, book, additions, &formats)?;
            summary::write_customers(customers, book, clipped)?;
            summary::write_summary(summary, book, clipped)
        });
        let rest = (|| -> Result<(), XlsxError> {
            summary::write_activity(activity, book, clipped)?;
            write_meta(meta, book, clipped)
        })();
        let rows = rows.join().unwrap_or_else(|_| {
            Err(XlsxError::ParameterError(
                "the Migration sheet's writer panicked".into(),
            ))
        });
        (rows, rest)
    });
    rows.and(rest).map_err(wrap)?;
    let cut_elsewhere = clipped.issues(&shown);
    summary::write_issues(issues, &book, &cut_elsewhere, (&shown, &clipped)).map_err(wrap)?;
    drop(book);
    drop(additions);
    save(&mut wb, path)?;
    Ok(clipped.issues(&shown))
}

/// Save `wb` to `path` atomically ([`crate::fsio::atomic_write`]):
/// rust_xlsxwriter writes straight to the temporary file, so the workbook
/// is never held whole in memory.
pub(crate) fn save(wb: &mut Workbook, path: &Path) -> Result<(), SheetError> {
    let io = |source| SheetError::Io {
        path: path.to_owned(),
        source,
    };
    crate::fsio::atomic_write(path, |tmp| {
        wb.save(tmp).map_err(|error| match error {
            XlsxError::IoError(source) => io(source),
            error => SheetError::Write {
                path: path.to_owned(),
                error,
            },
        })
    })
    .map_err(|e| e.fold(io))
}

/// Number format per kind, so values typed later keep their type too.
fn num_format(kind: Kind) -> &'static str {
    match kind {
        Kind::Number => "0",
        Kind::Date => "yyyy-mm-dd",
        Kind::Text | Kind::Id | Kind::Enum | Kind::Bool => "@",
    }
}

fn data_format(kind: Kind, review: bool) -> Format {
    let f = Format::new().set_num_format(num_format(kind));
    if review {
        f.set_unlocked().set_background_color(REVIEW_FILL)
    } else {
        f
    }
}

fn header_format(review: bool) -> Format {
    let fill = if review { REVIEW_HEADER } else { LOCKED_HEADER };
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(fill)
}

/// The Migration sheet up to its rows: name, columns, header and table.
/// Returns the per-column data formats.
///
/// The header row is registered as a serialization area that carries the
/// table, rather than with `add_table`: rust_xlsxwriter then adds the
/// table when the workbook is saved, sized to the rows counted by
/// [`next_migration_row`]. `add_table` keeps a map entry for every cell of
/// the table (some 30 MB for 25,000 rows); registered late, that map is
/// built after the book has been dropped instead of beside it.
fn start_migration(
    ws: &mut Worksheet,
    book: &MigrationBook,
    added: &[String],
) -> Result<Vec<Format>, XlsxError> {
    ws.set_name(MIGRATION_SHEET)?;
    let formats: Vec<Format> = MIGRATION
        .iter()
        .map(|s| data_format(s.kind, s.review))
        .collect();
    let mut columns = Vec::with_capacity(MIGRATION.len());
    let mut headers = Vec::with_capacity(MIGRATION.len());
    for (c, spec) in MIGRATION.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, spec.width)?;
        ws.set_column_format(c, &formats[c as usize])?;
        columns.push(TableColumn::new().set_header(spec.header));
        headers.push(
            CustomSerializeField::new(spec.header).set_header_format(header_format(spec.review)),
        );
    }
    for (i, (field, header)) in ADDED_FIELDS.iter().zip(added).enumerate() {
        let c = (MIGRATION.len() + i) as u16;
        ws.set_column_width(c, 20)?;
        columns.push(TableColumn::new().set_header(header));
        headers.push(
            CustomSerializeField::new(*field)
                .rename(header)
                .set_header_format(header_format(true)),
        );
    }
    let table = Table::new()
        .set_name("MigrationRows")
        .set_style(TableStyle::Light1)
        .set_columns(&columns);
    let options = SerializeFieldOptions::new()
        .set_struct_name(TABLE_AREA)
        .set_custom_headers(&headers)
        .set_table(&table);
    ws.serialize_headers_with_options(0, 0, &HeaderRow(added.len()), &options)?;
    if book.rows.is_empty() {
        // A table needs a data row: an empty one, as before.
        next_migration_row(ws)?;
    }
    Ok(formats)
}

/// The serialization area holding the Migration table.
const TABLE_AREA: &str = "MigrationRows";

/// The Migration header as a serializable struct: one field per column,
/// named by its header, then one per column reviewers added (named from
/// [`ADDED_FIELDS`], renamed to their header). Only its field names are
/// used.
struct HeaderRow(usize);

/// Field names for the columns reviewers added: serde wants static names.
const ADDED_FIELDS: [&str; MAX_ADDED_COLUMNS] = [
    "added 1", "added 2", "added 3", "added 4", "added 5", "added 6", "added 7", "added 8",
    "added 9", "added 10", "added 11", "added 12", "added 13", "added 14", "added 15", "added 16",
    "added 17", "added 18", "added 19", "added 20", "added 21", "added 22", "added 23", "added 24",
    "added 25", "added 26", "added 27", "added 28", "added 29", "added 30", "added 31", "added 32",
    "added 33", "added 34", "added 35", "added 36", "added 37", "added 38", "added 39", "added 40",
];

impl serde::Serialize for HeaderRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let added = self.0.min(ADDED_FIELDS.len());
        let mut st = serializer.serialize_struct(TABLE_AREA, MIGRATION.len() + added)?;
        for spec in MIGRATION {
            st.serialize_field(spec.header, &())?;
        }
        for field in &ADDED_FIELDS[..added] {
            st.serialize_field(field, &())?;
        }
        st.end()
    }
}

/// One row of the Migration table, counted: serializing a struct with no
/// fields under the area's name moves the area (and so the table) one row
/// down without writing a cell. The cells themselves are written directly,
/// which is several times faster than serializing them.
struct NextRow;

impl serde::Serialize for NextRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        serializer.serialize_struct(TABLE_AREA, 0)?.end()
    }
}

fn next_migration_row(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.serialize(&NextRow)?;
    Ok(())
}

fn migration_last_row(book: &MigrationBook) -> u32 {
    (book.rows.len() as u32).max(1)
}

/// The Migration rows, freeze panes and validations. `formats` are the
/// column formats [`start_migration`] registered: no new one is added.
fn migration_rows(
    ws: &mut Worksheet,
    book: &MigrationBook,
    additions: &Additions,
    formats: &[Format],
) -> Result<(), XlsxError> {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let plain = Format::new();
    for (i, row) in book.rows.iter().enumerate() {
        let r = i as u32 + 1;
        let carried = additions.review.get(i).map_or(&[][..], Vec::as_slice);
        for (c, spec) in MIGRATION.iter().enumerate() {
            let value = match carried.iter().find(|(col, _)| *col == spec.col) {
                Some((_, v)) if spec.review => v.clone(),
                _ => render(row, spec.col),
            };
            // Locked cells need no cell format (Excel's default style is
            // locked, and the column format covers values typed later):
            // skipping the per-cell format lookup halves the write time.
            // Review cells carry theirs (unlocked, tinted); dates need one.
            match (&value, spec.review) {
                (CellValue::Empty, false) => {}
                (CellValue::Text(s), false) => {
                    ws.write_string(r, c as u16, s)?;
                }
                (CellValue::Number(n), false) => {
                    ws.write_number(r, c as u16, *n)?;
                }
                _ => write_value(ws, r, c as u16, &value, &formats[c])?,
            }
        }
        let added = additions.added.get(i).map_or(&[][..], Vec::as_slice);
        for (j, v) in added.iter().take(ADDED_FIELDS.len()).enumerate() {
            let c = (MIGRATION.len() + j) as u16;
            let f = if matches!(v, CellValue::Date(_)) {
                &date
            } else {
                &plain
            };
            if !matches!(v, CellValue::Empty) {
                write_value(ws, r, c, v, f)?;
            }
        }
        next_migration_row(ws)?;
    }
    ws.set_freeze_panes(1, 0)?;
    add_validations(ws, migration_last_row(book))?;
    Ok(())
}

fn column_of(col: Col) -> u16 {
    MIGRATION.iter().position(|s| s.col == col).unwrap_or(0) as u16
}

fn add_validations(ws: &mut Worksheet, last_row: u32) -> Result<(), XlsxError> {
    let approved = DataValidation::new()
        .allow_list_strings(&["Yes", "No"])?
        .set_input_title("Approve this row?")?
        .set_input_message(
            "Yes: push re-creates it at the destination. Empty or No: not pushed.",
        )?;
    let c = column_of(Col::Approved);
    ws.add_data_validation(1, c, last_row, c, &approved)?;
    let cycle = DataValidation::new()
        .allow_list_strings(&["Monthly", "Annual", "Triennial"])?
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_message("Usual billing cycles are Monthly, Annual and Triennial.")?;
    let c = column_of(Col::TargetBillingCycle);
    ws.add_data_validation(1, c, last_row, c, &cycle)?;
    Ok(())
}
