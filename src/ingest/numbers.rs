//! Counts decided by the file's own evidence.
//!
//! `2.000` is two thousand in a German file and two in an English one. A
//! value alone never says which, but the file around it usually does: the
//! other values of its column (`1.200` cannot be a whole count unless `.`
//! groups thousands; `12,5` makes `,` the decimal mark), its dotted
//! `dd.MM.yyyy` dates, its `;` delimiter (what Excel writes where `,` is
//! the decimal mark), and the language of its headers. The first of these
//! that speaks decides, as dates already are decided; a value stays
//! ambiguous only when nothing in the file settles it. Full-width digits
//! and every Unicode space or apostrophe used to group digits read like
//! their ASCII forms.

use unicode_normalization::UnicodeNormalization;

use super::headers::layout_of;
use super::values::{QtyError, parse_quantity};

/// Which mark groups thousands: `Some(true)` `.` (so `,` is the decimal
/// mark), `Some(false)` `,` (so `.` is), `None` unknown.
pub type DotGroups = Option<bool>;

/// What a file says about its number format, beside its values.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileEvidence {
    /// The CSV delimiter (`None` for a workbook).
    pub delimiter: Option<u8>,
    /// The locale of the header row's names.
    pub locale: &'static str,
    /// The file has dotted `dd.MM.yyyy` dates.
    pub dotted_dates: bool,
}

impl FileEvidence {
    /// The file-level answer: dotted dates or a `;` delimiter mean `.`
    /// groups; else the header's locale says, except English, whose
    /// headers are written for en-US and en-GB alike and only a `,`
    /// delimiter (a CSV that cannot use `,` as its decimal mark) settles.
    pub fn dot_groups(&self) -> DotGroups {
        if self.dotted_dates || self.delimiter == Some(b';') {
            return Some(true);
        }
        if self.locale == "en" || self.locale.is_empty() {
            return (self.delimiter == Some(b',')).then_some(false);
        }
        Some(layout_of(self.locale).decimal_comma)
    }
}

/// A count's text with full-width forms folded and grouping spaces and
/// apostrophes dropped.
pub fn canonical(raw: &str) -> String {
    raw.nfkc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\'' | '’' | 'ʼ' | '\u{2060}' | '\u{feff}'))
        .collect()
}

/// Whether a text is a dotted `d.M.yyyy` date (the day-first form of
/// the locales that write `,` as the decimal mark).
pub fn is_dotted_date(text: &str) -> bool {
    let mut parts = text
        .trim()
        .split([' ', 'T'])
        .next()
        .unwrap_or("")
        .split('.');
    let lens: Vec<usize> = parts.by_ref().map(str::len).collect();
    lens.len() == 3
        && matches!((lens[0], lens[1], lens[2]), (1..=2, 1..=2, 4))
        && text
            .trim()
            .split([' ', 'T'])
            .next()
            .unwrap_or("")
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
}

/// What one value says about the column's grouping mark.
pub fn value_evidence(raw: &str) -> DotGroups {
    let s = canonical(raw);
    let s = s.trim_start_matches(['-', '+']);
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    let (commas, dots) = (s.matches(',').count(), s.matches('.').count());
    let tail = |sep: char| s.rsplit(sep).next().map_or(0, str::len);
    match (commas, dots) {
        (0, 0) => None,
        (c, d) if c > 0 && d > 0 => Some(s.rfind(',') > s.rfind('.')),
        (c, 0) if c > 1 => Some(false),
        (0, d) if d > 1 => Some(true),
        // One mark: not three digits after it, it is the decimal mark.
        (1, 0) if tail(',') != 3 => Some(true),
        (0, 1) if tail('.') != 3 => Some(false),
        // `1.200`: only a thousand makes it a whole count.
        (0, 1) if !s.ends_with("000") => Some(true),
        _ => None,
    }
}

/// The grouping mark a column's values agree on, if they speak and agree.
pub fn column_evidence<'a>(values: impl Iterator<Item = &'a str>) -> DotGroups {
    let (mut dot, mut comma) = (false, false);
    for v in values {
        match value_evidence(v) {
            Some(true) => dot = true,
            Some(false) => comma = true,
            None => {}
        }
    }
    match (dot, comma) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// A whole, non-negative count read with a known grouping mark; without
/// one, as [`parse_quantity`] reads it (which refuses `1.000`).
pub fn parse_count(raw: &str, dot_groups: DotGroups) -> Result<u32, QtyError> {
    let s = canonical(raw);
    let Some(dot_groups) = dot_groups else {
        return parse_quantity(&s);
    };
    let (group, decimal) = if dot_groups { ('.', ',') } else { (',', '.') };
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == group || c == decimal)
    {
        return Err(QtyError::NotNumber);
    }
    let (int, frac) = body.split_once(decimal).unwrap_or((body, ""));
    if int.is_empty() || frac.contains([group, decimal]) {
        return Err(QtyError::NotNumber);
    }
    let parts: Vec<&str> = int.split(group).collect();
    let grouped = parts.len() == 1
        || ((1..=3).contains(&parts[0].len()) && parts[1..].iter().all(|p| p.len() == 3));
    if !grouped {
        return Err(QtyError::NotNumber);
    }
    if frac.chars().any(|c| c != '0') {
        return Err(QtyError::NotWhole);
    }
    let n: u64 = parts.concat().parse().map_err(|_| QtyError::TooLarge)?;
    if neg && n != 0 {
        return Err(QtyError::Negative);
    }
    u32::try_from(n).map_err(|_| QtyError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_speak_for_their_column() {
        assert_eq!(value_evidence("1.200"), Some(true));
        assert_eq!(value_evidence("1.000.000"), Some(true));
        assert_eq!(value_evidence("12,5"), Some(true));
        assert_eq!(value_evidence("1.234,00"), Some(true));
        assert_eq!(value_evidence("1,234.00"), Some(false));
        assert_eq!(value_evidence("1,000,000"), Some(false));
        assert_eq!(value_evidence("12.0"), Some(false));
        for silent in ["2.000", "1,000", "12", "ten", ""] {
            assert_eq!(value_evidence(silent), None, "{silent}");
        }
        assert_eq!(column_evidence(["2.000", "1.200"].into_iter()), Some(true));
        assert_eq!(column_evidence(["2.000", "1,5", "1.5"].into_iter()), None);
    }

    #[test]
    fn counts_follow_the_mark_the_file_settled() {
        assert_eq!(parse_count("2.000", Some(true)), Ok(2000));
        assert_eq!(parse_count("2.000", Some(false)), Ok(2));
        assert_eq!(
            parse_count("2.000", None),
            Err(QtyError::AmbiguousSeparator)
        );
        assert_eq!(parse_count("1,000", Some(false)), Ok(1000));
        assert_eq!(parse_count("1.2.3", Some(true)), Err(QtyError::NotNumber));
        assert_eq!(parse_count("1,5", Some(true)), Err(QtyError::NotWhole));
        // Full-width digits and every grouping space.
        assert_eq!(parse_count("１，２００", Some(false)), Ok(1200));
        assert_eq!(parse_count("１２", None), Ok(12));
        for space in [
            '\u{a0}', '\u{202f}', '\u{2009}', '\u{2007}', '\u{3000}', '\'', '’',
        ] {
            assert_eq!(
                parse_count(&format!("1{space}500"), None),
                Ok(1500),
                "{space:?}"
            );
            assert_eq!(
                parse_count(&format!("1{space}500"), Some(true)),
                Ok(1500),
                "{space:?}"
            );
        }
        let de = FileEvidence {
            delimiter: Some(b','),
            locale: "de-DE",
            dotted_dates: false,
        };
        assert_eq!(de.dot_groups(), Some(true));
        let en = FileEvidence {
            delimiter: Some(b';'),
            locale: "en",
            dotted_dates: false,
        };
        assert_eq!(en.dot_groups(), Some(true));
        let ja = FileEvidence {
            locale: "ja-JP",
            ..FileEvidence::default()
        };
        assert_eq!(ja.dot_groups(), Some(false));
        let en_sheet = FileEvidence {
            locale: "en",
            ..FileEvidence::default()
        };
        assert_eq!(en_sheet.dot_groups(), None);
    }
}
