//! Times streaming one activity CSV through the fold (a profiling aid for
//! the activity pass; not part of the tool).
//! Usage: cargo run --release --example act_stream -- target/bench-data/L/ActivityLog.csv

use std::time::Instant;

use csp_consolidate::ingest::activity::{ActivityAcc, JoinCtx};
use csp_consolidate::ingest::discover::Found;
use csp_consolidate::ingest::stream::stream_activity_csv;

#[path = "common/rss.rs"]
mod rss;
use rss::peak_rss_mb;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    csp_consolidate::alloc::tune_for_batch();
    let path = std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: act_stream CSV")?);
    let found = Found {
        display: path.display().to_string(),
        path,
    };
    let t = Instant::now();
    let mut acc = ActivityAcc::default();
    let (file, issues) = stream_activity_csv(&found, &mut acc, None);
    let streamed = t.elapsed().as_secs_f64();
    println!("after streaming: peak {:.0} MB", peak_rss_mb());
    let ctx = JoinCtx {
        customers: &[],
        by_name: Default::default(),
        export_time: Vec::new(),
        sub_export_time: Default::default(),
    };
    let (summary, more) = acc.finish(&ctx, true);
    println!(
        "streamed {} rows in {streamed:.3}s (total {:.3}s), {} issues, {} aggregates, sha {}, peak {:.0} MB",
        file.rows,
        t.elapsed().as_secs_f64(),
        issues.len() + more.len(),
        summary.aggregates.len(),
        &file.sha256[..12],
        peak_rss_mb()
    );
    Ok(())
}
