//! The times of subscription-affecting actions, kept compactly: a log can
//! hold hundreds of thousands of them, and each name and subscription ID
//! keeps its own list until the export times are known.

use chrono::{NaiveDateTime, Timelike};

/// Subscription-affecting actions of one name or subscription ID: their
/// times, and the latest (by time, then fold order) with its action.
///
/// A log can hold hundreds of thousands of them, so a time in whole
/// seconds within `i32` seconds of [`EPOCH_2000`] (1932 to 2068: every
/// real log) is kept in 4 bytes; any other (a fraction of a second, from
/// an Excel serial, or a far year) is kept whole beside them.
#[derive(Default)]
pub(super) struct Hits {
    pub(super) secs: Vec<i32>,
    pub(super) others: Vec<NaiveDateTime>,
    pub(super) latest: Option<(NaiveDateTime, u64, u32)>,
}

/// 2000-01-01T00:00:00 as a Unix timestamp: the base of [`Hits::secs`].
const EPOCH_2000: i64 = 946_684_800;

impl Hits {
    pub(super) fn push(&mut self, t: NaiveDateTime, seq: u64, action: u32) {
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
    pub(super) fn after(&self, e: NaiveDateTime) -> u32 {
        // A whole-second time is after `e` exactly when its second is
        // after `e`'s second (fraction dropped).
        let es = e.and_utc().timestamp() - EPOCH_2000;
        let whole = self.secs.iter().filter(|s| i64::from(**s) > es).count();
        let others = self.others.iter().filter(|t| **t > e).count();
        u32::try_from(whole + others).unwrap_or(u32::MAX)
    }
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
}
