//! Write the sample migration workbook the tests use (the source of the
//! committed fixtures in `fixtures/reviewed/`), or a large one and time
//! `read_workbook` + `make_plan` on it.
//!
//! ```text
//! cargo run --example sample_workbook -- fixtures/reviewed/original.xlsx
//! cargo run --example sample_workbook -- /tmp/big.xlsx --rows 25000 --time
//! cargo run --example sample_workbook -- /tmp/big.xlsx --no-write --time
//! ```

use std::path::PathBuf;
use std::time::Instant;

use csp_consolidate::plan::make_plan;
use csp_consolidate::sheet::{read_workbook, write_workbook};

#[path = "../tests/it/support/sample.rs"]
mod sample;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.first()
            .ok_or("usage: sample_workbook OUT.xlsx [--rows N] [--time]")?,
    );
    let rows = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse::<usize>())
        .transpose()?;
    let book = match rows {
        Some(n) => sample::large_book(n),
        None => sample::sample_book(),
    };
    if !args.iter().any(|a| a == "--no-write") {
        let t = Instant::now();
        let n = book.rows.len();
        write_workbook(book.clone(), &out)?;
        println!("wrote {n} rows to {} in {:?}", out.display(), t.elapsed());
    }
    if args.iter().any(|a| a == "--time") {
        for _ in 0..3 {
            let t = Instant::now();
            let reviewed = read_workbook(&out)?;
            let read = t.elapsed();
            let plan = make_plan(&reviewed);
            println!(
                "read {:?} + plan {:?} = {:?}: {} line items, {} blocking",
                read,
                t.elapsed() - read,
                t.elapsed(),
                plan.counts.line_items,
                plan.counts.blocking
            );
        }
    }
    Ok(())
}
