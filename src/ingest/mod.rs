//! Readers for Partner Center exports in any locale. (In progress.)
