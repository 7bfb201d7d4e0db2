//! Cell values as exports write them: counts with thousands separators
//! and yes/no in many languages. Dates live in [`super::dates`] (re-exported
//! here), and counts whose grouping mark only the file settles in
//! [`super::numbers`].

pub use super::dates::{RawDate, Resolved, from_excel_serial, scan_date};
use super::headers::value_key;

/// Why a quantity was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QtyError {
    NotNumber,
    NotWhole,
    Negative,
    TooLarge,
    /// `1.000`: one thousand (de) or one (en)? Never guessed.
    AmbiguousSeparator,
}

impl QtyError {
    pub fn message(&self, raw: &str) -> String {
        match self {
            QtyError::NotNumber => format!("quantity \"{raw}\" is not a number"),
            QtyError::NotWhole => format!("quantity \"{raw}\" is not a whole number"),
            QtyError::Negative => format!("quantity \"{raw}\" is negative"),
            QtyError::TooLarge => format!("quantity \"{raw}\" is too large"),
            QtyError::AmbiguousSeparator => format!(
                "quantity \"{raw}\" is ambiguous (thousands separator or decimal point?): type it without separators"
            ),
        }
    }
}

/// A whole, non-negative count from a number cell.
pub fn quantity_from_f64(v: f64) -> Result<u32, QtyError> {
    if !v.is_finite() || v.fract() != 0.0 {
        return Err(QtyError::NotWhole);
    }
    if v < 0.0 {
        return Err(QtyError::Negative);
    }
    if v > f64::from(u32::MAX) {
        return Err(QtyError::TooLarge);
    }
    // ok: whole, finite and within u32 range, checked above.
    Ok(v as u32)
}

/// A whole, non-negative count from text: `12`, `12.0`, `1,000`, `1 000`
/// (space, NBSP or narrow NBSP), `1.000.000`, `1'000`, `12,0`.
pub fn parse_quantity(raw: &str) -> Result<u32, QtyError> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '’'))
        .collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, s.strip_prefix('+').unwrap_or(&s).to_owned()),
    };
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return Err(QtyError::NotNumber);
    }
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let (int_part, frac) = match (commas, dots) {
        (0, 0) => (s.clone(), String::new()),
        (_, 0) => split_one_kind(&s, ',')?,
        (0, _) => split_one_kind(&s, '.')?,
        _ => {
            // Both: the last one is the decimal mark.
            let (dec, thou) = match (s.rfind(','), s.rfind('.')) {
                (Some(c), Some(d)) if c > d => (',', '.'),
                _ => ('.', ','),
            };
            let (i, f) = s.rsplit_once(dec).ok_or(QtyError::NotNumber)?;
            if i.contains(dec) || !grouped(i, thou) {
                return Err(QtyError::NotNumber);
            }
            (i.replace(thou, ""), f.to_owned())
        }
    };
    if int_part.is_empty() {
        return Err(QtyError::NotNumber);
    }
    if frac.chars().any(|c| c != '0') {
        return Err(QtyError::NotWhole);
    }
    let n: u64 = int_part.parse().map_err(|_| QtyError::TooLarge)?;
    if neg && n != 0 {
        return Err(QtyError::Negative);
    }
    u32::try_from(n).map_err(|_| QtyError::TooLarge)
}

/// Digits with only one kind of separator: thousands groups or a decimal.
fn split_one_kind(s: &str, sep: char) -> Result<(String, String), QtyError> {
    let parts: Vec<&str> = s.split(sep).collect();
    let grouped_ok = parts.len() > 1
        && (1..=3).contains(&parts[0].len())
        && parts[1..].iter().all(|p| p.len() == 3);
    if parts.len() > 2 {
        return if grouped_ok {
            Ok((parts.concat(), String::new()))
        } else {
            Err(QtyError::NotNumber)
        };
    }
    let (i, f) = (parts[0], parts.get(1).copied().unwrap_or(""));
    if grouped_ok && f.len() == 3 {
        // `1,000` is a thousand in every locale we read; `1.000` is a
        // thousand in de/ru/pt but one in en, unless the "decimals" are
        // not all zero (then it cannot be a whole count either way).
        if sep == ',' || f.chars().any(|c| c != '0') {
            return Ok((format!("{i}{f}"), String::new()));
        }
        return Err(QtyError::AmbiguousSeparator);
    }
    Ok((i.to_owned(), f.to_owned()))
}

fn grouped(int: &str, thou: char) -> bool {
    let parts: Vec<&str> = int.split(thou).collect();
    parts.len() == 1
        || ((1..=3).contains(&parts[0].len()) && parts[1..].iter().all(|p| p.len() == 3))
}

/// Yes/no in any known language; `None` when the text is not one.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match value_key("boolean", raw)? {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_accept_separators_and_reject_fractions() {
        for (s, n) in [
            ("12", 12),
            ("12.0", 12),
            ("12,0", 12),
            ("1,000", 1000),
            ("1 000", 1000),
            ("1\u{a0}000", 1000),
            ("1\u{202f}000", 1000),
            ("1.000.000", 1_000_000),
            ("1,234.00", 1234),
            ("1.234,00", 1234),
            (" 0 ", 0),
        ] {
            assert_eq!(parse_quantity(s), Ok(n), "{s}");
        }
        assert_eq!(parse_quantity("1.5"), Err(QtyError::NotWhole));
        assert_eq!(parse_quantity("-3"), Err(QtyError::Negative));
        assert_eq!(parse_quantity("ten"), Err(QtyError::NotNumber));
        assert_eq!(parse_quantity("1.000"), Err(QtyError::AmbiguousSeparator));
        assert_eq!(parse_quantity("99999999999"), Err(QtyError::TooLarge));
        assert_eq!(quantity_from_f64(3.0), Ok(3));
        assert_eq!(quantity_from_f64(3.5), Err(QtyError::NotWhole));
    }

    #[test]
    fn booleans_in_many_languages() {
        for y in ["Yes", "TRUE", "是", "はい", "Да", "Ja", "Oui", "Sim", "예"] {
            assert_eq!(parse_bool(y), Some(true), "{y}");
        }
        for n in [
            "no",
            "False",
            "否",
            "いいえ",
            "Нет",
            "Nein",
            "Non",
            "Não",
            "아니요",
        ] {
            assert_eq!(parse_bool(n), Some(false), "{n}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }
}
