//! The activity log: `GET /v1/auditrecords`, validated before sending.
//!
//! The service answers a bad window with a bare `{"message":"The request is
//! invalid."}` that says nothing useful, so the rules are checked here with
//! a clear message: dates are `YYYY-MM-DD`, `startDate` at most 90 days back
//! (UTC "today" from the injected clock), `endDate` not before `startDate`,
//! and at most one filter (the type allows exactly one).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::client::Client;
use super::error::ApiError;
use super::paging::{Collection, Page};
use super::types::AuditRecord;

/// How far back `startDate` may go.
pub const MAX_DAYS_BACK: i64 = 90;

/// The one filter an audit query may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditFilter {
    /// Company name contains the text (case-insensitive).
    CompanyName(String),
    /// Exactly this customer tenant id.
    CustomerId(String),
    /// Exactly this resource type (`Subscription`, `Order` …).
    ResourceType(String),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FilterWire<'a> {
    field: &'static str,
    value: &'a str,
    operator: &'static str,
}

impl AuditFilter {
    fn to_json(&self) -> Result<String, ApiError> {
        let (field, value, operator) = match self {
            AuditFilter::CompanyName(v) => ("CompanyName", v, "substring"),
            AuditFilter::CustomerId(v) => ("CustomerId", v, "equals"),
            AuditFilter::ResourceType(v) => ("ResourceType", v, "equals"),
        };
        serde_json::to_string(&FilterWire {
            field,
            value,
            operator,
        })
        .map_err(|e| ApiError::invalid(format!("audit filter: {e}")))
    }
}

/// `GET /v1/auditrecords` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub start_date: NaiveDate,
    /// `None`: the service uses today.
    pub end_date: Option<NaiveDate>,
    pub size: Option<u32>,
    pub filter: Option<AuditFilter>,
}

impl AuditQuery {
    /// One day's records (Microsoft's recommendation).
    pub fn day(date: NaiveDate) -> Self {
        AuditQuery {
            start_date: date,
            end_date: Some(date),
            size: None,
            filter: None,
        }
    }

    /// Parse `YYYY-MM-DD` dates strictly (as typed by a user).
    ///
    /// # Errors
    /// [`ApiError::Invalid`] naming the bad date.
    pub fn parse(start: &str, end: Option<&str>) -> Result<Self, ApiError> {
        Ok(AuditQuery {
            start_date: parse_ymd(start, "startDate")?,
            end_date: end.map(|e| parse_ymd(e, "endDate")).transpose()?,
            size: None,
            filter: None,
        })
    }

    /// Check the window against `today` (UTC).
    ///
    /// # Errors
    /// [`ApiError::Invalid`] saying which rule failed.
    pub fn validate(&self, today: NaiveDate) -> Result<(), ApiError> {
        let oldest = today - chrono::Duration::days(MAX_DAYS_BACK);
        if self.start_date < oldest {
            return Err(ApiError::invalid(format!(
                "audit startDate {} is more than {MAX_DAYS_BACK} days back (oldest allowed {oldest})",
                self.start_date
            )));
        }
        if self.start_date > today {
            return Err(ApiError::invalid(format!(
                "audit startDate {} is in the future (today is {today} UTC)",
                self.start_date
            )));
        }
        if let Some(end) = self.end_date
            && end < self.start_date
        {
            return Err(ApiError::invalid(format!(
                "audit endDate {end} is before startDate {}",
                self.start_date
            )));
        }
        if self.size == Some(0) {
            return Err(ApiError::invalid("audit page size must be at least 1"));
        }
        Ok(())
    }
}

fn parse_ymd(text: &str, what: &str) -> Result<NaiveDate, ApiError> {
    let t = text.trim();
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = shaped
        .then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .flatten();
    date.ok_or_else(|| ApiError::invalid(format!("{what} {text:?} is not a YYYY-MM-DD date")))
}

impl Client {
    /// First page of `GET /v1/auditrecords`, after checking the window
    /// against today's UTC date (from the client's clock).
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for a window the API would reject (nothing is
    /// sent); otherwise any [`ApiError`].
    pub async fn audit_records(&self, query: &AuditQuery) -> Result<Page<AuditRecord>, ApiError> {
        let today = DateTime::<Utc>::from(self.inner.timer.now()).date_naive();
        query.validate(today)?;
        let start = query.start_date.format("%Y-%m-%d").to_string();
        let end = query.end_date.map(|d| d.format("%Y-%m-%d").to_string());
        let size = query.size.map(|s| s.to_string());
        let filter = query
            .filter
            .as_ref()
            .map(AuditFilter::to_json)
            .transpose()?;
        let mut q: Vec<(&str, &str)> = vec![("startDate", &start)];
        if let Some(e) = &end {
            q.push(("endDate", e));
        }
        if let Some(s) = &size {
            q.push(("size", s));
        }
        if let Some(f) = &filter {
            q.push(("filter", f));
        }
        let url = self.url(&["auditrecords"], &q)?;
        let c: Collection<AuditRecord> = self.get_json(url).await?;
        Ok(c.into())
    }

    /// Every audit record of the window (all pages).
    ///
    /// # Errors
    /// As [`Client::audit_records`] and [`Client::all_pages`].
    pub async fn all_audit_records(
        &self,
        query: &AuditQuery,
    ) -> Result<Vec<AuditRecord>, ApiError> {
        let first = self.audit_records(query).await?;
        self.all_pages(first).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Result<NaiveDate, chrono::ParseError> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
    }

    #[test]
    fn window_rules() -> crate::TestResult {
        let today = d("2025-06-30")?;
        let q = |s: &str, e: Option<&str>| AuditQuery::parse(s, e);
        assert!(q("2025-06-30", Some("2025-06-30"))?.validate(today).is_ok());
        assert!(q("2025-04-01", None)?.validate(today).is_ok()); // exactly 90 days
        let err = q("2025-03-31", None)?.validate(today).unwrap_err();
        assert!(err.to_string().contains("90 days"), "{err}");
        let err = q("2025-06-10", Some("2025-06-09"))?
            .validate(today)
            .unwrap_err();
        assert!(err.to_string().contains("before startDate"), "{err}");
        assert!(q("2025-07-01", None)?.validate(today).is_err());
        let mut zero = q("2025-06-01", None)?;
        zero.size = Some(0);
        assert!(zero.validate(today).is_err());
        assert_eq!(err.class(), crate::api::ErrorClass::Invalid);
        Ok(())
    }

    #[test]
    fn dates_must_be_yyyy_mm_dd() -> crate::TestResult {
        for bad in [
            "2025-6-01",
            "2025/06/01",
            "01.06.2025",
            "2025-02-30",
            "",
            "２０２５-06-01",
        ] {
            assert!(AuditQuery::parse(bad, None).is_err(), "{bad}");
        }
        assert!(AuditQuery::parse("2025-06-01", Some("2025-13-01")).is_err());
        assert_eq!(
            AuditQuery::parse(" 2025-06-01 ", None)?.start_date,
            d("2025-06-01")?
        );
        Ok(())
    }

    #[test]
    fn filter_is_one_json_object() -> crate::TestResult {
        let f = AuditFilter::CustomerId("c1".into()).to_json()?;
        assert_eq!(
            f,
            r#"{"Field":"CustomerId","Value":"c1","Operator":"equals"}"#
        );
        let f = AuditFilter::CompanyName("Con\"toso".into()).to_json()?;
        assert!(f.contains(r#""Operator":"substring""#) && f.contains(r#"Con\"toso"#));
        Ok(())
    }
}
