//! Regenerates the committed sample inputs in `fixtures/`:
//! `cargo run --example make_fixtures [-- OUT_DIR]` (default `fixtures`).
//!
//! Why a generator rather than hand-made files: xlsx files are binary, and
//! the legacy encodings (UTF-16LE, cp1251) cannot be edited safely by hand.
//! Everything here is deterministic — fixed IDs (hashed from labels), fixed
//! dates, and a fixed xlsx creation time — so a re-run gives identical
//! bytes and a diff of `fixtures/` shows only intended changes.
//! `fixtures/README.md` documents every file and its deliberate problems;
//! keep both in step. It writes only its own files (never `fixtures/reviewed`
//! or `fixtures/emulator`, which other people own).

use std::fs;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// When the per-customer exports were "taken" (UTC): the xlsx creation time.
const EXPORT_TIME: (u16, u8, u8, u16, u8) = (2026, 11, 10, 9, 0);
/// The source partner tenant (the "transitioning from" account).
const PARTNER_LABEL: &str = "partner/contoso-emea";

/// A deterministic GUID from a label: two FNV-1a hashes, v4-shaped.
fn guid(label: &str) -> String {
    let fnv = |seed: u64| {
        label.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    // splitmix64's finaliser, so labels that differ in one byte differ everywhere.
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let a = mix(fnv(0xcbf2_9ce4_8422_2325));
    let b = mix(fnv(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// A customer of the fictional partner.
struct Cust {
    key: &'static str,
    name: &'static str,
    domain: &'static str,
    relationship: &'static str,
    tags: &'static str,
}

const CUSTOMERS: &[Cust] = &[
    c(
        "contoso",
        "Contoso Ltd.",
        "contoso.onmicrosoft.com",
        "EMEA; Gold",
    ),
    c("fabrikam", "Fabrikam, Inc.", "fabrikam.onmicrosoft.com", ""),
    c(
        "northwind",
        "Northwind",
        "northwindtraders.onmicrosoft.com",
        "Retail",
    ),
    c(
        "wideworld",
        "Wide World Importers",
        "wideworldimporters.onmicrosoft.com",
        "",
    ),
    c(
        "tailspin",
        "Tailspin Toys",
        "tailspintoys.onmicrosoft.com",
        "",
    ),
    c(
        "twcloud",
        "台灣雲端科技股份有限公司",
        "twcloudtech.onmicrosoft.com",
        "APAC",
    ),
    c(
        "sakura",
        "株式会社さくらシステムズ",
        "sakura-systems.onmicrosoft.com",
        "APAC",
    ),
    c(
        "mueller",
        "Müller & Söhne GmbH",
        "muellersoehne.onmicrosoft.com",
        "DACH",
    ),
    c(
        "veter",
        "Северный Ветер ООО",
        "severveter.onmicrosoft.com",
        "",
    ),
    c(
        "dupont",
        "Boulangerie Dupont SARL",
        "boulangeriedupont.onmicrosoft.com",
        "",
    ),
    c(
        "paoquente",
        "Padaria Pão Quente Ltda.",
        "paoquente.onmicrosoft.com",
        "LATAM",
    ),
    c(
        "hanbit",
        "한빛소프트 주식회사",
        "hanbitsoft.onmicrosoft.com",
        "APAC",
    ),
    c(
        "xingchen",
        "北京星辰科技有限公司",
        "xingchentech.onmicrosoft.com",
        "APAC",
    ),
    c(
        "alpine",
        "Alpine Ski House",
        "alpineskihouse.onmicrosoft.com",
        "",
    ),
    c(
        "proseware",
        "Proseware, Inc.",
        "proseware.onmicrosoft.com",
        "",
    ),
    Cust {
        key: "proseware-eu",
        name: "Proseware, Inc.",
        domain: "prosewareeu.onmicrosoft.com",
        relationship: "Advisor",
        tags: "EMEA",
    },
];

const fn c(
    key: &'static str,
    name: &'static str,
    domain: &'static str,
    tags: &'static str,
) -> Cust {
    Cust {
        key,
        name,
        domain,
        relationship: "Cloud Reseller",
        tags,
    }
}

fn tenant(key: &str) -> String {
    guid(&format!("tenant/{key}"))
}

fn sub(key: &str) -> String {
    guid(&format!("sub/{key}"))
}

/// A cell of an xlsx fixture.
#[derive(Clone)]
enum V {
    S(String),
    N(f64),
    D(u16, u8, u8),
    E,
}

fn s(text: impl Into<String>) -> V {
    V::S(text.into())
}

/// One sheet: optional title rows, a header, data rows.
struct SheetSpec {
    name: &'static str,
    titles: Vec<String>,
    header: Vec<&'static str>,
    rows: Vec<Vec<V>>,
    date_format: &'static str,
}

impl SheetSpec {
    fn new(header: Vec<&'static str>, rows: Vec<Vec<V>>) -> Self {
        SheetSpec {
            name: "Subscriptions",
            titles: Vec::new(),
            header,
            rows,
            date_format: "m/d/yyyy",
        }
    }
}

fn write_xlsx(path: &Path, sheets: &[SheetSpec]) -> Res<()> {
    let (y, mo, d, h, mi) = EXPORT_TIME;
    let created = ExcelDateTime::from_ymd(y, mo, d)?.and_hms(h, mi, 0)?;
    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    for spec in sheets {
        let date = Format::new().set_num_format(spec.date_format);
        let ws = wb.add_worksheet();
        ws.set_name(spec.name)?;
        let mut r = 0u32;
        for t in &spec.titles {
            ws.write_string_with_format(r, 0, t, &bold)?;
            r += 1;
        }
        for (c, h) in spec.header.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, *h, &bold)?;
        }
        for row in &spec.rows {
            r += 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    V::S(t) => ws.write_string(r, c, t).map(|_| ())?,
                    V::N(n) => ws.write_number(r, c, *n).map(|_| ())?,
                    V::D(y, m, d) => ws
                        .write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(*y, *m, *d)?,
                            &date,
                        )
                        .map(|_| ())?,
                    V::E => {}
                }
            }
        }
        ws.set_column_range_width(0, spec.header.len().saturating_sub(1) as u16, 22)?;
    }
    wb.save(path)
        .map_err(|e: XlsxError| format!("{}: {e}", path.display()))?;
    Ok(())
}

/// How a CSV fixture is encoded on disk.
#[derive(Clone, Copy)]
enum Enc {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Cp1251,
}

fn write_csv(path: &Path, delim: u8, enc: Enc, rows: &[Vec<String>]) -> Res<()> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delim)
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        w.write_record(row)?;
    }
    let text = String::from_utf8(w.into_inner().map_err(|e| e.to_string())?)?;
    let bytes = match enc {
        Enc::Utf8 => text.into_bytes(),
        Enc::Utf8Bom => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
        Enc::Utf16LeBom => {
            let mut b = vec![0xFF, 0xFE];
            text.encode_utf16().for_each(|u| b.extend(u.to_le_bytes()));
            b
        }
        Enc::Cp1251 => {
            let (out, _, lossy) = encoding_rs::WINDOWS_1251.encode(&text);
            if lossy {
                return Err(format!("{}: not representable in cp1251", path.display()).into());
            }
            out.into_owned()
        }
    };
    fs::write(path, bytes)?;
    Ok(())
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

#[path = "make_fixtures/data.rs"]
mod data;

/// Writes every fixture file under `out` (creating folders as needed).
pub fn generate(out: &Path) -> Res<()> {
    for dir in ["exports/northwind", "exports/bam", "activity"] {
        fs::create_dir_all(out.join(dir))?;
    }
    data::customers(out)?;
    data::offer_map(out)?;
    data::english_xlsx(out)?;
    data::localized_xlsx(out)?;
    data::csv_exports(out)?;
    data::bam(out)?;
    data::bad_files(out)?;
    data::activity_en(out)?;
    data::activity_ja(out)
}

fn main() -> Res<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fixtures".into()));
    generate(&out)?;
    println!("fixtures written to {}", out.display());
    println!("source partner tenant: {}", guid(PARTNER_LABEL));
    for c in CUSTOMERS {
        println!("{}  {:<36} {}", tenant(c.key), c.name, c.domain);
    }
    Ok(())
}
