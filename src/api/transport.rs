//! One HTTP try and its classification, plus body decoding.
//!
//! Kept apart from `client.rs` so the rules "what counts as sent", "what a
//! non-2xx becomes" and "how a body is decoded (with its JSON path)" sit in
//! one small place shared by API calls and token requests.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::error::{ApiError, BODY_LIMIT, ErrorBody, StatusError, truncate};
use super::retry::{TryOutcome, parse_retry_after};

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

/// Send one request and classify the result. `token_endpoint` marks
/// errors from Entra (always `Auth` unless transient).
pub(crate) async fn execute(
    req: reqwest::RequestBuilder,
    op: &str,
    token_endpoint: bool,
    now: SystemTime,
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
    fn empty_body_is_a_decode_error_not_a_panic() -> crate::TestResult {
        let err = decode::<Customer>("GET /x", &reply("")).unwrap_err();
        assert!(matches!(err, ApiError::Decode { .. }));
        let ok: Option<Customer> = decode("GET /x", &reply("  "))?;
        assert!(ok.is_none());
        Ok(())
    }
}
