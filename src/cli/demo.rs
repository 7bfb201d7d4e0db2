//! `csp-consolidate demo`: the whole flow on the bundled fixtures against an
//! in-process emulator — build, approve the Recreate rows as a reviewer
//! would, plan, push, retire, verify — narrating each step. No account, no
//! network beyond loopback.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{NaiveDateTime, Utc};
use csp_consolidate::emulator::{self, EmulatorConfig, Faults, Realism, seed};
use csp_consolidate::model::{MigrationBook, Outcome};
use csp_consolidate::ops::build::{build_book, report};
use csp_consolidate::ops::refresh::{Accounts, refresh_plan};
use csp_consolidate::ops::{self, Exit, demo};
use csp_consolidate::plan::{Plan, make_plan};
use csp_consolidate::push::engine::{PHASE as PUSH, PushOptions, push};
use csp_consolidate::push::journal::Journal;
use csp_consolidate::push::retire::{RetireOptions, retire};
use csp_consolidate::push::verify::verify;
use csp_consolidate::sheet;

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

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let fixtures = demo::fixtures_dir(args.fixtures.as_deref()).context(
        "cannot find the bundled fixtures (a folder with Customers.csv); pass --fixtures DIR",
    )?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let now = Utc::now().naive_utc();

    println!("1. build: reading the exports in {}", fixtures.display());
    let book = build_step(&fixtures, &args.out, now)?;

    println!(
        "\n2. review: approving every Recreate row that has a target (as a reviewer would in Excel)"
    );
    let reviewed_path = args.out.join("migration-reviewed.xlsx");
    let reviewed = demo::approve(&book);
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

    let rt = ops::runtime().context("cannot start the async runtime")?;
    rt.block_on(flow(&reviewed, &plan, &args.out, &reviewed_path))
}

fn build_step(fixtures: &Path, out: &Path, now: NaiveDateTime) -> anyhow::Result<MigrationBook> {
    let settings = demo::build_settings(fixtures, &out.join("migration.xlsx"), now);
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

async fn flow(
    book: &MigrationBook,
    plan: &Plan,
    out: &Path,
    reviewed_path: &Path,
) -> anyhow::Result<Exit> {
    let world = seed::parse(&demo::world(book, plan).to_string(), "demo world")?;
    let mut config = EmulatorConfig::new(world);
    config.faults = Faults::parse("drop=0.15,5xx=0.05,seed=7")?;
    // As Partner Center behaves: orders stay pending a moment before their
    // subscriptions exist, and purchases need an attested agreement.
    config.realism = Realism {
        provisioning_delay_ms: PROVISIONING_MS,
        ..Realism::default()
    };
    let emu = emulator::spawn(config).await?;
    println!(
        "\n3. emulator: a local Partner Center at {} (source and destination tenants)",
        emu.base_url()
    );
    println!(
        "   it plays Partner Center as it really behaves: orders stay pending for {PROVISIONING_MS} ms before their subscriptions exist, and one customer's Microsoft Customer Agreement is not attested yet (push attests it from the configured [attestation] details when the checkout is refused with 13605)"
    );
    let (source, destination) = (
        demo::client(&emu.base_url(), "source")?,
        demo::client(&emu.base_url(), "destination")?,
    );

    println!("\n4. plan against the live accounts: what each side holds now, and the catalog");
    let mut plan = plan.clone();
    let accounts = Accounts {
        destination: Arc::new(destination.clone()),
        destination_name: "destination".to_owned(),
        source: Some((Arc::new(source.clone()), "source".to_owned())),
    };
    refresh_plan(&mut plan, &accounts, &Default::default(), 8, &()).await?;
    let adopted = plan
        .line_items()
        .filter(|i| i.at_destination.is_some())
        .count();
    let waiting = plan
        .customers
        .iter()
        .filter(|c| c.waiting.is_some())
        .count();
    if let csp_consolidate::plan::LiveCheck::Done { reads, .. } = &plan.live {
        println!(
            "   {} read(s) at the destination, {} at the source, {} catalog read(s); {adopted} row(s) already at the destination (adopted, nothing bought), {waiting} customer(s) waiting for the reseller relationship, {} blocking problem(s)",
            reads.destination, reads.source, reads.catalog, plan.counts.blocking
        );
    }
    anyhow::ensure!(
        plan.is_clean(),
        "the demo world should plan cleanly:\n{}",
        plan.render_human()
    );
    let plan = &plan;

    let journal_path = reviewed_path.with_extension("journal");
    // Each demo starts a fresh emulator, so an earlier demo's journal
    // describes purchases this world never saw: start it afresh too.
    let removed = demo::remove_journal(&journal_path)?;
    if removed {
        println!("   (removed the previous demo's journal: this emulator starts empty)");
    }
    let journal = Arc::new(Journal::open(
        &journal_path,
        &[("destination_account", "destination")],
    )?);
    let options = PushOptions {
        relationship_message: ops::push::RELATIONSHIP_TEMPLATE.to_owned(),
        attestation: Some(demo::attestation()),
        ..PushOptions::default()
    };
    ops::push::record_adopted(&journal, plan)?;
    let customers = ops::push::customer_pushes(plan);
    println!(
        "\n5. push: at most three calls per customer (read, cart, checkout; legacy offers by order); journal {}",
        journal_path.display()
    );
    let mut rows = Vec::new();
    for attempt in 1..=4 {
        rows = push(
            Arc::new(destination.clone()),
            journal.clone(),
            customers.clone(),
            &options,
            Arc::new(()),
        )
        .await?;
        let doubt = journal.in_doubt()?.len();
        print_counts(&format!("   run {attempt}"), rows.iter().map(|r| r.outcome));
        narrate_agreements(&rows);
        let provisioning = rows
            .iter()
            .filter(|r| r.outcome == Outcome::Provisioning)
            .count();
        if doubt == 0 && provisioning == 0 {
            break;
        }
        if doubt > 0 {
            println!(
                "   {doubt} request(s) in doubt (answers lost): running push again settles them with the same request ids"
            );
        }
        if provisioning > 0 {
            println!(
                "   {provisioning} row(s) bought but still provisioning (the orders are pending): running push again in a moment picks up their subscriptions"
            );
            tokio::time::sleep(std::time::Duration::from_millis(PROVISIONING_MS)).await;
        }
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
        &[ops::push::results_table(plan, &rows)],
    )?;

    println!(
        "\n6. retire: confirm each copy, then suspend / cancel / stop auto-renew at the source"
    );
    let items = ops::retire::retire_items(plan, &journal.row_outcomes(PUSH)?);
    let retired = retire(
        Arc::new(source.clone()),
        Arc::new(destination.clone()),
        &journal,
        &items,
        Utc::now().date_naive(),
        &RetireOptions::default(),
    )
    .await?
    .rows;
    print_counts("   retire", retired.iter().map(|r| r.outcome));
    write(
        &out.join("migration-reviewed.retire.xlsx"),
        &[ops::retire::table(&retired)],
    )?;

    println!("\n7. verify: both accounts against the plan");
    let checks = ops::verify::verify_items(plan, &journal.row_outcomes(PUSH)?, &retired);
    let recon = verify(&source, &destination, &checks).await?;
    let tally = ops::verify::tally(&recon);
    println!("   {}", ops::verify::tally_text(&tally));
    for r in ops::verify::mismatches(&recon) {
        println!(
            "   MISMATCH {} ({}): {}",
            r.source_subscription_id,
            r.customer,
            r.problems.join("; ")
        );
    }
    write(
        &out.join("migration-reviewed.reconciliation.xlsx"),
        &[ops::verify::table(&recon)],
    )?;
    let _ = book;
    emu.shutdown().await?;
    println!("\nEverything the demo wrote is in {}", out.display());
    Ok(Exit::from_clean(tally.mismatches == 0))
}

/// How long the demo's orders stay pending.
const PROVISIONING_MS: u64 = 1_500;

/// Say which customers had their agreement attested or still wait for it.
fn narrate_agreements(rows: &[csp_consolidate::push::journal::RowOutcome]) {
    let waiting = rows
        .iter()
        .filter(|r| r.outcome == Outcome::Waiting && r.error_code.as_deref() == Some("13605"))
        .count();
    if waiting > 0 {
        println!(
            "   {waiting} row(s) wait for the customer's Microsoft Customer Agreement to be attested"
        );
    }
}

fn print_counts(label: &str, outcomes: impl Iterator<Item = Outcome>) {
    println!(
        "{label}: {}",
        ops::outcome_counts_text(&ops::count_outcomes(outcomes))
    );
}
