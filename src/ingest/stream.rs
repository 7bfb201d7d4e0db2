//! Activity logs read as a stream: a 100 MB CSV is hashed, decoded and
//! folded in one pass with one reused record, never held in memory.
//! Activity sheets found in workbooks are small and fed from their grid.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::activity::{ActivityAcc, RowIn};
use super::decode::{DecodingReader, sniff};
use super::discover::Found;
use super::headers::{Field, HeaderMap, Kind, layout_of};
use super::table::{Cell, Grid, parse_csv, sniff_delimiter};
use super::values::{RawDate, from_excel_serial, scan_date};
use crate::model::{InputFile, Issue, Location};

/// Bytes looked at before the format is decided.
pub const HEAD_BYTES: usize = 64 * 1024;

/// A reader that hashes and counts what passes through it.
struct Hashing<'h, R> {
    inner: R,
    hasher: &'h mut Sha256,
    bytes: &'h mut u64,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        *self.bytes += n as u64;
        Ok(n)
    }
}

/// Read up to `HEAD_BYTES` from a reader.
pub fn read_head(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    r.take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The text of a file's head, whole lines only, and its delimiter and
/// header (if any).
pub fn sniff_head(head: &[u8]) -> (u8, Option<HeaderMap>) {
    let (enc, bom) = sniff(head);
    let (text, _) = enc.decode_without_bom_handling(&head[bom.min(head.len())..]);
    let text = match text.rfind('\n') {
        Some(i) if head.len() >= HEAD_BYTES => &text[..=i],
        _ => &text[..],
    };
    let delim = sniff_delimiter(text);
    let header = parse_csv(text, delim, 40).header();
    (delim, header)
}

/// Stream one activity CSV into the fold.
pub fn stream_activity_csv(
    found: &Found,
    acc: &mut ActivityAcc,
    day_first: Option<bool>,
) -> (InputFile, Vec<Issue>) {
    let display: Arc<str> = Arc::from(found.display.as_str());
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut issues = Vec::new();
    let mut rows = 0u64;
    let file_issue = |msg: String| Issue::error(Location::file(display.clone()), msg);
    match File::open(&found.path) {
        Err(e) => issues.push(file_issue(format!("cannot be read ({e})"))),
        Ok(f) => {
            let mut src = Hashing {
                inner: f,
                hasher: &mut hasher,
                bytes: &mut bytes,
            };
            match read_head(&mut src) {
                Err(e) => issues.push(file_issue(format!("cannot be read ({e})"))),
                Ok(head) => {
                    let (delim, header) = sniff_head(&head);
                    match header {
                        Some(h) if h.kind == Kind::Activity => {
                            acc.begin_file(&display, day_first.or(layout_of(h.locale).day_first));
                            match fold_csv(head, src, delim, &h, acc) {
                                Ok(n) => rows = n,
                                Err(e) => issues.push(file_issue(format!("reading stopped ({e})"))),
                            }
                            acc.end_file();
                        }
                        Some(h) => issues.push(file_issue(format!(
                            "given as an activity log but its header is a {} table",
                            kind_name(h.kind)
                        ))),
                        None => issues.push(file_issue(
                            "no activity-log header found (expected Date-Time, Affected customer, Action …)".into(),
                        )),
                    }
                }
            }
        }
    }
    let file = InputFile {
        path: found.display.clone(),
        kind: "activity".into(),
        sha256: hex(&hasher.finalize()),
        bytes,
        rows,
    };
    (file, issues)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Subscriptions => "subscription",
        Kind::Customers => "customer",
        Kind::Activity => "activity",
    }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn fold_csv<R: Read>(
    head: Vec<u8>,
    rest: R,
    delim: u8,
    h: &HeaderMap,
    acc: &mut ActivityAcc,
) -> Result<u64, csv::Error> {
    let (enc, bom) = sniff(&head);
    let reader: Box<dyn Read + '_> = if enc == encoding_rs::UTF_8 {
        let mut head = Cursor::new(head);
        head.set_position(bom as u64);
        Box::new(head.chain(rest))
    } else {
        Box::new(DecodingReader::new(head, rest, enc))
    };
    let (reader, lines) = super::lines::LineTracked::new(reader);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let cols = Cols::of(h);
    let mut rec = csv::ByteRecord::new();
    let mut index = 0usize;
    let mut rows = 0u64;
    while rdr.read_byte_record(&mut rec)? {
        index += 1;
        if index <= h.row_index + 1 || rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        rows += 1;
        let line = super::lines::record_line(&lines, rec.position());
        let raw_date = rec.get(cols.date).unwrap_or(b"");
        let date_text = std::str::from_utf8(raw_date).unwrap_or("").trim();
        let date = scan_date(date_text).ok_or(date_text);
        acc.feed(RowIn {
            sheet: None,
            line,
            date_col: col32(cols.date),
            name_col: col32(cols.name),
            date,
            name: rec.get(cols.name).unwrap_or(b""),
            action: rec.get(cols.action).unwrap_or(b""),
            actor: cols.actor.and_then(|c| rec.get(c)),
            details: cols.details.and_then(|c| rec.get(c)),
        });
    }
    Ok(rows)
}

fn col32(c: usize) -> u32 {
    u32::try_from(c).unwrap_or(u32::MAX)
}

/// The activity columns of a header.
struct Cols {
    date: usize,
    name: usize,
    action: usize,
    actor: Option<usize>,
    details: Option<usize>,
}

impl Cols {
    fn of(h: &HeaderMap) -> Self {
        Cols {
            date: h.col(Field::OccurredAt).unwrap_or(0),
            name: h.col(Field::AffectedCustomer).unwrap_or(0),
            action: h.col(Field::Action).unwrap_or(0),
            actor: h.col(Field::Actor),
            details: h.col(Field::Details),
        }
    }
}

/// Feed an activity sheet of a workbook. Returns the data rows read.
pub fn fold_grid(
    file: &Arc<str>,
    grid: &Grid,
    h: &HeaderMap,
    acc: &mut ActivityAcc,
    day_first: Option<bool>,
) -> u64 {
    let cols = Cols::of(h);
    acc.begin_file(file, day_first.or(layout_of(h.locale).day_first));
    let abs = |c: usize| grid.col_offset.saturating_add(col32(c));
    let mut rows = 0;
    for row in grid.rows.iter().skip(h.row_index + 1) {
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        rows += 1;
        let date_text = row.get(cols.date).text();
        let date = match row.get(cols.date) {
            Cell::Date(d) => Ok(RawDate::Exact(*d)),
            Cell::Number(n) => from_excel_serial(*n)
                .map(RawDate::Exact)
                .ok_or(date_text.as_ref()),
            _ => scan_date(&date_text).ok_or(date_text.as_ref()),
        };
        let text = |c: usize| row.get(c).text();
        let (name, action) = (text(cols.name), text(cols.action));
        let actor = cols.actor.map(text);
        let details = cols.details.map(text);
        acc.feed(RowIn {
            sheet: grid.sheet.as_deref(),
            line: row.number,
            date_col: abs(cols.date),
            name_col: abs(cols.name),
            date,
            name: name.as_bytes(),
            action: action.as_bytes(),
            actor: actor.as_deref().map(str::as_bytes),
            details: details.as_deref().map(str::as_bytes),
        });
    }
    acc.end_file();
    rows
}
