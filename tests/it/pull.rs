//! `pull` against the in-process emulator over real loopback HTTP: the
//! files it writes, read back by ingest and classified as `build` does,
//! checked against the emulator's seed; resuming after a kill; customers
//! the account cannot read; faults that must not change the output.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use csp_consolidate::api::{Client, SystemTimer};
use csp_consolidate::emulator::{self, EmulatorHandle, Faults, seed};
use csp_consolidate::ingest::{self, IngestSpec};
use csp_consolidate::model::{Action, OfferMap, Retirement, SubStatus, classify::classify};
use csp_consolidate::pull::{self, PullReport, PullSettings};

use crate::support::bin::command;
use crate::support::emu::{self, accounts_toml, start};

const FILES: [&str; 3] = [
    pull::CUSTOMERS_CSV,
    pull::SUBSCRIPTIONS_CSV,
    pull::ACTIVITY_CSV,
];

fn client(h: &EmulatorHandle) -> Client {
    emu::client(emu::seed_config(h, "source"), Arc::new(SystemTimer))
}

async fn run_pull(
    h: &EmulatorHandle,
    out: &Path,
    tweak: impl FnOnce(&mut PullSettings),
) -> PullReport {
    let mut settings = PullSettings::new(out, format!("source at {}", h.base_url()));
    tweak(&mut settings);
    pull::pull(&client(h), &settings, Arc::new(|_: &pull::Progress| {}))
        .await
        .unwrap()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn subscription_requests(h: &EmulatorHandle) -> u64 {
    h.counters().tenants["source"]
        .by_route
        .iter()
        .filter(|(route, _)| route.ends_with("/subscriptions"))
        .map(|(_, n)| *n)
        .sum()
}

#[tokio::test]
async fn pulled_files_build_rows_seats_and_retirement_matching_the_seed() {
    let world = seed::synthetic(300, 4, 11);
    let h = start(world.clone(), |c| {
        c.page_size = 50;
        c.rate_limit_per_minute = 0;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let report = run_pull(&h, dir.path(), |_| {}).await;
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert_eq!((report.customers, report.subscriptions), (300, 1200));
    let counters = &h.counters().tenants["source"];
    assert_eq!(
        counters.by_route["GET /v1/customers"], 6,
        "300 customers in pages of 50"
    );

    let mut inputs = ingest::read_all(
        &IngestSpec {
            exports: vec![dir.path().to_owned()],
            ..IngestSpec::default()
        },
        &|_, _| {},
    )
    .unwrap();
    assert!(inputs.issues.is_empty(), "{:?}", inputs.issues);
    assert_eq!(inputs.customers.len(), 300);
    assert_eq!(inputs.subscriptions.len(), 1200);
    assert!(inputs.activity.given);
    for s in &inputs.subscriptions {
        let filled = s.offer_id.is_some()
            && s.term.is_some()
            && s.term_end.is_some()
            && s.billing_cycle.is_some()
            && s.auto_renew.is_some()
            && s.billing_type.is_some()
            && s.customer_tenant_id.is_some()
            && s.start_date.is_some();
        assert!(filled, "a pulled row leaves a column empty: {s:?}");
    }

    let today = Utc::now().date_naive();
    let classified = classify(&mut inputs, &OfferMap::default(), today);
    assert_eq!(classified.rows.len(), 1200);
    let seeded: HashMap<&str, (&str, &emulator::state::Subscription)> = world.tenants[0]
        .customers
        .iter()
        .flat_map(|c| {
            c.subscriptions
                .iter()
                .map(move |s| (s.id.as_str(), (c.id.as_str(), s)))
        })
        .collect();
    let mut statuses = BTreeSet::new();
    let mut retirements = BTreeSet::new();
    for row in &classified.rows {
        let (customer, s) = seeded[row.source_subscription_id.as_str()];
        assert_eq!(row.tenant_id, customer);
        assert_eq!(row.seats, u32::try_from(s.quantity).ok());
        let status = row.status.clone().unwrap();
        assert_eq!(status, SubStatus::parse(&s.status));
        statuses.insert(status.to_string());
        assert_eq!(row.term_end, Some(s.commitment_end_date.date_naive()));
        if row.action != Action::Recreate {
            assert_eq!(row.retirement, Retirement::None);
            continue;
        }
        assert_eq!(s.status, "active");
        let window = s.cancellation_allowed_until_date.map(|d| d.date_naive());
        let term_end = s.commitment_end_date.date_naive();
        let (want, days) = match window {
            None => (Retirement::Suspend, 0), // legacy GUID offer
            Some(w) if w >= today => (Retirement::Cancel { window_ends: w }, 0),
            Some(_) => (
                Retirement::StopAutoRenew {
                    term_ends: Some(term_end),
                },
                (term_end - today).num_days(),
            ),
        };
        assert_eq!(row.retirement, want, "{}", row.source_subscription_id);
        assert_eq!(row.double_billing_days, Some(days));
        retirements.insert(
            row.retirement
                .text()
                .split(" (")
                .next()
                .unwrap_or("")
                .to_owned(),
        );
    }
    for s in [
        "Active",
        "Suspended",
        "Deleted",
        "Expired",
        "Pending",
        "Disabled",
    ] {
        assert!(statuses.contains(s), "no {s} row: {statuses:?}");
    }
    assert_eq!(
        retirements.len(),
        3,
        "suspend, cancel and stop auto-renew all occur"
    );
    h.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rerun_uses_the_cache_and_an_unreadable_customer_is_skipped() {
    let world = seed::synthetic(20, 2, 5);
    let h = start(world.clone(), |c| c.rate_limit_per_minute = 0).await;
    let dir = tempfile::tempdir().unwrap();
    let first = run_pull(&h, dir.path(), |_| {}).await;
    assert!(first.issues.is_empty());
    let before: Vec<Vec<u8>> = FILES.iter().map(|f| read(dir.path(), f)).collect();

    // A re-run fetches nothing but today's activity.
    let subs_before = subscription_requests(&h);
    let again = run_pull(&h, dir.path(), |_| {}).await;
    assert_eq!(subscription_requests(&h), subs_before);
    assert_eq!((again.fetched, again.cached), (1, 20 + 90));

    // The relationship is removed after the customer list was cached.
    let gone = world.tenants[0].customers[3].clone();
    h.with_state(|w| w.tenants[0].customers[3].relationship = "none".into());
    let cache = pull::cache::Cache::open(dir.path(), &format!("source at {}", h.base_url()), false)
        .unwrap();
    std::fs::remove_file(cache.subscriptions_path(&gone.id)).unwrap();
    let skipped = run_pull(&h, dir.path(), |_| {}).await;
    assert_eq!(skipped.issues.len(), 1, "{:?}", skipped.issues);
    let issue = skipped.issues[0].to_string();
    assert!(issue.contains(&gone.id) && issue.contains("404"), "{issue}");
    assert_eq!(skipped.subscriptions, 40 - gone.subscriptions.len());
    let subs = String::from_utf8(read(dir.path(), pull::SUBSCRIPTIONS_CSV)).unwrap();
    assert!(!subs.contains(&gone.id));
    let listed = std::fs::read_to_string(dir.path().join(pull::ISSUES_TXT)).unwrap();
    assert!(listed.contains(&gone.id), "{listed}");

    // Back again: the next run fetches it, and the files are as before.
    h.with_state(|w| w.tenants[0].customers[3].relationship = "reseller".into());
    let fixed = run_pull(&h, dir.path(), |_| {}).await;
    assert!(fixed.issues.is_empty());
    assert!(!dir.path().join(pull::ISSUES_TXT).exists());
    for (name, want) in FILES.iter().zip(&before) {
        assert!(read(dir.path(), name) == *want, "{name} differs");
    }
    h.shutdown().await.unwrap();
}

#[tokio::test]
async fn throttling_and_server_errors_do_not_change_the_files() {
    let world = seed::synthetic(24, 3, 8);
    let h = start(world, |c| c.rate_limit_per_minute = 0).await;
    let today = Utc::now().date_naive();
    let clean = tempfile::tempdir().unwrap();
    run_pull(&h, clean.path(), |s| s.since = Some(today)).await;
    h.set_faults(Faults::parse("429=0.25,5xx=0.1,seed=4").unwrap());
    let flaky = tempfile::tempdir().unwrap();
    let report = run_pull(&h, flaky.path(), |s| s.since = Some(today)).await;
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert!(
        report.stats.throttled > 0 && report.stats.retries > 0,
        "{:?}",
        report.stats
    );
    for name in FILES {
        assert!(
            read(clean.path(), name) == read(flaky.path(), name),
            "{name} differs"
        );
    }
    h.shutdown().await.unwrap();
}

/// A config file pointing the `source` account at the emulator; the
/// secret stays in the environment.
fn config_file(dir: &Path, base: &str) -> PathBuf {
    accounts_toml(dir, base, &[("source", "CSP_TEST_PULL_SECRET")])
}

fn pull_command(config: &Path, out: &Path) -> Command {
    account_command("source", config, out)
}

fn account_command(account: &str, config: &Path, out: &Path) -> Command {
    let mut cmd = command();
    cmd.arg("pull")
        .args(["--account", account, "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .env("CSP_TEST_PULL_SECRET", "source-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn cached_customers(out: &Path) -> usize {
    std::fs::read_dir(out.join(".pull").join("subscriptions"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_pull_resumes_and_writes_the_same_files() {
    let h = start(seed::synthetic(300, 4, 21), |c| {
        c.page_size = 100;
        c.rate_limit_per_minute = 0;
        c.faults = Faults::parse("latency=15ms").unwrap();
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let config = config_file(tmp.path(), &h.base_url());
    let (whole, resumed) = (tmp.path().join("whole"), tmp.path().join("resumed"));

    let (c, o) = (config.clone(), whole.clone());
    let out = tokio::task::spawn_blocking(move || pull_command(&c, &o).output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (c, o) = (config.clone(), resumed.clone());
    let killed_at = tokio::task::spawn_blocking(move || {
        let mut child = pull_command(&c, &o).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while cached_customers(&o) < 60 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
        cached_customers(&o)
    })
    .await
    .unwrap();
    assert!(
        (60..300).contains(&killed_at),
        "killed mid-way, at {killed_at}"
    );
    assert!(!resumed.join(pull::SUBSCRIPTIONS_CSV).exists());

    let subs_before = subscription_requests(&h);
    let (c, o) = (config.clone(), resumed.clone());
    let out = tokio::task::spawn_blocking(move || pull_command(&c, &o).output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fetched_again = subscription_requests(&h) - subs_before;
    assert!(
        fetched_again <= (300 - killed_at) as u64 + 16,
        "resumed, not restarted: {fetched_again} subscription requests after {killed_at} were cached"
    );
    for name in FILES {
        assert!(read(&whole, name) == read(&resumed, name), "{name} differs");
    }
    h.shutdown().await.unwrap();
}

#[test]
fn an_unknown_account_or_missing_secret_exits_2_without_output() {
    let tmp = tempfile::tempdir().unwrap();
    let config = config_file(tmp.path(), "http://127.0.0.1:9");
    let out = tmp.path().join("out");
    let run = account_command("nope", &config, &out).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("no account named \"nope\"") && err.contains("source"),
        "{err}"
    );
    let run = pull_command(&config, &out)
        .env_remove("CSP_TEST_PULL_SECRET")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("CSP_TEST_PULL_SECRET"), "{err}");
    assert!(!out.join(pull::SUBSCRIPTIONS_CSV).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_exits_1_and_lists_a_customer_it_could_not_read() {
    let world = seed::synthetic(6, 1, 2);
    let h = start(world.clone(), |c| c.rate_limit_per_minute = 0).await;
    let tmp = tempfile::tempdir().unwrap();
    let config = config_file(tmp.path(), &h.base_url());
    let out = tmp.path().join("out");
    let run = |extra: &'static [&'static str]| {
        let (c, o) = (config.clone(), out.clone());
        tokio::task::spawn_blocking(move || pull_command(&c, &o).args(extra).output().unwrap())
    };
    let first = run(&[]).await.unwrap();
    assert_eq!(first.status.code(), Some(0));

    let gone = &world.tenants[0].customers[2];
    h.with_state(|w| w.tenants[0].customers[2].relationship = "none".into());
    let cache_file = out
        .join(".pull")
        .join("subscriptions")
        .join(format!("{}.json", gone.id));
    std::fs::remove_file(cache_file).unwrap();
    let second = run(&[]).await.unwrap();
    assert_eq!(second.status.code(), Some(1));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains(&gone.id) && err.contains("skipped"), "{err}");
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.contains(pull::ISSUES_TXT), "{stdout}");

    // --fresh lists customers again: the customer is simply gone.
    let fresh = run(&["--fresh"]).await.unwrap();
    assert_eq!(fresh.status.code(), Some(0));
    let customers = std::fs::read_to_string(out.join(pull::CUSTOMERS_CSV)).unwrap();
    assert_eq!(customers.lines().count(), 1 + 5);
    assert!(!customers.contains(&gone.id));
    h.shutdown().await.unwrap();
}
