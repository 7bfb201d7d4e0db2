//! `/_admin`: not Partner Center. Lets tests, the demo and benchmarks look
//! inside and steer the emulator while it runs:
//!
//! | route | what |
//! |---|---|
//! | `GET /_admin/state` | `{world, counters, faults, rateLimitPerMinute}` — everything |
//! | `GET /_admin/counters` | requests per tenant/route/customer, 429s, drops, replays |
//! | `GET /_admin/faults` | the current fault spec |
//! | `PUT`/`POST /_admin/faults` | set faults: a spec string body, or `{"spec": "…"}` |
//! | `PUT`/`POST /_admin/rate-limit` | `{"perMinute": N}` (0 = unlimited) |
//! | `POST /_admin/reset` | back to the starting world; counters cleared |
//! | `POST /_admin/save` | write the `--state` file now |

use std::path::Path;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::emulator::errors::EmulatorError;
use crate::emulator::faults::Faults;
use crate::emulator::runtime::{App, Counters};
use crate::emulator::state::World;

pub fn router() -> Router<App> {
    Router::new()
        .route("/state", get(state))
        .route("/counters", get(counters))
        .route("/faults", get(get_faults).put(set_faults).post(set_faults))
        .route("/rate-limit", get(get_rate).put(set_rate).post(set_rate))
        .route("/reset", post(reset))
        .route("/save", post(save_now))
}

async fn state(State(app): State<App>) -> Response {
    let body = app.with(|rt| {
        json!({
            "world": rt.world,
            "counters": rt.counters,
            "faults": rt.faults.to_string(),
            "rateLimitPerMinute": rt.limiter.per_minute(),
        })
    });
    axum::Json(body).into_response()
}

async fn counters(State(app): State<App>) -> Response {
    axum::Json(app.with(|rt| rt.counters.clone())).into_response()
}

async fn get_faults(State(app): State<App>) -> Response {
    let faults = app.with(|rt| rt.faults.clone());
    axum::Json(json!({"spec": faults.to_string(), "faults": faults})).into_response()
}

fn admin_error(status: StatusCode, message: String) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

async fn set_faults(State(app): State<App>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    let spec = match serde_json::from_str::<Value>(&text) {
        Ok(v) => v
            .get("spec")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_default(),
        Err(_) => text,
    };
    match Faults::parse(&spec) {
        Ok(faults) => {
            app.with(|rt| rt.set_faults(faults.clone()));
            axum::Json(json!({"spec": faults.to_string(), "faults": faults})).into_response()
        }
        Err(e) => admin_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn get_rate(State(app): State<App>) -> Response {
    axum::Json(json!({"perMinute": app.with(|rt| rt.limiter.per_minute())})).into_response()
}

async fn set_rate(State(app): State<App>, body: Bytes) -> Response {
    let value: Option<u32> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("perMinute").and_then(Value::as_u64))
        .and_then(|n| u32::try_from(n).ok());
    match value {
        Some(n) => {
            app.with(|rt| rt.limiter.set_per_minute(n));
            axum::Json(json!({"perMinute": n})).into_response()
        }
        None => admin_error(
            StatusCode::BAD_REQUEST,
            "expected {\"perMinute\": N}".into(),
        ),
    }
}

async fn reset(State(app): State<App>) -> Response {
    app.with(|rt| {
        rt.world = rt.initial.clone();
        rt.counters = Counters::default();
        rt.in_flight.clear();
    });
    axum::Json(json!({"reset": true})).into_response()
}

async fn save_now(State(app): State<App>) -> Response {
    match save(&app) {
        Ok(()) => axum::Json(json!({"saved": app.settings().state_path})).into_response(),
        Err(e) => admin_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::error_chain::chain(&e),
        ),
    }
}

/// Write the state file atomically ([`crate::fsio`]), if the emulator has one.
pub fn save(app: &App) -> Result<(), EmulatorError> {
    let Some(path) = app.settings().state_path.clone() else {
        return Ok(());
    };
    let world: World = app.with(|rt| rt.world.clone());
    write_state(&path, &world)
}

fn write_state(path: &Path, world: &World) -> Result<(), EmulatorError> {
    let err = |source: std::io::Error| EmulatorError::Write {
        path: path.to_owned(),
        source,
    };
    let bytes = serde_json::to_vec_pretty(world).map_err(|e| err(std::io::Error::other(e)))?;
    crate::fsio::write_bytes(path, &bytes).map_err(err)
}
