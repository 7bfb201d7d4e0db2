//! The gate every `/v1` request passes, in this order:
//!
//! 1. authenticate the bearer token → the partner tenant (401 otherwise);
//! 2. count the request; take a rate-limit token (429 + `Retry-After`);
//! 3. apply 202-accepted PATCHes that are due;
//! 4. injected faults that happen *before* any effect: 429, 5xx — for
//!    replays too, as on the service, where a retry meets the same
//!    throttling as a first try;
//! 5. for writes carrying `MS-RequestId`: replay the stored first
//!    response verbatim, or 409 800060 if that request is still in flight;
//! 6. the `late` fault: the connection is closed at once, and the write
//!    runs detached after `latedelay` (in flight meanwhile), its response
//!    stored for replays — a request that commits after its client gave up;
//! 7. added latency (outside the lock, after marking the request in flight,
//!    so a replay arriving meanwhile sees it in flight);
//! 8. the handler; the response of a keyed write is stored for replays;
//! 9. the `drop` fault: the write has committed, but the connection is
//!    closed before the response head is sent. A client sees what a real
//!    network loss looks like: a connection error, not an HTTP status.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::Caller;
use crate::emulator::errors::{ApiError, throttled};
use crate::emulator::runtime::{App, Runtime};
use crate::emulator::state::StoredResponse;

/// What `admit` decided.
enum Admit {
    Respond(Response),
    Proceed(Plan),
}

struct Plan {
    latency_ms: u64,
    drop: bool,
    /// Commit this late, after the connection is dropped.
    late_ms: Option<u64>,
    accept_202: bool,
    lag_ms: u64,
    patch_delay_ms: u64,
}

pub async fn gate(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| path.clone(), |m| m.as_str().to_owned());
    let headers = req.headers();
    let request_id = header(headers, "ms-requestid");
    let correlation_id =
        header(headers, "ms-correlationid").unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let echo_id = request_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let token = bearer(headers);
    let now = Utc::now();
    let Some(tenant) = app.with(|rt| authenticate(rt, token.as_deref(), now)) else {
        return echo(
            ApiError::unauthorized().into_response(),
            &echo_id,
            &correlation_id,
        );
    };
    let is_write = method != Method::GET && method != Method::HEAD;
    let key = request_id
        .as_ref()
        .filter(|_| is_write)
        .map(|rid| format!("{method} {path} {rid}"));
    let plan = app.with(|rt| admit(rt, &tenant, &method, &route, &path, key.as_deref()));
    let plan = match plan {
        Admit::Respond(resp) => return echo(resp, &echo_id, &correlation_id),
        Admit::Proceed(plan) => plan,
    };
    let guard = key.as_ref().map(|k| InFlight {
        app: app.clone(),
        key: (tenant.clone(), k.clone()),
    });
    if let Some(delay) = plan.late_ms {
        app.with(|rt| rt.counters_for(&tenant).late_commits += 1);
        req.extensions_mut().insert(Caller {
            tenant: tenant.clone(),
            correlation_id: correlation_id.clone(),
            accept_202: plan.accept_202,
            lag_ms: plan.lag_ms,
            patch_delay_ms: plan.patch_delay_ms,
        });
        let app = app.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
            let response = echo(next.run(req).await, &echo_id, &correlation_id);
            if let Some(k) = &key {
                store(&app, &tenant, k, response).await;
            }
            drop(guard);
        });
        return lost_response();
    }
    if plan.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(plan.latency_ms)).await;
    }
    req.extensions_mut().insert(Caller {
        tenant: tenant.clone(),
        correlation_id: correlation_id.clone(),
        accept_202: plan.accept_202,
        lag_ms: plan.lag_ms,
        patch_delay_ms: plan.patch_delay_ms,
    });
    let response = echo(next.run(req).await, &echo_id, &correlation_id);
    let response = match &key {
        Some(k) => store(&app, &tenant, k, response).await,
        None => response,
    };
    drop(guard);
    if plan.drop && is_write {
        app.with(|rt| rt.counters_for(&tenant).dropped += 1);
        return lost_response();
    }
    response
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = header(headers, "authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn authenticate(rt: &Runtime, token: Option<&str>, now: chrono::DateTime<Utc>) -> Option<String> {
    let issued = rt.tokens.get(token?)?;
    (issued.expires > now).then(|| issued.tenant.clone())
}

/// Steps 2–6 decided under one lock.
fn admit(
    rt: &mut Runtime,
    tenant: &str,
    method: &Method,
    route: &str,
    path: &str,
    key: Option<&str>,
) -> Admit {
    let now = Utc::now();
    count(rt, tenant, method, route, path, now);
    if let Err(wait) = rt.limiter.take(tenant, std::time::Instant::now()) {
        rt.counters_for(tenant).throttled += 1;
        return Admit::Respond(throttled(wait));
    }
    rt.apply_due(tenant, now);
    let faults = rt.faults.clone();
    let is_write = method != Method::GET && method != Method::HEAD;
    let in_scope = faults.only.covers(is_write);
    if in_scope && rt.dice.roll(faults.throttle) {
        let c = rt.counters_for(tenant);
        c.throttled += 1;
        c.injected_429 += 1;
        return Admit::Respond(throttled(faults.retry_after_secs));
    }
    if in_scope && rt.dice.roll(faults.server_error) {
        rt.counters_for(tenant).injected_5xx += 1;
        let fault = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            503,
            "The service is temporarily unavailable. Please retry.",
        );
        return Admit::Respond(fault.into_response());
    }
    if let Some(key) = key {
        let stored = rt.tenant(tenant).and_then(|t| t.replays.get(key).cloned());
        if let Some(stored) = stored {
            rt.counters_for(tenant).replays += 1;
            return Admit::Respond(replay(&stored));
        }
        if rt.in_flight.contains(&(tenant.to_owned(), key.to_owned())) {
            rt.counters_for(tenant).in_flight_conflicts += 1;
            return Admit::Respond(
                ApiError::new(
                    StatusCode::CONFLICT,
                    800060,
                    "An order with this request id is already in progress. Check the order history before retrying.",
                )
                .into_response(),
            );
        }
    }
    if let Some(key) = key {
        rt.in_flight.insert((tenant.to_owned(), key.to_owned()));
    }
    let late = is_write && rt.dice.roll(faults.late);
    Admit::Proceed(Plan {
        latency_ms: if in_scope { faults.latency_ms } else { 0 },
        drop: is_write && !late && rt.dice.roll(faults.drop),
        late_ms: late.then_some(faults.late_delay_ms),
        accept_202: method == Method::PATCH && rt.dice.roll(faults.patch202),
        lag_ms: faults.lag_ms,
        patch_delay_ms: faults.patch_delay_ms,
    })
}

fn count(
    rt: &mut Runtime,
    tenant: &str,
    method: &Method,
    route: &str,
    path: &str,
    now: chrono::DateTime<Utc>,
) {
    let c = rt.counters_for(tenant);
    c.requests += 1;
    *c.by_route.entry(format!("{method} {route}")).or_default() += 1;
    let mut segments = path.trim_start_matches('/').split('/');
    if let (Some("v1"), Some("customers"), Some(id)) =
        (segments.next(), segments.next(), segments.next())
        && id != "relationshiprequests"
        && !id.is_empty()
    {
        *c.by_customer.entry(id.to_ascii_lowercase()).or_default() += 1;
    }
    c.first_request.get_or_insert(now);
    c.last_request = Some(now);
}

/// Echo the request and correlation ids, add the server ids.
fn echo(mut response: Response, request_id: &str, correlation_id: &str) -> Response {
    let h = response.headers_mut();
    for (name, value) in [
        ("ms-requestid", request_id),
        ("ms-correlationid", correlation_id),
        ("ms-cv", "emulator.1"),
        ("ms-serverid", "csp-consolidate-emulator"),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    response
}

/// Buffer a keyed write's response, store it, and send it on.
async fn store(app: &App, tenant: &str, key: &str, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    app.with(|rt| {
        if let Some(t) = rt.tenant_mut(tenant) {
            t.replays.insert(key.to_owned(), stored);
        }
    });
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(stored: &StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body.clone()).into_response();
    let h = response.headers_mut();
    h.clear();
    for (k, v) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.append(name, value);
        }
    }
    response
}

/// Removes the in-flight mark however the request ends (even if the
/// client disconnects mid-latency and the future is dropped).
struct InFlight {
    app: App,
    key: (String, String),
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.app.with(|rt| rt.in_flight.remove(&self.key));
    }
}

/// A body whose first poll fails: hyper then closes the connection
/// without flushing the response head, so the client sees the
/// connection drop after its request was committed.
struct Lost;

impl HttpBody for Lost {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "emulated lost response",
        ))))
    }
}

fn lost_response() -> Response {
    Response::new(Body::new(Lost))
}
