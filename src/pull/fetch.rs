//! Fetch what the cache lacks, concurrently and politely.
//!
//! Why shaped like push: one subscription listing per customer and one
//! activity query per day are independent requests, so they run as tasks
//! behind [`Throttle`] — the AIMD limiter push uses — which halves the
//! number in flight whenever the client has seen a new 429 (the client
//! itself waits out `Retry-After` and retries). Each result goes to the
//! cache the moment it arrives, so an interruption loses at most the
//! requests in flight.
//!
//! Failures are sorted by what they mean for the run: a customer the
//! account cannot read (403, 404: relationship removed) is reported and
//! skipped; a transient failure that outlasts the client's retries is
//! tried again a few times here, then reported (the next run retries it);
//! refused credentials stop everything.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinSet;

use super::cache::{Cache, DayFile};
use super::{Progress, ProgressFn, PullError, PullIssue};
use crate::api::throttle::Throttle;
use crate::api::{ApiError, AuditQuery, Client, ErrorClass};

/// One unit of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// A customer's subscriptions: (tenant ID, company name).
    Subscriptions { id: String, name: String },
    /// One day of the activity log.
    Day(NaiveDate),
}

/// How the fetch runs.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    pub initial_concurrency: usize,
    pub max_concurrency: usize,
    /// Activity page size (`None`: the service's default).
    pub page_size: Option<u32>,
    /// Extra tries of a job whose request failed transiently after the
    /// client's own retries.
    pub job_retries: u32,
    /// Wait before such an extra try (doubles each time).
    pub job_retry_delay: Duration,
}

/// What to do with a failed request.
enum Disposition {
    Skip,
    Retry,
    Fatal,
}

fn disposition(err: &ApiError) -> Disposition {
    if matches!(err.status(), Some(403 | 404)) {
        return Disposition::Skip;
    }
    match err.class() {
        ErrorClass::Transient | ErrorClass::NotSent => Disposition::Retry,
        ErrorClass::Rejected => Disposition::Skip,
        ErrorClass::Auth | ErrorClass::Invalid => Disposition::Fatal,
    }
}

/// Run every job; returns the issues of jobs that could not be done.
///
/// # Errors
/// [`PullError::Api`] when credentials are refused or a request is invalid
/// (nothing further would work); [`PullError::Io`] when the cache cannot be
/// written.
pub async fn run(
    client: &Client,
    cache: &Cache,
    jobs: Vec<Job>,
    options: FetchOptions,
    progress: &ProgressFn,
) -> Result<Vec<PullIssue>, PullError> {
    let total = jobs.len();
    let mut done = 0;
    let throttle = Throttle::new(options.initial_concurrency, options.max_concurrency);
    let mut queue = jobs.into_iter().peekable();
    let mut tasks = JoinSet::new();
    let mut issues = Vec::new();
    // A job is started only once it holds a slot. (Spawning every job up
    // front to wait on the semaphore would queue them ahead of the
    // limiter's own "take slots back" request, and a 429 would then never
    // lower the number in flight.)
    while queue.peek().is_some() || !tasks.is_empty() {
        tokio::select! {
            permit = throttle.acquire(), if queue.peek().is_some() => {
                let (Some(permit), Some(job)) = (permit, queue.next()) else {
                    return Err(PullError::Worker("the concurrency limiter closed".into()));
                };
                let (client, cache, throttle) = (client.clone(), cache.clone(), throttle.clone());
                tasks.spawn(async move {
                    run_job(&client, &cache, &job, &throttle, permit, options).await
                });
            }
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                match joined {
                    Ok(Ok(issue)) => issues.extend(issue),
                    Ok(Err(err)) => {
                        tasks.abort_all();
                        return Err(err);
                    }
                    Err(join) => {
                        tasks.abort_all();
                        return Err(PullError::Worker(join.to_string()));
                    }
                }
                done += 1;
                progress(&Progress::Fetched {
                    done,
                    total,
                    concurrency: throttle.limit(),
                });
            }
        }
    }
    issues.sort();
    Ok(issues)
}

/// One job, with its extra tries: `Ok(Some(issue))` when it was skipped.
/// `first` is the slot the first try runs in.
async fn run_job(
    client: &Client,
    cache: &Cache,
    job: &Job,
    throttle: &Arc<Throttle>,
    first: OwnedSemaphorePermit,
    options: FetchOptions,
) -> Result<Option<PullIssue>, PullError> {
    let mut delay = options.job_retry_delay;
    let mut slot = Some(first);
    let mut tries = 0;
    loop {
        tries += 1;
        let result = {
            let _permit = match slot.take() {
                Some(p) => Some(p),
                None => throttle.acquire().await,
            };
            let r = fetch_one(client, cache, job, options.page_size).await;
            throttle.observe(client.stats().throttled);
            r
        };
        let err = match result {
            Ok(()) => return Ok(None),
            Err(FetchError::Pull(e)) => return Err(e),
            Err(FetchError::Api(e)) => e,
        };
        match disposition(&err) {
            Disposition::Skip => return Ok(Some(PullIssue::skipped(job, &err))),
            Disposition::Fatal => return Err(PullError::api(job_what(job), err)),
            Disposition::Retry if tries > options.job_retries => {
                return Ok(Some(PullIssue::not_fetched(job, tries, &err)));
            }
            Disposition::Retry => {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
            }
        }
    }
}

/// What a job fetches, for messages.
pub fn job_what(job: &Job) -> String {
    match job {
        Job::Subscriptions { id, name } => format!("subscriptions of {name} ({id})"),
        Job::Day(d) => format!("activity of {d}"),
    }
}

enum FetchError {
    Api(ApiError),
    Pull(PullError),
}

async fn fetch_one(
    client: &Client,
    cache: &Cache,
    job: &Job,
    page_size: Option<u32>,
) -> Result<(), FetchError> {
    match job {
        Job::Subscriptions { id, .. } => {
            let subs = client
                .list_subscriptions(id)
                .await
                .map_err(FetchError::Api)?;
            cache
                .save_subscriptions(id, &subs)
                .map_err(FetchError::Pull)
        }
        Job::Day(date) => {
            let mut query = AuditQuery::day(*date);
            query.size = page_size;
            let fetched_at = Utc::now();
            let records = client
                .all_audit_records(&query)
                .await
                .map_err(FetchError::Api)?;
            let day = DayFile {
                date: *date,
                fetched_at,
                records,
            };
            cache.save_day(&day).map_err(FetchError::Pull)
        }
    }
}
