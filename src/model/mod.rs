//! The tool's vocabulary: records read from exports, the migration rows
//! built from them, issues and locations. No I/O and no third-party format
//! crates here, so every other module can share these types.

pub mod classify;
pub mod decision;
pub mod inputs;
pub mod issue;
pub mod location;
pub mod migration;
pub mod outcome;
pub mod records;
pub mod types;

pub use decision::{Action, Retirement, ReviewDecision};
pub use inputs::{ActivitySummary, Inputs, OfferMap, name_key};
pub use issue::{Issue, Severity};
pub use location::{Location, Place, col_letters};
pub use migration::{CustomerSummary, InputFile, MigrationBook, MigrationRow};
pub use outcome::{Outcome, Phase};
pub use records::{ActionKind, ActivityAggregate, ChangesSince, Customer, SourceSubscription};
pub use types::{
    BillingCycle, BillingType, Commerce, Relationship, SubStatus, parse_term, same_catalog_item,
};
