//! A scripted Partner Center for the `api` tests: an axum server on
//! 127.0.0.1:0 that records every request and answers from a per-test
//! closure (wiremock style: "503 twice, then 200"). The token endpoint is
//! answered by the harness (tokens `tok-1`, `tok-2` …) unless scripted.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use csp_consolidate::api::{Client, ClientConfig, Credential, ManualTimer, RetryPolicy, Secret};

use super::emu::client_config;

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Path and query, as received.
    pub uri: String,
    pub path: String,
    /// Lower-cased header names.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Option<Duration>,
}

pub fn json(status: u16, body: &str) -> Resp {
    Resp {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_owned(),
        delay: None,
    }
}

impl Resp {
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
}

/// `(request, n)` → answer, where `n` counts earlier requests with the same
/// method and path (0 for the first).
pub type Script = Box<dyn Fn(&Req, usize) -> Resp + Send + Sync>;

struct Shared {
    log: Mutex<Vec<Req>>,
    api: Script,
    token: Option<Script>,
    token_expires_in: String,
}

pub struct Server {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far (token requests included).
    pub fn requests(&self) -> Vec<Req> {
        self.shared.log.lock().unwrap().clone()
    }

    /// API requests only (token endpoint excluded).
    pub fn api_requests(&self) -> Vec<Req> {
        self.requests()
            .into_iter()
            .filter(|r| !is_token(&r.path))
            .collect()
    }

    pub fn token_requests(&self) -> Vec<Req> {
        self.requests()
            .into_iter()
            .filter(|r| is_token(&r.path))
            .collect()
    }
}

fn is_token(path: &str) -> bool {
    path.ends_with("/oauth2/token")
}

pub struct ServerBuilder {
    api: Script,
    token: Option<Script>,
    token_expires_in: String,
}

pub fn server(api: impl Fn(&Req, usize) -> Resp + Send + Sync + 'static) -> ServerBuilder {
    ServerBuilder {
        api: Box::new(api),
        token: None,
        token_expires_in: "3599".into(),
    }
}

impl ServerBuilder {
    pub fn token(mut self, script: impl Fn(&Req, usize) -> Resp + Send + Sync + 'static) -> Self {
        self.token = Some(Box::new(script));
        self
    }

    pub fn token_expires_in(mut self, secs: &str) -> Self {
        self.token_expires_in = secs.to_owned();
        self
    }

    pub async fn start(self) -> Server {
        let shared = Arc::new(Shared {
            log: Mutex::new(Vec::new()),
            api: self.api,
            token: self.token,
            token_expires_in: self.token_expires_in,
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { addr, shared }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = Req {
        method: method.to_string(),
        uri: uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let resp = {
        let mut log = shared.log.lock().unwrap();
        let n = log
            .iter()
            .filter(|r| r.method == req.method && r.path == req.path)
            .count();
        log.push(req.clone());
        if is_token(&req.path) {
            match &shared.token {
                Some(script) => script(&req, n),
                None => default_token(n + 1, &shared.token_expires_in),
            }
        } else {
            (shared.api)(&req, n)
        }
    };
    if let Some(d) = resp.delay {
        tokio::time::sleep(d).await;
    }
    let mut map = HeaderMap::new();
    for (k, v) in &resp.headers {
        map.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    (StatusCode::from_u16(resp.status).unwrap(), map, resp.body).into_response()
}

fn default_token(n: usize, expires_in: &str) -> Resp {
    json(
        200,
        &format!(
            r#"{{"token_type":"Bearer","expires_in":"{expires_in}","ext_expires_in":"{expires_in}",
            "expires_on":"1767225600","not_before":"1767222000",
            "resource":"https://api.partnercenter.microsoft.com","access_token":"tok-{n}"}}"#
        ),
    )
}

pub const SECRET: &str = "s3cr3t-value-never-printed";

/// A config pointing both URLs at `server`, with fixed (unjittered) retries.
pub fn config(server: &Server) -> ClientConfig {
    let mut c = client_config(
        &server.base(),
        "partner.onmicrosoft.com",
        "app-id",
        Credential::ClientSecret(Secret::new(SECRET)),
    );
    c.retry = RetryPolicy {
        jitter: false,
        ..RetryPolicy::default()
    };
    c
}

/// A client on `server` with a fake timer starting 2025-06-30T12:00:00Z.
pub fn client(server: &Server) -> (Client, Arc<ManualTimer>) {
    client_with(config(server))
}

pub fn client_with(config: ClientConfig) -> (Client, Arc<ManualTimer>) {
    let timer = Arc::new(ManualTimer::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_751_284_800),
    ));
    (super::emu::client(config, timer.clone()), timer)
}
