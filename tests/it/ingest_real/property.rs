//! The readers' coverage, made systematic: exports generated across every
//! supported locale × encoding (with and without BOM, and the locale's
//! ANSI code page) × delimiter × file type (csv, xlsx, xls) × layout noise
//! (title rows, cover sheets, merged title cells, totals and footnotes,
//! text-typed numbers, shuffled and trailing empty columns, trailing empty
//! rows, a second table), each with known truth, all read in one build;
//! every subscription's customer, seats, status and action is checked.
//!
//! No Rust crate writes BIFF, so the xls files are committed beside this
//! file (`ingest_real/xls/`, kept out of `fixtures/`, whose file set is the
//! fixture generator's): LibreOffice conversions of the workbooks
//! [`xls_sources`] generates with a fixed seed. Set `CSP_XLS_SOURCES` to a
//! folder to have this test write those workbooks there, then
//! `soffice --headless --convert-to xls --outdir tests/it/ingest_real/xls <folder>/*.xlsx`.

use std::path::{Path, PathBuf};

use csp_consolidate::model::{Action, SubStatus};
use encoding_rs::{BIG5, EUC_KR, Encoding, GBK, SHIFT_JIS, WINDOWS_1251, WINDOWS_1252};

use super::{Inputs, X, build, customers_csv, guid, put, row, xlsx};

/// What a locale's exports look like.
struct Locale {
    code: &'static str,
    /// Subscription ID, product, quantity, status.
    headers: [&'static str; 4],
    /// Active, Suspended, Deleted.
    statuses: [&'static str; 3],
    totals: &'static str,
    title: &'static str,
    /// Excel in this locale writes `,` as the decimal mark.
    decimal_comma: bool,
    code_page: &'static Encoding,
}

const LOCALES: [Locale; 9] = [
    Locale {
        code: "en",
        headers: ["Subscription ID", "Subscription", "Quantity", "Status"],
        statuses: ["Active", "Suspended", "Deleted"],
        totals: "Total",
        title: "Subscriptions",
        decimal_comma: false,
        code_page: WINDOWS_1252,
    },
    Locale {
        code: "de-DE",
        headers: ["Abonnement-ID", "Abonnement", "Menge", "Status"],
        statuses: ["Aktiv", "Angehalten", "Gelöscht"],
        totals: "Summe",
        title: "Abonnements",
        decimal_comma: true,
        code_page: WINDOWS_1252,
    },
    Locale {
        code: "fr-FR",
        headers: ["ID d'abonnement", "Abonnement", "Quantité", "État"],
        statuses: ["Actif", "Suspendu", "Supprimé"],
        totals: "Total",
        title: "Abonnements",
        decimal_comma: true,
        code_page: WINDOWS_1252,
    },
    Locale {
        code: "pt-BR",
        headers: ["ID da assinatura", "Assinatura", "Quantidade", "Status"],
        statuses: ["Ativo", "Suspenso", "Excluído"],
        totals: "Total",
        title: "Assinaturas",
        decimal_comma: true,
        code_page: WINDOWS_1252,
    },
    Locale {
        code: "ru-RU",
        headers: [
            "Идентификатор подписки",
            "Подписка",
            "Количество",
            "Состояние",
        ],
        statuses: ["Активна", "Приостановлено", "Удалена"],
        totals: "Итого",
        title: "Подписки",
        decimal_comma: true,
        code_page: WINDOWS_1251,
    },
    Locale {
        code: "ja-JP",
        headers: [
            "サブスクリプション ID",
            "サブスクリプション",
            "数量",
            "状態",
        ],
        statuses: ["アクティブ", "中断", "削除済み"],
        totals: "合計",
        title: "サブスクリプション",
        decimal_comma: false,
        code_page: SHIFT_JIS,
    },
    Locale {
        code: "zh-CN",
        headers: ["订阅 ID", "订阅", "数量", "状态"],
        statuses: ["活动", "已暂停", "已删除"],
        totals: "合计",
        title: "订阅",
        decimal_comma: false,
        code_page: GBK,
    },
    Locale {
        code: "zh-TW",
        headers: ["訂閱識別碼", "訂閱", "數量", "狀態"],
        statuses: ["使用中", "已暫停", "已刪除"],
        totals: "總計",
        title: "訂閱",
        decimal_comma: false,
        code_page: BIG5,
    },
    Locale {
        code: "ko-KR",
        headers: ["구독 ID", "구독", "수량", "상태"],
        statuses: ["활성", "일시 중단됨", "삭제됨"],
        totals: "합계",
        title: "구독",
        decimal_comma: false,
        code_page: EUC_KR,
    },
];

#[derive(Clone, Copy, Debug)]
enum Enc {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
    CodePage,
}

const ENCODINGS: [Enc; 5] = [
    Enc::Utf8,
    Enc::Utf8Bom,
    Enc::Utf16LeBom,
    Enc::Utf16BeBom,
    Enc::CodePage,
];
const DELIMITERS: [char; 3] = [',', ';', '\t'];

/// One subscription's truth.
#[derive(Clone, Debug)]
struct Truth {
    id: String,
    customer: String,
    seats: u32,
    status: SubStatus,
}

impl Truth {
    fn action(&self) -> Action {
        match self.status {
            SubStatus::Active => Action::Recreate,
            SubStatus::Suspended => Action::Skip("suspended at source".into()),
            _ => Action::Skip("status is Deleted".into()),
        }
    }
}

/// Layout noise for one file, drawn at random.
struct Noise {
    titles: usize,
    totals: bool,
    footnote: bool,
    trailing_cols: usize,
    trailing_rows: usize,
    second_table: bool,
    /// Column order (a permutation of the four) and an unknown extra.
    order: [usize; 4],
    extra: bool,
    text_numbers: bool,
    cover: bool,
    merged_title: bool,
}

impl Noise {
    fn draw(rng: &mut fastrand::Rng) -> Noise {
        let mut order = [0, 1, 2, 3];
        rng.shuffle(&mut order[1..]);
        if rng.bool() {
            order.swap(0, 1);
        }
        Noise {
            titles: rng.usize(0..3),
            totals: rng.bool(),
            footnote: rng.bool(),
            trailing_cols: rng.usize(0..3),
            trailing_rows: rng.usize(0..3),
            second_table: rng.u8(0..4) == 0,
            order,
            extra: rng.bool(),
            text_numbers: rng.bool(),
            cover: rng.bool(),
            merged_title: rng.bool(),
        }
    }
}

/// A generated file's rows as text cells (header first, noise included).
struct Table {
    rows: Vec<Vec<String>>,
    truth: Vec<Truth>,
    /// Rows that are numbers (quantities), for workbooks: (row, col, value).
    numbers: Vec<(usize, usize, u32)>,
    /// Rows below the header that are not subscriptions (each an info).
    not_subscriptions: usize,
}

const SEATS: [u32; 9] = [1, 3, 7, 25, 300, 1200, 2000, 15000, 1_000_000];

/// A count as a person's Excel writes it: grouped for thousands with the
/// file's convention (`euro`: `.` or a space; else `,`).
fn count_text(n: u32, euro: bool, ascii_only: bool, rng: &mut fastrand::Rng) -> String {
    if n < 1000 {
        return n.to_string();
    }
    let sep = if !euro {
        ","
    } else if ascii_only {
        [".", " "][rng.usize(0..2)]
    } else {
        [".", "\u{a0}", "\u{202f}", " "][rng.usize(0..4)]
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn table(
    loc: &Locale,
    customer: &str,
    first_id: &mut u32,
    euro: bool,
    ascii_only: bool,
    noise: &Noise,
    rng: &mut fastrand::Rng,
) -> Table {
    let width = 4 + usize::from(noise.extra);
    let mut rows = Vec::new();
    for t in 0..noise.titles {
        let mut r = vec![String::new(); width];
        r[0] = if t == 0 {
            format!("{} - {customer}", loc.title)
        } else {
            "2026-11-10".to_owned()
        };
        rows.push(r);
    }
    let place = |cells: [String; 4], extra: String| -> Vec<String> {
        let mut r: Vec<String> = noise.order.iter().map(|&i| cells[i].clone()).collect();
        if noise.extra {
            r.push(extra);
        }
        r.extend(std::iter::repeat_n(String::new(), noise.trailing_cols));
        r
    };
    rows.push(place(loc.headers.map(str::to_owned), "PO number".into()));
    let qty_col = noise.order.iter().position(|&i| i == 2).unwrap_or(2);
    let mut truth = Vec::new();
    let mut numbers = Vec::new();
    let mut sum = 0u64;
    for _ in 0..rng.usize(2..6) {
        *first_id += 1;
        let id = guid(*first_id);
        let seats = SEATS[rng.usize(0..SEATS.len())];
        let s = rng.usize(0..3);
        let status = [SubStatus::Active, SubStatus::Suspended, SubStatus::Deleted][s].clone();
        let shown_id = if rng.bool() {
            id.to_uppercase()
        } else {
            id.clone()
        };
        numbers.push((rows.len(), qty_col, seats));
        rows.push(place(
            [
                shown_id,
                format!("Office 365 E{}", 1 + s),
                count_text(seats, euro, ascii_only, rng),
                loc.statuses[s].to_owned(),
            ],
            format!("PO-{}", rng.u16(..)),
        ));
        sum += u64::from(seats);
        truth.push(Truth {
            id,
            customer: customer.to_owned(),
            seats,
            status,
        });
    }
    if noise.totals {
        let total = count_text(
            u32::try_from(sum).unwrap_or(u32::MAX),
            euro,
            ascii_only,
            rng,
        );
        rows.push(place(
            [String::new(), loc.totals.to_owned(), total, String::new()],
            String::new(),
        ));
    }
    if noise.footnote {
        let mut r = vec![String::new(); width];
        r[0] = format!("* {}", loc.title);
        rows.push(r);
    }
    if noise.second_table {
        rows.push(vec![String::new(); width]);
        rows.push(vec!["Reseller".into(), "Seats".into()]);
        rows.push(vec!["Fabrikam Partner Co".into(), "12".into()]);
    }
    for _ in 0..noise.trailing_rows {
        rows.push(vec![String::new(); width]);
    }
    let not_subscriptions = usize::from(noise.totals)
        + usize::from(noise.footnote)
        + 2 * usize::from(noise.second_table);
    Table {
        rows,
        truth,
        numbers,
        not_subscriptions,
    }
}

fn csv_text(rows: &[Vec<String>], delim: char) -> String {
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| {
                if c.contains([delim, '"', '\n']) || (delim != ',' && c.contains(',')) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        out.push_str(&cells.join(&delim.to_string()));
        out.push_str("\r\n");
    }
    out
}

fn encode(text: &str, enc: Enc, loc: &Locale) -> Vec<u8> {
    let utf16 = |le: bool| super::utf16(text, le);
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Enc::Utf16LeBom => utf16(true),
        Enc::Utf16BeBom => utf16(false),
        Enc::CodePage => {
            let (bytes, _, unmappable) = loc.code_page.encode(text);
            assert!(
                !unmappable,
                "{}: text not in {}",
                loc.code,
                loc.code_page.name()
            );
            bytes.into_owned()
        }
    }
}

fn workbook_rows(t: &Table, noise: &Noise) -> Vec<Vec<X>> {
    t.rows
        .iter()
        .enumerate()
        .map(|(r, cells)| {
            cells
                .iter()
                .enumerate()
                .map(
                    |(c, v)| match t.numbers.iter().find(|n| n.0 == r && n.1 == c) {
                        Some(&(_, _, n)) if !noise.text_numbers => X::N(f64::from(n)),
                        _ if v.is_empty() => X::Empty,
                        _ => X::S(v.clone()),
                    },
                )
                .collect()
        })
        .collect()
}

fn write_workbook(path: &Path, t: &Table, noise: &Noise, loc: &Locale) {
    let rows = workbook_rows(t, noise);
    let mut sheets = Vec::new();
    let cover = vec![
        vec![X::S(format!("{} - Partner Center", loc.title))],
        vec![X::S("Contoso EMEA".into()), X::N(42.0)],
    ];
    if noise.cover {
        sheets.push(("Summary", cover));
    }
    sheets.push((loc.title, rows));
    let merge = (noise.merged_title && noise.titles > 0).then_some(3);
    xlsx(path, &sheets, merge);
}

/// The workbooks the committed xls files were converted from: one per
/// locale, drawn with a fixed seed, with their truth.
fn xls_sources(dir: &Path) -> Vec<(PathBuf, Table)> {
    let mut rng = fastrand::Rng::with_seed(0x0015_0615);
    let mut id = 0x00a0_0000;
    LOCALES
        .iter()
        .enumerate()
        .map(|(i, loc)| {
            let customer = format!("XLS Customer {i:02}");
            let noise = Noise::draw(&mut rng);
            let euro = loc.decimal_comma;
            let t = table(loc, &customer, &mut id, euro, false, &noise, &mut rng);
            let path = dir.join(format!("{customer}.xlsx"));
            write_workbook(&path, &t, &noise, loc);
            (path, t)
        })
        .collect()
}

#[test]
fn generated_exports_in_every_locale_encoding_delimiter_and_file_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut rng = fastrand::Rng::with_seed(15);
    let mut customers: Vec<(String, String)> = Vec::new();
    let mut exports = Vec::new();
    let mut truth: Vec<Truth> = Vec::new();
    let mut infos = 0usize;
    let mut id = 0x0010_0000u32;
    let mut covered = std::collections::BTreeSet::new();
    let add_customer = |customers: &mut Vec<(String, String)>| {
        let n = customers.len() + 1;
        let c = (guid(0x00c0_0000 + n as u32), format!("Customer {n:03}"));
        customers.push(c.clone());
        c
    };
    // Attributed by company name or by the tenant GUID (upper case).
    let name_of = |c: &(String, String), n: usize| {
        if n.is_multiple_of(2) {
            c.1.clone()
        } else {
            c.0.to_uppercase()
        }
    };
    for loc in &LOCALES {
        for enc in ENCODINGS {
            for delim in DELIMITERS {
                let c = add_customer(&mut customers);
                let noise = Noise::draw(&mut rng);
                let euro = delim == ';' || loc.decimal_comma;
                let ascii_only = matches!(enc, Enc::CodePage);
                let t = table(loc, &c.1, &mut id, euro, ascii_only, &noise, &mut rng);
                let text = csv_text(&t.rows, delim);
                let name = format!("csv/{}.csv", name_of(&c, customers.len()));
                exports.push(put(d, &name, encode(&text, enc, loc)));
                infos += t.not_subscriptions;
                truth.extend(t.truth);
                covered.insert((loc.code, format!("{enc:?}"), delim, "csv"));
            }
        }
        for _ in 0..3 {
            let c = add_customer(&mut customers);
            let noise = Noise::draw(&mut rng);
            let t = table(
                loc,
                &c.1,
                &mut id,
                loc.decimal_comma,
                false,
                &noise,
                &mut rng,
            );
            let path = d.join(format!("xlsx/{}.xlsx", name_of(&c, customers.len())));
            write_workbook(&path, &t, &noise, loc);
            exports.push(path);
            infos += t.not_subscriptions;
            truth.extend(t.truth);
            covered.insert((loc.code, "-".into(), '-', "xlsx"));
        }
    }
    // The committed xls files, and the truth of the workbooks they were
    // converted from.
    let sources = d.join("xls-sources");
    std::fs::create_dir_all(&sources).expect("mkdir");
    let xls_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/ingest_real/xls");
    for (i, (src, t)) in xls_sources(&sources).into_iter().enumerate() {
        if let Some(out) = std::env::var_os("CSP_XLS_SOURCES") {
            let to = Path::new(&out).join(src.file_name().expect("name"));
            std::fs::copy(&src, to).expect("copy source");
        }
        let stem = src
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        customers.push((guid(0x00d0_0000 + i as u32), stem.clone()));
        exports.push(xls_dir.join(format!("{stem}.xls")));
        infos += t.not_subscriptions;
        truth.extend(t.truth);
        covered.insert((LOCALES[i].code, "-".into(), '-', "xls"));
    }
    let list = put(d, "Customers.csv", customers_csv(&customers));
    let book = build(
        d,
        Inputs {
            exports,
            customers: Some(list),
            ..Inputs::default()
        },
    );
    assert_eq!(
        covered.len(),
        LOCALES.len() * (ENCODINGS.len() * DELIMITERS.len() + 2)
    );
    let bad: Vec<String> = book
        .issues
        .iter()
        .filter(|i| i.severity != csp_consolidate::model::Severity::Info)
        .map(|i| i.to_string())
        .collect();
    assert!(
        bad.is_empty(),
        "only info issues (totals, footnotes, second tables):\n{}",
        bad.join("\n")
    );
    assert_eq!(
        book.rows.len(),
        truth.len(),
        "one row per subscription, nothing more"
    );
    let info = book.issues.len();
    assert!(
        infos > 50,
        "the noise includes rows that are not subscriptions ({infos})"
    );
    assert_eq!(
        info, infos,
        "one info per totals line, footnote and second-table row"
    );
    for t in &truth {
        let r = row(&book, &t.id);
        assert_eq!(
            (r.customer.as_str(), r.seats, r.status.as_ref(), &r.action),
            (
                t.customer.as_str(),
                Some(t.seats),
                Some(&t.status),
                &t.action()
            ),
            "{} ({})",
            t.id,
            r.source
        );
    }
}
