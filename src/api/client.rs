//! The transport: one `Client` (cheap to clone, `Arc` inside) that adds the
//! Partner Center headers, gets a token, sends with bounded retries, maps
//! failures to [`ApiError`] and decodes bodies with JSON-path errors.
//!
//! Endpoint methods live beside it (`customers.rs`, `subscriptions.rs`,
//! `orders.rs`, `audit.rs`) and call the helpers here, so retry and error
//! rules are written once. Writes take the caller's `MS-RequestId` and
//! resend it unchanged on every retry: that is what makes a retried POST
//! safe (the service replays the first answer instead of buying twice).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::auth::{TokenCache, TokenResponse, parse_token, token_form};
use super::config::{ClientConfig, Endpoints, Secret};
use super::error::{ApiError, ErrorClass};
use super::pace::Pacer;
use super::retry::{ClientStats, Counters, RequestKind, SystemTimer, Throttled, Timer, TryOutcome};
use super::transport::{Failure, Reply, decode, execute};

/// Called on every 429 the client sees (the push engine lowers its
/// concurrency from here).
pub type ThrottleHook = Arc<dyn Fn(&Throttled) + Send + Sync>;

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub endpoints: Endpoints,
    pub config: ClientConfig,
    pub token: TokenCache,
    pub timer: Arc<dyn Timer>,
    pub counters: Counters,
    pub on_throttle: Option<ThrottleHook>,
    /// Shared by every clone: the `Retry-After` gate and the learned pace.
    pub pacer: Pacer,
}

/// A Partner Center client for one account. Clone freely: clones share the
/// connection pool, token cache and counters.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    correlation_id: Uuid,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_root", &self.inner.endpoints.api_root.as_str())
            .field("tenant", &self.inner.config.tenant)
            .field("correlation_id", &self.correlation_id)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`] with an injected timer or throttle hook.
pub struct ClientBuilder {
    config: ClientConfig,
    timer: Arc<dyn Timer>,
    on_throttle: Option<ThrottleHook>,
}

impl ClientBuilder {
    /// Use this clock and sleeper (tests: `ManualTimer`).
    pub fn timer(mut self, timer: Arc<dyn Timer>) -> Self {
        self.timer = timer;
        self
    }

    /// Call `hook` on every 429.
    pub fn on_throttle(mut self, hook: impl Fn(&Throttled) + Send + Sync + 'static) -> Self {
        self.on_throttle = Some(Arc::new(hook));
        self
    }

    /// Validate the configuration and build the client.
    ///
    /// # Errors
    /// [`ApiError::Config`] for a bad URL, `http` to a non-loopback host, an
    /// empty tenant or client id, or a TLS setup failure.
    pub fn build(self) -> Result<Client, ApiError> {
        let endpoints = Endpoints::resolve(&self.config)?;
        let http = reqwest::Client::builder()
            .timeout(self.config.timeout)
            .connect_timeout(self.config.timeout.min(Duration::from_secs(30)))
            .user_agent(self.config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::config(format!("HTTP client: {e}")))?;
        let token = TokenCache::new(&self.config.credential);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoints,
                config: self.config,
                token,
                timer: self.timer,
                counters: Counters::default(),
                on_throttle: self.on_throttle,
                pacer: Pacer::default(),
            }),
            correlation_id: Uuid::new_v4(),
        })
    }
}

/// One logical request (resent unchanged on retries).
pub(crate) struct Call {
    pub method: Method,
    pub url: Url,
    pub kind: RequestKind,
    pub request_id: Uuid,
    pub body: Option<Vec<u8>>,
    /// Headers a `next` link asks for (e.g. `MS-ContinuationToken`).
    pub extra_headers: Vec<(String, String)>,
}

impl Call {
    pub fn op(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }
}

impl Client {
    /// A client with the system clock. See [`Client::builder`] for hooks.
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        Client::builder(config).build()
    }

    /// Start building a client (inject a timer or a throttle hook).
    pub fn builder(config: ClientConfig) -> ClientBuilder {
        ClientBuilder {
            config,
            timer: Arc::new(SystemTimer),
            on_throttle: None,
        }
    }

    /// This clone with another `MS-CorrelationId` (e.g. one per customer),
    /// sharing everything else.
    pub fn with_correlation_id(&self, id: Uuid) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            correlation_id: id,
        }
    }

    /// The `MS-CorrelationId` this handle sends.
    pub fn correlation_id(&self) -> Uuid {
        self.correlation_id
    }

    /// Counters shared by all clones: tries, retries, 429s, token fetches.
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.snapshot()
    }

    /// `{api_root}/v1/{segments…}?{query}`, each segment percent-encoded.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Url, ApiError> {
        if let Some(bad) = segments
            .iter()
            .find(|s| matches!(s.trim(), "" | "." | ".."))
        {
            return Err(ApiError::invalid(format!("{bad:?} is not a valid id")));
        }
        let mut url = self.inner.endpoints.api_root.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| ApiError::config("api_url cannot be a base URL"))?;
            path.pop_if_empty().push("v1").extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// GET `url` and decode the body.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, ApiError> {
        self.get_with_headers(url, Vec::new()).await
    }

    pub(crate) async fn get_with_headers<T: DeserializeOwned>(
        &self,
        url: Url,
        extra_headers: Vec<(String, String)>,
    ) -> Result<T, ApiError> {
        let call = Call {
            method: Method::GET,
            url,
            kind: RequestKind::Read,
            request_id: Uuid::new_v4(),
            body: None,
            extra_headers,
        };
        let op = call.op();
        let reply = self.send(&call).await?;
        decode(&op, &reply)
    }

    /// POST/PATCH `body` as JSON with the caller's request id.
    pub(crate) fn write_call<B: serde::Serialize>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        request_id: Uuid,
    ) -> Result<Call, ApiError> {
        let body =
            match body {
                Some(b) => Some(serde_json::to_vec(b).map_err(|e| {
                    ApiError::invalid(format!("{method} {}: body: {e}", url.path()))
                })?),
                None => None,
            };
        Ok(Call {
            method,
            url,
            kind: RequestKind::KeyedWrite,
            request_id,
            body,
            extra_headers: Vec::new(),
        })
    }

    /// Send `call` with retries; `Ok` only for 2xx.
    pub(crate) async fn send(&self, call: &Call) -> Result<Reply, ApiError> {
        let inner = &self.inner;
        let op = call.op();
        let mut tries = 0u32;
        let mut renewed_after_401 = false;
        loop {
            tries += 1;
            let token = match self.access_token().await {
                Ok(t) => t,
                // Nothing of this call has reached the API yet.
                Err(e) if tries == 1 && e.class() == ErrorClass::Transient => {
                    return Err(ApiError::NotSent {
                        op,
                        message: format!("no access token: {e}"),
                    });
                }
                Err(e) => return Err(e),
            };
            Counters::bump(&inner.counters.tries);
            if tries > 1 {
                Counters::bump(&inner.counters.retries);
            }
            let (sent, epoch) = self.paced().await;
            let failure = match self.try_once(call, &op, token.expose()).await {
                Ok(reply) => {
                    inner.pacer.accepted(sent);
                    return Ok(reply);
                }
                Err(f) => f,
            };
            if failure.outcome == TryOutcome::Status(429) {
                let now = inner.timer.now();
                inner.pacer.throttled(epoch, now, failure.retry_after);
            } else {
                inner.pacer.accepted(sent);
            }
            if failure.outcome == TryOutcome::Status(401) && !renewed_after_401 {
                // The token may have expired in flight: renew once, resend.
                renewed_after_401 = true;
                inner.token.invalidate(&token).await;
                continue;
            }
            let delay = inner.config.retry.next_delay(
                call.kind,
                failure.outcome,
                tries,
                failure.retry_after,
            );
            let Some(delay) = delay else {
                return Err(failure.error);
            };
            tracing::debug!(%op, tries, ?delay, error = %failure.error, "retrying");
            inner.timer.sleep(delay).await;
        }
    }

    /// A valid access token: cached, or fetched (with retries) when missing
    /// or due for renewal.
    pub(crate) async fn access_token(&self) -> Result<Secret, ApiError> {
        let timer = &self.inner.timer;
        self.inner
            .token
            .get_or_fetch(|| timer.now(), async |rt| self.fetch_token(rt).await)
            .await
    }

    /// POST the token form, retried like a read; the reply is decoded
    /// without ever echoing it (it holds secrets).
    async fn fetch_token(&self, refresh_token: Option<&Secret>) -> Result<TokenResponse, ApiError> {
        let inner = &self.inner;
        let url = inner.endpoints.token.clone();
        let op = format!("POST {}", url.path());
        let form = token_form(&inner.config, &inner.endpoints.resource, refresh_token);
        let mut tries = 0u32;
        loop {
            tries += 1;
            Counters::bump(&inner.counters.token_fetches);
            let req = inner
                .http
                .post(url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form);
            let failure = match execute(req, &op, true, inner.timer.now()).await {
                Ok(reply) => return parse_token(&op, &reply.body),
                Err(f) => f,
            };
            self.note_throttle(&op, &failure);
            let delay = inner.config.retry.next_delay(
                RequestKind::Read,
                failure.outcome,
                tries,
                failure.retry_after,
            );
            let Some(delay) = delay else {
                return Err(failure.error);
            };
            tracing::debug!(%op, tries, ?delay, "retrying token request");
            inner.timer.sleep(delay).await;
        }
    }

    /// Wait for this client's send slot (see [`super::pace`]), taking a
    /// new one if the pace was cut while waiting; returns the send time
    /// and the slot's epoch.
    async fn paced(&self) -> (std::time::SystemTime, u64) {
        let inner = &self.inner;
        for _ in 0..4 {
            let (wait, epoch) = inner.pacer.reserve(inner.timer.now());
            if !wait.is_zero() {
                inner.timer.sleep(wait).await;
            }
            if wait.is_zero() || inner.pacer.current() == epoch {
                return (inner.timer.now(), epoch);
            }
        }
        (inner.timer.now(), inner.pacer.current())
    }

    async fn try_once(&self, call: &Call, op: &str, token: &str) -> Result<Reply, Failure> {
        let inner = &self.inner;
        let request_id = call.request_id.to_string();
        let mut req = inner
            .http
            .request(call.method.clone(), call.url.clone())
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(ACCEPT, "application/json")
            .header("MS-RequestId", &request_id)
            .header("MS-CorrelationId", self.correlation_id.to_string());
        for (k, v) in &call.extra_headers {
            if !k.eq_ignore_ascii_case("authorization") && !k.eq_ignore_ascii_case("host") {
                req = req.header(k.as_str(), v.as_str());
            }
        }
        if call.kind != RequestKind::Read {
            req = req.header(CONTENT_TYPE, "application/json");
            req = req.body(call.body.clone().unwrap_or_default());
        }
        let reply = execute(req, op, false, inner.timer.now()).await;
        tracing::debug!(%op, request_id, ok = reply.is_ok(), "partner center call");
        reply.inspect_err(|f| self.note_throttle(op, f))
    }

    pub(crate) fn note_throttle(&self, op: &str, f: &Failure) {
        if f.outcome != TryOutcome::Status(429) {
            return;
        }
        Counters::bump(&self.inner.counters.throttled);
        if let Some(hook) = &self.inner.on_throttle {
            hook(&Throttled {
                op: op.to_owned(),
                retry_after: f.retry_after,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Result<Client, ApiError> {
        use crate::api::{ClientConfig, Cloud, Credential, Secret};
        let config = ClientConfig::new(
            Cloud::Global,
            "t",
            "a",
            Credential::ClientSecret(Secret::new("x")),
        );
        Client::new(config)
    }

    #[test]
    fn ids_are_percent_encoded_and_dot_segments_refused() -> crate::TestResult {
        let c = client()?;
        let url = c.url(&["customers", "a/b c?d"], &[("order_id", "x&y")])?;
        assert_eq!(
            url.as_str(),
            "https://api.partnercenter.microsoft.com/v1/customers/a%2Fb%20c%3Fd?order_id=x%26y"
        );
        for bad in ["", "..", "."] {
            assert!(c.url(&["customers", bad], &[]).is_err(), "{bad:?}");
        }
        Ok(())
    }
}
