//! `csp-consolidate build` end to end: the real binary on the committed
//! fixtures and on small bad inputs written per test, its exit code, the
//! located issues on stderr, and the workbook read back with calamine and
//! compared as cell grids (never bytes).
//!
//! Why through the binary: the contract is the command line (exit
//! codes, `file: place: severity: message` lines, "no output file when
//! nothing usable was read"), which a library call would not exercise.

#[path = "build/bad_inputs.rs"]
mod bad_inputs;
#[path = "build/bad_values.rs"]
mod bad_values;
#[path = "build/fixtures_facts.rs"]
mod fixtures_facts;
#[path = "build/fixtures_run.rs"]
mod fixtures_run;
#[path = "build/hostile.rs"]
mod hostile;
#[path = "build/review_carry.rs"]
mod review_carry;
