//! Seek paging (customers, audit records): the first page comes from the
//! query, later pages from `seekOperation=Next` plus the
//! `MS-ContinuationToken` header the previous page's `links.next` named.
//! Tokens are opaque to clients (hex of `kind|offset|size|query`), so
//! the emulator stays stateless between pages, like a real cursor.

use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::emulator::errors::ApiError;

/// Where a page starts and what it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub offset: usize,
    pub size: usize,
    /// The original query (filter, dates), carried across pages.
    pub query: String,
}

pub fn encode(kind: &str, cursor: &Cursor) -> String {
    let raw = format!("{kind}|{}|{}|{}", cursor.offset, cursor.size, cursor.query);
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

pub fn decode(kind: &str, token: &str) -> Option<Cursor> {
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let raw = String::from_utf8(bytes?).ok()?;
    let mut parts = raw.splitn(4, '|');
    if parts.next()? != kind {
        return None;
    }
    Some(Cursor {
        offset: parts.next()?.parse().ok()?,
        size: parts.next()?.parse().ok()?,
        query: parts.next()?.to_owned(),
    })
}

/// The cursor for a `seekOperation=Next` request, from the header (or a
/// `continuationToken` query parameter, which some clients send).
/// The cursor of a `seekOperation=Next` request (token from the
/// `MS-ContinuationToken` header or the query), or `None` for a first page.
pub fn continued(
    kind: &str,
    query: &std::collections::HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Option<Cursor>, ApiError> {
    let next = query
        .get("seekOperation")
        .is_some_and(|s| s.eq_ignore_ascii_case("next"));
    if !next {
        return Ok(None);
    }
    next_cursor(
        kind,
        headers,
        query.get("continuationToken").map(String::as_str),
    )
    .map(Some)
}

pub fn next_cursor(
    kind: &str,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> Result<Cursor, ApiError> {
    let token = headers
        .get("ms-continuationtoken")
        .and_then(|v| v.to_str().ok())
        .or(query_token)
        .ok_or_else(|| {
            ApiError::invalid_input("seekOperation=Next needs the MS-ContinuationToken header")
        })?;
    decode(kind, token).ok_or_else(|| ApiError::invalid_input("The continuation token is invalid."))
}

/// A page size from `size`: 0 or absent → default; at most 500.
pub fn page_size(requested: Option<&str>, default: usize) -> Result<usize, ApiError> {
    match requested.map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(0) => Ok(default),
            Ok(n) => Ok(n.min(500)),
            Err(_) => Err(ApiError::invalid_input(format!(
                "size `{text}` is not a number"
            ))),
        },
    }
}

/// A seek collection for `items[offset..offset+size]` of `total` matches.
pub fn seek_page(
    kind: &str,
    path: &str,
    cursor: &Cursor,
    items: Vec<Value>,
    total: usize,
) -> Value {
    let size = cursor.size;
    let mut links =
        json!({"self": {"uri": format!("{path}?size={size}"), "method": "GET", "headers": []}});
    let end = cursor.offset.saturating_add(items.len());
    let mut body = json!({
        "totalCount": items.len(),
        "items": items,
        "attributes": {"objectType": "Collection"},
    });
    if end < total {
        let next = Cursor {
            offset: end,
            size,
            query: cursor.query.clone(),
        };
        let token = encode(kind, &next);
        links["next"] = json!({
            "uri": format!("{path}?size={size}&seekOperation=Next"),
            "method": "GET",
            "headers": [{"key": "MS-ContinuationToken", "value": token}],
        });
        body["continuationToken"] = json!(token);
    }
    body["links"] = links;
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = Cursor {
            offset: 40,
            size: 20,
            query: "{\"Field\":\"CompanyName\",\"Value\":\"a|b\"}".into(),
        };
        assert_eq!(
            decode("customers", &encode("customers", &c)),
            Some(c.clone())
        );
        assert_eq!(decode("audit", &encode("customers", &c)), None);
        assert_eq!(decode("customers", "zz"), None);
        assert_eq!(decode("customers", "abc"), None);
    }
}
