//! One integration-test binary (faster to link than one per file), grouped
//! by area.

mod api;
mod build;
mod contract;
mod crash;
mod emulator;
mod fixtures;
mod ingest;
mod logging;
mod plan;
mod plan_fixtures;
mod pull;
mod push;
mod sheet;
mod util_sheet;
mod util_xlsx;
