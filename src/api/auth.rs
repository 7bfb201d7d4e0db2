//! Access tokens from the Entra ID v1 endpoint, cached and renewed early.
//!
//! App-only uses `client_credentials`; App+User exchanges the refresh token
//! from the secure application model (and keeps the rotated one the
//! endpoint returns). The v1 endpoint sends numbers as strings
//! (`"expires_in":"3599"`). One token is shared by every clone of a client;
//! the cache lock is held during a fetch, so concurrent calls wait for one
//! renewal instead of stampeding the token endpoint. Token responses and
//! request forms are never logged or put in errors: they hold secrets.
//!
//! This module holds the cache, the request form and the decoding; the
//! fetch itself (the POST and its retries) is the client's, so this module
//! never reaches up into the client.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use tokio::sync::Mutex;

use super::config::{ClientConfig, Credential, Secret};
use super::error::ApiError;

/// Renew this long before expiry (the .NET SDK uses 30 s).
const RENEW_BEFORE: Duration = Duration::from_secs(60);
/// Lifetime assumed when the response gives none.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// The v1 token response (the fields we use).
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    access_token: String,
    #[serde(default, deserialize_with = "super::lenient::opt_int")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "super::lenient::opt_int")]
    expires_on: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Clone)]
struct Cached {
    access: Secret,
    /// When to stop using it (expiry minus the renewal margin).
    renew_at: SystemTime,
}

struct State {
    token: Option<Cached>,
    /// The latest refresh token (App+User rotates it).
    refresh_token: Option<Secret>,
}

/// The token cache shared by clones of a client.
pub(crate) struct TokenCache {
    state: Mutex<State>,
}

impl TokenCache {
    pub(crate) fn new(credential: &Credential) -> Self {
        let refresh_token = match credential {
            Credential::RefreshToken { refresh_token, .. } => Some(refresh_token.clone()),
            Credential::ClientSecret(_) => None,
        };
        TokenCache {
            state: Mutex::new(State {
                token: None,
                refresh_token,
            }),
        }
    }

    /// Drop `used` if it is still the cached token (after a 401).
    pub(crate) async fn invalidate(&self, used: &Secret) {
        let mut state = self.state.lock().await;
        if state.token.as_ref().is_some_and(|t| &t.access == used) {
            state.token = None;
        }
    }

    /// A valid access token: the cached one, or the answer of
    /// `fetch(refresh_token)` when none is cached or it is due for renewal.
    /// The lock is held during the fetch, so concurrent callers wait for one
    /// renewal; a rotated refresh token in the answer replaces the old one.
    pub(crate) async fn get_or_fetch(
        &self,
        now: impl Fn() -> SystemTime,
        fetch: impl AsyncFnOnce(Option<&Secret>) -> Result<TokenResponse, ApiError>,
    ) -> Result<Secret, ApiError> {
        let mut state = self.state.lock().await;
        if let Some(t) = &state.token
            && now() < t.renew_at
        {
            return Ok(t.access.clone());
        }
        let response = fetch(state.refresh_token.as_ref()).await?;
        let cached = Cached {
            access: Secret::new(response.access_token),
            renew_at: renew_at(now(), response.expires_in, response.expires_on),
        };
        if let Some(rt) = response.refresh_token.filter(|t| !t.is_empty()) {
            state.refresh_token = Some(Secret::new(rt));
        }
        state.token = Some(cached.clone());
        Ok(cached.access)
    }
}

/// The form fields for `resource`. Holds secrets: never log it.
pub(crate) fn token_form(
    config: &ClientConfig,
    resource: &str,
    refresh_token: Option<&Secret>,
) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("client_id", config.client_id.clone()),
        ("resource", resource.to_owned()),
    ];
    match &config.credential {
        Credential::ClientSecret(secret) => {
            form.push(("grant_type", "client_credentials".to_owned()));
            form.push(("client_secret", secret.expose().to_owned()));
        }
        Credential::RefreshToken {
            refresh_token: initial,
            client_secret,
        } => {
            let rt = refresh_token.unwrap_or(initial);
            form.push(("grant_type", "refresh_token".to_owned()));
            form.push(("refresh_token", rt.expose().to_owned()));
            form.push(("scope", "openid".to_owned()));
            if let Some(secret) = client_secret {
                form.push(("client_secret", secret.expose().to_owned()));
            }
        }
    }
    form
}

/// Decode a token response without ever echoing its body (it is a secret).
pub(crate) fn parse_token(op: &str, body: &[u8]) -> Result<TokenResponse, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let response: TokenResponse =
        serde_path_to_error::deserialize(&mut de).map_err(|e| ApiError::Decode {
            op: op.to_owned(),
            status: 200,
            path: e.path().to_string(),
            message: "unexpected value in the token response (body withheld)".to_owned(),
            request_id: None,
            body: String::new(),
        })?;
    if response.access_token.trim().is_empty() {
        return Err(ApiError::Decode {
            op: op.to_owned(),
            status: 200,
            path: "access_token".to_owned(),
            message: "missing or empty".to_owned(),
            request_id: None,
            body: String::new(),
        });
    }
    Ok(response)
}

/// When to renew: `expires_in` (relative, immune to clock skew) first, then
/// `expires_on` (epoch seconds), else a short default; renew
/// [`RENEW_BEFORE`] early, or at half-life for very short tokens.
fn renew_at(now: SystemTime, expires_in: Option<i64>, expires_on: Option<i64>) -> SystemTime {
    let lifetime = expires_in
        .and_then(|s| u64::try_from(s).ok())
        .map(Duration::from_secs)
        .or_else(|| {
            let on = UNIX_EPOCH + Duration::from_secs(u64::try_from(expires_on?).ok()?);
            on.duration_since(now).ok()
        })
        .unwrap_or(DEFAULT_LIFETIME);
    let margin = RENEW_BEFORE.min(lifetime / 2);
    now + (lifetime - margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_numbers_as_strings() -> crate::TestResult {
        let body = br#"{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599",
            "expires_on":"1767225600","not_before":"1767222000",
            "resource":"https://api.partnercenter.microsoft.com","access_token":"eyJ.fake"}"#;
        let t = parse_token("POST /t", body)?;
        assert_eq!(t.expires_in, Some(3599));
        assert_eq!(t.expires_on, Some(1_767_225_600));
        assert_eq!(t.access_token, "eyJ.fake");
        Ok(())
    }

    #[test]
    fn token_decode_error_withholds_body() {
        let body = br#"{"access_token":"eyJ.secret","expires_in":"soon"}"#;
        let Err(err) = parse_token("POST /t", body) else {
            panic!("should fail")
        };
        let text = format!("{err} {err:?}");
        assert!(!text.contains("eyJ.secret"), "{text}");
        assert!(text.contains("expires_in"), "{text}");
        assert!(parse_token("POST /t", br#"{"expires_in":"10"}"#).is_err());
    }

    #[test]
    fn renewal_times() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            renew_at(now, Some(3600), None),
            now + Duration::from_secs(3540)
        );
        assert_eq!(renew_at(now, Some(10), None), now + Duration::from_secs(5));
        assert_eq!(
            renew_at(now, None, Some(1_003_600)),
            now + Duration::from_secs(3540)
        );
        // An expiry already past (clock skew) falls back to the default.
        assert_eq!(renew_at(now, None, Some(5)), now + Duration::from_secs(240));
        assert_eq!(renew_at(now, None, None), now + Duration::from_secs(240));
        assert_eq!(
            renew_at(now, Some(-5), None),
            now + Duration::from_secs(240)
        );
    }
}
