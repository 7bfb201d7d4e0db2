//! Dates and times as exports write them: every shape Partner Center,
//! Excel re-saves and browsers produce in the supported locales, 12- and
//! 24-hour clocks included.
//!
//! Dates are scanned by a small hand-written parser (no allocation, no
//! regex) because the activity log has a million of them. A `d/M/yyyy` vs
//! `M/d/yyyy` date whose two parts are both ≤ 12 is never guessed: it stays
//! [`RawDate::Slashed`] until the caller supplies the order (from the user,
//! or from unambiguous evidence elsewhere in the same file).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// A scanned date or date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawDate {
    /// Unambiguous (ISO, year first, dotted day first, serial).
    Exact(NaiveDateTime),
    /// `a/b/yyyy [time]`: which of a, b is the day depends on the locale.
    Slashed {
        a: u32,
        b: u32,
        year: i32,
        time: NaiveTime,
    },
}

/// The result of resolving a [`RawDate`] with what is known of the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Ok(NaiveDateTime),
    /// Both parts ≤ 12 and different, and the order is unknown.
    Ambiguous,
    /// No such day (e.g. 31/02).
    Invalid,
}

impl RawDate {
    /// What this date says about the file's order: `Some(true)` day-first,
    /// `Some(false)` month-first, `None` nothing.
    pub fn evidence(&self) -> Option<bool> {
        match *self {
            RawDate::Slashed { a, b, .. } if a > 12 && b <= 12 => Some(true),
            RawDate::Slashed { a, b, .. } if b > 12 && a <= 12 => Some(false),
            _ => None,
        }
    }

    pub fn resolve(&self, day_first: Option<bool>) -> Resolved {
        let (a, b, year, time) = match *self {
            RawDate::Exact(dt) => return Resolved::Ok(dt),
            RawDate::Slashed { a, b, year, time } => (a, b, year, time),
        };
        let order = match (self.evidence(), day_first) {
            (Some(o), _) => o,
            _ if a == b => true,
            (None, Some(o)) => o,
            (None, None) => return Resolved::Ambiguous,
        };
        let (d, m) = if order { (a, b) } else { (b, a) };
        match NaiveDate::from_ymd_opt(year, m, d) {
            Some(date) => Resolved::Ok(date.and_time(time)),
            None => Resolved::Invalid,
        }
    }
}

/// Excel's day zero for serial dates (1900 system, after the leap bug).
fn excel_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap_or_default()
        .and_time(NaiveTime::MIN)
}

/// An Excel serial day number (1900 system) as a date-time.
pub fn from_excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // ok: range checked above, so the millisecond count fits in i64.
    let ms = (serial * 86_400_000.0).round() as i64;
    excel_epoch().checked_add_signed(Duration::milliseconds(ms))
}

/// Scan a date text. Accepts ISO 8601 (with `T`, fractions and offsets,
/// converted to UTC), `M/d/yyyy h:mm[:ss] AM/PM`, `MM/dd/yyyy HH:mm:ss`,
/// `yyyy/M/d` with 上午/下午/午前/午後/오전/오후, `dd.MM.yyyy [H:mm[:ss]]`,
/// and bare Excel serials.
pub fn scan_date(raw: &str) -> Option<RawDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let mut t = Tokens::new(s.as_bytes());
    let (n1, l1) = t.number()?;
    if t.peek() == Some(b'.') && (5..=6).contains(&l1) {
        // A serial with a fraction (`45943.5`): only when it is all there is.
        if let Ok(v) = s.parse::<f64>() {
            return from_excel_serial(v).map(RawDate::Exact);
        }
    }
    if t.at_end() && (5..=6).contains(&l1) {
        return from_excel_serial(f64::from(n1)).map(RawDate::Exact);
    }
    let sep = t.sep_of(b"-/.")?;
    // Korean writes `2026. 11. 12.`: a space after each dot, one at the end.
    t.skip_spaces();
    let (n2, _) = t.number()?;
    t.sep_of(&[sep])?;
    t.skip_spaces();
    let (n3, l3) = t.number()?;
    if sep == b'.' && t.peek() == Some(b'.') {
        t.i += 1;
    }
    // Date part done; Japanese/Chinese dates may end in 日.
    t.skip_suffix_day();
    let time = t.time()?;
    if l1 == 4 {
        let d = NaiveDate::from_ymd_opt(i32::try_from(n1).ok()?, n2, n3)?;
        return Some(RawDate::Exact(apply_offset(d.and_time(time.0), time.1)?));
    }
    if l3 != 4 {
        return None; // two-digit years are never guessed
    }
    let year = i32::try_from(n3).ok()?;
    if sep == b'.' {
        let d = NaiveDate::from_ymd_opt(year, n2, n1)?;
        return Some(RawDate::Exact(apply_offset(d.and_time(time.0), time.1)?));
    }
    Some(RawDate::Slashed {
        a: n1,
        b: n2,
        year,
        time: time.0,
    })
}

fn apply_offset(dt: NaiveDateTime, offset_minutes: i32) -> Option<NaiveDateTime> {
    dt.checked_sub_signed(Duration::minutes(i64::from(offset_minutes)))
}

/// A byte cursor over a date text.
struct Tokens<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Tokens<'a> {
    fn new(b: &'a [u8]) -> Self {
        Tokens { b, i: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }

    fn skip_spaces(&mut self) {
        /// Spaces Excel, browsers and ICU put around times and markers
        /// (NBSP, narrow NBSP before `PM`, thin, figure, ideographic).
        const SPACES: [&str; 6] = [
            "\u{a0}", "\u{202f}", "\u{2009}", "\u{2007}", "\u{200a}", "\u{3000}",
        ];
        while let Some(c) = self.peek() {
            if c == b' ' || c == b'\t' {
                self.i += 1;
                continue;
            }
            let rest = &self.b[self.i..];
            match SPACES.iter().find(|sp| rest.starts_with(sp.as_bytes())) {
                Some(sp) => self.i += sp.len(),
                None => break,
            }
        }
    }

    /// A unit after a time part (`時`, `分`, `秒`, `시` …), if one is next.
    fn skip_unit(&mut self, units: &[&str]) -> bool {
        let rest = &self.b[self.i..];
        match units.iter().find(|u| rest.starts_with(u.as_bytes())) {
            Some(u) => {
                self.i += u.len();
                true
            }
            None => false,
        }
    }

    /// Up to 9 digits: (value, digit count).
    fn number(&mut self) -> Option<(u32, usize)> {
        let start = self.i;
        let mut v: u32 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            if self.i - start >= 9 {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
            self.i += 1;
        }
        (self.i > start).then_some((v, self.i - start))
    }

    fn sep_of(&mut self, allowed: &[u8]) -> Option<u8> {
        let c = self.peek()?;
        if allowed.contains(&c) {
            self.i += 1;
            Some(c)
        } else if self.b[self.i..].starts_with("年".as_bytes())
            || self.b[self.i..].starts_with("月".as_bytes())
        {
            self.i += 3;
            Some(allowed[0])
        } else {
            None
        }
    }

    fn skip_suffix_day(&mut self) {
        if self.b[self.i..].starts_with("日".as_bytes()) {
            self.i += 3;
        }
    }

    /// An optional time: returns (time, UTC offset in minutes).
    fn time(&mut self) -> Option<(NaiveTime, i32)> {
        if self.peek() == Some(b'T') {
            self.i += 1;
        }
        self.skip_spaces();
        if self.at_end() {
            return Some((NaiveTime::MIN, 0));
        }
        let pre = self.marker();
        self.skip_spaces();
        let (mut h, _) = self.number()?;
        let (mut m, mut s) = (0, 0);
        // `13:04:05`, or the CJK long forms `13時04分05秒`, `1시 4분 5초`.
        let hour_unit = self.skip_unit(&["時", "时", "시"]);
        if hour_unit || self.peek() == Some(b':') {
            if !hour_unit {
                self.i += 1;
            }
            self.skip_spaces();
            if let Some((v, _)) = self.number() {
                m = v;
                let minute_unit = self.skip_unit(&["分", "분"]);
                self.skip_spaces();
                if minute_unit || self.peek() == Some(b':') {
                    if !minute_unit {
                        self.i += 1;
                    }
                    if let Some((v, _)) = self.number() {
                        s = v;
                        if matches!(self.peek(), Some(b'.' | b',')) {
                            self.i += 1;
                            self.number()?;
                        }
                        self.skip_unit(&["秒", "초"]);
                    }
                }
            } else if !hour_unit {
                return None;
            }
        }
        self.skip_spaces();
        let post = self.marker();
        self.skip_spaces();
        let offset = self.offset()?;
        self.skip_spaces();
        if !self.at_end() {
            return None;
        }
        match pre.or(post) {
            // 12-hour clocks: 12 is the first hour of its half, and the
            // CJK forms also write it as 0 (`午前0:30`, `午後0:05`).
            Some(pm) if h <= 12 => h = (h % 12) + if pm { 12 } else { 0 },
            Some(_) => return None,
            None => {}
        }
        if m > 59 || s > 59 {
            return None;
        }
        (h, m) = if h == 24 && m == 0 && s == 0 {
            (0, 0)
        } else {
            (h, m)
        };
        Some((NaiveTime::from_hms_opt(h, m, s)?, offset))
    }

    /// AM/PM markers in any spelling of the supported locales: `Some(true)`
    /// is PM.
    fn marker(&mut self) -> Option<bool> {
        const MARKS: &[(&str, bool)] = &[
            ("a. m.", false),
            ("p. m.", true),
            ("a.m.", false),
            ("p.m.", true),
            ("a.m", false),
            ("p.m", true),
            ("am", false),
            ("pm", true),
            ("ａｍ", false),
            ("ｐｍ", true),
            ("上午", false),
            ("下午", true),
            ("凌晨", false),
            ("早上", false),
            ("中午", true),
            ("晚上", true),
            ("午前", false),
            ("午後", true),
            ("오전", false),
            ("오후", true),
            ("vorm.", false),
            ("nachm.", true),
            ("ДП", false),
            ("ПП", true),
        ];
        let rest = &self.b[self.i..];
        // No marker starts with a digit: the usual case, checked first
        // because a million log dates come through here.
        if rest.first().is_none_or(u8::is_ascii_digit) {
            return None;
        }
        for (m, pm) in MARKS {
            let mb = m.as_bytes();
            if rest.len() >= mb.len() && rest[..mb.len()].eq_ignore_ascii_case(mb) {
                self.i += mb.len();
                return Some(*pm);
            }
        }
        None
    }

    /// `Z`, `UTC`, `+hh:mm`, `-hhmm` or nothing.
    fn offset(&mut self) -> Option<i32> {
        let rest = &self.b[self.i..];
        if rest.eq_ignore_ascii_case(b"z") || rest.eq_ignore_ascii_case(b"utc") {
            self.i = self.b.len();
            return Some(0);
        }
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Some(0),
        };
        self.i += 1;
        let (hh, len) = self.number()?;
        let (h, m) = if len == 4 {
            (hh / 100, hh % 100)
        } else if self.peek() == Some(b':') {
            self.i += 1;
            (hh, self.number()?.0)
        } else {
            (hh, 0)
        };
        i32::try_from(h * 60 + m).ok().map(|v| v * sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Result<NaiveDateTime, String> {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|x| x.and_hms_opt(h, mi, s))
            .ok_or_else(|| format!("no such time: {y}-{mo}-{d} {h}:{mi}:{s}"))
    }

    fn exact(s: &str) -> NaiveDateTime {
        match scan_date(s) {
            Some(RawDate::Exact(d)) => d,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn every_date_shape() -> crate::TestResult {
        assert_eq!(exact("2024-05-06"), dt(2024, 5, 6, 0, 0, 0)?);
        assert_eq!(exact("2024-05-06T13:04:05Z"), dt(2024, 5, 6, 13, 4, 5)?);
        assert_eq!(
            exact("2024-05-06T13:04:05.123+02:00"),
            dt(2024, 5, 6, 11, 4, 5)?
        );
        assert_eq!(exact("2024/5/6 下午 1:04:05"), dt(2024, 5, 6, 13, 4, 5)?);
        assert_eq!(exact("2024/5/6 午前 12:04"), dt(2024, 5, 6, 0, 4, 0)?);
        assert_eq!(exact("2024/5/6 오후 3:00:00"), dt(2024, 5, 6, 15, 0, 0)?);
        assert_eq!(exact("2024年5月6日"), dt(2024, 5, 6, 0, 0, 0)?);
        assert_eq!(exact("06.05.2024 7:08"), dt(2024, 5, 6, 7, 8, 0)?);
        assert_eq!(exact("06.05.2024 17:08:09"), dt(2024, 5, 6, 17, 8, 9)?);
        // Hour 0 and 12 after CJK markers, narrow NBSP before PM, the CJK
        // long forms and Korean dotted dates.
        assert_eq!(exact("2024/5/6 午前0:30"), dt(2024, 5, 6, 0, 30, 0)?);
        assert_eq!(exact("2024/5/6 午後0:05"), dt(2024, 5, 6, 12, 5, 0)?);
        assert_eq!(exact("2024/5/6 下午12:05"), dt(2024, 5, 6, 12, 5, 0)?);
        assert_eq!(exact("2024/5/6 凌晨0:10"), dt(2024, 5, 6, 0, 10, 0)?);
        assert_eq!(
            exact("2024-05-06 1:04:05\u{202f}PM"),
            dt(2024, 5, 6, 13, 4, 5)?
        );
        assert_eq!(exact("2024-05-06 9:00 a.m."), dt(2024, 5, 6, 9, 0, 0)?);
        assert_eq!(
            exact("2024年5月6日 13時04分05秒"),
            dt(2024, 5, 6, 13, 4, 5)?
        );
        assert_eq!(exact("2024. 5. 6. 오후 1시 4분"), dt(2024, 5, 6, 13, 4, 0)?);
        assert_eq!(exact("45418"), dt(2024, 5, 6, 0, 0, 0)?);
        assert_eq!(exact("45418.5"), dt(2024, 5, 6, 12, 0, 0)?);
        let us = scan_date("5/13/2024 1:04:05 PM").ok_or("no value")?;
        assert_eq!(us.evidence(), Some(false));
        assert_eq!(us.resolve(None), Resolved::Ok(dt(2024, 5, 13, 13, 4, 5)?));
        let bam = scan_date("05/06/2024 13:04:05").ok_or("no value")?;
        assert_eq!(bam.resolve(None), Resolved::Ambiguous);
        assert_eq!(
            bam.resolve(Some(false)),
            Resolved::Ok(dt(2024, 5, 6, 13, 4, 5)?)
        );
        assert_eq!(
            bam.resolve(Some(true)),
            Resolved::Ok(dt(2024, 6, 5, 13, 4, 5)?)
        );
        assert_eq!(
            scan_date("07/07/2024").map(|d| d.resolve(None)),
            Some(Resolved::Ok(dt(2024, 7, 7, 0, 0, 0)?))
        );
        assert_eq!(
            scan_date("31/02/2024").map(|d| d.resolve(None)),
            Some(Resolved::Invalid)
        );
        for bad in [
            "",
            "soon",
            "1/2/24",
            "2024-13-01",
            "12:00",
            "2024-01-01 25:00",
            "1/2/2024 13:00 PM",
            "2024/5/6 午後 13:00",
            "2024/5/6 午前 9:61",
        ] {
            let r = scan_date(bad).map(|d| d.resolve(Some(true)));
            assert!(!matches!(r, Some(Resolved::Ok(_))), "{bad}: {r:?}");
        }
        Ok(())
    }
}
