//! Errors of the emulator, two kinds:
//!
//! - [`EmulatorError`]: the emulator itself could not start or save (bad
//!   seed, unreadable state file, port in use). Carries the file and, for
//!   JSON, the line and column, so a person can fix a seed by hand.
//! - [`ApiError`]: a Partner Center business or protocol error sent to a
//!   client, rendered in the documented ApiFault shape
//!   `{code, description, data:[], source:"PartnerFD"}` (or the throttling
//!   shape for 429), so clients are exercised against real-looking faults.

use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The emulator could not start, load or save.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("{path}: cannot read")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `origin` names where the text came from: a file, or a description
    /// (`demo world`) for text made in memory.
    #[error("{origin}: line {line}, column {column}: {message}")]
    Json {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}: {message}")]
    Seed { origin: String, message: String },
    #[error("{path}: cannot write state")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("fault spec: {0}")]
    Faults(String),
}

/// A Partner Center error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub description: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: i64, description: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            description: description.into(),
        }
    }

    pub fn bad_request(code: i64, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, description)
    }

    /// 400 800002, "Invalid request input": malformed JSON, missing fields.
    pub fn invalid_input(description: impl Into<String>) -> Self {
        Self::bad_request(800002, description)
    }

    /// A request body parsed as JSON, or 400 800002.
    pub fn json_body(body: &[u8]) -> Result<serde_json::Value, Self> {
        serde_json::from_slice(body)
            .map_err(|e| Self::invalid_input(format!("The request body is not valid JSON: {e}")))
    }

    /// 403 20002: the partner has no reseller relationship with the customer.
    pub fn no_relationship(customer: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            20002,
            format!("The partner does not have a commerce relationship with customer {customer}."),
        )
    }

    /// 404 for a customer the partner cannot see.
    pub fn customer_not_found(customer: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            20001,
            format!("Customer {customer} was not found."),
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            401,
            "Authorization failed: the bearer token is missing, unknown or expired.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.code,
            "description": self.description,
            "data": [],
            "source": "PartnerFD",
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The documented 429 response: its own body shape and `Retry-After`.
pub fn throttled(retry_after_secs: u64) -> Response {
    let body = json!({
        "statusCode": 429,
        "message": format!("Rate limit is exceeded. Try again in {retry_after_secs} seconds."),
    });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// Result type of the Partner Center route handlers.
pub type ApiResult = Result<Response, ApiError>;
