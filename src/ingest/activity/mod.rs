//! The activity log, folded as it streams past.
//!
//! A partner's log can hold a million rows, so it is never held in memory:
//! each row is classified, joined to a customer by company name and folded
//! into per-customer counts and per (customer, action) aggregates. Raw
//! names, actions and actors are interned once per distinct spelling, so
//! the per-row cost is a few hash lookups on byte slices. Problems are
//! aggregated too: one issue per distinct unmatched name with its first
//! line and row count, one issue for all ambiguous dates of a file.
//!
//! The fold needs nothing from the exports: names are resolved to
//! customers, and subscription-affecting actions compared with export
//! times, only in [`ActivityAcc::finish`]. Per name and per subscription ID
//! it keeps the times of those actions and the latest one, so the log can
//! be streamed while the exports are still being read.
//!
//! Files by job: `fold` (per row), `finish` (the join and summary),
//! `hits` (compact action times), `classify` (what an Action text means).

mod classify;
mod finish;
mod fold;
mod hits;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;

use super::values::RawDate;
use crate::model::{ActionKind, Customer, Issue, Location};
pub use classify::classify_action;
use hits::Hits;

/// Rows whose date waits for the file's day/month order, at most.
const MAX_PENDING: usize = 200_000;

/// What the join needs to know, fixed before the log is read.
pub struct JoinCtx<'a> {
    pub customers: &'a [Customer],
    /// name_key(company name) → customer indices.
    pub by_name: HashMap<String, Vec<usize>>,
    /// Per customer index: when its export was taken (earliest).
    pub export_time: Vec<Option<NaiveDateTime>>,
    /// Known subscription IDs → when their export was taken.
    pub sub_export_time: HashMap<String, Option<NaiveDateTime>>,
}

/// A name as the log spells it, and what it resolved to.
struct NameSlot {
    display: Arc<str>,
    first: Location,
    rows: u64,
    /// The latest time of any counted row naming it.
    last: Option<NaiveDateTime>,
    hits: Hits,
}

#[derive(Clone)]
struct Agg {
    count: u64,
    first: NaiveDateTime,
    last: NaiveDateTime,
    last_actor: Option<u32>,
}

/// One row waiting for its date order.
struct Pending {
    date: RawDate,
    name: u32,
    action: u32,
    actor: Option<u32>,
    subs: Vec<String>,
}

/// Per-file date state.
struct FileDates {
    file: Arc<str>,
    order: Option<bool>,
    conflict_reported: bool,
    pending: Vec<Pending>,
    ambiguous_rows: u64,
    first_ambiguous: Option<(Location, String)>,
    bad_rows: u64,
    first_bad: Option<(Location, String)>,
}

/// The fold over every activity row of every log. Its maps are probed
/// four times per row, so they use the Fx hash instead of SipHash: a
/// crafted log could at worst slow its own fold, and nothing here is a
/// service exposed to others.
#[derive(Default)]
pub struct ActivityAcc {
    names: FxHashMap<Box<[u8]>, u32>,
    slots: Vec<NameSlot>,
    actions: FxHashMap<Box<[u8]>, u32>,
    action_info: Vec<(Arc<str>, ActionKind)>,
    actors: FxHashMap<Box<[u8]>, u32>,
    actor_names: Vec<Arc<str>>,
    aggs: FxHashMap<(u32, u32), Agg>,
    sub_hits: FxHashMap<String, Hits>,
    /// Rows folded so far: the fold order, which breaks ties in time.
    seq: u64,
    day_first: Option<bool>,
    file: Option<FileDates>,
    pub issues: Vec<Issue>,
    pub rows: u64,
}

/// The raw fields of one row.
pub struct RowIn<'r> {
    /// The sheet, for workbooks; `None` for CSV.
    pub sheet: Option<&'r str>,
    /// 1-based line (CSV) or row (sheet).
    pub line: u64,
    /// Absolute 0-based columns of the date and the name, for issues.
    pub date_col: u32,
    pub name_col: u32,
    pub date: Result<RawDate, &'r str>,
    pub name: &'r [u8],
    pub action: &'r [u8],
    pub actor: Option<&'r [u8]>,
    pub details: Option<&'r [u8]>,
}

/// A cell of a CSV line or of a sheet.
fn place(file: &Arc<str>, sheet: Option<&str>, line: u64, col: u32) -> Location {
    match sheet {
        Some(s) => Location::cell(
            file.clone(),
            s,
            u32::try_from(line).unwrap_or(u32::MAX),
            col,
        ),
        None => Location::field(file.clone(), line, col),
    }
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn intern(map: &mut FxHashMap<Box<[u8]>, u32>, key: &[u8], make: impl FnOnce() -> u32) -> u32 {
    if let Some(&i) = map.get(key) {
        return i;
    }
    let i = make();
    map.insert(key.into(), i);
    i
}
