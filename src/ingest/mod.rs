//! Readers for Partner Center exports in any locale: per-customer
//! subscription exports, customer lists, activity logs, the
//! batch-migration tool's CSVs and `pull`'s files, as xlsx/xls/csv in any
//! mix, files or folders.
//!
//! Why it is shaped this way: inputs are many small workbooks plus one huge
//! log. So export files are read in parallel (rayon), each into canonical
//! records, a file's kind decided by its header row (never its name or
//! position), while the activity logs given as such stream once beside
//! them (the fold needs nothing from the exports); then customers are
//! indexed, per-customer files attributed, and the fold is joined to the
//! customers and export times. Nothing read is dropped silently: every
//! problem is an [`Issue`] with a location, and only a path that does not
//! exist or a folder that cannot be listed stops the run.

pub mod activity;
pub mod attribute;
pub mod customers;
pub mod dates;
pub mod decode;
pub mod discover;
pub mod header_hint;
pub mod headers;
pub mod lines;
pub mod numbers;
pub mod offer_map;
mod read;
pub mod row_shape;
pub mod stream;
pub mod subscriptions;
pub mod table;
pub mod values;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDateTime;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

pub use offer_map::read_offer_map;

use crate::model::{Customer, InputFile, Inputs, Issue, Location, name_key};
use activity::{ActivityAcc, JoinCtx};
use customers::CustomerIndex;
use discover::{Found, discover};
use read::FileRead;

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct IngestSpec {
    /// Files or folders (recursive), .xlsx/.xls/.csv, any mix.
    pub exports: Vec<PathBuf>,
    /// The customer list (also auto-detected among exports by its headers).
    pub customers: Option<PathBuf>,
    /// Activity-log CSVs (also auto-detected among exports by headers).
    pub activity: Vec<PathBuf>,
    /// When the exports were taken (UTC), overriding file metadata.
    pub exported_at: Option<NaiveDateTime>,
    /// Date order for `a/b/yyyy` dates; `None` = unknown (ambiguous dates
    /// become issues unless the file itself shows the order).
    pub day_first: Option<bool>,
}

/// A fatal input problem: nothing can be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: not found or not readable")]
    NotFound {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: folder cannot be listed")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Lower-case hex SHA-256 of bytes.
pub fn hash_hex(bytes: &[u8]) -> String {
    stream::hex(&Sha256::digest(bytes))
}

/// Read every input. `progress(done, total)` is called as files finish.
pub fn read_all(
    spec: &IngestSpec,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Inputs, IngestError> {
    let customer_files = match &spec.customers {
        Some(p) => discover(std::slice::from_ref(p))?,
        None => Vec::new(),
    };
    let activity_files = discover(&spec.activity)?;
    let mut exports = discover(&spec.exports)?;
    let listed: std::collections::HashSet<PathBuf> = customer_files
        .iter()
        .chain(&activity_files)
        .map(|f| f.path.clone())
        .collect();
    exports.retain(|f| !listed.contains(&f.path));

    let total = customer_files.len() + exports.len() + activity_files.len();
    let done = AtomicUsize::new(0);
    let tick = || progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
    let (reads, streamed) = rayon::join(
        || -> Vec<FileRead> {
            customer_files
                .par_iter()
                .map(|f| (f, read::Role::Customers))
                .chain(exports.par_iter().map(|f| (f, read::Role::Any)))
                .map(|(f, role)| {
                    let r = read::read_file(f, role, spec);
                    tick();
                    r
                })
                .collect()
        },
        || stream_logs(&activity_files, ActivityAcc::default(), spec, &tick),
    );

    let mut inputs = Inputs::default();
    for r in &reads {
        inputs.customers.extend(r.customers.iter().cloned());
    }
    let mut dedupe_issues = Vec::new();
    customers::dedupe(&mut inputs.customers, &mut dedupe_issues);
    let ix = CustomerIndex::new(&inputs.customers);

    let mut deferred: Vec<Found> = Vec::new();
    let mut grids: Vec<(Found, Vec<read::ActivityGrid>)> = Vec::new();
    // Exact capacity: a subscription record is large, and doubling growth
    // would hold up to twice the rows at L scale.
    inputs
        .subscriptions
        .reserve_exact(reads.iter().map(|r| r.subs.len()).sum());
    for mut r in reads {
        read::attribute(&mut r, &inputs.customers, &ix);
        inputs.issues.append(&mut r.issues);
        inputs
            .subscriptions
            .extend(r.subs.into_iter().map(|p| p.sub));
        if r.activity_csv {
            deferred.push(r.found.clone());
        } else {
            inputs.files.push(r.file);
        }
        if !r.activity_grids.is_empty() {
            grids.push((r.found, r.activity_grids));
        }
    }
    inputs.issues.extend(dedupe_issues);

    fold_activity(
        &mut inputs,
        (&activity_files, streamed),
        &deferred,
        &grids,
        spec,
        &tick,
    );
    Ok(inputs)
}

/// Logs streamed into an accumulator, with each file's record and issues.
type Streamed = (ActivityAcc, Vec<(InputFile, Vec<Issue>)>);

/// Stream activity CSVs, in order, into `acc`.
fn stream_logs(
    logs: &[Found],
    mut acc: ActivityAcc,
    spec: &IngestSpec,
    tick: &(dyn Fn() + Sync),
) -> Streamed {
    let mut done = Vec::with_capacity(logs.len());
    for f in logs {
        done.push(stream::stream_activity_csv(f, &mut acc, spec.day_first));
        tick();
    }
    (acc, done)
}

/// Fold the activity into `inputs.activity`: activity sheets found in
/// workbooks, then the given logs (`given`: already streamed beside the
/// exports), then activity CSVs found among the exports, in that order
/// (the order breaks ties between rows of the same time).
fn fold_activity(
    inputs: &mut Inputs,
    given: (&[Found], Streamed),
    deferred: &[Found],
    grids: &[(Found, Vec<read::ActivityGrid>)],
    spec: &IngestSpec,
    tick: &(dyn Fn() + Sync),
) {
    let (logs, streamed) = given;
    if logs.is_empty() && deferred.is_empty() && grids.is_empty() {
        return;
    }
    let (acc, mut done) = if grids.is_empty() {
        streamed
    } else {
        // Rare: sheets come first, so the logs are streamed again after them.
        drop(streamed);
        let mut acc = ActivityAcc::default();
        for (found, sheets) in grids {
            let file: Arc<str> = Arc::from(found.display.as_str());
            for g in sheets {
                stream::fold_grid(&file, &g.grid, &g.header, &mut acc, spec.day_first);
            }
        }
        stream_logs(logs, acc, spec, &|| {})
    };
    let (acc, more) = stream_logs(deferred, acc, spec, tick);
    done.extend(more);
    for (file, mut issues) in done {
        inputs.files.push(file);
        inputs.issues.append(&mut issues);
    }
    let pool = join_pool(inputs);
    let ctx = join_ctx(&pool, inputs);
    let (summary, mut issues) = acc.finish(&ctx, true);
    inputs.activity = summary;
    inputs.issues.append(&mut issues);
}

/// The customers the log's names are joined against: the customer list,
/// plus customers only the subscription files name (with a tenant ID).
fn join_pool(inputs: &Inputs) -> Vec<Customer> {
    let mut pool = inputs.customers.clone();
    let mut known: std::collections::HashSet<String> =
        pool.iter().map(|c| c.tenant_id.clone()).collect();
    for s in &inputs.subscriptions {
        if let (Some(t), Some(n)) = (&s.customer_tenant_id, &s.customer_name)
            && known.insert(t.clone())
        {
            pool.push(Customer {
                tenant_id: t.clone(),
                company_name: n.clone(),
                primary_domain: None,
                relationship: None,
                tags: Vec::new(),
                source: s.source.clone(),
            });
        }
    }
    pool
}

fn join_ctx<'a>(pool: &'a [Customer], inputs: &Inputs) -> JoinCtx<'a> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_tenant: HashMap<&str, usize> = HashMap::new();
    for (i, c) in pool.iter().enumerate() {
        by_name
            .entry(name_key(&c.company_name))
            .or_default()
            .push(i);
        by_tenant.insert(c.tenant_id.as_str(), i);
    }
    let mut export_time: Vec<Option<NaiveDateTime>> = vec![None; pool.len()];
    let mut sub_export_time = HashMap::new();
    for s in &inputs.subscriptions {
        sub_export_time.insert(s.subscription_id.clone(), s.exported_at);
        let Some(i) = s
            .customer_tenant_id
            .as_deref()
            .and_then(|t| by_tenant.get(t))
        else {
            continue;
        };
        if let (Some(slot), Some(at)) = (export_time.get_mut(*i), s.exported_at) {
            *slot = Some(slot.map_or(at, |e: NaiveDateTime| e.min(at)));
        }
    }
    JoinCtx {
        customers: pool,
        by_name,
        export_time,
        sub_export_time,
    }
}

/// An issue about a whole file.
fn file_issue(display: &str, msg: impl Into<String>) -> Issue {
    Issue::error(Location::file(display), msg)
}
