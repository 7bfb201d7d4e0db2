//! The response layer that puts the switched-on wire quirks (see
//! `emulator/quirks.rs`) on every JSON answer of the API routes: a
//! byte-order mark, `null` for empty lists, PascalCase PATCH answers.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::emulator::runtime::App;
use crate::emulator::wire::pascal_value;

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
