//! One line for an error and its causes, as anyhow's `{:#}` prints them:
//! each error's message, then each `source()`'s, joined by ": ".
//!
//! The library's errors say their context once (the file, the cell, what
//! was being done) and carry the cause as `source()`, so their `Display`
//! alone leaves the cause out. Wherever the library itself turns an error
//! into text (an HTTP reply of the emulator, a test's assertion), it uses
//! [`chain`] so the cause is not lost.

use std::error::Error;

/// `err` and every cause, joined by ": ".
pub fn chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("m.xlsx: cannot write")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn joins_each_cause_once() {
        let err = Outer(std::io::Error::other("disk full"));
        assert_eq!(chain(&err), "m.xlsx: cannot write: disk full");
        assert_eq!(chain(&std::io::Error::other("alone")), "alone");
    }
}
