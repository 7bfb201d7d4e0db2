//! Command-line glue: one module per command (xsv style), each with its
//! clap `Args` and a short `run` that validates the arguments into library
//! settings and calls the library. `anyhow` lives here and in `main.rs`
//! only; the library returns typed errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;
mod common;
mod demo;
mod emulator;
mod logging;
mod plan;
mod pull;
mod push;
mod retire;
mod verify;

/// How a command ended (the library's word for it; `main` maps it to
/// the exit code).
pub use csp_consolidate::ops::Exit as Outcome;

#[derive(Debug, Parser)]
#[command(
    name = "csp-consolidate",
    version,
    about = "Consolidate CSP partner tenants: Partner Center exports → reviewed migration workbook → exactly-once push",
    long_about = "Consolidate Cloud Solution Provider partner tenants.\n\n\
        The flow: `build` reads Partner Center exports (any locale) into a migration workbook; \
        people review it in Excel and approve rows; `plan` checks the reviewed workbook; \
        `push` re-creates approved rows at the destination account exactly once; `retire` \
        retires the source subscriptions without double billing; `verify` reconciles both.\n\n\
        Exit codes: 0 done and clean, 1 done with issues (all reported), 2 nothing done."
)]
pub struct Cli {
    #[command(flatten)]
    log: logging::Args,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read exports (files or folders) and write the migration workbook.
    Build(build::Args),
    /// Check a reviewed workbook and show what push and retire would do.
    Plan(plan::Args),
    /// Re-create the approved rows at the destination, exactly once.
    Push(push::Args),
    /// Retire the source subscriptions whose destination copy is confirmed.
    Retire(retire::Args),
    /// Reconcile both accounts against the plan.
    Verify(verify::Args),
    /// Fetch customers, subscriptions and activity from the API into files `build` reads.
    Pull(pull::Args),
    /// Run a local Partner Center emulator (for tests, demos, rehearsals).
    Emulator(emulator::Args),
    /// The whole flow on the bundled fixtures against an in-process emulator.
    Demo(demo::Args),
}

/// Parse the command line, run the command, print any error as one line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.log);
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Push(args) => push::run(args),
        Command::Retire(args) => retire::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Pull(args) => pull::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::from(0),
        Ok(Outcome::Issues) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(0);
            }
            eprintln!("csp-consolidate: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
