//! One input file → canonical records, whatever it turns out to be.
//!
//! A file's kind is decided by the header found in it, not by its name:
//! every sheet of a workbook is considered, and a CSV's head is sniffed
//! (encoding, delimiter, header) before the rest is read, so an activity
//! log passed among the exports is left for the streaming reader instead
//! of being loaded whole. Runs on rayon workers, one file each.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::attribute::{attribute_rows, by_path};
use super::customers::{CustomerIndex, read_customers};
use super::decode::sniff;
use super::discover::{Found, is_workbook_name};
use super::header_hint::{NearMiss, near_miss};
use super::headers::{HeaderMap, Kind};
use super::stream::{read_head, sniff_head};
use super::subscriptions::{ParsedSub, SheetCtx, read_subscriptions};
use super::table::{Grid, parse_csv, read_workbook};
use super::{IngestSpec, file_issue};
use crate::model::{Customer, InputFile, Issue, Location};

/// What a file was given as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `--customers`: must be a customer list.
    Customers,
    /// An export: whatever its header says.
    Any,
}

/// An activity sheet of a workbook, folded once customers are known.
pub struct ActivityGrid {
    pub grid: Grid,
    pub header: HeaderMap,
}

/// Everything read from one file.
pub struct FileRead {
    pub found: Found,
    pub file: InputFile,
    /// Subscription tables, each with the attribution it still needs.
    pub subs: Vec<ParsedSub>,
    /// Ranges of `subs` per table (for attribution per table).
    tables: Vec<std::ops::Range<usize>>,
    pub customers: Vec<Customer>,
    pub activity_grids: Vec<ActivityGrid>,
    /// A CSV activity log, left for the streaming reader.
    pub activity_csv: bool,
    pub issues: Vec<Issue>,
    /// The row closest to a header among grids without one.
    near: Option<NearMiss>,
}

/// Read one file. Never fails: problems become issues.
pub fn read_file(found: &Found, role: Role, spec: &IngestSpec) -> FileRead {
    let mut r = FileRead {
        found: found.clone(),
        file: InputFile {
            path: found.display.clone(),
            kind: String::new(),
            sha256: String::new(),
            bytes: 0,
            rows: 0,
        },
        subs: Vec::new(),
        tables: Vec::new(),
        customers: Vec::new(),
        activity_grids: Vec::new(),
        activity_csv: false,
        issues: Vec::new(),
        near: None,
    };
    let display: Arc<str> = Arc::from(found.display.as_str());
    let mut f = match File::open(&found.path) {
        Ok(f) => f,
        Err(e) => {
            r.issues
                .push(file_issue(&display, format!("cannot be read ({e})")));
            return r;
        }
    };
    let head = match read_head(&mut f) {
        Ok(h) => h,
        Err(e) => {
            r.issues
                .push(file_issue(&display, format!("cannot be read ({e})")));
            return r;
        }
    };
    let mtime = mtime(&found.path);
    let exported_at = spec.exported_at;
    if looks_like_workbook(&head, &found.path) {
        let Some(bytes) = read_rest(head, &mut f, &mut r, &display) else {
            return r;
        };
        read_workbook_file(&mut r, &display, &bytes, spec, exported_at, mtime);
    } else {
        let (_, header) = sniff_head(&head);
        if role == Role::Any && header.as_ref().is_some_and(|h| h.kind == Kind::Activity) {
            r.activity_csv = true;
            return r;
        }
        let Some(bytes) = read_rest(head, &mut f, &mut r, &display) else {
            return r;
        };
        if bytes.is_empty() {
            r.issues
                .push(file_issue(&display, "the file is empty: nothing read"));
            return r;
        }
        let grid = csv_grid(&bytes);
        let at = exported_at.or(mtime);
        if !read_grid(&mut r, &display, grid, spec.day_first, at) {
            no_header(&mut r, &display);
        }
    }
    check_role(&mut r, role, &display);
    r
}

/// The whole file (its head already read), with its digest and size
/// recorded; `None` with an issue when it cannot be read.
fn read_rest(mut head: Vec<u8>, f: &mut File, r: &mut FileRead, display: &str) -> Option<Vec<u8>> {
    if let Err(e) = f.read_to_end(&mut head) {
        r.issues
            .push(file_issue(display, format!("cannot be read ({e})")));
        return None;
    }
    r.file.sha256 = super::hash_hex(&head);
    r.file.bytes = head.len() as u64;
    Some(head)
}

/// A zip (xlsx/ods) or OLE (xls) signature, or a workbook extension.
fn looks_like_workbook(head: &[u8], path: &Path) -> bool {
    head.starts_with(b"PK\x03\x04")
        || head.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
        || is_workbook_name(path)
}

/// A file's modification time, as UTC.
fn mtime(path: &Path) -> Option<NaiveDateTime> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(DateTime::<Utc>::from(t).naive_utc())
}

fn csv_grid(bytes: &[u8]) -> Grid {
    let (enc, bom) = sniff(bytes);
    let (text, _) = enc.decode_without_bom_handling(&bytes[bom.min(bytes.len())..]);
    let head_end = text
        .char_indices()
        .nth(64 * 1024)
        .map_or(text.len(), |(i, _)| i);
    let delim = super::table::sniff_delimiter(&text[..head_end]);
    parse_csv(&text, delim, usize::MAX)
}

fn read_workbook_file(
    r: &mut FileRead,
    display: &Arc<str>,
    bytes: &[u8],
    spec: &IngestSpec,
    exported_at: Option<NaiveDateTime>,
    mtime: Option<NaiveDateTime>,
) {
    let wb = match read_workbook(bytes) {
        Ok(wb) => wb,
        Err(msg) => {
            r.issues.push(file_issue(display, msg));
            return;
        }
    };
    for (sheet, msg) in &wb.sheet_errors {
        r.issues
            .push(file_issue(display, format!("sheet {sheet}: {msg}")));
    }
    let at = exported_at.or(wb.created).or(mtime);
    let sheets = wb.grids.len();
    let mut recognised = 0;
    for grid in wb.grids {
        recognised += usize::from(read_grid(r, display, grid, spec.day_first, at));
    }
    // Sheets without a header are normal (notes, pivots); only a workbook
    // where no sheet is recognised is an issue.
    if sheets == 0 {
        r.issues
            .push(file_issue(display, "the workbook has no sheets with data"));
    } else if recognised == 0 {
        no_header(r, display);
    }
}

/// The issue for a file without a recognised header: at the row that
/// almost was one, saying what was not understood, when there is one.
fn no_header(r: &mut FileRead, display: &str) {
    match r.near.take() {
        Some(n) => r.issues.push(n.issue),
        None => r.issues.push(file_issue(display, NO_HEADER)),
    }
}

const NO_HEADER: &str =
    "no recognised header (not a subscription export, customer list or activity log): file skipped";

/// Read one grid by the kind of its header; false when it has none.
fn read_grid(
    r: &mut FileRead,
    display: &Arc<str>,
    grid: Grid,
    day_first: Option<bool>,
    at: Option<NaiveDateTime>,
) -> bool {
    let Some(h) = grid.header() else {
        if let Some(n) = near_miss(display, &grid)
            && r.near.as_ref().is_none_or(|b| n.score > b.score)
        {
            r.near = Some(n);
        }
        return false;
    };
    let data_rows = grid
        .rows
        .iter()
        .skip(h.row_index + 1)
        .filter(|row| !row.cells.iter().all(super::table::Cell::is_blank))
        .count() as u64;
    r.file.rows += data_rows;
    let kind = match h.kind {
        Kind::Subscriptions if h.batch_migration => "batch-migration",
        Kind::Subscriptions => "subscriptions",
        Kind::Customers => "customers",
        Kind::Activity => "activity",
    };
    if r.file.kind.is_empty() {
        r.file.kind = kind.to_owned();
    }
    match h.kind {
        Kind::Subscriptions => {
            let ctx = SheetCtx {
                file: display,
                grid: &grid,
                header: &h,
                day_first,
                exported_at: at,
            };
            let (subs, mut issues) = read_subscriptions(&ctx);
            let start = r.subs.len();
            r.subs.extend(subs);
            r.tables.push(start..r.subs.len());
            r.issues.append(&mut issues);
        }
        Kind::Customers => {
            let (cs, mut issues) = read_customers(display, &grid, &h);
            r.customers.extend(cs);
            r.issues.append(&mut issues);
        }
        Kind::Activity => r.activity_grids.push(ActivityGrid { grid, header: h }),
    }
    true
}

fn check_role(r: &mut FileRead, role: Role, display: &Arc<str>) {
    if role == Role::Customers && r.file.kind != "customers" && !r.file.kind.is_empty() {
        r.issues.push(Issue::error(
            Location::file(display.clone()),
            format!("given as the customer list but read as {}", r.file.kind),
        ));
    }
}

/// Attribute this file's subscription rows to customers.
pub fn attribute(r: &mut FileRead, customers: &[Customer], ix: &CustomerIndex) {
    let needs = r.subs.iter().any(|p| {
        p.sub
            .customer_tenant_id
            .as_deref()
            .is_none_or(str::is_empty)
    });
    if !needs {
        return;
    }
    let file_match = by_path(&r.found.path, customers, ix);
    for t in std::mem::take(&mut r.tables) {
        if let Some(rows) = r.subs.get_mut(t) {
            attribute_rows(
                rows,
                &r.found.display,
                &file_match,
                customers,
                ix,
                &mut r.issues,
            );
        }
    }
}
