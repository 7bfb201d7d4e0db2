//! Accounts: `csp-consolidate.toml` names the partner accounts a command
//! talks to. Secrets never live in the file: it names the environment
//! variables that hold them, and they are read only when a client is made.
//!
//! ```toml
//! [accounts.source]
//! tenant = "contoso-emea.onmicrosoft.com"
//! client_id = "00000000-0000-0000-0000-000000000000"
//! client_secret_env = "CSP_SOURCE_SECRET"   # or refresh_token_env for App+User
//! # cloud = "global" | "usgov" | "china"; api_url / token_url override (the emulator)
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file looked for in the current folder when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "csp-consolidate.toml";

/// Problems with the configuration. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the configuration: {source}")]
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
    #[error("{path}: account {name:?}: {message}")]
    Invalid {
        path: PathBuf,
        name: String,
        message: String,
    },
    #[error("account {name:?}: environment variable {var} is not set (it holds the {what})")]
    MissingSecret {
        name: String,
        var: String,
        what: &'static str,
    },
}

/// Which Microsoft cloud an account lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    #[default]
    Global,
    Usgov,
    China,
}

/// How the account authenticates: the *names* of environment variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// App-only: client credentials.
    ClientSecret { client_secret_env: String },
    /// App+User: a refresh token from the secure application model, and
    /// optionally the app's secret.
    RefreshToken {
        refresh_token_env: String,
        client_secret_env: Option<String>,
    },
}

/// One named account, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub tenant: String,
    pub client_id: String,
    pub cloud: Cloud,
    pub secret: SecretSource,
    pub api_url: Option<String>,
    pub token_url: Option<String>,
}

/// Secret values read from the environment at the last moment.
#[derive(Clone, PartialEq, Eq)]
pub struct ResolvedSecrets {
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for ResolvedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResolvedSecrets(***)")
    }
}

impl Account {
    /// Read the secrets this account names from the environment.
    ///
    /// # Errors
    /// [`ConfigError::MissingSecret`] naming the variable (never its value).
    pub fn resolve_secrets(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ResolvedSecrets, ConfigError> {
        let need = |var: &str, what| {
            env(var)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| ConfigError::MissingSecret {
                    name: self.name.clone(),
                    var: var.to_owned(),
                    what,
                })
        };
        match &self.secret {
            SecretSource::ClientSecret { client_secret_env } => Ok(ResolvedSecrets {
                client_secret: Some(need(client_secret_env, "client secret")?),
                refresh_token: None,
            }),
            SecretSource::RefreshToken {
                refresh_token_env,
                client_secret_env,
            } => Ok(ResolvedSecrets {
                refresh_token: Some(need(refresh_token_env, "refresh token")?),
                client_secret: client_secret_env
                    .as_deref()
                    .map(|v| need(v, "client secret"))
                    .transpose()?,
            }),
        }
    }
}

/// The parsed configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub path: PathBuf,
    pub accounts: BTreeMap<String, Account>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    accounts: BTreeMap<String, RawAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    tenant: String,
    client_id: String,
    #[serde(default)]
    cloud: Cloud,
    client_secret_env: Option<String>,
    refresh_token_env: Option<String>,
    api_url: Option<String>,
    token_url: Option<String>,
}

impl Config {
    /// Load `path`, or `csp-consolidate.toml` in the current folder.
    ///
    /// # Errors
    /// `Read`, `Parse` or `Invalid` with the file named.
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
    /// `Parse` or `Invalid`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let mut accounts = BTreeMap::new();
        for (name, a) in raw.accounts {
            let invalid = |message: &str| ConfigError::Invalid {
                path: path.to_owned(),
                name: name.clone(),
                message: message.to_owned(),
            };
            let secret = match (a.client_secret_env, a.refresh_token_env) {
                (client_secret_env, Some(refresh_token_env)) => SecretSource::RefreshToken {
                    refresh_token_env,
                    client_secret_env,
                },
                (Some(client_secret_env), None) => SecretSource::ClientSecret { client_secret_env },
                (None, None) => {
                    return Err(invalid(
                        "set client_secret_env (app-only) or refresh_token_env (App+User) to the NAME of an environment variable",
                    ));
                }
            };
            for url in [&a.api_url, &a.token_url].into_iter().flatten() {
                check_url(url).map_err(|m| invalid(&m))?;
            }
            if a.tenant.trim().is_empty() || a.client_id.trim().is_empty() {
                return Err(invalid("tenant and client_id must not be empty"));
            }
            accounts.insert(
                name.clone(),
                Account {
                    name,
                    tenant: a.tenant.trim().to_owned(),
                    client_id: a.client_id.trim().to_owned(),
                    cloud: a.cloud,
                    secret,
                    api_url: a.api_url,
                    token_url: a.token_url,
                },
            );
        }
        Ok(Config {
            path: path.to_owned(),
            accounts,
        })
    }

    /// The account called `name`.
    ///
    /// # Errors
    /// [`ConfigError::UnknownAccount`] listing the known names.
    pub fn account(&self, name: &str) -> Result<&Account, ConfigError> {
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
}

/// `https://…` anywhere; `http://` only on loopback (the emulator).
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") {
        return Ok(());
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(format!("{url:?} is not an http(s) URL"));
    };
    let host_port = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "{url:?}: plain http is only allowed on loopback; use https"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[accounts.source]
tenant = "contoso-emea.onmicrosoft.com"
client_id = "11111111-1111-1111-1111-111111111111"
client_secret_env = "CSP_SOURCE_SECRET"

[accounts.destination]
tenant = "contoso.onmicrosoft.com"
client_id = "22222222-2222-2222-2222-222222222222"
refresh_token_env = "CSP_DEST_REFRESH"
cloud = "usgov"
api_url = "http://127.0.0.1:4000"
"#;

    #[test]
    fn accounts_parse_and_secrets_come_from_the_environment() -> Result<(), ConfigError> {
        let cfg = Config::parse(Path::new("c.toml"), TEXT)?;
        let src = cfg.account("source")?;
        assert_eq!(src.cloud, Cloud::Global);
        let env = |k: &str| (k == "CSP_SOURCE_SECRET").then(|| "s3cret".to_owned());
        let secrets = src.resolve_secrets(&env)?;
        assert_eq!(secrets.client_secret.as_deref(), Some("s3cret"));
        assert!(!format!("{secrets:?}").contains("s3cret"));
        let dest = cfg.account("destination")?;
        assert_eq!(dest.cloud, Cloud::Usgov);
        let err = dest
            .resolve_secrets(&env)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("CSP_DEST_REFRESH is not set"), "{err}");
        let unknown = cfg
            .account("nope")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            unknown.contains("accounts: destination, source"),
            "{unknown}"
        );
        Ok(())
    }

    #[test]
    fn plain_http_only_on_loopback_and_a_secret_source_is_required() {
        assert!(check_url("http://127.0.0.1:1/").is_ok());
        assert!(check_url("http://localhost:8080").is_ok());
        assert!(check_url("http://[::1]:9/v1").is_ok());
        assert!(check_url("https://api.partnercenter.microsoft.com").is_ok());
        assert!(check_url("http://api.partnercenter.microsoft.com").is_err());
        assert!(check_url("ftp://x").is_err());
        let text = "[accounts.a]\ntenant = \"t\"\nclient_id = \"c\"\n";
        let err = Config::parse(Path::new("c.toml"), text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with("c.toml: account \"a\": set client_secret_env"),
            "{err}"
        );
    }
}
