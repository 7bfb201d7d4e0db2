//! The performance floor for `build`:
//! `cargo run --release --example floor -- DIR [OUT.xlsx]`.
//!
//! Reads every input of a generated workload (see `gen_workload`) the
//! cheapest way the libraries allow — each export's first sheet with
//! calamine, `Customers.csv` and `ActivityLog.csv` with csv byte records —
//! and writes a workbook of the same size as the migration workbook
//! (one row per subscription, 30 columns) with rust_xlsxwriter. One thread,
//! no logic. `build` is measured against this: its target is ≤ 1.5× this
//! time. Prints the elapsed seconds on the last line (`floor_seconds=…`).
//! It runs on the tool's allocator (`csp_consolidate::alloc`), so the two
//! are compared like with like.

use std::path::{Path, PathBuf};
use std::time::Instant;

use calamine::{Data, Reader, Xlsx, open_workbook};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const COLUMNS: u16 = 30;

/// Reads a CSV with byte records; returns (rows, bytes in fields).
fn read_csv(path: &Path) -> Res<(u64, u64)> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    while rdr.read_byte_record(&mut rec)? {
        rows += 1;
        bytes += rec.as_slice().len() as u64;
    }
    Ok((rows, bytes))
}

/// Writes one export row (plus its file's stem) widened to 30 columns.
fn write_row(ws: &mut Worksheet, r: u32, stem: &str, cells: &[Data], date: &Format) -> Res<()> {
    ws.write_string(r, 0, stem)?;
    if cells.is_empty() {
        return Ok(());
    }
    for col in 1..COLUMNS {
        let cell = &cells[(col as usize - 1) % cells.len()];
        match cell {
            Data::String(s) => ws.write_string(r, col, s).map(|_| ())?,
            Data::Float(f) => ws.write_number(r, col, *f).map(|_| ())?,
            Data::Int(i) => ws.write_number(r, col, *i as f64).map(|_| ())?,
            Data::DateTime(d) => ws
                .write_number_with_format(r, col, d.as_f64(), date)
                .map(|_| ())?,
            Data::Bool(b) => ws.write_boolean(r, col, *b).map(|_| ())?,
            _ => {}
        }
    }
    Ok(())
}

fn main() -> Res<()> {
    csp_consolidate::alloc::tune_for_batch();
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: floor DIR [OUT.xlsx]")?);
    let out = args
        .next()
        .map_or_else(|| dir.join("floor.xlsx"), PathBuf::from);
    let t0 = Instant::now();

    let (customers, _) = read_csv(&dir.join("Customers.csv"))?;
    let (activity, _) = read_csv(&dir.join("ActivityLog.csv"))?;
    let t_csv = t0.elapsed();

    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("exports"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    files.sort();

    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet_with_constant_memory()?;
    for col in 0..COLUMNS {
        ws.write_string(0, col, format!("Column {col}"))?;
    }
    let mut r = 0u32;
    for path in &files {
        let mut book: Xlsx<_> = open_workbook(path)?;
        let range = book.worksheet_range_at(0).ok_or("no sheet")??;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        for row in range.rows().skip(1) {
            r += 1;
            write_row(ws, r, stem, row, &date)?;
        }
    }
    let t_read = t0.elapsed();
    wb.save(&out)?;
    let total = t0.elapsed();
    println!(
        "floor: {customers} customers + {activity} activity rows read in {:.2} s; {} exports ({r} rows) read in {:.2} s; wrote {r}x{COLUMNS} in {:.2} s",
        t_csv.as_secs_f64(),
        files.len(),
        (t_read - t_csv).as_secs_f64(),
        (total - t_read).as_secs_f64(),
    );
    println!("floor_seconds={:.3}", total.as_secs_f64());
    Ok(())
}
