//! `POST /{tenant}/oauth2/token`: the Entra ID v1 token endpoint, enough
//! of it for client credentials and refresh-token (App+User) grants.
//! Credentials come from the seed; responses carry numbers as strings like
//! the real v1 endpoint, and `expires_in` is configurable so clients are
//! made to renew. Errors use the Entra shape (`error`, `AADSTS…`).

use std::collections::HashMap;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde_json::json;

use crate::emulator::runtime::{App, Runtime, Token};

const RESOURCE: &str = "https://api.partnercenter.microsoft.com";

pub async fn token(
    State(app): State<App>,
    Path(tenant): Path<String>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must be application/x-www-form-urlencoded.",
        );
    };
    let ttl = app.settings().token_ttl_secs;
    app.with(|rt| match check(rt, &tenant, &form) {
        Ok(name) => issue(rt, &name, &form, ttl),
        Err(response) => *response,
    })
}

/// The tenant's name when the form's credentials are good.
fn check(
    rt: &Runtime,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Result<String, Box<Response>> {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let (grant, client_id) = (get("grant_type"), get("client_id"));
    let Some(t) = rt.world.tenants.iter().find(|t| t.answers_to(tenant)) else {
        return Err(Box::new(entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        )));
    };
    let Some(cred) = t.credentials.iter().find(|c| c.client_id == client_id) else {
        return Err(Box::new(entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        )));
    };
    let ok = match grant {
        "client_credentials" => cred.client_secret.as_deref() == Some(get("client_secret")),
        "refresh_token" => cred.refresh_token.as_deref() == Some(get("refresh_token")),
        _ => {
            return Err(Box::new(entra_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                "The grant type is not supported.",
            )));
        }
    };
    if ok {
        return Ok(t.name.clone());
    }
    let (code, text) = if grant == "refresh_token" {
        (
            "invalid_grant",
            "AADSTS70000: The refresh token is invalid or expired.",
        )
    } else {
        (
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        )
    };
    Err(Box::new(entra_error(
        StatusCode::UNAUTHORIZED,
        code,
        7000215,
        text,
    )))
}

/// Record a new access token and answer in the v1 shape.
fn issue(rt: &mut Runtime, name: &str, form: &HashMap<String, String>, ttl: u64) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let now = Utc::now();
    let expires = now + Duration::seconds(i64::try_from(ttl).unwrap_or(3600));
    let access = format!("emu.{}", uuid::Uuid::new_v4().simple());
    let token = Token {
        tenant: name.to_owned(),
        expires,
    };
    rt.tokens.insert(access.clone(), token);
    rt.counters_for(name).tokens_issued += 1;
    let resource = match get("resource") {
        "" => RESOURCE,
        r => r,
    };
    let mut body = json!({
        "token_type": "Bearer",
        "scope": "user_impersonation",
        "expires_in": ttl.to_string(),
        "ext_expires_in": ttl.to_string(),
        "expires_on": expires.timestamp().to_string(),
        "not_before": now.timestamp().to_string(),
        "resource": resource,
        "access_token": access,
    });
    if get("grant_type") == "refresh_token" {
        body["refresh_token"] = json!(get("refresh_token"));
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn entra_error(status: StatusCode, error: &str, code: u64, description: &str) -> Response {
    let body = json!({
        "error": error,
        "error_description": if description.starts_with("AADSTS") { description.to_owned() } else { format!("AADSTS{code}: {description}") },
        "error_codes": [code],
        "timestamp": Utc::now().to_rfc3339(),
        "trace_id": uuid::Uuid::new_v4().to_string(),
        "correlation_id": uuid::Uuid::new_v4().to_string(),
    });
    (status, axum::Json(body)).into_response()
}
