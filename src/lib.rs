//! csp-consolidate: move a CSP partner's customer subscriptions from one
//! partner tenant to another, reviewably and exactly once.
//!
//! ```text
//! exports (xlsx/csv, any locale) ─┐
//! customer list ──────────────────┼─ ingest ─▶ model::classify ─▶ sheet::write ─▶ migration.xlsx
//! activity log(s) ────────────────┘                                                   │ people review
//!                  sheet::read ◀──────────────────────────────────────────────────────┘
//!                      │
//!                    plan ─▶ push (journal + api) ─▶ retire ─▶ verify
//! ```
//!
//! Modules: [`model`] (shared vocabulary, no I/O), [`ingest`] (read exports),
//! [`sheet`] (the workbook layout, writer and reader), [`plan`] (validate a
//! reviewed workbook), [`push`] (exactly-once engine and journal), [`api`]
//! (Partner Center client), [`emulator`] (a local Partner Center).

pub mod alloc;
pub mod api;
pub mod build;
pub mod config;
pub mod emulator;
pub mod ingest;
pub mod model;
pub mod plan;
pub mod pull;
pub mod push;
pub mod review;
pub mod sheet;

/// The tool version written into every workbook's meta sheet.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a unit test returns: `?` reports a failed step as the test's error.
#[cfg(test)]
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;
