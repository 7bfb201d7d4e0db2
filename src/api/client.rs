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

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::auth::TokenCache;
use super::config::{ClientConfig, Endpoints};
use super::error::{ApiError, BODY_LIMIT, ErrorBody, StatusError, truncate};
use super::retry::{
    ClientStats, Counters, RequestKind, SystemTimer, Throttled, Timer, TryOutcome,
    parse_retry_after,
};

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
            }),
            correlation_id: Uuid::new_v4(),
        })
    }
}

/// A successful (2xx) response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub request_id: Option<String>,
    pub body: Vec<u8>,
}

/// One failed try: what the retry policy needs, and the error to return.
pub(crate) struct Failure {
    pub outcome: TryOutcome,
    pub retry_after: Option<Duration>,
    pub error: ApiError,
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
            Counters::bump(&inner.counters.tries);
            if tries > 1 {
                Counters::bump(&inner.counters.retries);
            }
            let token = self.access_token().await?;
            let failure = match self.try_once(call, &op, token.expose()).await {
                Ok(reply) => return Ok(reply),
                Err(f) => f,
            };
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

/// Send one request and classify the result. `token_endpoint` marks
/// errors from Entra (always `Auth` unless transient).
pub(crate) async fn execute(
    req: reqwest::RequestBuilder,
    op: &str,
    token_endpoint: bool,
    now: std::time::SystemTime,
) -> Result<Reply, Failure> {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return Err(transport_failure(op, &e)),
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = match resp.bytes().await {
        Ok(b) => b.to_vec(),
        Err(e) => return Err(transport_failure(op, &e)),
    };
    let request_id = header(&headers, "MS-RequestId");
    if (200..300).contains(&status) {
        return Ok(Reply {
            status,
            location: header(&headers, LOCATION.as_str()),
            request_id,
            body,
        });
    }
    let retry_after =
        header(&headers, RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(&v, now));
    let parsed = ErrorBody::parse(&body);
    let error = StatusError {
        op: op.to_owned(),
        status,
        code: parsed.code,
        description: parsed.description,
        request_id,
        correlation_id: header(&headers, "MS-CorrelationId"),
        retry_after,
        body: truncate(&String::from_utf8_lossy(&body), BODY_LIMIT),
        token_endpoint,
    };
    Err(Failure {
        outcome: TryOutcome::Status(status),
        retry_after,
        error: ApiError::Status(Box::new(error)),
    })
}

fn transport_failure(op: &str, e: &reqwest::Error) -> Failure {
    let message = describe(e);
    if e.is_connect() {
        Failure {
            outcome: TryOutcome::NotSent,
            retry_after: None,
            error: ApiError::NotSent {
                op: op.to_owned(),
                message,
            },
        }
    } else {
        Failure {
            outcome: TryOutcome::NoResponse,
            retry_after: None,
            error: ApiError::NoResponse {
                op: op.to_owned(),
                message,
            },
        }
    }
}

/// An error and its sources on one line (reqwest hides the cause).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Decode a 2xx body; errors name the JSON path.
pub(crate) fn decode<T: DeserializeOwned>(op: &str, reply: &Reply) -> Result<T, ApiError> {
    let body: &[u8] = if reply.body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &reply.body
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| ApiError::Decode {
        op: op.to_owned(),
        status: reply.status,
        path: e.path().to_string(),
        message: e.inner().to_string(),
        request_id: reply.request_id.clone(),
        body: truncate(&String::from_utf8_lossy(&reply.body), BODY_LIMIT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::paging::Collection;
    use crate::api::types::{Customer, Subscription};

    fn reply(body: &str) -> Reply {
        Reply {
            status: 200,
            location: None,
            request_id: Some("r1".into()),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn decode_errors_name_the_json_path() {
        let body = r#"{"items":[{"id":"c1"},{"id":"c2","companyProfile":{"companyName":7}}]}"#;
        let err = decode::<Collection<Customer>>("GET /v1/customers", &reply(body)).unwrap_err();
        let ApiError::Decode { path, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "items[1].companyProfile.companyName");
        assert!(
            err.to_string()
                .contains("items[1].companyProfile.companyName")
        );
    }

    #[test]
    fn decode_path_inside_subscription_with_extra_fields() {
        let body = r#"{"id":"s1","someNewField":{"a":1},"quantity":"many"}"#;
        let err = decode::<Subscription>("GET /x", &reply(body)).unwrap_err();
        let ApiError::Decode { path, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "quantity");
    }

    #[test]
    fn empty_body_is_a_decode_error_not_a_panic() {
        let err = decode::<Customer>("GET /x", &reply("")).unwrap_err();
        assert!(matches!(err, ApiError::Decode { .. }));
        let ok: Option<Customer> = decode("GET /x", &reply("  ")).unwrap();
        assert!(ok.is_none());
    }
}
