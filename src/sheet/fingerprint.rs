//! A short digest over a row's build-owned cell values.
//!
//! The meta sheet stores, per row, the canonical text of every locked cell
//! and this fingerprint over them. `plan` compares the Migration sheet's
//! cells with the stored originals (which name the edited cell, its old and
//! its new value); the fingerprint guards the originals themselves: one that
//! no longer matches its stored values means the Meta sheet was edited, and
//! its originals cannot be trusted.

use std::fmt::Write;

use sha2::{Digest, Sha256};

/// Hex of the first 16 bytes of SHA-256 over the values, each followed by
/// a unit separator (so `["ab", "c"]` and `["a", "bc"]` differ).
pub fn fingerprint<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    for v in values {
        hasher.update(v.as_bytes());
        hasher.update([0x1f]);
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(32);
    for b in digest.iter().take(16) {
        // ok: writing to a String cannot fail.
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_separates_values_and_is_stable() {
        let a = fingerprint(["ab", "c"]);
        assert_eq!(a.len(), 32);
        assert_eq!(a, fingerprint(["ab", "c"]));
        assert_ne!(a, fingerprint(["a", "bc"]));
        assert_ne!(a, fingerprint(["ab", "c", ""]));
    }
}
