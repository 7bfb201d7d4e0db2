//! The `csp-consolidate` binary: parse arguments, run one command, map the
//! outcome to an exit code. 0: done and clean. 1: done, with row issues or
//! rejected rows (all reported). 2: nothing done (usage, configuration,
//! unreadable input, unreachable API).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    csp_consolidate::alloc::tune_for_batch();
    cli::main()
}
