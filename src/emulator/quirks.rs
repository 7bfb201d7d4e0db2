//! Wire quirks recorded from the real service, switchable as fault keys
//! (`bom=1`, `nulllists=1`, `pascalpatch=1`), so tests can prove the client
//! reads them: a UTF-8 byte-order mark before every JSON body, `null`
//! instead of every empty list, and PATCH answers in PascalCase.
//!
//! Applied as one response layer over the API routes, after the handlers,
//! so no route needs to know about them.

use std::fmt;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::errors::EmulatorError;
use super::runtime::App;
use super::wire::pascal_value;

/// Which quirks are on (all off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quirks {
    /// A byte-order mark before every JSON body.
    #[serde(default)]
    pub bom: bool,
    /// `null` instead of every empty list.
    #[serde(default)]
    pub null_lists: bool,
    /// PATCH answers (200) with PascalCase member names.
    #[serde(default)]
    pub pascal_patch: bool,
}

impl Quirks {
    /// Set the quirk a fault key names; `None` if `key` is not a quirk.
    pub fn set(&mut self, key: &str, value: &str) -> Option<Result<(), EmulatorError>> {
        let slot = match key {
            "bom" => &mut self.bom,
            "nulllists" | "nulls" => &mut self.null_lists,
            "pascalpatch" | "pascal" => &mut self.pascal_patch,
            _ => return None,
        };
        Some(match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "on" => {
                *slot = true;
                Ok(())
            }
            "0" | "false" | "off" => {
                *slot = false;
                Ok(())
            }
            _ => Err(EmulatorError::Faults(format!(
                "`{key}={value}`: expected 1 or 0"
            ))),
        })
    }

    fn any(self) -> bool {
        self.bom || self.null_lists || self.pascal_patch
    }
}

impl fmt::Display for Quirks {
    /// `bom=1,nulllists=0,pascalpatch=0`: parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bom={},nulllists={},pascalpatch={}",
            u8::from(self.bom),
            u8::from(self.null_lists),
            u8::from(self.pascal_patch)
        )
    }
}

/// The response layer: rewrite JSON bodies as the switched-on quirks say.
pub async fn rewrite(State(app): State<App>, req: Request, next: Next) -> Response {
    let quirks = app.with(|rt| rt.faults.quirks);
    let patch = req.method() == Method::PATCH;
    let response = next.run(req).await;
    if !quirks.any() {
        return response;
    }
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !json {
        // Untouched, including the `drop` fault's body that never arrives.
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if quirks.null_lists {
        null_empty_lists(&mut value);
    }
    if quirks.pascal_patch && patch && parts.status.as_u16() == 200 {
        value = pascal_value(&value);
    }
    let mut out = if quirks.bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    out.extend_from_slice(value.to_string().as_bytes());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// Every empty list member becomes `null`, at any depth.
fn null_empty_lists(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                if v.as_array().is_some_and(Vec::is_empty) {
                    *v = Value::Null;
                } else {
                    null_empty_lists(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(null_empty_lists),
        _ => {}
    }
}
