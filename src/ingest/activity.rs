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

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDateTime, Timelike};
use rustc_hash::FxHashMap;

use super::attribute::guids_in;
use super::headers::{ALIASES, norm};
use super::values::{RawDate, Resolved};
use crate::model::{
    ActionKind, ActivityAggregate, ActivitySummary, ChangesSince, Customer, Issue, Location,
    name_key,
};

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

/// Subscription-affecting actions of one name or subscription ID: their
/// times, and the latest (by time, then fold order) with its action.
///
/// A log can hold hundreds of thousands of them, so a time in whole
/// seconds within `i32` seconds of [`EPOCH_2000`] (1932 to 2068: every
/// real log) is kept in 4 bytes; any other (a fraction of a second, from
/// an Excel serial, or a far year) is kept whole beside them.
#[derive(Default)]
struct Hits {
    secs: Vec<i32>,
    others: Vec<NaiveDateTime>,
    latest: Option<(NaiveDateTime, u64, u32)>,
}

/// 2000-01-01T00:00:00 as a Unix timestamp: the base of [`Hits::secs`].
const EPOCH_2000: i64 = 946_684_800;

impl Hits {
    fn push(&mut self, t: NaiveDateTime, seq: u64, action: u32) {
        let compact = (t.nanosecond() == 0)
            .then(|| i32::try_from(t.and_utc().timestamp() - EPOCH_2000).ok())
            .flatten();
        match compact {
            Some(s) => self.secs.push(s),
            None => self.others.push(t),
        }
        if self.latest.is_none_or(|(lt, ls, _)| (t, seq) >= (lt, ls)) {
            self.latest = Some((t, seq, action));
        }
    }

    /// How many came after `e`.
    fn after(&self, e: NaiveDateTime) -> u32 {
        // A whole-second time is after `e` exactly when its second is
        // after `e`'s second (fraction dropped).
        let es = e.and_utc().timestamp() - EPOCH_2000;
        let whole = self.secs.iter().filter(|s| i64::from(**s) > es).count();
        let others = self.others.iter().filter(|t| **t > e).count();
        u32::try_from(whole + others).unwrap_or(u32::MAX)
    }
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

/// Classify an action text by the locale keyword tables.
pub fn classify_action(text: &str) -> ActionKind {
    let n = norm(text);
    for (kind, word) in &ALIASES.actions {
        if !word.is_empty() && n.contains(word.as_str()) {
            return match kind.as_str() {
                "migration" => ActionKind::Migration,
                "upgrade" => ActionKind::Upgrade,
                "reactivate" => ActionKind::Reactivate,
                "suspend" => ActionKind::Suspend,
                "cancel" => ActionKind::Cancel,
                "quantity_change" => ActionKind::QuantityChange,
                "purchase" => ActionKind::Purchase,
                "subscription_update" => ActionKind::SubscriptionUpdate,
                _ => ActionKind::Other,
            };
        }
    }
    ActionKind::Other
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

impl ActivityAcc {
    /// Start a file: dates are resolved per file.
    pub fn begin_file(&mut self, file: &Arc<str>, day_first: Option<bool>) {
        self.end_file();
        self.day_first = day_first;
        self.file = Some(FileDates {
            file: file.clone(),
            order: day_first,
            conflict_reported: false,
            pending: Vec::new(),
            ambiguous_rows: 0,
            first_ambiguous: None,
            bad_rows: 0,
            first_bad: None,
        });
    }

    /// Fold one row. A row's [`Location`] is built only when it is
    /// needed (an issue, a name seen for the first time), not per row.
    pub fn feed(&mut self, row: RowIn<'_>) {
        if self.file.is_none() {
            return;
        }
        let date = match row.date {
            Ok(d) => d,
            Err(raw) => {
                self.note_bad(&row, raw);
                return;
            }
        };
        if self.day_first.is_none()
            && let Some(e) = date.evidence()
        {
            self.evidence(e, &row);
        }
        let name = self.name_slot(&row);
        let action = self.action_slot(row.action);
        let actor = row
            .actor
            .map(trim)
            .filter(|a| !a.is_empty())
            .map(|a| self.actor_slot(a));
        let affects = self
            .action_info
            .get(action as usize)
            .is_some_and(|(_, k)| k.affects_subscriptions());
        let subs = match row.details {
            Some(d) if affects && d.len() >= 36 => guids_in(&String::from_utf8_lossy(d)),
            _ => Vec::new(),
        };
        self.rows += 1;
        let order = self.file.as_ref().and_then(|f| f.order);
        match date.resolve(order) {
            Resolved::Ok(t) => self.fold(t, name, action, actor, &subs),
            Resolved::Ambiguous => self.hold(&row, date, name, action, actor, subs),
            Resolved::Invalid => self.note_bad(&row, "no such day"),
        }
    }

    /// Where a cell of `row` is, in the current file.
    fn loc(&self, row: &RowIn<'_>, col: u32) -> Location {
        match &self.file {
            Some(fd) => place(&fd.file, row.sheet, row.line, col),
            None => Location::file(""),
        }
    }

    /// Keep a row whose date waits for the file's order.
    fn hold(
        &mut self,
        row: &RowIn<'_>,
        date: RawDate,
        name: u32,
        action: u32,
        actor: Option<u32>,
        subs: Vec<String>,
    ) {
        let first = match self.file.as_ref() {
            Some(fd) if fd.first_ambiguous.is_none() => Some(self.loc(row, row.date_col)),
            _ => None,
        };
        let Some(fd) = self.file.as_mut() else {
            return;
        };
        fd.ambiguous_rows += 1;
        if let Some(loc) = first {
            let raw = match date {
                RawDate::Slashed { a, b, year, .. } => format!("{a}/{b}/{year}"),
                RawDate::Exact(d) => d.to_string(),
            };
            fd.first_ambiguous = Some((loc, raw));
        }
        if fd.pending.len() < MAX_PENDING {
            fd.pending.push(Pending {
                date,
                name,
                action,
                actor,
                subs,
            });
        }
    }

    fn note_bad(&mut self, row: &RowIn<'_>, raw: &str) {
        let first = match self.file.as_ref() {
            Some(fd) if fd.first_bad.is_none() => Some(self.loc(row, row.date_col)),
            _ => None,
        };
        if let Some(fd) = self.file.as_mut() {
            fd.bad_rows += 1;
            if let Some(loc) = first {
                fd.first_bad = Some((loc, raw.to_owned()));
            }
        }
    }

    /// A date that shows the file's order (`day_first`).
    fn evidence(&mut self, day_first: bool, row: &RowIn<'_>) {
        let Some(fd) = self.file.as_ref() else {
            return;
        };
        match fd.order {
            None => {
                if let Some(fd) = self.file.as_mut() {
                    fd.order = Some(day_first);
                }
                self.flush_pending();
            }
            Some(o) if o != day_first && !fd.conflict_reported => {
                let loc = self.loc(row, row.date_col);
                if let Some(fd) = self.file.as_mut() {
                    fd.conflict_reported = true;
                }
                self.issues.push(Issue::warning(
                    loc,
                    "this log's dates mix day-first and month-first order; they are read in the order seen first",
                ));
            }
            _ => {}
        }
    }

    fn flush_pending(&mut self) {
        let Some(fd) = self.file.as_mut() else {
            return;
        };
        let order = fd.order;
        let pending = std::mem::take(&mut fd.pending);
        fd.ambiguous_rows = 0;
        fd.first_ambiguous = None;
        for p in pending {
            if let Resolved::Ok(t) = p.date.resolve(order) {
                self.fold(t, p.name, p.action, p.actor, &p.subs);
            }
        }
    }

    fn name_slot(&mut self, row: &RowIn<'_>) -> u32 {
        let raw = trim(row.name);
        let i = match self.names.get(raw) {
            Some(&i) => i,
            None => {
                let first = self.loc(row, row.name_col);
                self.slots.push(NameSlot {
                    display: Arc::from(String::from_utf8_lossy(raw)),
                    first,
                    rows: 0,
                    last: None,
                    hits: Hits::default(),
                });
                let i = u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX);
                self.names.insert(raw.into(), i);
                i
            }
        };
        if let Some(s) = self.slots.get_mut(i as usize) {
            s.rows += 1;
        }
        i
    }

    fn action_slot(&mut self, raw: &[u8]) -> u32 {
        let raw = trim(raw);
        let info = &mut self.action_info;
        intern(&mut self.actions, raw, || {
            let text = String::from_utf8_lossy(raw);
            let kind = classify_action(&text);
            info.push((Arc::from(text), kind));
            u32::try_from(info.len() - 1).unwrap_or(u32::MAX)
        })
    }

    fn actor_slot(&mut self, raw: &[u8]) -> u32 {
        let names = &mut self.actor_names;
        intern(&mut self.actors, raw, || {
            names.push(Arc::from(String::from_utf8_lossy(raw)));
            u32::try_from(names.len() - 1).unwrap_or(u32::MAX)
        })
    }

    fn fold(
        &mut self,
        t: NaiveDateTime,
        name: u32,
        action: u32,
        actor: Option<u32>,
        subs: &[String],
    ) {
        let agg = self.aggs.entry((name, action)).or_insert(Agg {
            count: 0,
            first: t,
            last: t,
            last_actor: actor,
        });
        agg.count += 1;
        agg.first = agg.first.min(t);
        if t >= agg.last {
            agg.last = t;
            agg.last_actor = actor.or(agg.last_actor);
        }
        let Some((_, kind)) = self.action_info.get(action as usize) else {
            return;
        };
        let affects = kind.affects_subscriptions();
        self.seq += 1;
        let seq = self.seq;
        if let Some(slot) = self.slots.get_mut(name as usize) {
            slot.last = Some(slot.last.map_or(t, |l| l.max(t)));
            if affects {
                slot.hits.push(t, seq, action);
            }
        }
        if affects {
            for s in subs {
                match self.sub_hits.get_mut(s) {
                    Some(h) => h.push(t, seq, action),
                    None => {
                        let mut h = Hits::default();
                        h.push(t, seq, action);
                        self.sub_hits.insert(s.clone(), h);
                    }
                }
            }
        }
    }

    /// Close the current file: report its ambiguous and unreadable dates.
    pub fn end_file(&mut self) {
        let Some(fd) = self.file.take() else {
            return;
        };
        if let Some((loc, raw)) = fd.first_ambiguous {
            self.issues.push(Issue::error(
                loc,
                format!(
                    "date \"{raw}\" is ambiguous (day/month or month/day) and {} row(s) of this log have such dates, none unambiguous; they are not counted: pass --day-first or --month-first",
                    fd.ambiguous_rows
                ),
            ));
        }
        if let Some((loc, raw)) = fd.first_bad {
            self.issues.push(Issue::warning(
                loc,
                format!(
                    "\"{raw}\" is not a date ({} row(s) of this log): not counted",
                    fd.bad_rows
                ),
            ));
        }
    }

    /// The summary and the join issues: names are resolved to customers
    /// and actions compared with export times here.
    pub fn finish(mut self, ctx: &JoinCtx<'_>, given: bool) -> (ActivitySummary, Vec<Issue>) {
        self.end_file();
        let tenant = |c: usize| {
            ctx.customers
                .get(c)
                .map(|x| x.tenant_id.clone())
                .unwrap_or_default()
        };
        let matches: Vec<Vec<usize>> = self
            .slots
            .iter()
            .map(|s| {
                ctx.by_name
                    .get(&name_key(&s.display))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let mut issues = std::mem::take(&mut self.issues);
        for (s, m) in self.slots.iter().zip(&matches) {
            if let Some(msg) = join_message(s, m, &tenant) {
                issues.push(Issue::warning(s.first.clone(), msg));
            }
        }
        let aggregates = self.aggregates(&matches, &tenant);
        let (per_customer, last_activity) = self.per_customer(ctx, &matches);
        let summary = ActivitySummary {
            given,
            per_customer: per_customer
                .into_iter()
                .map(|(c, v)| (tenant(c), v))
                .collect(),
            per_subscription: self.per_subscription(ctx),
            last_activity: last_activity
                .into_iter()
                .map(|(c, v)| (tenant(c), v))
                .collect(),
            aggregates,
        };
        (summary, issues)
    }

    fn aggregates(
        &self,
        matches: &[Vec<usize>],
        tenant: &dyn Fn(usize) -> String,
    ) -> Vec<ActivityAggregate> {
        // One shared tenant ID per name that matched exactly one customer.
        let tenants: Vec<Option<Arc<str>>> = matches
            .iter()
            .map(|m| match m.as_slice() {
                [c] => Some(Arc::from(tenant(*c))),
                _ => None,
            })
            .collect();
        let mut aggregates: Vec<ActivityAggregate> = self
            .aggs
            .iter()
            .filter_map(|(&(n, a), g)| {
                let slot = self.slots.get(n as usize)?;
                let (action, kind) = self.action_info.get(a as usize)?;
                Some(ActivityAggregate {
                    customer_tenant_id: tenants.get(n as usize).cloned().flatten(),
                    customer_name: slot.display.clone(),
                    action: action.clone(),
                    kind: *kind,
                    count: g.count,
                    first: g.first,
                    last: g.last,
                    last_actor: g
                        .last_actor
                        .and_then(|i| self.actor_names.get(i as usize).cloned()),
                })
            })
            .collect();
        aggregates
            .sort_by(|a, b| (&a.customer_name, &a.action).cmp(&(&b.customer_name, &b.action)));
        aggregates
    }

    /// Per customer index: changes after its export, and its latest row.
    fn per_customer(
        &self,
        ctx: &JoinCtx<'_>,
        matches: &[Vec<usize>],
    ) -> (HashMap<usize, ChangesSince>, HashMap<usize, NaiveDateTime>) {
        let mut changes: HashMap<usize, (u32, (NaiveDateTime, u64, u32))> = HashMap::new();
        let mut last_activity: HashMap<usize, NaiveDateTime> = HashMap::new();
        for (slot, m) in self.slots.iter().zip(matches) {
            let [c] = m.as_slice() else {
                continue;
            };
            if let Some(t) = slot.last {
                let last = last_activity.entry(*c).or_insert(t);
                *last = (*last).max(t);
            }
            let (Some(e), Some(latest)) =
                (ctx.export_time.get(*c).copied().flatten(), slot.hits.latest)
            else {
                continue;
            };
            let n = slot.hits.after(e);
            if n == 0 {
                continue;
            }
            let entry = changes.entry(*c).or_insert((0, latest));
            entry.0 = entry.0.saturating_add(n);
            if (latest.0, latest.1) >= (entry.1.0, entry.1.1) {
                entry.1 = latest;
            }
        }
        let changes = changes
            .into_iter()
            .map(|(c, (count, latest))| (c, self.changes(count, latest)))
            .collect();
        (changes, last_activity)
    }

    fn per_subscription(&self, ctx: &JoinCtx<'_>) -> HashMap<String, ChangesSince> {
        self.sub_hits
            .iter()
            .filter_map(|(id, hits)| {
                let e = ctx.sub_export_time.get(id).copied().flatten()?;
                let latest = hits.latest?;
                let n = hits.after(e);
                (n > 0).then(|| (id.clone(), self.changes(n, latest)))
            })
            .collect()
    }

    fn changes(&self, count: u32, (t, _, action): (NaiveDateTime, u64, u32)) -> ChangesSince {
        let text = self
            .action_info
            .get(action as usize)
            .map(|(text, _)| text.to_string())
            .unwrap_or_default();
        ChangesSince {
            count,
            last: Some((t, text)),
        }
    }
}

/// The warning for a log name that is not exactly one customer's.
fn join_message(
    s: &NameSlot,
    matches: &[usize],
    tenant: &dyn Fn(usize) -> String,
) -> Option<String> {
    Some(match matches.len() {
        1 => return None,
        // Partner-level actions (profile, users) name no customer.
        0 if s.display.is_empty() => return None,
        0 => format!(
            "activity names '{}' ({} rows): no customer with that name",
            s.display, s.rows
        ),
        n => format!(
            "activity names '{}' ({} rows): {n} customers have that name ({}); these rows are not attributed",
            s.display,
            s.rows,
            matches
                .iter()
                .map(|c| tenant(*c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_count_after_an_export_at_any_precision() -> crate::TestResult {
        use chrono::{NaiveDate, TimeDelta};
        let at = |y: i32, h: u32, ms: u32| {
            NaiveDate::from_ymd_opt(y, 5, 6)
                .and_then(|d| d.and_hms_milli_opt(h, 0, 0, ms))
                .ok_or("no such time")
        };
        let times = [
            at(2024, 10, 0)?,
            at(2024, 10, 500)?,
            at(2024, 11, 0)?,
            at(2024, 9, 999)?,
            at(1900, 10, 0)?,
            at(2099, 10, 0)?,
            at(2024, 10, 0)?,
        ];
        let mut hits = Hits::default();
        for (seq, t) in (1u64..).zip(times) {
            hits.push(t, seq, 0);
        }
        assert!(!hits.others.is_empty() && !hits.secs.is_empty());
        // The latest, and the later row of two at the same time.
        assert_eq!(hits.latest, Some((at(2099, 10, 0)?, 6, 0)));
        for e in [
            at(2024, 10, 0)?,
            at(2024, 10, 0)? - TimeDelta::nanoseconds(1),
            at(2024, 10, 0)? + TimeDelta::nanoseconds(1),
            at(2024, 10, 500)?,
            at(2024, 9, 999)?,
            at(1800, 0, 0)?,
            at(2200, 0, 0)?,
        ] {
            let want = times.iter().filter(|t| **t > e).count();
            assert_eq!(hits.after(e) as usize, want, "after {e}");
        }
        Ok(())
    }

    #[test]
    fn actions_classify_in_many_languages() {
        assert_eq!(classify_action("Created a referral"), ActionKind::Other);
        assert_eq!(
            classify_action("Purchased Office 365 E3"),
            ActionKind::Purchase
        );
        assert_eq!(
            classify_action("update_subscription"),
            ActionKind::SubscriptionUpdate
        );
        assert_eq!(
            classify_action("Updated subscription quantity"),
            ActionKind::QuantityChange
        );
        assert_eq!(
            classify_action("Suspended subscription"),
            ActionKind::Suspend
        );
        assert_eq!(
            classify_action("Reactivated subscription"),
            ActionKind::Reactivate
        );
        assert_eq!(
            classify_action("granular admin relationship terminated"),
            ActionKind::Other
        );
        assert_eq!(
            classify_action("update_customer_user_licenses"),
            ActionKind::Other
        );
        assert_eq!(classify_action("已暫停訂用帳戶"), ActionKind::Suspend);
        assert_eq!(
            classify_action("Подписка приостановлена"),
            ActionKind::Suspend
        );
        assert_eq!(classify_action("Abonnement gekündigt"), ActionKind::Cancel);
        assert_eq!(
            classify_action("サブスクリプションの購入"),
            ActionKind::Purchase
        );
        assert_eq!(
            classify_action("Migrated to new commerce"),
            ActionKind::Migration
        );
    }
}
