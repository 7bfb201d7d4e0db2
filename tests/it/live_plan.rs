//! `plan`, `push` and `verify` against the live accounts (the refresh):
//! a destination that already holds a row, an unknown catalog item, a term
//! the item does not allow, a source changed since the export, a customer
//! without the reseller relationship, a row edited after purchase, dry runs
//! that validate accounts and list only what is left, and a verify that
//! matches by evidence. Each case runs the real binary against an
//! in-process emulator over loopback.

use std::path::PathBuf;

use chrono::{Days, Utc};
use csp_consolidate::emulator::{self, World};
use csp_consolidate::model::{BillingCycle, Commerce, MigrationBook, Retirement};
use serde_json::{Value, json};

use crate::support::bin::command;
use crate::support::emu::{Background as Emu, accounts_toml};
use crate::support::sample::{base_row, sample_book};
use crate::support::workbook::write_book;

const BASIC: &str = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
const E3: &str = "CFQ7TTC0LCHC:0002:CFQ7TTC0KDQT";
const UNKNOWN: &str = "CFQ7TTC0ZZZZ:0001:CFQ7TTC0ZZZZ";
/// Bought early by hand at the destination, same item and seats as A1.
const BY_HAND: &str = "d0000000-0000-4000-8000-0000000000a1";
/// At the destination with other seats than A2 asks for.
const OTHER_SEATS: &str = "d0000000-0000-4000-8000-0000000000a2";

fn tenant(n: u32) -> String {
    format!("7d000000-0000-4000-8000-{n:012x}")
}

/// One approved row: (customer, row id, item, target seats, term, export
/// seats).
struct Row {
    customer: u32,
    id: &'static str,
    item: &'static str,
    seats: u32,
    term: &'static str,
    export_seats: u32,
}

fn sub_id(id: &str) -> String {
    let n: u32 = id.bytes().fold(0, |n, b| n * 256 + u32::from(b));
    format!("5b000000-0000-4000-8000-{n:012x}")
}

/// A: A1 already at the destination (same seats), A2 at the destination
/// with other seats. B: B1 an unknown item, B2 a term BASIC does not allow.
/// C: C1 whose source seats changed since the export. D: no relationship.
fn rows() -> Vec<Row> {
    let r = |customer, id, item, seats, term, export_seats| Row {
        customer,
        id,
        item,
        seats,
        term,
        export_seats,
    };
    vec![
        r(1, "A1", BASIC, 5, "P1Y", 5),
        r(1, "A2", E3, 10, "P1Y", 10),
        r(2, "B1", UNKNOWN, 3, "P1Y", 3),
        r(2, "B2", BASIC, 4, "P3Y", 4),
        r(3, "C1", BASIC, 4, "P1Y", 4),
        r(4, "D1", BASIC, 2, "P1Y", 2),
    ]
}

fn book(rows: &[Row], note: impl Fn(&Row) -> String) -> MigrationBook {
    let mut book = sample_book();
    book.rows = rows
        .iter()
        .map(|r| {
            let mut row = base_row(
                &format!("Live Co {}", r.customer),
                &tenant(r.customer),
                &sub_id(r.id),
                r.id,
            );
            row.source_offer_id = Some(r.item.to_owned());
            row.target_catalog_item = Some(r.item.to_owned());
            row.seats = Some(r.export_seats);
            row.target_seats = Some(r.seats);
            row.billing_cycle = Some(BillingCycle::Monthly);
            row.target_billing_cycle = Some(BillingCycle::Monthly);
            row.term = Some(r.term.to_owned());
            row.target_term = Some(r.term.to_owned());
            row.commerce = Commerce::NewCommerce;
            row.nickname = Some(r.id.to_owned());
            row.retirement = Retirement::Cancel {
                window_ends: Utc::now()
                    .date_naive()
                    .checked_add_days(Days::new(3))
                    .unwrap_or_default(),
            };
            row.reviewer_note = note(r);
            row.approved = true;
            row
        })
        .collect();
    book.activity.clear();
    book.issues.clear();
    book
}

fn sub(id: &str, item: &str, seats: u32, order: Option<&str>) -> Value {
    json!({ "id": id, "offerId": item, "offerName": item, "friendlyName": id,
            "quantity": seats, "unitType": "Licenses",
            "creationDate": "now-60d", "effectiveStartDate": "now-60d",
            "commitmentEndDate": "now+300d", "cancellationAllowedUntilDate": "now+4d",
            "status": "active", "autoRenewEnabled": true, "billingType": "license",
            "billingCycle": "monthly", "termDuration": "P1Y", "orderId": order })
}

/// The source holds every row (C1 with 6 seats, not the exported 4); the
/// destination holds A1 (bought by hand) and A2 with 7 seats; customer 4
/// has not accepted the reseller relationship at the destination.
fn world(rows: &[Row]) -> World {
    let catalog = [BASIC, E3].map(|id| {
        json!({ "id": id, "name": id, "minQuantity": 1, "maxQuantity": 300,
                "billingCycles": ["monthly", "annual"], "terms": ["P1M", "P1Y"] })
    });
    let customer = |n: u32, source: bool| {
        let subs: Vec<Value> = if source {
            rows.iter()
                .filter(|r| r.customer == n)
                .map(|r| {
                    let seats = if r.id == "C1" { 6 } else { r.export_seats };
                    sub(&sub_id(r.id), r.item, seats, None)
                })
                .collect()
        } else if n == 1 {
            vec![sub(BY_HAND, BASIC, 5, None), sub(OTHER_SEATS, E3, 7, None)]
        } else {
            Vec::new()
        };
        json!({ "id": tenant(n), "companyName": format!("Live Co {n}"),
                "domain": format!("live{n}.onmicrosoft.com"),
                "relationship": if !source && n == 4 { "none" } else { "reseller" },
                "subscriptions": subs })
    };
    let side = |name: &str, partner: &str, source: bool| {
        json!({ "name": name, "partnerId": partner,
                "credentials": [{ "clientId": format!("{name}-app"), "clientSecret": format!("{name}-secret") }],
                "customers": (1..=4).map(|n| customer(n, source)).collect::<Vec<_>>() })
    };
    let world = json!({ "catalog": catalog, "tenants": [
        side("source", "0000aaaa-0000-4000-8000-000000000001", true),
        side("destination", "0000bbbb-0000-4000-8000-000000000002", false),
    ]});
    emulator::seed::parse(&world.to_string(), "live world").unwrap_or_else(|e| panic!("{e}"))
}

struct Case {
    dir: tempfile::TempDir,
    emu: Emu,
    workbook: PathBuf,
    config: PathBuf,
}

impl Case {
    fn new(book: &MigrationBook, world: World) -> Case {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let emu = Emu::start(world, |c| c.rate_limit_per_minute = 0);
        let workbook = write_book(dir.path(), book);
        let config = accounts_toml(
            dir.path(),
            &emu.handle.base_url(),
            &[
                ("source", "LIVE_SOURCE_SECRET"),
                ("destination", "LIVE_DEST_SECRET"),
            ],
        );
        Case {
            dir,
            emu,
            workbook,
            config,
        }
    }

    fn rewrite(&self, book: &MigrationBook) {
        let _ = write_book(self.dir.path(), book);
    }

    /// Run `args` on the workbook; (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_with(args, &[])
    }

    /// [`Case::run`] with extra environment variables (the crash seam).
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let out = command()
            .envs(env.iter().copied())
            .arg(args[0])
            .arg(&self.workbook)
            .args(&args[1..])
            .arg("--config")
            .arg(&self.config)
            .current_dir(self.dir.path())
            .env("LIVE_SOURCE_SECRET", "source-secret")
            .env("LIVE_DEST_SECRET", "destination-secret")
            .env("RUST_LOG", "off")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Destination subscriptions of customer `n`: (id, offer, seats).
    fn destination(&self, n: u32) -> Vec<(String, String, i64)> {
        let world = self.emu.handle.state_snapshot();
        world
            .tenants
            .iter()
            .filter(|t| t.name == "destination")
            .flat_map(|t| t.customers.iter())
            .filter(|c| c.id == tenant(n))
            .flat_map(|c| c.subscriptions.iter())
            .map(|s| (s.id.clone(), s.offer_id.clone(), s.quantity))
            .collect()
    }
}

fn no_note(_: &Row) -> String {
    String::new()
}

fn contains_all(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "missing {p:?} in:\n{text}");
    }
}

#[test]
fn plan_names_every_live_problem_before_anything_is_bought() {
    let rows = rows();
    let case = Case::new(&book(&rows, no_note), world(&rows));
    let (code, out, _) = case.run(&["plan", "--destination", "destination", "--source", "source"]);
    assert_eq!(code, 1, "{out}");
    contains_all(
        &out,
        &[
            // A1: bought early by hand, same seats: adopted.
            &format!("already at destination: {BY_HAND}"),
            // A2: there with other seats: the reviewer must decide.
            &format!("{OTHER_SEATS} (7 seats)"),
            "Adopt <subscription id>",
            // B1: unknown item; B2: a term the item does not sell.
            &format!("no item {UNKNOWN}"),
            "is not sold with term P3Y",
            // C1: the source changed since the export.
            "seats 4 → 6",
            // D1: no reseller relationship yet.
            "has not accepted the reseller relationship",
            "Checked live: destination destination",
        ],
    );
    // The unknown item is reported at its Target catalog item cell.
    let line = out
        .lines()
        .find(|l| l.contains(UNKNOWN) && l.contains("blocking"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("Migration!"), "located: {line}");
    // Offline, the same workbook says the live checks were skipped.
    let (_, offline, _) = case.run(&["plan"]);
    assert!(offline.contains("Live checks skipped"), "{offline}");
    assert!(
        !offline.contains(UNKNOWN) || !offline.contains("no item"),
        "{offline}"
    );
    // Nothing was bought by planning.
    assert_eq!(case.destination(1).len(), 2);
}

#[test]
fn push_after_a_clean_plan_buys_nothing_that_exists() {
    let rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| matches!(r.id, "A1" | "A2" | "D1"))
        .collect();
    let note = |r: &Row| {
        if r.id == "A2" {
            format!("Adopt {OTHER_SEATS}: bought by hand, 7 is right for now")
        } else {
            String::new()
        }
    };
    let mut reviewed = book(&rows, note);
    // A2 adopted as it is: the workbook's seats follow the destination.
    for r in &mut reviewed.rows {
        if r.nickname.as_deref() == Some("A2") {
            r.target_seats = Some(7);
        }
    }
    let case = Case::new(&reviewed, world(&rows));
    let (code, out, err) = case.run(&["plan", "--destination", "destination"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, dry, err) = case.run(&["push", "--destination", "destination"]);
    assert_eq!(code, 0, "{dry}{err}");
    contains_all(
        &dry,
        &[
            "2 row(s) already at the destination",
            "1 customer(s), 1 call(s)",
        ],
    );
    let (code, out, err) = case.run(&["push", "--destination", "destination", "--execute"]);
    // D1's customer is waiting (exit 1); A1 and A2 are adopted, not bought.
    assert_eq!(code, 1, "{out}{err}");
    contains_all(
        &out,
        &["already at destination 2", "waiting for the customer 1"],
    );
    let subs = case.destination(1);
    assert_eq!(subs.len(), 2, "nothing bought for customer 1: {subs:?}");
    // A re-run reports the adoption as done earlier, and the dry run has
    // nothing left for customer 1.
    let (_, again, _) = case.run(&["push", "--destination", "destination", "--execute"]);
    assert!(
        again.contains(
            "this run: waiting for the customer 1; done earlier: already at destination 2"
        ),
        "{again}"
    );
    // Verify reconciles the adopted rows (and says D1 is not bought yet).
    let (code, out, err) = case.run(&[
        "verify",
        "--source",
        "source",
        "--destination",
        "destination",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 OK, 1 not bought yet"), "{out}");
}

/// Killed right after journalling the purchase of the one row to buy, and
/// then again with lost answers and 5xx at the destination: the adopted row
/// is never bought, the other exactly once.
#[test]
fn an_adopted_row_is_never_bought_across_a_kill_and_faults() {
    let rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| matches!(r.id, "A1" | "C1"))
        .collect();
    let case = Case::new(&book(&rows, no_note), world(&rows));
    let crash = [(csp_consolidate::push::crash::CRASH_ENV, "intent:1")];
    let (code, _, err) = case.run_with(
        &["push", "--destination", "destination", "--execute"],
        &crash,
    );
    assert_ne!(code, 0, "the seam kills the run: {err}");
    case.emu.handle.set_faults(
        csp_consolidate::emulator::Faults::parse("drop=0.4,5xx=0.2,seed=11")
            .unwrap_or_else(|e| panic!("{e}")),
    );
    for _ in 0..6 {
        let (code, _, _) = case.run(&["push", "--destination", "destination", "--execute"]);
        if code == 0 {
            break;
        }
    }
    case.emu
        .handle
        .set_faults(csp_consolidate::emulator::Faults::default());
    let (code, out, err) = case.run(&["push", "--destination", "destination", "--execute"]);
    assert_eq!(code, 0, "{out}{err}");
    let mine: Vec<String> = case.destination(1).into_iter().map(|s| s.0).collect();
    assert_eq!(
        mine,
        vec![BY_HAND.to_owned(), OTHER_SEATS.to_owned()],
        "nothing bought for the adopted row"
    );
    let bought = case.destination(3);
    assert_eq!(bought.len(), 1, "C1 bought exactly once: {bought:?}");
}

#[test]
fn dry_runs_validate_accounts_and_speak_json() {
    let rows: Vec<Row> = rows().into_iter().filter(|r| r.id == "D1").collect();
    let case = Case::new(&book(&rows, no_note), world(&rows));
    let (code, _, err) = case.run(&["push", "--destination", "nosuch"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nosuch"), "{err}");
    let missing = command()
        .arg("push")
        .arg(&case.workbook)
        .args(["--destination", "destination", "--config"])
        .arg(case.dir.path().join("missing.toml"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status.code(), Some(2));
    let (code, _, err) = case.run(&["push"]);
    assert_eq!(code, 2, "push without a destination: {err}");
    let (code, out, err) = case.run(&["push", "--destination", "destination", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["calls"], json!(1), "{v}");
    assert_eq!(v["customers"][0]["cart"][0]["quantity"], json!(2), "{v}");
}

#[test]
fn a_row_edited_after_purchase_is_blocked_and_reruns_report_only_new_work() {
    let rows: Vec<Row> = rows().into_iter().filter(|r| r.id == "C1").collect();
    let mut world_rows = rows;
    world_rows[0].export_seats = 6; // the export and the source agree here
    let mut reviewed = book(&world_rows, no_note);
    let case = Case::new(&reviewed, world(&world_rows));
    let (code, out, err) = case.run(&["push", "--destination", "destination", "--execute"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("this run: bought 1"), "{out}");
    let (_, dry, _) = case.run(&["push", "--destination", "destination"]);
    assert!(dry.contains("0 call(s) would be made"), "{dry}");
    assert!(dry.contains("1 done by an earlier push"), "{dry}");
    // The reviewer now asks for 999 seats on the row already bought.
    reviewed.rows[0].target_seats = Some(999);
    case.rewrite(&reviewed);
    let (code, out, err) = case.run(&["plan", "--destination", "destination"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("changed after purchase: bought 4 seat(s)"),
        "{out}{err}"
    );
    let (code, _, err) = case.run(&["push", "--destination", "destination", "--execute"]);
    assert_eq!(code, 2, "push refuses: {err}");
    let bought: Vec<i64> = case.destination(3).iter().map(|s| s.2).collect();
    assert_eq!(bought, vec![4], "nothing more bought");
}

#[test]
fn verify_matches_by_evidence_not_by_shape() {
    // Customer 1 legitimately holds two E3 subscriptions with the same
    // seats; only one is ours. Verify must not call that a duplicate.
    let rows: Vec<Row> = rows().into_iter().filter(|r| r.id == "A2").collect();
    let mut w = world(&rows);
    for t in &mut w.tenants {
        if t.name == "destination" {
            for c in &mut t.customers {
                c.subscriptions.retain(|s| s.id == OTHER_SEATS);
                for s in &mut c.subscriptions {
                    s.quantity = 10;
                }
            }
        }
    }
    let case = Case::new(&book(&rows, |_| "Buy anyway".to_owned()), w);
    let (code, out, err) = case.run(&["push", "--destination", "destination", "--execute"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(case.destination(1).len(), 2, "bought a second one, as told");
    let (code, out, err) = case.run(&[
        "verify",
        "--source",
        "source",
        "--destination",
        "destination",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("duplicate"), "{err}");
    assert!(out.contains("1 OK"), "{out}");
}

/// The demo's console and its reconciliation workbook say the same, on a
/// first run and on a second run into the same folder.
#[test]
fn demo_console_agrees_with_its_workbook_on_every_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for run in 1..=2 {
        let out = command()
            .args(["demo", "--out"])
            .arg(dir.path())
            .env("RUST_LOG", "off")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "run {run}: {stdout}");
        let recon = crate::support::grid::sheet(
            &dir.path().join("migration-reviewed.reconciliation.xlsx"),
            "Reconciliation",
        );
        let results: Vec<String> = recon
            .iter()
            .skip(1)
            .map(|r| {
                r.get(12)
                    .map(crate::support::grid::text)
                    .unwrap_or_default()
            })
            .collect();
        let count = |w: &str| results.iter().filter(|r| *r == w).count();
        let line = format!(
            "{} row(s): {} OK, {} not bought yet (waiting or failed at push), {} mismatch(es)",
            results.len(),
            count("OK"),
            count("NOT YET"),
            count("MISMATCH")
        );
        assert!(
            stdout.contains(&line),
            "run {run}: want {line:?} in:\n{stdout}"
        );
        assert_eq!(count("MISMATCH"), 0, "run {run}");
        assert!(
            stdout.contains("1 row(s) already at the destination"),
            "{stdout}"
        );
    }
}
