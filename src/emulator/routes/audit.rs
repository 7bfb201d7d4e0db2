//! The activity log: every write appends a §7-shaped record (see
//! `emulator/changes.rs`), and `GET /v1/auditrecords` serves them with the
//! documented rules: no `startDate` → last 30 days, no `endDate` → now,
//! `startDate` more than 90 days back → 400, at most one filter
//! (`CompanyName` substring, `CustomerId` or `ResourceType` equals, values
//! case-insensitive), seek paging like customers.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use super::Caller;
use super::paging::{self, Cursor};
use crate::emulator::errors::{ApiError, ApiResult};
use crate::emulator::runtime::App;
use crate::emulator::state::AuditRecord;
use crate::emulator::wire;

struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn parse_day(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    let day = if end_of_day { day.succ_opt()? } else { day };
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

fn window(start: Option<&str>, end: Option<&str>, now: DateTime<Utc>) -> Result<Window, ApiError> {
    let bad = |m: String| ApiError::invalid_input(m);
    let start = match start.filter(|s| !s.trim().is_empty()) {
        None => now - Duration::days(30),
        Some(s) => parse_day(s, false)
            .ok_or_else(|| bad(format!("startDate `{s}` is not a date (YYYY-MM-DD)")))?,
    };
    let end = match end.filter(|s| !s.trim().is_empty()) {
        None => now,
        Some(s) => parse_day(s, true)
            .ok_or_else(|| bad(format!("endDate `{s}` is not a date (YYYY-MM-DD)")))?,
    };
    let oldest = (now - Duration::days(90))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc());
    if oldest.is_some_and(|oldest| start < oldest) {
        return Err(bad(
            "startDate cannot be more than 90 days in the past.".into()
        ));
    }
    if end < start {
        return Err(bad("endDate is before startDate.".into()));
    }
    Ok(Window {
        start,
        end: end.min(now + Duration::days(1)),
    })
}

type Matcher = Box<dyn Fn(&AuditRecord) -> bool>;

fn filter(text: &str) -> Result<Matcher, ApiError> {
    if text.trim().is_empty() {
        return Ok(Box::new(|_| true));
    }
    let v: Value = serde_json::from_str(text)
        .map_err(|_| ApiError::invalid_input("filter must be one JSON object"))?;
    if !v.is_object() {
        return Err(ApiError::invalid_input(
            "filter must be exactly one JSON object",
        ));
    }
    let field = wire::field_str(&v, "Field")
        .unwrap_or("")
        .to_ascii_lowercase();
    let value = wire::field_str(&v, "Value").unwrap_or("").to_lowercase();
    let op = wire::field_str(&v, "Operator")
        .unwrap_or("")
        .to_ascii_lowercase();
    match (field.as_str(), op.as_str()) {
        ("companyname", "substring") => Ok(Box::new(move |r| {
            r.customer_name.to_lowercase().contains(&value)
        })),
        ("customerid", "equals") => Ok(Box::new(move |r| r.customer_id.to_lowercase() == value)),
        ("resourcetype", "equals") => {
            Ok(Box::new(move |r| r.resource_type.to_lowercase() == value))
        }
        _ => Err(ApiError::invalid_input(format!(
            "filter `{field}` with operator `{op}` is not supported"
        ))),
    }
}

pub async fn list(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult {
    let cursor = if let Some(cursor) = paging::continued("audit", &q, &headers)? {
        cursor
    } else {
        let part = |k: &str| q.get(k).cloned().unwrap_or_default();
        Cursor {
            offset: 0,
            size: paging::page_size(q.get("size").map(String::as_str), app.settings().page_size)?,
            query: format!(
                "{}\n{}\n{}",
                part("startDate"),
                part("endDate"),
                part("filter")
            ),
        }
    };
    let mut parts = cursor.query.splitn(3, '\n');
    let (start, end, filter_text) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    let win = window(start, end, Utc::now())?;
    let matcher = filter(filter_text)?;
    let body = app.with(|rt| {
        let tenant = rt.tenant(&caller.tenant)?;
        let mut hits: Vec<&AuditRecord> = tenant
            .audit_records
            .iter()
            .filter(|r| r.operation_date >= win.start && r.operation_date < win.end && matcher(r))
            .collect();
        hits.sort_by_key(|r| r.operation_date);
        let items = hits
            .iter()
            .skip(cursor.offset)
            .take(cursor.size)
            .map(|r| record(r))
            .collect();
        Some(paging::seek_page(
            "audit",
            "/v1/auditrecords",
            &cursor,
            items,
            hits.len(),
        ))
    });
    Ok(Json(body.unwrap_or(Value::Null)).into_response())
}

fn record(r: &AuditRecord) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("attributes".into(), json!({"objectType": "AuditRecord"}));
    }
    v
}
