//! Dates in seeds may be relative to the moment the emulator starts
//! (`"now"`, `"now-3d"`, `"now+360d"`, `"now-2h"`), so a fixture keeps its
//! meaning over time: a subscription bought "3 days ago" is always inside
//! its 7-day cancellation window, one bought "40 days ago" never is, and
//! audit records stay inside the 90-day window. Absolute RFC 3339 and
//! `YYYY-MM-DD` dates work too. Saved state always holds absolute dates.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

/// Parse an absolute or `now±N(d|h|m)` date against `now`.
pub fn parse(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("now") {
        return relative(rest.trim(), now);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
}

fn relative(rest: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if rest.is_empty() {
        return Some(now);
    }
    let (sign, body) = match rest.split_at_checked(1)? {
        ("+", b) => (1i64, b),
        ("-", b) => (-1i64, b),
        _ => return None,
    };
    let unit = body.chars().last()?;
    let number: i64 = body.get(..body.len() - unit.len_utf8())?.parse().ok()?;
    let amount = number.checked_mul(sign)?;
    let delta = match unit {
        'd' => Duration::try_days(amount)?,
        'h' => Duration::try_hours(amount)?,
        'm' => Duration::try_minutes(amount)?,
        _ => return None,
    };
    now.checked_add_signed(delta)
}

/// serde: a required date, absolute or relative.
pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text, Utc::now()).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{text}` is not a date (RFC 3339, YYYY-MM-DD or now±Nd/h/m)"
        ))
    })
}

/// serde: an optional date, absolute or relative.
pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse(&text, Utc::now()).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a date (RFC 3339, YYYY-MM-DD or now±Nd/h/m)"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute() -> crate::TestResult {
        let now = parse("2025-06-10T12:00:00Z", Utc::now()).ok_or("no value")?;
        assert_eq!(parse("now", now), Some(now));
        assert_eq!(
            parse("now-3d", now).ok_or("no value")?.to_rfc3339(),
            "2025-06-07T12:00:00+00:00"
        );
        assert_eq!(
            parse("now+2h", now).ok_or("no value")?.to_rfc3339(),
            "2025-06-10T14:00:00+00:00"
        );
        assert_eq!(
            parse("2025-01-02", now).ok_or("no value")?.to_rfc3339(),
            "2025-01-02T00:00:00+00:00"
        );
        assert_eq!(parse("now*3d", now), None);
        assert_eq!(parse("now-é", now), None);
        assert_eq!(parse("now-99999999999999d", now), None);
        Ok(())
    }
}
