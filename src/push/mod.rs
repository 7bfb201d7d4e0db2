//! The exactly-once push engine and its journal.
//!
//! [`journal`] records every state-changing request before it is sent;
//! [`settle`] resolves in-doubt requests on every start; [`engine`] buys
//! each approved row once per customer (one read, one cart, one checkout)
//! at a concurrency that [`crate::api::throttle`] adapts to the API's 429s. The engine
//! talks to Partner Center through the [`port::PartnerApi`] trait.

pub mod adapter;
pub mod agreement;
pub mod crash;
pub mod engine;
pub mod journal;
pub mod outcomes;
pub mod port;
pub mod provisioning;
pub mod retire;
pub mod settle;
pub mod verify;

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod tests;
