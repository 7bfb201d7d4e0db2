//! The `[accounts.NAME]` section of `csp-consolidate.toml`, resolved into
//! a [`ClientConfig`].
//!
//! Why here: the rule "secrets come from the environment only" is enforced
//! at the one place an account is read. The file names variables
//! (`client_secret_env`, `refresh_token_env`); an inline `client_secret` is
//! refused, and errors name variables, never values.

use super::config::{ClientConfig, Cloud, Credential, Secret};
use super::error::ApiError;

/// One `[accounts.NAME]` section of `csp-consolidate.toml`. Secrets are
/// named by environment variable, never written inline: a `client_secret`
/// or `refresh_token` key is refused with a message saying so.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub tenant: String,
    pub client_id: String,
    /// Variable holding the app's client secret (app-only, or App+User
    /// with a confidential client).
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Variable holding the App+User refresh token.
    #[serde(default)]
    pub refresh_token_env: Option<String>,
    /// `global` (default), `usgov` or `china`.
    #[serde(default)]
    pub cloud: Option<String>,
    #[serde(default)]
    pub api_url: Option<String>,
    #[serde(default)]
    pub token_url: Option<String>,
    /// Refused: secrets go in the environment.
    #[serde(default)]
    client_secret: Option<serde::de::IgnoredAny>,
    /// Refused: secrets go in the environment.
    #[serde(default)]
    refresh_token: Option<serde::de::IgnoredAny>,
}

impl AccountConfig {
    /// Resolve the account into a [`ClientConfig`], reading the secrets
    /// from the environment now.
    ///
    /// # Errors
    /// [`ApiError::Config`] for an inline secret, no credential variable,
    /// an unset variable (named, never its value) or an unknown cloud.
    pub fn to_client_config(&self) -> Result<ClientConfig, ApiError> {
        if self.client_secret.is_some() || self.refresh_token.is_some() {
            return Err(ApiError::config(
                "secrets must not be written in the config file: put the value in an \
                 environment variable and name it with client_secret_env / refresh_token_env",
            ));
        }
        let cloud = match &self.cloud {
            Some(c) => Cloud::parse(c)?,
            None => Cloud::Global,
        };
        let client_secret = self
            .client_secret_env
            .as_deref()
            .map(Secret::from_env)
            .transpose()?;
        let credential = match (&self.refresh_token_env, client_secret) {
            (Some(var), client_secret) => Credential::RefreshToken {
                refresh_token: Secret::from_env(var)?,
                client_secret,
            },
            (None, Some(secret)) => Credential::ClientSecret(secret),
            (None, None) => {
                return Err(ApiError::config(
                    "the account names no credential: set client_secret_env or refresh_token_env",
                ));
            }
        };
        let mut config = ClientConfig::new(cloud, &self.tenant, &self.client_id, credential);
        config.api_url.clone_from(&self.api_url);
        config.token_url.clone_from(&self.token_url);
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(toml_text: &str) -> Result<ClientConfig, String> {
        let a: AccountConfig = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        a.to_client_config().map_err(|e| e.to_string())
    }

    #[test]
    fn account_sections_resolve_secrets_from_env() -> crate::TestResult {
        // PATH is always set: a stand-in for a secret variable.
        let c = account(
            "tenant = \"t\"\nclient_id = \"a\"\nclient_secret_env = \"PATH\"\ncloud = \"usgov\"",
        )?;
        assert_eq!(c.cloud, Cloud::UsGov);
        assert!(matches!(c.credential, Credential::ClientSecret(_)));
        let c = account(
            "tenant = \"t\"\nclient_id = \"a\"\nrefresh_token_env = \"PATH\"\napi_url = \"http://127.0.0.1:9\"",
        )?;
        assert!(matches!(
            c.credential,
            Credential::RefreshToken {
                client_secret: None,
                ..
            }
        ));
        assert_eq!(c.api_url.as_deref(), Some("http://127.0.0.1:9"));
        let inline =
            account("tenant = \"t\"\nclient_id = \"a\"\nclient_secret = \"hunter2\"").unwrap_err();
        assert!(
            inline.contains("must not be written") && !inline.contains("hunter2"),
            "{inline}"
        );
        let none = account("tenant = \"t\"\nclient_id = \"a\"").unwrap_err();
        assert!(none.contains("client_secret_env"), "{none}");
        let unset =
            account("tenant = \"t\"\nclient_id = \"a\"\nclient_secret_env = \"CSP_TEST_UNSET_9\"")
                .unwrap_err();
        assert!(unset.contains("CSP_TEST_UNSET_9"), "{unset}");
        assert!(account("tenant = \"t\"\nclient_id = \"a\"\nsecret_env = \"X\"").is_err());
        Ok(())
    }
}
