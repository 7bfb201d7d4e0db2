//! One integration-test binary (faster to link than one per file), grouped
//! by area.
mod plan;
mod plan_fixtures;
mod sheet;
mod util_sheet;
mod util_xlsx;
