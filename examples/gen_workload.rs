//! Generates a benchmark workload for `csp-consolidate build`:
//! `cargo run --release --example gen_workload -- --size L --out DIR [--seed N]`.
//!
//! Size L is DESIGN.md's workload: 5,000 per-customer export workbooks
//! (~25,000 subscriptions, English headers, named by tenant GUID or by
//! company name), a 5,000-row `Customers.csv` and a 1,000,000-row (~96 MB)
//! activity log naming those customers. S is a tenth of L, M two fifths.
//!
//! Why it looks like this: the benchmark must be reproducible, so every
//! customer draws from its own RNG seeded by (seed, index) — the xlsx files
//! are written in parallel with rayon yet the bytes never depend on thread
//! scheduling — and each xlsx has a fixed creation time. Layout of DIR:
//! `exports/*.xlsx`, `Customers.csv`, `ActivityLog.csv`.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Size {
    customers: usize,
    activity_rows: usize,
}

fn size(name: &str) -> Option<Size> {
    let (customers, activity_rows) = match name {
        "S" | "s" => (500, 100_000),
        "M" | "m" => (2_000, 400_000),
        "L" | "l" => (5_000, 1_000_000),
        _ => return None,
    };
    Some(Size {
        customers,
        activity_rows,
    })
}

struct Cust {
    tenant: String,
    name: String,
    domain: String,
}

const ADJ: [&str; 24] = [
    "Blue", "Northern", "Silver", "Golden", "Green", "Rapid", "Bright", "Coastal", "Alpine",
    "Urban", "Royal", "Pacific", "Atlantic", "Summit", "Crystal", "Red", "Eastern", "Western",
    "Prime", "Grand", "Iron", "Cedar", "Maple", "Harbor",
];
const NOUN: [&str; 24] = [
    "River", "Falcon", "Oak", "Stone", "Bridge", "Valley", "Peak", "Lake", "Forest", "Field",
    "Star", "Wave", "Hill", "Rock", "Bay", "Meadow", "Ridge", "Crown", "Anchor", "Lantern",
    "Compass", "Harvest", "Beacon", "Orchard",
];
const TRADE: [&str; 12] = [
    "Logistics",
    "Consulting",
    "Dental",
    "Bakery",
    "Engineering",
    "Foods",
    "Media",
    "Legal",
    "Robotics",
    "Textiles",
    "Pharma",
    "Travel",
];
const SUFFIX: [&str; 8] = [
    "Ltd.", "GmbH", "Inc.", "LLC", "S.A.", "Pty Ltd", "B.V.", "AG",
];

/// Offers: (product, offer ID, usage-based).
const OFFERS: [(&str, &str, bool); 10] = [
    (
        "Office 365 E3",
        "796B6B5F-613C-4E24-A17C-EBA730D49C02",
        false,
    ),
    (
        "Office 365 E1",
        "91FD106F-4B2C-4938-95AC-F54F74E9A239",
        false,
    ),
    (
        "Exchange Online (Plan 1)",
        "195416C1-3447-423A-B37B-EE59A99A19C4",
        false,
    ),
    (
        "Microsoft 365 Business Basic",
        "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
        false,
    ),
    (
        "Microsoft 365 Business Premium",
        "CFQ7TTC0LCHC:0002:CFQ7TTC0K8R2",
        false,
    ),
    ("Microsoft 365 E3", "CFQ7TTC0LFLZ:0001:CFQ7TTC0KDLB", false),
    (
        "Microsoft Teams Essentials",
        "CFQ7TTC0RQ8Q:0001:CFQ7TTC0K971",
        false,
    ),
    ("Power BI Pro", "CFQ7TTC0L3PB:0001:CFQ7TTC0KXFG", false),
    ("Azure plan", "DZH318Z0BPS6:0001:DZH318Z0BPSW", true),
    ("Microsoft Azure", "MS-AZR-0145P", true),
];
const STATUSES: [&str; 10] = [
    "Active",
    "Active",
    "Active",
    "Active",
    "Active",
    "Active",
    "Suspended",
    "Deleted",
    "Expired",
    "Disabled",
];
/// Actions: (text, weight). About half affect subscriptions.
const ACTIONS: [(&str, u32); 10] = [
    ("Updated subscription quantity", 25),
    ("Created order", 10),
    ("Suspended subscription", 5),
    ("Reactivated subscription", 3),
    ("Updated subscription auto renew", 7),
    ("Created user", 15),
    ("Reset user password", 15),
    ("Assigned licenses to user", 10),
    ("Granular admin relationship created", 5),
    ("Created a referral", 5),
];
const USERS: [&str; 4] = [
    "admin@contosoemea.com",
    "ops.jane@contosoemea.com",
    "ops.li@contosoemea.com",
    "svc-automation@contosoemea.com",
];

fn guid(rng: &mut fastrand::Rng) -> String {
    let (a, b) = (rng.u64(..), rng.u64(..));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// Customer `i`: a unique name (mixed radix over the word lists).
fn customer(seed: u64, i: usize) -> Cust {
    let mut rng = fastrand::Rng::with_seed(seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let (a, n, t) = (i % 24, (i / 24) % 24, (i / 576) % 12);
    let sfx = SUFFIX[rng.usize(..SUFFIX.len())];
    // Beyond 24*24*12 names, a number keeps them unique.
    let extra = if i >= 24 * 24 * 12 {
        format!(" {}", i / 6912)
    } else {
        String::new()
    };
    let name = format!("{} {} {}{} {}", ADJ[a], NOUN[n], TRADE[t], extra, sfx);
    let domain = format!(
        "{}{}{}{}.onmicrosoft.com",
        ADJ[a].to_lowercase(),
        NOUN[n].to_lowercase(),
        TRADE[t].to_lowercase(),
        extra.trim()
    );
    Cust {
        tenant: guid(&mut rng),
        name,
        domain,
    }
}

const HEADER: [&str; 10] = [
    "Subscription ID",
    "Subscription",
    "Offer ID",
    "Quantity",
    "Status",
    "Billing frequency",
    "Term duration",
    "Commitment end date",
    "Auto-renew",
    "Reseller",
];

/// One customer's export workbook; returns its number of subscriptions.
fn write_export(dir: &Path, seed: u64, i: usize, c: &Cust) -> Res<usize> {
    let mut rng = fastrand::Rng::with_seed(!seed ^ (i as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9));
    let file = if rng.bool() {
        format!("{}.xlsx", c.tenant)
    } else {
        format!("{}.xlsx", c.name)
    };
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2026, 11, 10)?.and_hms(9, 0, 0)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("m/d/yyyy");
    let ws = wb.add_worksheet();
    ws.set_name("Subscriptions")?;
    for (col, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    let n = rng.usize(1..=9);
    for r in 1..=n as u32 {
        let (product, offer, usage) = OFFERS[rng.usize(..OFFERS.len())];
        let nce = offer.starts_with("CFQ");
        ws.write_string(r, 0, guid(&mut rng))?;
        ws.write_string(r, 1, product)?;
        ws.write_string(r, 2, offer)?;
        ws.write_number(r, 3, if usage { 1.0 } else { rng.u32(1..=300) as f64 })?;
        ws.write_string(r, 4, STATUSES[rng.usize(..STATUSES.len())])?;
        ws.write_string(
            r,
            5,
            if rng.u8(..4) == 0 {
                "Annual"
            } else {
                "Monthly"
            },
        )?;
        if nce {
            ws.write_string(r, 6, if rng.bool() { "P1Y" } else { "P1M" })?;
        }
        if !usage {
            let end = ExcelDateTime::from_ymd(2027, rng.u8(1..=12), rng.u8(1..=28))?;
            ws.write_datetime_with_format(r, 7, end, &date)?;
            ws.write_string(r, 8, if rng.bool() { "TRUE" } else { "FALSE" })?;
        }
        if rng.u8(..10) == 0 {
            ws.write_string(r, 9, format!("5{:06}", rng.u32(..1_000_000)))?;
        }
    }
    wb.save(dir.join(file))?;
    Ok(n)
}

fn write_customers(path: &Path, custs: &[Cust]) -> Res<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_path(path)?;
    w.write_record([
        "Microsoft ID",
        "Company name",
        "Primary domain name",
        "Relationship",
        "Tags",
    ])?;
    for c in custs {
        w.write_record([&c.tenant, &c.name, &c.domain, "Cloud Reseller", ""])?;
    }
    w.flush()?;
    Ok(())
}

/// `M/d/yyyy h:mm:ss AM/PM` for seconds since 2026-01-01 00:00 (UTC).
fn us_datetime(out: &mut String, secs: u64) {
    const DAYS: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut day, tod) = (secs / 86_400, secs % 86_400);
    let mut month = 0;
    while month < 11 && day >= DAYS[month] {
        day -= DAYS[month];
        month += 1;
    }
    let (h, m, s) = (tod / 3600, (tod / 60) % 60, tod % 60);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "{}/{}/2026 {h12}:{m:02}:{s:02} {ampm}",
        month + 1,
        day + 1
    );
}

/// The activity log, newest first (as Partner Center lists it), from
/// 2026-08-01 to 2026-11-20; ~0.2% of rows name a company not in the list.
fn write_activity(path: &Path, seed: u64, custs: &[Cust], rows: usize) -> Res<()> {
    let mut rng = fastrand::Rng::with_seed(seed.rotate_left(17));
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    w.write_all(b"Date-Time,Affected customer,Action,Partner user\r\n")?;
    let start: u64 = 212 * 86_400; // 2026-08-01
    let end: u64 = 323 * 86_400 + 86_399; // 2026-11-20 23:59:59
    let step = (end - start) as f64 / rows.max(1) as f64;
    let total: u32 = ACTIONS.iter().map(|a| a.1).sum();
    let mut line = String::with_capacity(256);
    for k in 0..rows {
        line.clear();
        let t = end - (k as f64 * step) as u64;
        us_datetime(&mut line, t);
        line.push(',');
        if rng.u16(..500) == 0 {
            line.push_str("Unknown Holdings Ltd.");
        } else {
            let name = &custs[rng.usize(..custs.len())].name;
            if name.contains(',') {
                line.push('"');
                line.push_str(name);
                line.push('"');
            } else {
                line.push_str(name);
            }
        }
        let mut pick = rng.u32(..total);
        let action = ACTIONS
            .iter()
            .find(|a| {
                let hit = pick < a.1;
                pick = pick.saturating_sub(a.1);
                hit
            })
            .map_or(ACTIONS[0].0, |a| a.0);
        line.push(',');
        line.push_str(action);
        line.push(',');
        line.push_str(USERS[rng.usize(..USERS.len())]);
        line.push_str("\r\n");
        w.write_all(line.as_bytes())?;
    }
    w.flush()?;
    Ok(())
}

fn parse_args() -> Result<(Size, PathBuf, u64), String> {
    let (mut size_name, mut out, mut seed) = (None, None, 0x5eed_2026_u64);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size" => size_name = args.next(),
            "--out" => out = args.next().map(PathBuf::from),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).ok_or("--seed N")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let usage = "usage: gen_workload --size S|M|L --out DIR [--seed N]";
    let size = size_name.as_deref().and_then(size).ok_or(usage)?;
    Ok((size, out.ok_or(usage)?, seed))
}

fn main() -> Res<()> {
    let (size, out, seed) = parse_args()?;
    let t0 = Instant::now();
    let exports = out.join("exports");
    fs::create_dir_all(&exports)?;
    let custs: Vec<Cust> = (0..size.customers).map(|i| customer(seed, i)).collect();
    write_customers(&out.join("Customers.csv"), &custs)?;
    let subs = custs
        .par_iter()
        .enumerate()
        .map(|(i, c)| write_export(&exports, seed, i, c))
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let t1 = Instant::now();
    write_activity(
        &out.join("ActivityLog.csv"),
        seed,
        &custs,
        size.activity_rows,
    )?;
    let t2 = Instant::now();
    println!(
        "{} customers, {subs} subscriptions in {:.2} s; {} activity rows in {:.2} s; total {:.2} s -> {}",
        custs.len(),
        (t1 - t0).as_secs_f64(),
        size.activity_rows,
        (t2 - t1).as_secs_f64(),
        (t2 - t0).as_secs_f64(),
        out.display()
    );
    Ok(())
}
