//! The per-row fold: each row's date resolved (or held until the file
//! shows its day/month order), its name, action and actor interned, and
//! its time added to the aggregates and to the hits of its name and of the
//! subscription IDs its details name.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::super::attribute::guids_in;
use super::super::values::{RawDate, Resolved};
use super::{
    ActivityAcc, Agg, FileDates, Hits, MAX_PENDING, NameSlot, Pending, RowIn, classify_action,
    intern, place, trim,
};
use crate::model::{Issue, Location};

/// Unreadable dates reported row by row per file; the rest are counted.
const BAD_SHOWN: u64 = 20;

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
            Resolved::Invalid => {
                let text = match date {
                    RawDate::Slashed { a, b, year, .. } => format!("{a}/{b}/{year} (no such day)"),
                    RawDate::Exact(d) => d.to_string(),
                };
                self.note_bad(&row, &text);
            }
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

    /// A row whose date or time cannot be read: an issue on that row with
    /// its text (for the first [`BAD_SHOWN`] of a file; the rest are
    /// counted in one more issue), never a row dropped silently.
    fn note_bad(&mut self, row: &RowIn<'_>, raw: &str) {
        let shown = self.file.as_ref().is_some_and(|fd| fd.bad_rows < BAD_SHOWN);
        let loc = (shown || self.file.as_ref().is_some_and(|fd| fd.first_bad.is_none()))
            .then(|| self.loc(row, row.date_col));
        let Some(fd) = self.file.as_mut() else {
            return;
        };
        fd.bad_rows += 1;
        if fd.first_bad.is_none()
            && let Some(loc) = loc.clone()
        {
            fd.first_bad = Some((loc, raw.to_owned()));
        }
        if shown && let Some(loc) = loc {
            let text = super::super::row_shape::shorten(raw, 80);
            self.issues.push(Issue::warning(
                loc,
                format!("\"{text}\" is not a date and time this tool reads: this activity row is not counted"),
            ));
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
        let lost = fd.ambiguous_rows.saturating_sub(pending.len() as u64);
        fd.ambiguous_rows = 0;
        if let Some((loc, raw)) = fd.first_ambiguous.take()
            && lost > 0
        {
            self.issues.push(Issue::warning(
                loc,
                format!(
                    "date \"{raw}\" and {lost} more row(s) with day/month dates came before the first date showing this log's order, more than can be held: they are not counted"
                ),
            ));
        }
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
        if let Some((loc, raw)) = fd.first_bad
            && fd.bad_rows > BAD_SHOWN
        {
            let text = super::super::row_shape::shorten(&raw, 80);
            self.issues.push(Issue::warning(
                loc,
                format!(
                    "{} more row(s) of this log have dates that cannot be read (the first: \"{text}\"): not counted",
                    fd.bad_rows - BAD_SHOWN
                ),
            ));
        }
    }
}
