//! The migration workbook written by `sheet::write_workbook` and read back
//! with calamine (cell types, headers, meta sheet) and with
//! `sheet::read_workbook` (round trip, tolerant reading, refusals).

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, SheetVisible, open_workbook_auto};
use csp_consolidate::sheet::{Col, MIGRATION, SheetError, read_workbook, write_workbook};

use crate::support::grid::{Cells, col, grid_eq, named, rewrite, set, sheet};
use crate::support::sample::{CONTOSO, large_book, sample_book};
use crate::support::workbook::{reviewed as fixture, write_book};

const SUB_A: &str = "5e1f0c2a-7b3d-4c8e-9f10-1a2b3c4d5e6f";
const SUB_B: &str = "00c0ffee-0000-4000-8000-000000000001";

fn written(dir: &Path) -> PathBuf {
    write_book(dir, &sample_book())
}

#[test]
fn migration_sheet_has_the_designed_headers_and_cell_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    let cells = sheet(&path, "Migration");
    let headers: Vec<String> = cells[0].iter().map(|d| d.to_string()).collect();
    let designed: Vec<&str> = MIGRATION.iter().map(|s| s.header).collect();
    assert_eq!(headers, designed);
    let r = crate::support::grid::row_of(&cells, SUB_A);
    let at = |h: &str| cells[r][col(&cells, h)].clone();
    assert_eq!(at("Customer tenant ID"), Data::String(CONTOSO.into()));
    assert_eq!(
        at("Reseller"),
        Data::String("0012345".into()),
        "IDs keep leading zeros"
    );
    assert_eq!(at("Seats"), Data::Float(25.0));
    assert_eq!(at("Target seats"), Data::Float(25.0));
    assert_eq!(at("Double-billing days"), Data::Float(0.0));
    assert!(
        matches!(at("Term end"), Data::DateTime(d) if d.as_f64() == 46477.0),
        "{:?}",
        at("Term end")
    );
    assert_eq!(at("Nickname"), Data::String("=SUM(A1:A2)".into()));
    assert_eq!(
        at("Other input columns"),
        Data::String("Order number: 000123456789012345".into())
    );
    let rb = crate::support::grid::row_of(&cells, SUB_B);
    assert_eq!(
        cells[rb][col(&cells, "Nickname")],
        Data::String("+44 sales".into())
    );
}

#[test]
fn strings_that_look_like_formulas_are_never_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    let mut wb = open_workbook_auto(&path).unwrap();
    let formulas = wb.worksheet_formula("Migration").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
}

#[test]
fn meta_sheet_is_hidden_and_every_sheet_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    let wb = open_workbook_auto(&path).unwrap();
    let sheets: Vec<(String, SheetVisible)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible))
        .collect();
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Migration",
            "Customers",
            "Summary",
            "Issues",
            "Activity",
            "Meta"
        ]
    );
    assert_ne!(sheets[5].1, SheetVisible::Visible);
    assert_eq!(sheets[0].1, SheetVisible::Visible);
    let issues = sheet(&path, "Issues");
    assert_eq!(issues[1][2], Data::String("Sheet1!A2".into()));
}

#[test]
fn round_trip_gives_back_every_row_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    let book = read_workbook(&path).unwrap();
    let rows: Vec<_> = book.rows.iter().map(|r| r.row.clone()).collect();
    assert_eq!(rows, sample_book().rows);
    assert!(book.problems.is_empty(), "{:?}", book.problems);
    assert!(
        book.rows
            .iter()
            .all(|r| r.locked_edits.is_empty() && r.meta_row.is_some())
    );
    assert_eq!(book.rows[0].sheet_row, 2);
    assert_eq!(book.meta.as_of, Some(sample_book().as_of));
    assert_eq!(book.meta.inputs, sample_book().inputs);
}

#[test]
fn a_large_book_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.xlsx");
    let big = large_book(2_000);
    write_workbook(big.clone(), &path).unwrap();
    let book = read_workbook(&path).unwrap();
    assert_eq!(book.rows.len(), 2_000);
    assert_eq!(book.rows[1999].row, big.rows[1999]);
    assert!(book.problems.is_empty());
}

#[test]
fn reordered_hidden_and_extra_columns_are_found_by_header() {
    let dir = tempfile::tempdir().unwrap();
    let src = written(dir.path());
    let dst = dir.path().join("moved.xlsx");
    rewrite(&src, &dst, |sheets| {
        let m = named(sheets, "Migration");
        let approved = col(m, "Approved");
        for row in m.iter_mut() {
            row.resize(MIGRATION.len(), Data::Empty);
            let cell = row.remove(approved);
            row.insert(0, cell);
            row.push(Data::Empty);
        }
        m[0][MIGRATION.len()] = Data::String("My own notes".into());
        set(m, SUB_A, "Approved", Data::String("ja".into()));
    });
    let book = read_workbook(&dst).unwrap();
    assert_eq!(book.columns.get(&Col::Approved), Some(&0));
    let a = book
        .rows
        .iter()
        .find(|r| r.row.source_subscription_id == SUB_A)
        .unwrap();
    assert!(a.row.approved);
    assert!(a.locked_edits.is_empty());
    assert_eq!(
        book.cell(a, Col::Approved).to_string(),
        format!("{}: Migration!A2", dst.display())
    );
}

#[test]
fn numbers_come_back_the_same_however_they_were_saved() {
    let dir = tempfile::tempdir().unwrap();
    let src = written(dir.path());
    let dst = dir.path().join("typed.xlsx");
    rewrite(&src, &dst, |sheets| {
        let m = named(sheets, "Migration");
        set(m, SUB_A, "Target seats", Data::String(" 12 ".into()));
        set(m, SUB_B, "Target seats", Data::Int(12));
        set(m, SUB_A, "Seats", Data::String("25".into()));
        set(m, SUB_A, "Term end", Data::String("2027-03-31".into()));
        set(m, SUB_B, "Seats", Data::Int(10));
    });
    let book = read_workbook(&dst).unwrap();
    for r in &book.rows[..2] {
        assert_eq!(r.row.target_seats, Some(12));
        assert!(r.locked_edits.is_empty(), "{:?}", r.locked_edits);
    }
}

#[test]
fn an_edited_locked_cell_is_reported_with_old_and_new_value() {
    let dir = tempfile::tempdir().unwrap();
    let src = written(dir.path());
    let dst = dir.path().join("edited.xlsx");
    rewrite(&src, &dst, |sheets| {
        set(
            named(sheets, "Migration"),
            SUB_A,
            "Seats",
            Data::Float(30.0),
        )
    });
    let book = read_workbook(&dst).unwrap();
    let edits = &book.rows[0].locked_edits;
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (
            edits[0].col,
            edits[0].original.as_str(),
            edits[0].found.as_str()
        ),
        (Col::Seats, "25", "30")
    );
}

#[test]
fn deleted_rows_are_warned_and_rows_without_key_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = written(dir.path());
    let dst = dir.path().join("deleted.xlsx");
    rewrite(&src, &dst, |sheets| {
        let m = named(sheets, "Migration");
        let r = crate::support::grid::row_of(m, SUB_B);
        m.remove(r);
        set(m, SUB_A, "Source subscription ID", Data::Empty);
    });
    let book = read_workbook(&dst).unwrap();
    let texts: Vec<String> = book.problems.iter().map(ToString::to_string).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Migration!D2: error: this row has no Source subscription ID")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains(
            "warning: subscription 00c0ffee-0000-4000-8000-000000000001 (Contoso Ltd) is missing"
        )),
        "{texts:?}"
    );
}

fn refusal(path: &Path) -> String {
    match read_workbook(path) {
        Err(SheetError::NotMigrationWorkbook { reason, .. }) => reason,
        other => panic!("expected NotMigrationWorkbook, got {other:?}"),
    }
}

#[test]
fn a_workbook_without_meta_sheet_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let src = written(dir.path());
    let dst = dir.path().join("nometa.xlsx");
    rewrite(&src, &dst, |sheets| sheets.retain(|(n, _)| n != "Meta"));
    assert!(refusal(&dst).contains("no Meta sheet"), "{}", refusal(&dst));
}

#[test]
fn another_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = written(dir.path());
    let dst = dir.path().join("v99.xlsx");
    rewrite(&src, &dst, |sheets| {
        let meta: &mut Cells = named(sheets, "Meta");
        let r = meta
            .iter()
            .position(|r| {
                r.first()
                    .is_some_and(|d| matches!(d, Data::String(s) if s == "format_version"))
            })
            .unwrap();
        meta[r][1] = Data::String("99".into());
    });
    assert!(
        refusal(&dst).contains("format version 99"),
        "{}",
        refusal(&dst)
    );
}

#[test]
fn a_missing_required_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = written(dir.path());
    let dst = dir.path().join("renamed.xlsx");
    rewrite(&src, &dst, |sheets| {
        let m = named(sheets, "Migration");
        let c = col(m, "Target seats");
        m[0][c] = Data::String("Seats wanted".into());
    });
    assert!(
        refusal(&dst).contains("no \"Target seats\" column"),
        "{}",
        refusal(&dst)
    );
}

#[test]
fn libreoffice_resave_keeps_every_migration_cell() {
    let original = sheet(&fixture("original.xlsx"), "Migration");
    let resaved = sheet(&fixture("libreoffice-resaved.xlsx"), "Migration");
    grid_eq(&original, &resaved).unwrap();
    let book = read_workbook(&fixture("libreoffice-resaved.xlsx")).unwrap();
    assert!(book.problems.is_empty(), "{:?}", book.problems);
    assert!(book.rows.iter().all(|r| r.locked_edits.is_empty()));
    let rows: Vec<_> = book.rows.iter().map(|r| r.row.clone()).collect();
    assert_eq!(rows, sample_book().rows);
}

#[test]
fn fixture_original_is_what_the_writer_writes_today() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = sheet(&written(dir.path()), "Migration");
    grid_eq(&fresh, &sheet(&fixture("original.xlsx"), "Migration")).unwrap();
}

#[test]
fn an_empty_book_writes_and_reads_back_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.xlsx");
    let mut book = sample_book();
    book.rows.clear();
    book.customers.clear();
    write_workbook(book.clone(), &path).unwrap();
    let back = read_workbook(&path).unwrap();
    assert!(back.rows.is_empty() && back.problems.is_empty());
    assert!(csp_consolidate::plan::make_plan(&back).is_clean());
}

#[test]
fn writes_are_atomic_and_leave_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    write_workbook(sample_book(), &path).expect("overwrite in place");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["migration.xlsx"]);
    let missing = dir.path().join("no-such-dir").join("m.xlsx");
    assert!(matches!(
        write_workbook(sample_book(), &missing),
        Err(SheetError::Io { .. })
    ));
}

/// Migration's Excel table is registered before its rows and sized when
/// the workbook is saved: it must span the header and every row, with the
/// layout's headers as its column names (and one empty row for no rows).
#[test]
fn the_migration_table_spans_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let headers: Vec<String> = MIGRATION.iter().map(|s| s.header.to_owned()).collect();
    for n in [0usize, 1, 7, 300] {
        let path = dir.path().join(format!("table-{n}.xlsx"));
        let mut book = large_book(n.max(1));
        book.rows.truncate(n);
        write_workbook(book, &path).unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        wb.load_tables().unwrap();
        let table = wb.table_by_name("MigrationRows").unwrap();
        assert_eq!(table.sheet_name(), "Migration");
        assert_eq!(table.columns(), headers.as_slice(), "{n} rows");
        let (height, width) = table.data().get_size();
        assert_eq!(width, MIGRATION.len(), "{n} rows");
        assert_eq!(height, n.max(1), "{n} rows: table data height");
        let migration = sheet(&path, "Migration");
        assert_eq!(migration.len(), n + 1, "{n} rows: sheet rows with header");
    }
}
