//! `pull`: fetch an account's customers, subscriptions and activity log
//! over the API into the files `build` reads, instead of exporting each
//! customer by hand.
//!
//! Why it is shaped this way: the manual exports are the slowest and most
//! error-prone step of a consolidation, and they lack the fields retirement
//! needs (offer ID, term, term end, cancellation window, auto-renew). The
//! API has them all. A pull of a large account runs for minutes at the
//! API's rate limit, so it is resumable: everything fetched is cached under
//! `DIR/.pull/` ([`cache`]) and a re-run fetches only what is missing
//! ([`fetch`]); the CSVs are then rebuilt from the cache ([`write`](mod@write)) in a
//! deterministic order, so an interrupted-and-resumed pull writes the same
//! bytes as an uninterrupted one. `build` needs nothing special: the
//! headers are ones ingest already recognises ([`rows`]).
//!
//! ```text
//! list customers (all pages; cached once complete)
//!   ─▶ per customer: subscriptions   ┐ bounded, AIMD on 429s,
//!   ─▶ per day: audit records        ┘ each result cached atomically
//!   ─▶ customers.csv, subscriptions.csv, activity.csv (+ pull-issues.txt)
//! ```

pub mod cache;
pub mod fetch;
pub mod rows;
pub mod write;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::api::{ApiError, Client, ClientStats, Customer, CustomerQuery, MAX_DAYS_BACK};
use cache::Cache;
use fetch::{FetchOptions, Job};
pub use write::{ACTIVITY_CSV, CUSTOMERS_CSV, ISSUES_TXT, SUBSCRIPTIONS_CSV};

/// What to pull and where.
#[derive(Debug, Clone)]
pub struct PullSettings {
    /// The output folder (created if missing).
    pub out: PathBuf,
    /// Which account and API this is (stored with the cache so a cache is
    /// never mixed with another account's). No secrets.
    pub source: String,
    /// First day of the activity window; default and oldest allowed:
    /// [`MAX_DAYS_BACK`] days before today (UTC).
    pub since: Option<NaiveDate>,
    /// Ignore (delete) the cache and fetch everything again.
    pub fresh: bool,
    /// Customers listed per page (`None`: the service's default).
    pub page_size: Option<u32>,
    pub initial_concurrency: usize,
    pub max_concurrency: usize,
}

impl PullSettings {
    /// Defaults: the whole 90-day window, 4 requests in flight growing to 16.
    pub fn new(out: impl Into<PathBuf>, source: impl Into<String>) -> Self {
        PullSettings {
            out: out.into(),
            source: source.into(),
            since: None,
            fresh: false,
            page_size: None,
            initial_concurrency: 4,
            max_concurrency: 16,
        }
    }
}

/// Progress, reported as the pull goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The customer list is known (`cached`: from a previous run).
    Customers { count: usize, cached: bool },
    /// Work left after the cache: jobs to fetch, and how many were cached.
    Planned { to_fetch: usize, cached: usize },
    /// One more job finished (fetched, skipped or given up).
    Fetched {
        done: usize,
        total: usize,
        concurrency: usize,
    },
    /// Writing the CSV files.
    Writing,
}

/// Receives [`Progress`] (from several tasks at once).
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Something the pull could not fetch; the rest of the pull went on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PullIssue {
    /// What was not fetched (`subscriptions of NAME (ID)`, `activity of D`).
    pub what: String,
    /// Why, and what happens next.
    pub message: String,
}

impl PullIssue {
    fn skipped(job: &Job, err: &ApiError) -> Self {
        let why = match err.status() {
            Some(403) => "the account may not read this customer (403)",
            Some(404) => "not found (404): the reseller relationship may have been removed",
            _ => "refused by the service",
        };
        PullIssue {
            what: fetch::job_what(job),
            message: format!("skipped: {why}: {err}"),
        }
    }

    fn not_fetched(job: &Job, tries: u32, err: &ApiError) -> Self {
        PullIssue {
            what: fetch::job_what(job),
            message: format!(
                "not fetched after {tries} tries ({err}); run pull again to fetch the rest"
            ),
        }
    }
}

impl fmt::Display for PullIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.message)
    }
}

/// Why a pull stopped.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}")]
    Api {
        what: String,
        #[source]
        source: Box<ApiError>,
    },
    #[error(
        "{dir} holds a pull of {cached}, not {now}: use another --out folder, or --fresh to discard it"
    )]
    OtherSource {
        dir: PathBuf,
        cached: String,
        now: String,
    },
    #[error("--since {since}: {message}")]
    Since { since: NaiveDate, message: String },
    #[error("a fetch task failed: {0}")]
    Worker(String),
}

impl PullError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        PullError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn api(what: impl Into<String>, source: ApiError) -> Self {
        PullError::Api {
            what: what.into(),
            source: Box::new(source),
        }
    }
}

/// What a pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullReport {
    pub customers: usize,
    pub subscriptions: usize,
    pub activity_records: usize,
    /// Jobs (customers + days) fetched by this run, and found in the cache.
    pub fetched: usize,
    pub cached: usize,
    /// The activity window written.
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Customers skipped and days not fetched.
    pub issues: Vec<PullIssue>,
    pub files: Vec<PathBuf>,
    /// The client's counters at the end (requests, retries, 429s).
    pub stats: ClientStats,
}

/// The activity window: `since` (checked) through today.
///
/// # Errors
/// [`PullError::Since`] for a day before the API's 90-day limit or after today.
pub fn activity_days(
    since: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Vec<NaiveDate>, PullError> {
    let oldest = today - chrono::Duration::days(MAX_DAYS_BACK);
    let start = since.unwrap_or(oldest);
    if start < oldest {
        return Err(PullError::Since {
            since: start,
            message: format!(
                "the activity log goes back at most {MAX_DAYS_BACK} days (to {oldest})"
            ),
        });
    }
    if start > today {
        return Err(PullError::Since {
            since: start,
            message: format!("is after today ({today} UTC)"),
        });
    }
    Ok(start.iter_days().take_while(|d| *d <= today).collect())
}

/// Pull the account `client` reads into `settings.out`.
///
/// # Errors
/// [`PullError`]: the output or cache cannot be written, the customer list
/// cannot be fetched, or credentials are refused. Customers that cannot be
/// read are not errors: they are in the report's `issues`.
pub async fn pull(
    client: &Client,
    settings: &PullSettings,
    progress: ProgressFn,
) -> Result<PullReport, PullError> {
    let today = Utc::now().date_naive();
    let days = activity_days(settings.since, today)?;
    std::fs::create_dir_all(&settings.out).map_err(|e| PullError::io(&settings.out, e))?;
    let cache = Cache::open(&settings.out, &settings.source, settings.fresh)?;
    let customers = customers(client, &cache, settings.page_size, &progress).await?;

    let (jobs, cached) = plan(&cache, &customers, &days, today)?;
    progress(&Progress::Planned {
        to_fetch: jobs.len(),
        cached,
    });
    let fetched = jobs.len();
    let options = FetchOptions {
        initial_concurrency: settings.initial_concurrency,
        max_concurrency: settings.max_concurrency,
        page_size: settings.page_size,
        job_retries: 3,
        job_retry_delay: Duration::from_secs(2),
    };
    let issues = fetch::run(client, &cache, jobs, options, &progress).await?;

    progress(&Progress::Writing);
    let written = write::write_all(&settings.out, &cache, &customers, &days, &issues)?;
    Ok(PullReport {
        customers: written.customers,
        subscriptions: written.subscriptions,
        activity_records: written.activity_records,
        fetched,
        cached,
        since: days.first().copied(),
        until: days.last().copied(),
        issues,
        files: written.files,
        stats: client.stats(),
    })
}

/// The customer list: from the cache when a previous run completed it,
/// else every page from the API (then cached). Deduplicated by ID and
/// sorted by company name, then ID.
async fn customers(
    client: &Client,
    cache: &Cache,
    page_size: Option<u32>,
    progress: &ProgressFn,
) -> Result<Vec<Customer>, PullError> {
    if let Some(list) = cache.customers()? {
        progress(&Progress::Customers {
            count: list.len(),
            cached: true,
        });
        return Ok(list);
    }
    let query = CustomerQuery {
        size: page_size,
        filter: None,
    };
    let mut list = client
        .list_all_customers(&query)
        .await
        .map_err(|e| PullError::api("listing customers", e))?;
    let key = |c: &Customer| {
        (
            c.company_name().unwrap_or("").trim().to_lowercase(),
            c.id.trim().to_ascii_lowercase(),
        )
    };
    list.sort_by_key(key);
    list.dedup_by(|a, b| a.id.eq_ignore_ascii_case(&b.id));
    cache.save_customers(&list)?;
    progress(&Progress::Customers {
        count: list.len(),
        cached: false,
    });
    Ok(list)
}

/// The jobs the cache cannot answer, and how many it can.
fn plan(
    cache: &Cache,
    customers: &[Customer],
    days: &[NaiveDate],
    today: NaiveDate,
) -> Result<(Vec<Job>, usize), PullError> {
    let mut jobs = Vec::new();
    let mut cached = 0;
    for c in customers {
        if cache.has_subscriptions(&c.id) {
            cached += 1;
        } else {
            jobs.push(Job::Subscriptions {
                id: c.id.clone(),
                name: c.company_name().unwrap_or("").trim().to_owned(),
            });
        }
    }
    for d in days {
        let complete = *d < today && cache.day(*d)?.is_some_and(|f| f.is_complete());
        if complete {
            cached += 1;
        } else {
            jobs.push(Job::Day(*d));
        }
    }
    Ok((jobs, cached))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Result<NaiveDate, chrono::ParseError> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
    }

    #[test]
    fn activity_window_defaults_to_90_days_and_is_checked() -> crate::TestResult {
        let today = d("2025-06-30")?;
        let all = activity_days(None, today)?;
        assert_eq!(all.len(), 91);
        assert_eq!(all.first(), Some(&d("2025-04-01")?));
        assert_eq!(all.last(), Some(&today));
        assert_eq!(activity_days(Some(today), today)?, vec![today]);
        let err = activity_days(Some(d("2025-03-31")?), today)
            .unwrap_err()
            .to_string();
        assert!(err.contains("90 days"), "{err}");
        assert!(activity_days(Some(d("2025-07-01")?), today).is_err());
        Ok(())
    }
}
