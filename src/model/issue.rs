//! Problems found in the inputs, kept as data.
//!
//! Nothing the tool reads is silently dropped: a row or file that cannot be
//! used becomes an [`Issue`] with a severity, a [`Location`] and a message a
//! person can act on. The run goes on; any issue makes the exit code 1.

use std::fmt;

use super::location::Location;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The row or file could not be used (it is missing from the result or
    /// marked Skip).
    Error,
    /// The row was used but a person should look twice.
    Warning,
    /// Something was deliberately left out that a person may want to know
    /// about (a totals line or footnote under a table).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One located problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
}

impl Issue {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Error,
            location,
            message: message.into(),
        }
    }

    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Warning,
            location,
            message: message.into(),
        }
    }

    pub fn info(location: Location, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Info,
            location,
            message: message.into(),
        }
    }
}

/// `file: Sheet!C17: warning: message` — the form printed on stderr.
impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.severity, self.message)
    }
}
