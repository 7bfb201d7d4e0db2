//! Reading exports end to end: real xlsx files written with
//! rust_xlsxwriter and CSV bytes in many encodings, read back through
//! `ingest::read_all` from a temporary folder. Split by topic; the helpers
//! and the shared customer list are here.

mod activity;
mod attribution;
mod dates;
mod encodings;
mod failures;
mod headers;
mod side_files;
mod values;

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use csp_consolidate::ingest::{IngestSpec, read_all};
use csp_consolidate::model::{Inputs, Issue, SourceSubscription};

/// A customer tenant ID numbered `n`.
fn guid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-00000000000a")
}

/// A date and time (panics on an impossible one).
fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|x| x.and_hms_opt(h, mi, 0))
        .expect("valid date")
}

/// Everything `spec` names, read.
fn read(spec: &IngestSpec) -> Inputs {
    read_all(spec, &|_, _| {}).expect("read_all")
}

/// A spec reading only these exports.
fn exports(paths: &[&Path]) -> IngestSpec {
    IngestSpec {
        exports: paths.iter().map(|p| p.to_path_buf()).collect(),
        ..IngestSpec::default()
    }
}

/// The subscription `id` (panics listing them all when missing).
fn sub<'a>(inputs: &'a Inputs, id: &str) -> &'a SourceSubscription {
    inputs
        .subscriptions
        .iter()
        .find(|s| s.subscription_id == id)
        .unwrap_or_else(|| panic!("no subscription {id} in {:#?}", inputs.subscriptions))
}

/// Every issue as printed.
fn issue_texts(inputs: &Inputs) -> Vec<String> {
    inputs.issues.iter().map(Issue::to_string).collect()
}

/// Whether some issue's text contains `needle`.
fn has_issue(inputs: &Inputs, needle: &str) -> bool {
    inputs.issues.iter().any(|i| i.to_string().contains(needle))
}

/// A customer list: Contoso, Fabrikam, two "Twin Co", Northwind.
const CUSTOMERS: &str = "Microsoft ID,Company name,Primary domain name,Relationship\n\
00000001-0000-4000-8000-00000000000a,Contoso Ltd.,contoso.onmicrosoft.com,Cloud Reseller\n\
00000002-0000-4000-8000-00000000000a,Fabrikam,fabrikam.com,Cloud Reseller\n\
00000003-0000-4000-8000-00000000000a,Twin Co,twin1.com,Cloud Reseller\n\
00000004-0000-4000-8000-00000000000a,Twin Co,twin2.com,Cloud Reseller\n\
00000005-0000-4000-8000-00000000000a,Northwind Traders,northwind.com,Cloud Reseller\n";
