//! `ApiError`: every way a Partner Center call can fail, classified by the
//! one question the push engine must answer: *could this request have been
//! applied?* (see [`ErrorClass`]).
//!
//! Error bodies come in several shapes (ApiFault `{code, description}` with a
//! string or numeric code, a bare `{"message"}`, the 429 `{statusCode,
//! message}`, Entra's `{error, error_description}`), so they are parsed
//! leniently from a `serde_json::Value`; a body that is not JSON is kept as
//! text. Bodies are truncated; secrets never reach an error (token requests
//! are described by their URL only, and the form body is never echoed).

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// How much of a response body an error keeps.
pub const BODY_LIMIT: usize = 2048;

/// Whether a failed request may have been applied, and so what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Never reached the server (connect/DNS failure). Safe to retry any
    /// request, writes included.
    NotSent,
    /// May have been applied (408, 429, 5xx, timeout or lost response after
    /// sending, unreadable 2xx, a 202 that never showed, 409 800060/800064
    /// "already in progress"). Retry reads; retry writes only with the SAME
    /// `MS-RequestId`, or settle them by lookup.
    Transient,
    /// The service refused it (other 4xx business errors). Not applied;
    /// never retry: record and continue.
    Rejected,
    /// Credentials or token refused (401, 403 without a service code,
    /// Entra token errors). Stop: nothing will work until config changes.
    Auth,
    /// Refused locally before sending (bad configuration, a date window the
    /// API would reject, a link to a foreign host). Not applied.
    Invalid,
}

/// A non-2xx HTTP response, with everything support needs to trace it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusError {
    /// `METHOD /path` of the request (no query, no secrets).
    pub op: String,
    pub status: u16,
    /// The service error code (`800002`, `"invalid_grant"` …) as text.
    pub code: Option<String>,
    pub description: Option<String>,
    /// `MS-RequestId` of the response, else the one we sent.
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
    /// `Retry-After` of the response, when it had a usable one.
    pub retry_after: Option<Duration>,
    /// The body, truncated to [`BODY_LIMIT`] bytes.
    pub body: String,
    /// True when the token endpoint answered (always [`ErrorClass::Auth`]).
    pub token_endpoint: bool,
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.op, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " code {code}")?;
        }
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (MS-RequestId {id}")?;
            if let Some(c) = &self.correlation_id {
                write!(f, ", MS-CorrelationId {c}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl StatusError {
    fn class(&self) -> ErrorClass {
        if self.token_endpoint {
            return if self.status == 429 || self.status >= 500 || self.status == 408 {
                ErrorClass::Transient
            } else {
                ErrorClass::Auth
            };
        }
        match self.status {
            401 => ErrorClass::Auth,
            403 if self.code.is_none() => ErrorClass::Auth,
            408 | 429 | 500..=599 => ErrorClass::Transient,
            // 800060: this very request id is still being processed;
            // 800064: another request is checking the cart out. Either may
            // end in a purchase, so the caller must settle, not give up.
            409 if matches!(self.code.as_deref(), Some("800060" | "800064")) => {
                ErrorClass::Transient
            }
            _ => ErrorClass::Rejected,
        }
    }
}

/// Every failure of the Partner Center client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client configuration is unusable (URL, scheme, missing secret).
    #[error("Partner Center client configuration: {0}")]
    Config(String),
    /// A request argument the API would reject (checked before sending).
    #[error("invalid Partner Center request: {0}")]
    Invalid(String),
    /// Could not connect: the request was never sent.
    #[error("{op}: could not connect: {message}")]
    NotSent { op: String, message: String },
    /// Sent, but no (complete) response: timeout, connection reset.
    #[error("{op}: no response ({message}); the request may have been applied")]
    NoResponse { op: String, message: String },
    /// The service answered with a non-2xx status.
    #[error("{0}")]
    Status(Box<StatusError>),
    /// A 2xx body that does not decode; `path` is the JSON path.
    #[error("{op}: unreadable response at {path}: {message}")]
    Decode {
        op: String,
        status: u16,
        path: String,
        message: String,
        request_id: Option<String>,
        body: String,
    },
    /// A PATCH answered 202 and the change had not shown when polling stopped.
    #[error("{op}: accepted (202) but not visible at {location} after {polls} polls")]
    StillPending {
        op: String,
        location: String,
        polls: u32,
    },
    /// Paging went wrong (a repeated continuation token, a foreign link).
    #[error("{op}: paging: {message}")]
    Paging { op: String, message: String },
}

impl ApiError {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        ApiError::Config(message.into())
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ApiError::Invalid(message.into())
    }

    /// Whether the request may have been applied, and what to do about it.
    pub fn class(&self) -> ErrorClass {
        match self {
            ApiError::Config(_) | ApiError::Invalid(_) => ErrorClass::Invalid,
            ApiError::NotSent { .. } => ErrorClass::NotSent,
            ApiError::NoResponse { .. } | ApiError::Decode { .. } => ErrorClass::Transient,
            ApiError::StillPending { .. } => ErrorClass::Transient,
            ApiError::Status(s) => s.class(),
            ApiError::Paging { .. } => ErrorClass::Invalid,
        }
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status(s) => Some(s.status),
            ApiError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The service error code (`"800060"`, `"invalid_grant"`), if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status(s) => s.code.as_deref(),
            _ => None,
        }
    }

    /// The `MS-RequestId` the service reported (or we sent), if known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Status(s) => s.request_id.as_deref(),
            ApiError::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The status error details, when the service answered non-2xx.
    pub fn status_error(&self) -> Option<&StatusError> {
        match self {
            ApiError::Status(s) => Some(s),
            _ => None,
        }
    }
}

/// Code and description pulled out of an error body of any known shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub description: Option<String>,
}

impl ErrorBody {
    /// Parse any documented error shape; never fails.
    pub fn parse(body: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Self::from_object(&map),
            Ok(Value::String(s)) => ErrorBody {
                code: None,
                description: non_empty(&s),
            },
            _ => ErrorBody {
                code: None,
                description: non_empty(&truncate(&String::from_utf8_lossy(body), 300)),
            },
        }
    }

    fn from_object(map: &serde_json::Map<String, Value>) -> Self {
        // Azure-style nesting: {"error": {"code", "message"}}.
        if let Some(Value::Object(inner)) = get_ci(map, "error") {
            return Self::from_object(inner);
        }
        let code = ["code", "errorCode", "error"]
            .iter()
            .find_map(|k| get_ci(map, k).and_then(scalar_text));
        let description = [
            "description",
            "error_description",
            "message",
            "errorDescription",
        ]
        .iter()
        .find_map(|k| get_ci(map, k).and_then(scalar_text));
        ErrorBody { code, description }
    }
}

/// Case-insensitive key lookup (bodies use `Message` and `message`).
fn get_ci<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A string or number as text; empty strings and other types give `None`.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// At most `limit` bytes of `s`, cut on a character boundary, with `…`.
pub fn truncate(s: &str, limit: usize) -> String {
    if s.len() <= limit {
        return s.to_owned();
    }
    let mut end = limit;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = s.get(..end).unwrap_or_default().to_owned();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, body: &str, token: bool) -> ApiError {
        let parsed = ErrorBody::parse(body.as_bytes());
        ApiError::Status(Box::new(StatusError {
            op: "GET /v1/x".into(),
            status,
            code: parsed.code,
            description: parsed.description,
            request_id: Some("rid".into()),
            correlation_id: None,
            retry_after: None,
            body: truncate(body, BODY_LIMIT),
            token_endpoint: token,
        }))
    }

    #[test]
    fn parses_every_documented_shape() {
        let cases = [
            (
                r#"{"code":800002,"description":"Invalid request input","data":[],"source":"PartnerFD"}"#,
                Some("800002"),
                Some("Invalid request input"),
            ),
            (
                r#"{"code":"20003","description":"Subscription not found"}"#,
                Some("20003"),
                Some("Subscription not found"),
            ),
            (
                r#"{"message":"The request is invalid."}"#,
                None,
                Some("The request is invalid."),
            ),
            (
                r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 30 seconds."}"#,
                None,
                Some("Rate limit is exceeded. Try again in 30 seconds."),
            ),
            (
                r#"{"error":"invalid_grant","error_description":"AADSTS70000: bad","error_codes":[70000]}"#,
                Some("invalid_grant"),
                Some("AADSTS70000: bad"),
            ),
            (
                r#"{"error":{"code":"Throttled","message":"slow down"}}"#,
                Some("Throttled"),
                Some("slow down"),
            ),
            (
                "<html>Bad gateway</html>",
                None,
                Some("<html>Bad gateway</html>"),
            ),
            ("", None, None),
        ];
        for (body, code, desc) in cases {
            let b = ErrorBody::parse(body.as_bytes());
            assert_eq!(b.code.as_deref(), code, "{body}");
            assert_eq!(b.description.as_deref(), desc, "{body}");
        }
    }

    #[test]
    fn classification_by_status_and_code() {
        let cases = [
            (400, r#"{"code":800002}"#, false, ErrorClass::Rejected),
            (404, r#"{"code":20003}"#, false, ErrorClass::Rejected),
            (409, r#"{"code":800060}"#, false, ErrorClass::Transient),
            (409, r#"{"code":800064}"#, false, ErrorClass::Transient),
            (409, r#"{"code":800002}"#, false, ErrorClass::Rejected),
            (
                403,
                r#"{"code":20002,"description":"no relationship"}"#,
                false,
                ErrorClass::Rejected,
            ),
            (403, "", false, ErrorClass::Auth),
            (401, r#"{"code":900}"#, false, ErrorClass::Auth),
            (408, "", false, ErrorClass::Transient),
            (
                429,
                r#"{"statusCode":429,"message":"x"}"#,
                false,
                ErrorClass::Transient,
            ),
            (500, "", false, ErrorClass::Transient),
            (503, "", false, ErrorClass::Transient),
            (400, r#"{"error":"invalid_grant"}"#, true, ErrorClass::Auth),
            (401, r#"{"error":"invalid_client"}"#, true, ErrorClass::Auth),
            (503, "", true, ErrorClass::Transient),
        ];
        for (code, body, token, want) in cases {
            assert_eq!(status(code, body, token).class(), want, "{code} {body}");
        }
    }

    #[test]
    fn display_carries_ids_and_code() {
        let e = status(409, r#"{"code":800060,"description":"in progress"}"#, false);
        let s = e.to_string();
        assert!(
            s.contains("409") && s.contains("800060") && s.contains("rid"),
            "{s}"
        );
        assert_eq!(e.code(), Some("800060"));
        assert_eq!(e.request_id(), Some("rid"));
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let s = "ééééé"; // 2 bytes each
        assert_eq!(truncate(s, 3), "é…");
        assert_eq!(truncate(s, 100), s);
        let long = "x".repeat(5000);
        assert!(truncate(&long, BODY_LIMIT).len() <= BODY_LIMIT + 3);
    }
}
