//! Times each phase of `build` on a workload folder and prints peak RSS
//! after each (a profiling aid for bench/build.sh; not part of the tool).
//! Usage: cargo run --release --example phases -- target/bench-data/L

use std::time::Instant;

use csp_consolidate::ingest::{IngestSpec, read_all};
use csp_consolidate::ops::build::{BuildSettings, build_book};

#[path = "common/rss.rs"]
mod rss;
use rss::peak_rss_mb;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    csp_consolidate::alloc::tune_for_batch();
    let dir = std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: phases DIR")?);
    let spec = IngestSpec {
        exports: vec![dir.join("exports")],
        customers: Some(dir.join("Customers.csv")),
        activity: vec![dir.join("ActivityLog.csv")],
        exported_at: None,
        day_first: None,
    };
    if std::env::args().nth(2).as_deref() == Some("--ingest-separately") {
        let only_exports = IngestSpec {
            activity: vec![],
            ..spec.clone()
        };
        let t = Instant::now();
        let inputs = read_all(&only_exports, &|_, _| {})?;
        println!(
            "ingest without activity: {:.3}s, {} subs, peak {:.0} MB",
            t.elapsed().as_secs_f64(),
            inputs.subscriptions.len(),
            peak_rss_mb()
        );
        drop(inputs);
        let t = Instant::now();
        let _inputs = read_all(&spec, &|_, _| {})?;
        println!(
            "ingest with activity:    {:.3}s, peak {:.0} MB",
            t.elapsed().as_secs_f64(),
            peak_rss_mb()
        );
    }
    let now = chrono::Utc::now().naive_utc();
    let settings = BuildSettings {
        ingest: spec,
        offer_map: None,
        out: "/tmp/prof/L.xlsx".into(),
        as_of: now.date(),
        now,
    };
    let t = Instant::now();
    let book = build_book(&settings, &|_, _| {})?;
    println!(
        "build_book:              {:.3}s, peak {:.0} MB",
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    let t = Instant::now();
    csp_consolidate::sheet::write_workbook(book, &settings.out)?;
    println!(
        "write_workbook:          {:.3}s, peak {:.0} MB",
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    Ok(())
}
