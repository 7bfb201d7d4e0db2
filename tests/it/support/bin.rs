//! Running the real `csp-consolidate` binary: one way to get a command for
//! it (std for spawning and killing, assert_cmd for asserting), and [`Run`],
//! what one finished run printed and returned.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

/// The binary under test, as Cargo built it for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_csp-consolidate");

/// A command for the binary with `RUST_LOG` cleared (log lines never mix
/// into what a test reads).
pub fn command() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("RUST_LOG");
    cmd
}

/// [`command`] wrapped for assert_cmd (`.assert().code(…)`, timeouts).
pub fn cli() -> assert_cmd::Command {
    assert_cmd::Command::from_std(command())
}

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Panic with the whole output when the exit code is not `want`.
    pub fn expect_code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The stderr line that starts with `prefix` and contains every one of
    /// `parts`; panics listing stderr when there is none.
    pub fn issue_line(&self, prefix: &str, parts: &[&str]) -> &str {
        self.stderr
            .lines()
            .find(|l| l.starts_with(prefix) && parts.iter().all(|p| l.contains(p)))
            .unwrap_or_else(|| {
                panic!(
                    "no stderr line starting {prefix:?} containing {parts:?}\n--- stderr\n{}",
                    self.stderr
                )
            })
    }

    /// Never a panic, whatever the input.
    pub fn assert_no_panic(&self, what: &str) {
        assert!(
            matches!(self.code, 0..=2) && !self.stderr.contains("panicked"),
            "{what}: exit {} (want 0, 1 or 2, no panic)\n--- stderr\n{}",
            self.code,
            self.stderr
        );
    }
}

/// Run the binary with `args` in `dir` (at most a minute).
pub fn run_in(dir: &Path, args: &[impl AsRef<OsStr>]) -> Run {
    cli()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run binary")
        .into()
}
