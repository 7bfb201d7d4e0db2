//! One integration-test binary (faster to link than one per file), grouped
//! by area.

mod api;
mod emulator;
mod fixtures;
mod ingest;
mod pull;
