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
//! Modules: [`model`] (shared vocabulary and decisions, no I/O), [`ingest`] (read exports),
//! [`sheet`] (the workbook layout, writer and reader), [`plan`] (validate a
//! reviewed workbook), [`push`] (exactly-once engine and journal), [`api`]
//! (Partner Center client), [`emulator`] (a local Partner Center), [`ops`]
//! (each command's library side), [`pull`] (exports over the API),
//! [`review`] (carrying a review into a rebuilt workbook), [`fsio`] (the one
//! atomic write), [`error_chain`] (errors as `{:#}` prints them).

pub mod alloc;
pub mod api;
pub mod config;
pub mod emulator;
pub mod error_chain;
pub mod fsio;
pub mod ingest;
pub mod model;
pub mod ops;
pub mod plan;
pub mod pull;
pub mod push;
pub mod review;
pub mod sheet;

#[cfg(test)]
mod error_chain_tests;

/// The tool version written into every workbook's meta sheet.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a unit test returns: `?` reports a failed step as the test's error.
#[cfg(test)]
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;
