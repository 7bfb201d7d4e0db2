//! Accounts: `csp-consolidate.toml` names the partner accounts a command
//! talks to. Secrets never live in the file: it names the environment
//! variables that hold them, read only when a client is made. One section
//! is parsed and resolved by [`crate::api::AccountConfig`]; this module
//! finds the file, lists the accounts and names them in errors.
//!
//! ```toml
//! [accounts.source]
//! tenant = "contoso-emea.onmicrosoft.com"
//! client_id = "00000000-0000-0000-0000-000000000000"
//! client_secret_env = "CSP_SOURCE_SECRET"   # or refresh_token_env for App+User
//! # cloud = "global" | "usgov" | "china"; api_url / token_url override (the emulator)
//!
//! # Optional: let push attest a customer's Microsoft Customer Agreement
//! # acceptance when a purchase is refused for want of it (403 13605).
//! [attestation]
//! enabled = true
//! first_name = "Ines"            # the customer's signer
//! last_name = "Ruiz"
//! email = "ines@customer.example"
//! date_agreed = "2026-10-01"     # when the customer accepted
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::api::{AccountConfig, ApiError, ClientConfig};
use crate::push::port::Attestation;

/// The file looked for in the current folder when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "csp-consolidate.toml";

/// Problems with the configuration. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the configuration (create it, or pass --config FILE)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: no account named {name:?} (accounts: {known})")]
    UnknownAccount {
        path: PathBuf,
        name: String,
        known: String,
    },
    #[error("{path}: account {name:?}")]
    Account {
        path: PathBuf,
        name: String,
        source: Box<ApiError>,
    },
}

/// The parsed configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub path: PathBuf,
    pub accounts: BTreeMap<String, AccountConfig>,
    /// The `[attestation]` section, when present.
    pub attestation: Option<AttestationConfig>,
}

/// `[attestation]`: who signed the Microsoft Customer Agreement for the
/// customers push attests, and whether push may attest at all. Nothing in
/// it is secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationConfig {
    #[serde(default)]
    pub enabled: bool,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(default)]
    pub phone_number: Option<String>,
    /// `YYYY-MM-DD` (or a full UTC timestamp).
    pub date_agreed: String,
}

impl AttestationConfig {
    /// The details push attests with, when enabled.
    pub fn to_attestation(&self) -> Option<Attestation> {
        self.enabled.then(|| Attestation {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone_number: self.phone_number.clone(),
            date_agreed: if self.date_agreed.contains('T') {
                self.date_agreed.clone()
            } else {
                format!("{}T00:00:00Z", self.date_agreed.trim())
            },
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    accounts: BTreeMap<String, AccountConfig>,
    #[serde(default)]
    attestation: Option<AttestationConfig>,
}

impl Config {
    /// Load `path`, or `csp-consolidate.toml` in the current folder.
    ///
    /// # Errors
    /// `Read` or `Parse` with the file named.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = path.map_or_else(|| PathBuf::from(DEFAULT_CONFIG), Path::to_path_buf);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&path, &text)
    }

    /// Parse configuration text (`path` is only used in messages).
    ///
    /// # Errors
    /// `Parse` (TOML errors carry line and column).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Config {
            path: path.to_owned(),
            accounts: raw.accounts,
            attestation: raw.attestation,
        })
    }

    /// The section of account `name`.
    ///
    /// # Errors
    /// [`ConfigError::UnknownAccount`] listing the known names.
    pub fn account(&self, name: &str) -> Result<&AccountConfig, ConfigError> {
        self.accounts
            .get(name)
            .ok_or_else(|| ConfigError::UnknownAccount {
                path: self.path.clone(),
                name: name.to_owned(),
                known: if self.accounts.is_empty() {
                    "none".to_owned()
                } else {
                    self.accounts.keys().cloned().collect::<Vec<_>>().join(", ")
                },
            })
    }

    /// Account `name` resolved into a client configuration, its secrets
    /// read from the environment now.
    ///
    /// # Errors
    /// `UnknownAccount`, or `Account` naming the missing variable (never a
    /// value) or the inline secret that was refused.
    pub fn client_config(&self, name: &str) -> Result<ClientConfig, ConfigError> {
        self.account(name)?
            .to_client_config()
            .map_err(|source| ConfigError::Account {
                path: self.path.clone(),
                name: name.to_owned(),
                source: Box::new(source),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[accounts.source]
tenant = "contoso-emea.onmicrosoft.com"
client_id = "11111111-1111-1111-1111-111111111111"
client_secret_env = "CSP_TEST_UNSET_SOURCE_SECRET"

[accounts.destination]
tenant = "contoso.onmicrosoft.com"
client_id = "22222222-2222-2222-2222-222222222222"
refresh_token_env = "CSP_TEST_UNSET_DEST_REFRESH"
cloud = "usgov"
"#;

    #[test]
    fn accounts_are_listed_and_missing_secrets_named_not_shown() -> Result<(), ConfigError> {
        let cfg = Config::parse(Path::new("c.toml"), TEXT)?;
        assert!(cfg.account("source").is_ok());
        let unknown = cfg
            .account("nope")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            unknown.contains("accounts: destination, source"),
            "{unknown}"
        );
        let missing = cfg
            .client_config("destination")
            .err()
            .map(|e| crate::error_chain::chain(&e))
            .unwrap_or_default();
        assert!(
            missing.starts_with("c.toml: account \"destination\""),
            "{missing}"
        );
        assert!(missing.contains("CSP_TEST_UNSET_DEST_REFRESH"), "{missing}");
        Ok(())
    }

    #[test]
    fn attestation_section_is_read_and_only_used_when_enabled() -> Result<(), ConfigError> {
        let text = "[attestation]\nenabled = true\nfirst_name = \"Ines\"\nlast_name = \"Ruiz\"\n\
                    email = \"ines@customer.example\"\ndate_agreed = \"2026-10-01\"\n";
        let c = Config::parse(Path::new("t.toml"), text)?;
        let a = c
            .attestation
            .as_ref()
            .and_then(AttestationConfig::to_attestation);
        assert_eq!(
            a.as_ref().map(|a| a.date_agreed.as_str()),
            Some("2026-10-01T00:00:00Z")
        );
        assert_eq!(a.map(|a| a.email), Some("ines@customer.example".to_owned()));
        let off = Config::parse(Path::new("t.toml"), &text.replace("true", "false"))?;
        assert!(off.attestation.and_then(|a| a.to_attestation()).is_none());
        assert!(Config::parse(Path::new("t.toml"), "[attestation]\nenabled = true\n").is_err());
        Ok(())
    }

    #[test]
    fn inline_secrets_and_unknown_keys_are_refused() {
        let inline =
            "[accounts.a]\ntenant = \"t\"\nclient_id = \"c\"\nclient_secret = \"hunter2\"\n";
        let cfg = Config::parse(Path::new("c.toml"), inline);
        let err = cfg
            .and_then(|c| c.client_config("a"))
            .err()
            .map(|e| crate::error_chain::chain(&e))
            .unwrap_or_default();
        assert!(
            err.contains("must not be written in the config file") && !err.contains("hunter2"),
            "{err}"
        );
        let typo = Config::parse(Path::new("c.toml"), "[acounts.a]\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(typo.starts_with("c.toml:"), "{typo}");
    }
}
