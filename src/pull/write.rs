//! The output files, rebuilt from the cache every run: `customers.csv`,
//! `subscriptions.csv`, `activity.csv` and, when something was skipped,
//! `pull-issues.txt`.
//!
//! Why rebuilt from the cache rather than streamed as data arrives: the
//! files must be the same bytes whether the pull ran in one go or was
//! interrupted and resumed, so they are written in one deterministic order
//! (customers by name then ID; their subscriptions by ID; activity by time
//! then record ID) from what the cache holds. UTF-8 with a BOM (Excel
//! opens it correctly; ingest sniffs it), CRLF lines, each file atomic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::cache::{Cache, write_atomic};
use super::rows::{
    ACTIVITY_HEADERS, CUSTOMER_HEADERS, SUBSCRIPTION_HEADERS, activity_row, customer_row,
    subscription_row,
};
use super::{PullError, PullIssue};
use crate::api::types::parse_date;
use crate::api::{AuditRecord, Customer};

/// Output file names.
pub const CUSTOMERS_CSV: &str = "customers.csv";
pub const SUBSCRIPTIONS_CSV: &str = "subscriptions.csv";
pub const ACTIVITY_CSV: &str = "activity.csv";
/// Not `.csv`: `build DIR` must not mistake it for an export.
pub const ISSUES_TXT: &str = "pull-issues.txt";

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub customers: usize,
    pub subscriptions: usize,
    pub activity_records: usize,
    pub files: Vec<PathBuf>,
}

fn csv_bytes(
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(headers)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()?;
    }
    Ok(out)
}

fn write_csv(
    path: &Path,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), PullError> {
    let bytes = csv_bytes(headers, rows)
        .map_err(|e| PullError::io(path, std::io::Error::other(e.to_string())))?;
    write_atomic(path, &bytes)
}

/// Write every output file into `out`. `customers` are in output order;
/// customers without cached subscriptions (skipped) have no rows.
///
/// # Errors
/// [`PullError::Io`] when a cache file cannot be read or an output written.
pub fn write_all(
    out: &Path,
    cache: &Cache,
    customers: &[Customer],
    days: &[NaiveDate],
    issues: &[PullIssue],
) -> Result<Written, PullError> {
    let mut written = Written {
        customers: customers.len(),
        ..Written::default()
    };
    let path = out.join(CUSTOMERS_CSV);
    write_csv(&path, &CUSTOMER_HEADERS, customers.iter().map(customer_row))?;
    written.files.push(path);

    let mut sub_rows = Vec::new();
    for c in customers {
        let Some(mut subs) = cache.subscriptions(&c.id)? else {
            continue;
        };
        subs.sort_by_key(|s| s.id.to_ascii_lowercase());
        sub_rows.extend(subs.iter().map(|s| subscription_row(c, s)));
    }
    written.subscriptions = sub_rows.len();
    let path = out.join(SUBSCRIPTIONS_CSV);
    write_csv(&path, &SUBSCRIPTION_HEADERS, sub_rows.into_iter())?;
    written.files.push(path);

    let mut records: Vec<AuditRecord> = Vec::new();
    for d in days {
        if let Some(day) = cache.day(*d)? {
            records.extend(day.records);
        }
    }
    sort_records(&mut records);
    let names: HashMap<String, String> = customers
        .iter()
        .map(|c| {
            let name = c.company_name().unwrap_or("").trim().to_owned();
            (c.id.trim().to_ascii_lowercase(), name)
        })
        .collect();
    written.activity_records = records.len();
    let path = out.join(ACTIVITY_CSV);
    write_csv(
        &path,
        &ACTIVITY_HEADERS,
        records.iter().map(|r| activity_row(r, &names)),
    )?;
    written.files.push(path);

    write_issues(out, issues)?;
    Ok(written)
}

/// By operation time, then record id; duplicates (a record on two day
/// pages) dropped.
fn sort_records(records: &mut Vec<AuditRecord>) {
    records.sort_by(|a, b| {
        let at = |r: &AuditRecord| r.operation_date.as_deref().and_then(parse_date);
        (at(a), &a.id).cmp(&(at(b), &b.id))
    });
    records.dedup_by(|a, b| !a.id.is_empty() && a.id == b.id);
}

/// `pull-issues.txt`: one line per skipped customer or missing day; removed
/// when a run has none, so a stale list never outlives its cause.
fn write_issues(out: &Path, issues: &[PullIssue]) -> Result<(), PullError> {
    let path = out.join(ISSUES_TXT);
    if issues.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(PullError::io(&path, e)),
            _ => Ok(()),
        };
    }
    let mut text = String::new();
    for issue in issues {
        text.push_str(&issue.to_string());
        text.push('\n');
    }
    write_atomic(&path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_bom_header_and_quotes() -> crate::TestResult {
        let bytes = csv_bytes(
            &["A", "B"],
            vec![vec!["x, y".to_owned(), "say \"hi\"".to_owned()]].into_iter(),
        )?;
        let text = String::from_utf8(bytes)?;
        assert_eq!(text, "\u{feff}A,B\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n");
        Ok(())
    }

    #[test]
    fn records_sort_by_time_then_id_without_duplicates() {
        let r = |id: &str, at: &str| AuditRecord {
            id: id.into(),
            operation_date: Some(at.into()),
            ..AuditRecord::default()
        };
        let mut v = vec![
            r("b", "2025-06-02T00:00:00Z"),
            r("a", "2025-06-02T00:00:00Z"),
            r("c", "2025-06-01T10:00:00Z"),
            r("a", "2025-06-02T00:00:00Z"),
        ];
        sort_records(&mut v);
        let ids: Vec<&str> = v.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b"]);
    }
}
