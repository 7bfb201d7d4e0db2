//! Client configuration: which cloud, which URLs, which credential.
//!
//! Why its own file: this is where the security rules live. Secrets are only
//! ever held in [`Secret`], whose `Debug`/`Display` print `***`, so a config
//! or error printed by accident cannot leak them; they are read from the
//! environment (by variable *name*) and never from files. URLs must be
//! `https`, except on loopback so the local emulator can be used.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

use super::error::ApiError;
use super::retry::RetryPolicy;

/// The Partner Center resource (token audience) for the global and US
/// Government clouds.
pub const PARTNER_CENTER_RESOURCE: &str = "https://api.partnercenter.microsoft.com";

/// A secret value (client secret, refresh token, access token).
///
/// `Debug` and `Display` print `***`; the value is reachable only through
/// [`Secret::expose`], which the client calls when it builds a token request.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value (e.g. one the caller read from the environment itself).
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Read a secret from the environment variable `name`.
    ///
    /// # Errors
    /// [`ApiError::Config`] naming the variable (never a value) when it is
    /// unset, not Unicode, or empty.
    pub fn from_env(name: &str) -> Result<Self, ApiError> {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(Secret(v)),
            Ok(_) => Err(ApiError::config(format!(
                "environment variable {name} is empty"
            ))),
            Err(_) => Err(ApiError::config(format!(
                "environment variable {name} is not set (it should hold the secret)"
            ))),
        }
    }

    /// The secret text. Call only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the client authenticates against Microsoft Entra ID (v1 endpoint).
#[derive(Debug, Clone)]
pub enum Credential {
    /// App-only: `grant_type=client_credentials` with the app's secret.
    ClientSecret(Secret),
    /// App+User (secure application model): exchange a refresh token
    /// obtained once with MFA consent. Required for the relationship
    /// request URL. The client secret is optional (public clients).
    RefreshToken {
        refresh_token: Secret,
        client_secret: Option<Secret>,
    },
}

/// A Microsoft cloud instance: decides the token authority and API host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cloud {
    /// `login.microsoftonline.com` + `api.partnercenter.microsoft.com`.
    #[default]
    Global,
    /// `login.microsoftonline.us`; the API host is the global one.
    UsGov,
    /// 21Vianet: `login.chinacloudapi.cn` + `partner.partnercenterapi.microsoftonline.cn`.
    China,
}

impl Cloud {
    /// Parse `global`, `usgov` (or `us-gov`, `usgovernment`), `china`.
    ///
    /// # Errors
    /// [`ApiError::Config`] for any other name.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let folded: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match folded.as_str() {
            "global" | "public" | "commercial" => Ok(Cloud::Global),
            "usgov" | "usgovernment" | "gcc" => Ok(Cloud::UsGov),
            "china" | "21vianet" => Ok(Cloud::China),
            _ => Err(ApiError::config(format!(
                "unknown cloud {text:?} (expected global, usgov or china)"
            ))),
        }
    }

    /// The default API base URL (without `/v1`).
    pub fn api_url(self) -> &'static str {
        match self {
            Cloud::Global | Cloud::UsGov => "https://api.partnercenter.microsoft.com",
            Cloud::China => "https://partner.partnercenterapi.microsoftonline.cn",
        }
    }

    /// The default token authority (the tenant goes after it).
    pub fn token_url(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGov => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The token audience (`resource=`). For China this is the national
    /// API host (inferred: the reference documents only the global value).
    pub fn resource(self) -> &'static str {
        match self {
            Cloud::Global | Cloud::UsGov => PARTNER_CENTER_RESOURCE,
            Cloud::China => "https://partner.partnercenterapi.microsoftonline.cn",
        }
    }
}

/// Everything [`super::Client`] needs. Plain data: build it from the
/// account section of `csp-consolidate.toml` plus the environment.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub cloud: Cloud,
    /// Override of the API base (e.g. the emulator `http://127.0.0.1:8080`).
    /// With or without a trailing `/v1`.
    pub api_url: Option<String>,
    /// Override of the token authority; the client posts to
    /// `{token_url}/{tenant}/oauth2/token`.
    pub token_url: Option<String>,
    /// Override of the token audience (`resource=`).
    pub resource: Option<String>,
    /// Partner tenant: GUID or `contoso.onmicrosoft.com`.
    pub tenant: String,
    pub client_id: String,
    pub credential: Credential,
    /// Per-try timeout (connect + response). The SDK uses 3 minutes.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// How long to poll after a PATCH answered 202.
    pub poll: PollPolicy,
    pub user_agent: String,
}

impl ClientConfig {
    /// A config with defaults for everything but identity and credential.
    pub fn new(
        cloud: Cloud,
        tenant: impl Into<String>,
        client_id: impl Into<String>,
        credential: Credential,
    ) -> Self {
        ClientConfig {
            cloud,
            api_url: None,
            token_url: None,
            resource: None,
            tenant: tenant.into(),
            client_id: client_id.into(),
            credential,
            timeout: Duration::from_secs(180),
            retry: RetryPolicy::default(),
            poll: PollPolicy::default(),
            user_agent: format!("csp-consolidate/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Polling after a `202 Accepted` PATCH: `attempts` GETs, the first
/// `interval` after the 202, each wait half as long again as the one
/// before, up to `max_interval`. Most changes land within a second or two,
/// so the first look comes early; a slow one is not polled hard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    pub interval: Duration,
    pub max_interval: Duration,
    pub attempts: u32,
}

impl PollPolicy {
    /// The wait before poll number `n` (0-based).
    pub fn delay(&self, n: u32) -> Duration {
        let grown = self
            .interval
            .mul_f64(1.5_f64.powi(i32::try_from(n).unwrap_or(i32::MAX)));
        grown.min(self.max_interval.max(self.interval))
    }
}

impl Default for PollPolicy {
    /// 1 s, 1.5 s, 2.25 s … capped at 10 s; 16 polls, about two minutes.
    fn default() -> Self {
        PollPolicy {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            attempts: 16,
        }
    }
}

/// Resolved, validated endpoints.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    /// API root without `/v1` and without a trailing slash.
    pub api_root: Url,
    /// `{token_url}/{tenant}/oauth2/token`.
    pub token: Url,
    pub resource: String,
}

impl Endpoints {
    pub(crate) fn resolve(config: &ClientConfig) -> Result<Self, ApiError> {
        if config.tenant.trim().is_empty() || config.client_id.trim().is_empty() {
            return Err(ApiError::config("tenant and client_id must not be empty"));
        }
        if config.tenant.contains(['/', '?', '#', ' ']) {
            return Err(ApiError::config(format!(
                "tenant {:?} is not a tenant id or domain",
                config.tenant
            )));
        }
        let api = config.api_url.as_deref().unwrap_or(config.cloud.api_url());
        let api_root = parse_base(api, "api_url")?;
        let api_root = strip_v1(api_root);
        let token_base = config
            .token_url
            .as_deref()
            .unwrap_or(config.cloud.token_url());
        let token_base = parse_base(token_base, "token_url")?;
        let token = join_path(
            &token_base,
            &format!("{}/oauth2/token", config.tenant.trim()),
        )?;
        let resource = config
            .resource
            .clone()
            .unwrap_or_else(|| config.cloud.resource().to_owned());
        Ok(Endpoints {
            api_root,
            token,
            resource,
        })
    }
}

/// Parse a base URL and apply the https-unless-loopback rule.
pub(crate) fn parse_base(text: &str, what: &str) -> Result<Url, ApiError> {
    let url = Url::parse(text.trim())
        .map_err(|e| ApiError::config(format!("{what} {text:?} is not a URL: {e}")))?;
    check_scheme(&url, what)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ApiError::config(format!(
            "{what} {text:?} must not have a query or fragment"
        )));
    }
    Ok(url)
}

/// `https` anywhere; `http` only to loopback (127.0.0.0/8, ::1, localhost).
pub(crate) fn check_scheme(url: &Url, what: &str) -> Result<(), ApiError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ApiError::config(format!(
            "{what} {url} uses http to a non-loopback host; https is required \
             (plain http is allowed only for 127.0.0.1, ::1 or localhost)"
        ))),
        other => Err(ApiError::config(format!(
            "{what} {url} has scheme {other:?}; expected https"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Drop a trailing `/v1` (and slashes) so paths can always add `/v1/...`.
fn strip_v1(mut url: Url) -> Url {
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/v1").unwrap_or(path).to_owned();
    url.set_path(&path);
    url
}

/// Append `rest` (no leading slash) to the path of `base`.
pub(crate) fn join_path(base: &Url, rest: &str) -> Result<Url, ApiError> {
    let mut url = base.clone();
    let path = format!("{}/{}", base.path().trim_end_matches('/'), rest);
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(api: Option<&str>) -> ClientConfig {
        let mut c = ClientConfig::new(
            Cloud::Global,
            "contoso.onmicrosoft.com",
            "app",
            Credential::ClientSecret(Secret::new("s3cret")),
        );
        c.api_url = api.map(str::to_owned);
        c
    }

    #[test]
    fn secret_never_prints() {
        let c = cfg(None);
        let shown = format!("{c:?} {}", Secret::new("s3cret"));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn clouds_pick_authority_and_host() -> crate::TestResult {
        let e = Endpoints::resolve(&cfg(None))?;
        assert_eq!(
            e.token.as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token"
        );
        let mut c = cfg(None);
        c.cloud = Cloud::parse("US-Gov")?;
        let e = Endpoints::resolve(&c)?;
        assert!(
            e.token
                .as_str()
                .starts_with("https://login.microsoftonline.us/")
        );
        assert_eq!(
            e.api_root.as_str(),
            "https://api.partnercenter.microsoft.com/"
        );
        c.cloud = Cloud::parse("china")?;
        let e = Endpoints::resolve(&c)?;
        assert!(
            e.token
                .as_str()
                .starts_with("https://login.chinacloudapi.cn/")
        );
        assert!(e.api_root.as_str().contains("microsoftonline.cn"));
        assert!(Cloud::parse("germany").is_err());
        Ok(())
    }

    #[test]
    fn http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1/v1",
            "http://[::1]:9",
            "https://example.com",
        ] {
            assert!(Endpoints::resolve(&cfg(Some(ok))).is_ok(), "{ok}");
        }
        for bad in ["http://example.com", "http://10.0.0.1", "ftp://127.0.0.1"] {
            let err = Endpoints::resolve(&cfg(Some(bad))).unwrap_err().to_string();
            assert!(err.contains("https"), "{bad}: {err}");
        }
    }

    #[test]
    fn api_url_v1_suffix_is_dropped() -> crate::TestResult {
        let e = Endpoints::resolve(&cfg(Some("http://127.0.0.1:9/v1/")))?;
        assert_eq!(e.api_root.as_str(), "http://127.0.0.1:9/");
        let e = Endpoints::resolve(&cfg(Some("http://127.0.0.1:9/pc")))?;
        assert_eq!(e.api_root.as_str(), "http://127.0.0.1:9/pc");
        Ok(())
    }

    #[test]
    fn missing_env_secret_names_the_variable() {
        let err = Secret::from_env("CSP_TEST_SURELY_UNSET_VAR_42").unwrap_err();
        assert!(err.to_string().contains("CSP_TEST_SURELY_UNSET_VAR_42"));
    }
}
