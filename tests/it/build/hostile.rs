//! "Never a panic, whatever the input": hostile files fed to the real
//! binary as exports, customer lists, activity logs and offer maps. Every
//! run must end with 0, 1 or 2, never 101 or "panicked".

use std::path::Path;

use super::bad_inputs::{S1, T1, csv, good_export};
use crate::support::grid::{migration_rows, record_of};
use crate::support::workbook::build_in;

/// A minimal zip archive (stored, no compression) holding `name`.
fn zip_one(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32(data);
    let (n, len) = (name.len() as u16, data.len() as u32);
    let mut z = Vec::new();
    z.extend(0x0403_4b50u32.to_le_bytes());
    z.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
    z.extend(crc.to_le_bytes());
    z.extend(len.to_le_bytes());
    z.extend(len.to_le_bytes());
    z.extend(n.to_le_bytes());
    z.extend(0u16.to_le_bytes());
    z.extend(name.as_bytes());
    z.extend(data);
    let central = z.len() as u32;
    z.extend(0x0201_4b50u32.to_le_bytes());
    z.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    z.extend(crc.to_le_bytes());
    z.extend(len.to_le_bytes());
    z.extend(len.to_le_bytes());
    z.extend(n.to_le_bytes());
    z.extend([0; 12]); // extra, comment, disk, attributes (internal)
    z.extend(0u32.to_le_bytes()); // external attributes
    z.extend(0u32.to_le_bytes()); // local header offset
    z.extend(name.as_bytes());
    let size = z.len() as u32 - central;
    z.extend(0x0605_4b50u32.to_le_bytes());
    z.extend([0, 0, 0, 0, 1, 0, 1, 0]);
    z.extend(size.to_le_bytes());
    z.extend(central.to_le_bytes());
    z.extend(0u16.to_le_bytes());
    z
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn random_bytes(rng: &mut fastrand::Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.u8(..)).collect()
}

/// Every hostile file, by name.
fn hostile_files() -> Vec<(String, Vec<u8>)> {
    let mut rng = fastrand::Rng::with_seed(20261110);
    let real = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/exports/Contoso Ltd.xlsx"),
    )
    .expect("fixture xlsx");
    let mut corrupt = real.clone();
    for i in (real.len() / 3..real.len() / 3 + 200).step_by(7) {
        corrupt[i] ^= 0x5A;
    }
    let mut wide = (0..50_000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    wide.push_str("\r\n");
    wide.push_str(&"x,".repeat(49_999));
    wide.push_str("x\r\n");
    let mut wide_export = String::from("Customer tenant ID,Subscription ID,Subscription,Quantity");
    for i in 0..50_000 {
        wide_export.push_str(&format!(",extra{i}"));
    }
    wide_export.push_str(&format!("\r\n{T1},{S1},Office 365 E3,10"));
    wide_export.push_str(&",v".repeat(50_000));
    wide_export.push_str("\r\n");
    let mut nul = good_export();
    nul.splice(40..40, [0u8; 16]);
    nul.extend([0u8; 64]);
    let long_product = "Ω".repeat(100_000);
    vec![
        ("random.xlsx".into(), random_bytes(&mut rng, 4096)),
        ("random.csv".into(), random_bytes(&mut rng, 4096)),
        ("random.xls".into(), random_bytes(&mut rng, 4096)),
        ("not-a-workbook.xlsx".into(), zip_one("hello.txt", b"hello")),
        (
            "empty-zip.xlsx".into(),
            zip_one("[Content_Types].xml", b"<Types/>"),
        ),
        ("truncated.xlsx".into(), real[..real.len() / 2].to_vec()),
        ("corrupt.xlsx".into(), corrupt),
        ("wide.csv".into(), wide.into_bytes()),
        ("wide-export.csv".into(), wide_export.into_bytes()),
        (
            "header-only.csv".into(),
            csv(&["Subscription ID,Subscription,Quantity,Status"]),
        ),
        ("nul.csv".into(), nul),
        ("nuls.csv".into(), vec![0u8; 10_000]),
        ("long-line.csv".into(), "a,".repeat(1_500_000).into_bytes()),
        (
            "long-cell.csv".into(),
            csv(&[
                "Customer tenant ID,Subscription ID,Subscription,Quantity",
                &format!("{T1},{S1},{long_product},3"),
            ]),
        ),
        (
            "quotes.csv".into(),
            b"\"Subscription ID,\"\"\n\"\"\"".to_vec(),
        ),
        ("bom-only.csv".into(), vec![0xEF, 0xBB, 0xBF]),
        ("utf16-odd.csv".into(), vec![0xFF, 0xFE, 0x41]),
    ]
}

/// `good_export()` with byte `i` replaced by an invalid UTF-8 byte, for
/// every position `i` (and a lone continuation byte at every third).
fn invalid_utf8_variants() -> Vec<(String, Vec<u8>)> {
    let base = good_export();
    (0..base.len())
        .map(|i| {
            let mut b = base.clone();
            b[i] = if i % 3 == 0 { 0x80 } else { 0xFF };
            (format!("utf8/at-{i:03}.csv"), b)
        })
        .collect()
}

#[test]
fn hostile_exports_never_panic() {
    let files = hostile_files();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let dir = crate::support::workbook::dir_with(&refs);
    for (name, _) in &files {
        let (run, out) = build_in(dir.path(), &[name], &[]);
        run.assert_no_panic(name);
        if run.code == 2 {
            assert!(!out.exists(), "{name}: exit 2 but a workbook was written");
        }
    }
    // All at once, with a good file: the good rows still come through.
    std::fs::write(dir.path().join("good.csv"), good_export()).expect("write");
    let (run, out) = build_in(dir.path(), &["."], &[]);
    run.assert_no_panic("all hostile files together");
    run.expect_code(1);
    assert_eq!(record_of(&migration_rows(&out), S1)["Seats"], "10");
}

#[test]
fn hostile_side_files_never_panic() {
    let files = hostile_files();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let dir = crate::support::workbook::dir_with(&refs);
    std::fs::write(dir.path().join("good.csv"), good_export()).expect("write");
    for name in [
        "random.csv",
        "random.xlsx",
        "wide.csv",
        "nul.csv",
        "long-line.csv",
        "quotes.csv",
    ] {
        for opt in ["--customers", "--activity", "--offer-map"] {
            let (run, _) = build_in(dir.path(), &["good.csv", opt, name], &[]);
            run.assert_no_panic(&format!("{opt} {name}"));
        }
    }
}

#[test]
fn invalid_utf8_in_every_position_never_panics() {
    let files = invalid_utf8_variants();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let dir = crate::support::workbook::dir_with(&refs);
    let (run, _) = build_in(dir.path(), &["utf8"], &[]);
    run.assert_no_panic("invalid UTF-8 variants as exports");
    let mut args: Vec<&str> = vec!["utf8/at-000.csv"];
    for (name, _) in &files {
        args.extend(["--activity", name.as_str()]);
    }
    let (run, _) = build_in(dir.path(), &args, &[]);
    run.assert_no_panic("invalid UTF-8 variants as activity logs");
    // --customers takes one file: a sample of positions.
    for (name, _) in files.iter().step_by(11) {
        let (run, _) = build_in(dir.path(), &["utf8/at-000.csv", "--customers", name], &[]);
        run.assert_no_panic(&format!("--customers {name}"));
    }
}
