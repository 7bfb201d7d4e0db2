//! Every error enum's `{:#}` chain says each thing once. For a set of
//! errors (at least one per variant that wraps a cause, made by the real
//! operation where that is easy), walking the chain as anyhow's `{:#}`
//! does: no link's message contains its cause's message, the first link
//! still names the place (file, address), and the cause is still chained.

use std::error::Error;
use std::io;
use std::path::{Path, PathBuf};

use crate::TestResult;
use crate::api::ApiError;
use crate::config::Config;
use crate::emulator::{EmulatorError, seed};
use crate::error_chain::chain;
use crate::ingest::IngestError;
use crate::ops::build::BuildError;
use crate::pull::PullError;
use crate::pull::cache::Cache;
use crate::push::engine::PushError;
use crate::push::journal::{Journal, JournalError};
use crate::sheet;

/// One error, and the text its first link must keep.
struct Sample {
    what: &'static str,
    err: Box<dyn Error>,
    place: String,
    /// Whether it wraps a cause (which must then show as `source()`).
    wraps: bool,
}

fn sample(what: &'static str, err: impl Error + 'static, place: &Path, wraps: bool) -> Sample {
    Sample {
        what,
        err: Box::new(err),
        place: place.display().to_string(),
        wraps,
    }
}

fn denied() -> io::Error {
    io::Error::from(io::ErrorKind::PermissionDenied)
}

/// A `Result`'s error, or a test failure naming what was expected.
fn failure<T, E>(what: &str, result: Result<T, E>) -> Result<E, String> {
    result
        .err()
        .ok_or_else(|| format!("{what}: expected an error"))
}

fn samples(dir: &Path) -> Result<Vec<Sample>, Box<dyn Error>> {
    let missing = dir.join("no-such-dir");
    let not_a_folder = dir.join("a-file");
    std::fs::write(&not_a_folder, "plain text, not a workbook or a database")?;
    let report = missing.join("push-results.xlsx");
    let seed_file = missing.join("seed.json");
    let config_file = missing.join("csp-consolidate.toml");
    let bad_account = "[accounts.destination]\ntenant = \"t\"\nclient_id = \"c\"\n\
        refresh_token_env = \"CSP_TEST_CHAIN_SURELY_UNSET\"\n";
    let corrupt_json = failure("json", serde_json::from_str::<serde_json::Value>("{"))?;
    let not_sent = || ApiError::NotSent {
        op: "GET /v1/customers".into(),
        message: "connection refused".into(),
    };
    let a = |s: &str| PathBuf::from(s);

    Ok(vec![
        sample(
            "SheetError::Io",
            failure("report", sheet::report::write_report(&report, &[]))?,
            &report,
            true,
        ),
        // calamine's message already holds its causes: kept as text, not
        // chained (see SheetError::Read).
        sample(
            "SheetError::Read",
            failure("read", sheet::read_workbook(&not_a_folder))?,
            &not_a_folder,
            false,
        ),
        sample(
            "PullError::Io",
            failure("cache", Cache::open(&not_a_folder, "acct", false))?,
            &not_a_folder,
            true,
        ),
        sample(
            "PullError::Api",
            PullError::api("listing customers", not_sent()),
            Path::new("listing customers"),
            true,
        ),
        sample(
            "EmulatorError::Read",
            failure("seed", seed::load(&seed_file))?,
            &seed_file,
            true,
        ),
        sample(
            "EmulatorError::Write",
            EmulatorError::Write {
                path: a("state.json"),
                source: denied(),
            },
            &a("state.json"),
            true,
        ),
        sample(
            "EmulatorError::Bind",
            EmulatorError::Bind {
                addr: "127.0.0.1:8080".into(),
                source: io::Error::from(io::ErrorKind::AddrInUse),
            },
            &a("127.0.0.1:8080"),
            true,
        ),
        sample(
            "IngestError::NotFound",
            IngestError::NotFound {
                path: a("exports/subs.csv"),
                source: io::Error::from(io::ErrorKind::NotFound),
            },
            &a("exports/subs.csv"),
            true,
        ),
        sample(
            "IngestError::Unreadable",
            IngestError::Unreadable {
                path: a("exports"),
                source: denied(),
            },
            &a("exports"),
            true,
        ),
        sample(
            "BuildError::Ingest (transparent)",
            BuildError::from(IngestError::NotFound {
                path: a("exports/subs.csv"),
                source: denied(),
            }),
            &a("exports/subs.csv"),
            true,
        ),
        sample(
            "JournalError::Io",
            JournalError::Io {
                path: a("push.journal.lock"),
                source: denied(),
            },
            &a("push.journal.lock"),
            true,
        ),
        sample(
            "JournalError::Sql",
            failure("journal", Journal::open(&not_a_folder, &[]))?,
            &not_a_folder,
            true,
        ),
        sample(
            "JournalError::Corrupt",
            JournalError::Corrupt {
                path: a("push.journal"),
                request_id: "5ab00000-0000-4000-8000-000000000001".into(),
                source: corrupt_json,
            },
            &a("push.journal"),
            true,
        ),
        sample(
            "PushError::Journal (transparent)",
            PushError::from(JournalError::Io {
                path: a("push.journal"),
                source: denied(),
            }),
            &a("push.journal"),
            true,
        ),
        sample(
            "ConfigError::Read",
            failure("config", Config::load(Some(&config_file)))?,
            &config_file,
            true,
        ),
        sample(
            "ConfigError::Account",
            failure(
                "account",
                Config::parse(Path::new("c.toml"), bad_account)?.client_config("destination"),
            )?,
            Path::new("c.toml: account \"destination\""),
            true,
        ),
    ])
}

#[test]
fn no_link_repeats_its_cause() -> TestResult {
    let dir = tempfile::tempdir()?;
    let samples = samples(dir.path())?;
    let mut problems = Vec::new();
    for s in &samples {
        let full = chain(s.err.as_ref());
        if !s.err.to_string().contains(&s.place) {
            problems.push(format!(
                "{}: the message lost {:?}: {full}",
                s.what, s.place
            ));
        }
        if s.wraps && s.err.source().is_none() {
            problems.push(format!("{}: the cause is not chained: {full}", s.what));
        }
        let mut link: &dyn Error = s.err.as_ref();
        while let Some(cause) = link.source() {
            let (text, cause_text) = (link.to_string(), cause.to_string());
            if text.contains(&cause_text) {
                problems.push(format!(
                    "{}: {text:?} repeats {cause_text:?}: {full}",
                    s.what
                ));
            }
            link = cause;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}
