//! One HTTP try and its classification, plus body decoding.
//!
//! Kept apart from `client.rs` so the rules "what counts as sent", "what a
//! non-2xx becomes" and "how a body is decoded (with its JSON path)" sit in
//! one small place shared by API calls and token requests.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::Value;

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
    let parsed = ErrorBody::parse(strip_bom(&body));
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
///
/// Three wire rules apply to every body before any type sees it (see
/// [`normalize`]): a UTF-8 byte-order mark is skipped, a member whose
/// value is `null` is read as absent, and a PascalCase member name is read
/// as its camelCase twin.
pub(crate) fn decode<T: DeserializeOwned>(op: &str, reply: &Reply) -> Result<T, ApiError> {
    let body = strip_bom(&reply.body);
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    let fail = |path: String, message: String| ApiError::Decode {
        op: op.to_owned(),
        status: reply.status,
        path,
        message,
        request_id: reply.request_id.clone(),
        body: truncate(&String::from_utf8_lossy(&reply.body), BODY_LIMIT),
    };
    let mut value: Value =
        serde_json::from_slice(body).map_err(|e| fail(String::new(), e.to_string()))?;
    normalize(&mut value);
    serde_path_to_error::deserialize(value)
        .map_err(|e| fail(e.path().to_string(), e.inner().to_string()))
}

/// The body without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// The decoding rules shared by every body, applied at any depth:
///
/// - a member whose value is `null` is removed. The service sends `null`
///   for any list (`customDomains`, `orderErrors`, `customizedData`,
///   `links.*.headers`, `suspensionReasons`, …) and for objects; every
///   modelled field is optional or defaulted, so "absent" is always the
///   right reading, and a field added later cannot forget the rule;
/// - a member name starting with an upper-case letter (`Id`, `OfferId`,
///   `Quantity`, `Status`: documented PATCH answers) is renamed to its
///   camelCase twin unless that twin is present too. Partner Center's
///   resources are camelCase, so this only ever rewrites quirk bodies.
pub(crate) fn normalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            let pascal: Vec<String> = map
                .keys()
                .filter(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
                .cloned()
                .collect();
            for key in pascal {
                let camel = camel_case(&key);
                if !map.contains_key(&camel)
                    && let Some(v) = map.remove(&key)
                {
                    map.insert(camel, v);
                }
            }
            map.values_mut().for_each(normalize);
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// `OfferId` → `offerId`; `ETag` → `eTag`.
fn camel_case(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
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
