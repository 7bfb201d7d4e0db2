//! Log output: the library reports through `tracing` (a retry, a request,
//! an ignored setting); this installs the subscriber that prints it on
//! stderr, so stdout stays the command's own output.
//!
//! Warnings and errors show by default; `-v` adds info, `-vv` debug,
//! `-vvv` trace (for this tool's own messages; other crates stay at
//! warnings); `-q` shows errors only. `RUST_LOG`, when set, replaces all
//! of that with its own directives (`RUST_LOG=debug`, `RUST_LOG=reqwest=trace`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The global `-v`/`-q` flags.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Args {
    /// More detail on stderr: -v info, -vv debug, -vvv trace (RUST_LOG, when set, decides instead).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Errors only on stderr (no warnings).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
}

impl Args {
    /// The filter directives the flags ask for.
    fn directives(self) -> &'static str {
        match (self.quiet, self.verbose) {
            (true, _) => "error",
            (false, 0) => "warn",
            (false, 1) => "warn,csp_consolidate=info",
            (false, 2) => "warn,csp_consolidate=debug",
            (false, _) => "warn,csp_consolidate=trace",
        }
    }
}

/// Install the stderr subscriber. Call once, before the command runs.
pub fn init(args: Args) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map_or_else(
            || EnvFilter::new(args.directives()),
            |_| EnvFilter::from_default_env(),
        );
    // Times and module paths only help when reading debug output.
    let detailed = args.verbose >= 2;
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(detailed);
    // Not `try_init`: that also routes the `log` crate into tracing at
    // trace level, so every debug call of calamine and zopfli while a big
    // build reads and writes workbooks would reach the filter. A subscriber
    // already installed (never, in the binary) is kept.
    let _ = if detailed {
        tracing::subscriber::set_global_default(subscriber.finish())
    } else {
        tracing::subscriber::set_global_default(subscriber.without_time().finish())
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        log: Args,
    }

    fn directives(argv: &[&str]) -> Result<&'static str, clap::Error> {
        let cli =
            Cli::try_parse_from(std::iter::once("csp-consolidate").chain(argv.iter().copied()))?;
        Ok(cli.log.directives())
    }

    #[test]
    fn flags_pick_the_level() -> Result<(), clap::Error> {
        assert_eq!(directives(&[])?, "warn");
        assert_eq!(directives(&["-v"])?, "warn,csp_consolidate=info");
        assert_eq!(directives(&["-vv"])?, "warn,csp_consolidate=debug");
        assert_eq!(
            directives(&["-v", "-v", "-v", "-v"])?,
            "warn,csp_consolidate=trace"
        );
        assert_eq!(directives(&["--quiet"])?, "error");
        assert!(directives(&["-q", "-v"]).is_err());
        Ok(())
    }
}
