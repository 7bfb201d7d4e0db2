//! One integration-test binary (faster to link than one per file), grouped
//! by area.

// Test helpers outside #[test] functions fail by panicking too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod architecture;
mod build;
mod contract;
mod crash;
mod emulator;
mod fixtures;
mod ingest;
mod ingest_real;
mod live_plan;
mod logging;
mod plan;
mod plan_fixtures;
mod pull;
mod push;
mod push_real;
mod sheet;
mod support;
