//! Wire quirks recorded from the real service, switchable as fault keys
//! (`bom=1`, `nulllists=1`, `pascalpatch=1`), so tests can prove the client
//! reads them: a UTF-8 byte-order mark before every JSON body, `null`
//! instead of every empty list, and PATCH answers in PascalCase.
//!
//! Applied as one response layer over the API routes, after the handlers
//! (`routes/quirks.rs`), so no route needs to know about them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::errors::EmulatorError;

/// Which quirks are on (all off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quirks {
    /// A byte-order mark before every JSON body.
    #[serde(default)]
    pub bom: bool,
    /// `null` instead of every empty list.
    #[serde(default)]
    pub null_lists: bool,
    /// PATCH answers (200) with PascalCase member names.
    #[serde(default)]
    pub pascal_patch: bool,
}

impl Quirks {
    /// Set the quirk a fault key names; `None` if `key` is not a quirk.
    pub fn set(&mut self, key: &str, value: &str) -> Option<Result<(), EmulatorError>> {
        let slot = match key {
            "bom" => &mut self.bom,
            "nulllists" | "nulls" => &mut self.null_lists,
            "pascalpatch" | "pascal" => &mut self.pascal_patch,
            _ => return None,
        };
        Some(match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "on" => {
                *slot = true;
                Ok(())
            }
            "0" | "false" | "off" => {
                *slot = false;
                Ok(())
            }
            _ => Err(EmulatorError::Faults(format!(
                "`{key}={value}`: expected 1 or 0"
            ))),
        })
    }

    /// Whether any quirk is on.
    pub fn any(self) -> bool {
        self.bom || self.null_lists || self.pascal_patch
    }
}

impl fmt::Display for Quirks {
    /// `bom=1,nulllists=0,pascalpatch=0`: parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bom={},nulllists={},pascalpatch={}",
            u8::from(self.bom),
            u8::from(self.null_lists),
            u8::from(self.pascal_patch)
        )
    }
}
