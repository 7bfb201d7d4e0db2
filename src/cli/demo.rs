//! `csp-consolidate demo`: the whole flow on the bundled fixtures against an
//! in-process emulator — build, approve the Recreate rows as a reviewer
//! would, plan, push, retire, verify — narrating each step. No account, no
//! network beyond loopback.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime, Utc};
use csp_consolidate::api::{Client, ClientConfig, Cloud, Credential, Secret};
use csp_consolidate::build::{BuildSettings, build_book, report};
use csp_consolidate::emulator::{self, EmulatorConfig, Faults, seed};
use csp_consolidate::ingest::IngestSpec;
use csp_consolidate::model::{Action, BillingCycle, MigrationBook};
use csp_consolidate::plan::{PurchasePath, make_plan};
use csp_consolidate::push::adapter::ClientApi;
use csp_consolidate::push::engine::{PHASE as PUSH, PushOptions, push};
use csp_consolidate::push::journal::Journal;
use csp_consolidate::push::retire::retire;
use csp_consolidate::push::verify::verify;
use csp_consolidate::sheet;

use super::{Outcome, push as push_cli, retire as retire_cli, verify as verify_cli};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Example:
  csp-consolidate demo --out demo/

Writes into DIR: migration.xlsx (as build makes it), migration-reviewed.xlsx (the Recreate rows
approved), its journal, and the push, retire and reconciliation workbooks. The emulator injects
a few faults (lost answers, 5xx) so you can watch the journal settle them.")]
pub struct Args {
    /// Folder for everything the demo writes.
    #[arg(long, value_name = "DIR", default_value = "csp-demo")]
    out: PathBuf,
    /// The fixtures folder (default: ./fixtures, else the source tree's).
    #[arg(long, value_name = "DIR")]
    fixtures: Option<PathBuf>,
}

fn fixtures_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let candidates = [
        given.map(Path::to_path_buf),
        Some(PathBuf::from("fixtures")),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("Customers.csv").is_file())
        .context(
            "cannot find the bundled fixtures (a folder with Customers.csv); pass --fixtures DIR",
        )
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let fixtures = fixtures_dir(args.fixtures.as_deref())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let now = Utc::now().naive_utc();

    println!("1. build: reading the exports in {}", fixtures.display());
    let book = build_step(&fixtures, &args.out, now)?;

    println!(
        "\n2. review: approving every Recreate row that has a target (as a reviewer would in Excel)"
    );
    let reviewed_path = args.out.join("migration-reviewed.xlsx");
    let reviewed = approve(&book);
    sheet::write_workbook(reviewed.clone(), &reviewed_path)?;
    let plan = make_plan(&sheet::read_workbook(&reviewed_path)?);
    println!(
        "   plan: {} line item(s) for {} customer(s), {} seat(s); {} blocking problem(s)",
        plan.counts.line_items, plan.counts.customers, plan.counts.seats, plan.counts.blocking
    );
    anyhow::ensure!(
        plan.is_clean(),
        "the demo's own approvals should plan cleanly:\n{}",
        plan.render_human()
    );

    let rt = super::common::runtime()?;
    rt.block_on(flow(&reviewed, &plan, &args.out, &reviewed_path))
}

fn build_step(fixtures: &Path, out: &Path, now: NaiveDateTime) -> anyhow::Result<MigrationBook> {
    let activity = std::fs::read_dir(fixtures.join("activity"))
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let settings = BuildSettings {
        ingest: IngestSpec {
            exports: vec![fixtures.join("exports")],
            customers: Some(fixtures.join("Customers.csv")),
            activity,
            exported_at: None,
            day_first: None,
        },
        offer_map: Some(fixtures.join("offer-map.csv")).filter(|p| p.is_file()),
        out: out.join("migration.xlsx"),
        as_of: now.date(),
        now,
    };
    let book = build_book(&settings, &|_, _| {})?;
    let r = report(&book, &settings.out);
    sheet::write_workbook(book.clone(), &settings.out)?;
    let count = |k: &str| r.by_action.get(k).copied().unwrap_or(0);
    println!(
        "   {} customers, {} subscriptions: Recreate {} ({} seats), Microsoft support {}, Skip {}; {} issue(s) (the fixtures hold deliberate problems)",
        r.customers,
        r.subscriptions,
        count("Recreate"),
        r.seats_to_move,
        count("Microsoft support"),
        count("Skip"),
        r.issues.len()
    );
    println!("   wrote {}", r.out.display());
    Ok(book)
}

/// The reviewer's edits: approve Recreate rows that have a target item;
/// where a new-commerce target has no term or billing cycle (a legacy
/// source has none), choose one year billed monthly, as a reviewer would.
fn approve(book: &MigrationBook) -> MigrationBook {
    let mut reviewed = book.clone();
    for row in &mut reviewed.rows {
        let Some(target) = row.target_catalog_item.as_deref() else {
            continue;
        };
        if row.action != Action::Recreate
            || row.tenant_id.is_empty()
            || row.target_seats.unwrap_or(0) < 1
        {
            continue;
        }
        let mut note = "approved in the demo".to_owned();
        if target.contains(':') && (row.target_term.is_none() || row.target_billing_cycle.is_none())
        {
            row.target_term.get_or_insert_with(|| "P1Y".to_owned());
            row.target_billing_cycle
                .get_or_insert(BillingCycle::Monthly);
            note.push_str("; reviewer chose a 1-year term billed monthly");
        }
        row.approved = true;
        row.reviewer_note = note;
    }
    reviewed
}

async fn flow(
    book: &MigrationBook,
    plan: &csp_consolidate::plan::Plan,
    out: &Path,
    reviewed_path: &Path,
) -> anyhow::Result<Outcome> {
    let world = seed::parse(&demo_world(book, plan).to_string(), "demo world")?;
    let mut config = EmulatorConfig::new(world);
    config.faults = Faults::parse("drop=0.15,5xx=0.05,seed=7")?;
    let emu = emulator::spawn(config).await?;
    println!(
        "\n3. emulator: a local Partner Center at {} (source and destination tenants)",
        emu.base_url()
    );
    let (source, destination) = (
        demo_client(&emu.base_url(), "source")?,
        demo_client(&emu.base_url(), "destination")?,
    );

    let journal_path = reviewed_path.with_extension("journal");
    let journal = Arc::new(Journal::open(
        &journal_path,
        &[("destination_account", "destination")],
    )?);
    let options = PushOptions {
        relationship_message: include_str!("../../templates/messages/relationship-request.txt")
            .to_owned(),
        ..PushOptions::default()
    };
    let customers = push_cli::customer_pushes(plan);
    println!(
        "\n4. push: at most three calls per customer (read, cart, checkout; legacy offers by order); journal {}",
        journal_path.display()
    );
    let mut rows = Vec::new();
    for attempt in 1..=3 {
        rows = push(
            Arc::new(destination.clone()),
            journal.clone(),
            customers.clone(),
            &options,
            Arc::new(()),
        )
        .await?;
        let doubt = journal.in_doubt()?.len();
        print_counts(
            &format!("   run {attempt}"),
            rows.iter().map(|r| r.outcome.as_str()),
        );
        if doubt == 0 {
            break;
        }
        println!(
            "   {doubt} request(s) in doubt (answers lost): running push again settles them with the same request ids"
        );
    }
    let dest_counters = emu
        .counters()
        .tenants
        .get("destination")
        .cloned()
        .unwrap_or_default();
    println!(
        "   faults injected at the destination: {} answer(s) dropped after commit, {} 5xx; replays answered: {}",
        dest_counters.dropped, dest_counters.injected_5xx, dest_counters.replays
    );
    let write = sheet::report::write_report;
    write(
        &out.join("migration-reviewed.results.xlsx"),
        &[push_cli::results_table(plan, &rows)],
    )?;

    println!(
        "\n5. retire: confirm each copy, then suspend / cancel / stop auto-renew at the source"
    );
    let items = retire_cli::retire_items(plan, &journal.row_outcomes(PUSH)?);
    let retired = retire(
        &source,
        &destination,
        &journal,
        &items,
        Utc::now().date_naive(),
    )
    .await?;
    print_counts("   retire", retired.iter().map(|r| r.outcome.as_str()));
    write(
        &out.join("migration-reviewed.retire.xlsx"),
        &[retire_cli::table(&retired)],
    )?;

    println!("\n6. verify: both accounts against the plan");
    let checks = verify_cli::verify_items(plan, &journal.row_outcomes(PUSH)?, &retired);
    let recon = verify(&source, &destination, &checks).await?;
    let bought: Vec<_> = recon
        .iter()
        .filter(|r| !r.destination_subscription_id.is_empty())
        .collect();
    let mismatches = bought.iter().filter(|r| !r.ok).count();
    println!(
        "   {} row(s) checked: {} bought and reconciled, {} mismatch(es), {} not bought (waiting for the customer)",
        recon.len(),
        bought.len() - mismatches,
        mismatches,
        recon.len() - bought.len()
    );
    write(
        &out.join("migration-reviewed.reconciliation.xlsx"),
        &[verify_cli::table(&recon)],
    )?;
    let _ = book;
    emu.shutdown().await?;
    println!("\nEverything the demo wrote is in {}", out.display());
    Ok(Outcome::from_clean(mismatches == 0))
}

fn print_counts<'a>(label: &str, outcomes: impl Iterator<Item = &'a str>) {
    let mut counts = std::collections::BTreeMap::new();
    for o in outcomes {
        *counts.entry(o.to_owned()).or_insert(0usize) += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("{label}: {}", parts.join(", "));
}

fn demo_client(base: &str, tenant: &str) -> anyhow::Result<ClientApi> {
    // The emulator's demo credentials; a real account reads its secret from
    // the environment (see csp-consolidate.toml).
    let secret = Secret::new(format!("{tenant}-secret"));
    let mut config = ClientConfig::new(
        Cloud::Global,
        tenant,
        format!("{tenant}-app"),
        Credential::ClientSecret(secret),
    );
    config.api_url = Some(base.to_owned());
    config.token_url = Some(base.to_owned());
    Ok(ClientApi::new(Client::new(config)?))
}

/// A world where the source holds the workbook's subscriptions and the
/// destination the same customers (all but one have accepted the reseller
/// relationship, so the "waiting" path shows too).
fn demo_world(book: &MigrationBook, plan: &csp_consolidate::plan::Plan) -> serde_json::Value {
    use serde_json::json;
    let iso = |d: Option<NaiveDate>, fallback: &str| {
        d.map_or_else(|| fallback.to_owned(), |d| format!("{d}T00:00:00Z"))
    };
    let mut catalog = std::collections::BTreeMap::new();
    for item in plan.line_items() {
        let legacy = item.path == PurchasePath::Order;
        catalog.insert(
            item.catalog_item.clone(),
            json!({ "id": item.catalog_item, "name": item.source_product, "minQuantity": 1, "maxQuantity": 100000,
                    "billingCycles": ["monthly", "annual", "triennial"],
                    "terms": if legacy { json!([]) } else { json!(["P1M", "P1Y", "P3Y"]) } }),
        );
    }
    let waiting = plan
        .customers
        .iter()
        .find(|c| !c.line_items.is_empty())
        .map(|c| c.tenant_id.clone());
    let mut source_customers = Vec::new();
    let mut dest_customers = Vec::new();
    for c in book.customers.iter().filter(|c| !c.tenant_id.is_empty()) {
        let subs: Vec<_> = book
            .rows
            .iter()
            .filter(|r| r.tenant_id == c.tenant_id && r.action == Action::Recreate)
            .map(|r| {
                let (window, ends) = match &r.retirement {
                    csp_consolidate::model::Retirement::Cancel { window_ends } => (Some(*window_ends), r.term_end),
                    _ => (None, r.term_end),
                };
                json!({ "id": r.source_subscription_id,
                        "offerId": r.source_offer_id.clone().unwrap_or_else(|| "91FD106F-4B2C-4938-95AC-F54F74E9A239".into()),
                        "offerName": r.product, "friendlyName": r.nickname.clone().unwrap_or_else(|| r.product.clone()),
                        "quantity": r.seats.unwrap_or(1), "unitType": "Licenses",
                        "creationDate": "now-60d", "effectiveStartDate": "now-60d",
                        "commitmentEndDate": iso(ends, "now+300d"),
                        "cancellationAllowedUntilDate": window.map(|w| format!("{w}T23:59:59Z")),
                        "status": "active", "autoRenewEnabled": true, "billingType": "license",
                        "billingCycle": r.billing_cycle.as_ref().map_or("monthly".to_owned(), |b| b.api_name()),
                        "termDuration": r.term.clone().unwrap_or_else(|| "P1M".into()) })
            })
            .collect();
        let base = json!({ "id": c.tenant_id, "companyName": c.company_name,
                           "domain": c.primary_domain.clone().unwrap_or_else(|| "example.onmicrosoft.com".into()) });
        let mut src = base.clone();
        src["relationship"] = json!("reseller");
        src["subscriptions"] = json!(subs);
        source_customers.push(src);
        let mut dst = base;
        dst["relationship"] = json!(if waiting.as_deref() == Some(c.tenant_id.as_str()) {
            "none"
        } else {
            "reseller"
        });
        dest_customers.push(dst);
    }
    json!({
        "catalog": catalog.into_values().collect::<Vec<_>>(),
        "tenants": [
            { "name": "source", "partnerId": "0000aaaa-0000-4000-8000-000000000001",
              "credentials": [{ "clientId": "source-app", "clientSecret": "source-secret" }], "customers": source_customers },
            { "name": "destination", "partnerId": "0000bbbb-0000-4000-8000-000000000002",
              "credentials": [{ "clientId": "destination-app", "clientSecret": "destination-secret" }], "customers": dest_customers }
        ]
    })
}
