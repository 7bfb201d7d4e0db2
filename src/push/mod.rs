//! The exactly-once push engine and its journal.
//!
//! [`journal`] records every state-changing request before it is sent; the
//! engine (push, retire) settles in-doubt requests first on every start.

pub mod journal;
