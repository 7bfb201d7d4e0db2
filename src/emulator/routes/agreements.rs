//! Microsoft Customer Agreement attestation: `GET /v1/agreements` (the
//! current template), `GET` and `POST /v1/customers/{cid}/agreements`.
//!
//! Attestations are per customer per partner (each tenant keeps its own
//! customers). A `POST` needs the signer's first and last name and email,
//! `dateAgreed`, the template id and `type`; a second attestation with the
//! same contact is refused with code 600061, as documented.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Caller;
use super::orders::buying_customer;
use super::subscriptions::caller_customer;
use crate::emulator::errors::{ApiError, ApiResult};
use crate::emulator::runtime::App;
use crate::emulator::state::AGREEMENT_TYPE;
use crate::emulator::wire;

/// The emulator's one Microsoft Customer Agreement template.
pub const TEMPLATE_ID: &str = "7a1c2d3e-0b4f-4a6d-9e8f-1c2b3a4d5e6f";

#[derive(Debug, Deserialize)]
pub struct TypeQuery {
    #[serde(rename = "agreementType")]
    agreement_type: Option<String>,
}

fn wanted(q: &TypeQuery, a: &Value) -> bool {
    q.agreement_type.as_deref().is_none_or(|t| {
        a.get("type")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(t))
    })
}

pub async fn templates(Query(q): Query<TypeQuery>) -> ApiResult {
    let template = json!({
        "templateId": TEMPLATE_ID,
        "agreementType": AGREEMENT_TYPE,
        "agreementLink": "https://aka.ms/customeragreement-emulated",
        "versionRank": 0,
        "attributes": {"objectType": "AgreementMetaData"},
    });
    let items = if q
        .agreement_type
        .as_deref()
        .is_none_or(|t| t.eq_ignore_ascii_case(AGREEMENT_TYPE))
    {
        vec![template]
    } else {
        Vec::new()
    };
    Ok(Json(wire::collection(items, "/v1/agreements")).into_response())
}

pub async fn list(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(cid): Path<String>,
    Query(q): Query<TypeQuery>,
) -> ApiResult {
    app.with(|rt| {
        let customer = caller_customer(rt, &caller, &cid)?;
        let items = customer
            .agreements
            .iter()
            .filter(|a| wanted(&q, a))
            .cloned()
            .collect();
        Ok(Json(wire::collection(
            items,
            &format!("/v1/customers/{}/agreements", customer.id),
        ))
        .into_response())
    })
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = v;
    for key in path {
        at = wire::field(at, key)?;
    }
    at.as_str().map(str::trim).filter(|s| !s.is_empty())
}

pub async fn create(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(cid): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body: Value = ApiError::json_body(&body)?;
    let need = |path: &[&str], name: &str| {
        text(&body, path)
            .map(str::to_owned)
            .ok_or_else(|| ApiError::invalid_input(format!("{name} is required")))
    };
    let first = need(&["primaryContact", "firstName"], "primaryContact.firstName")?;
    let last = need(&["primaryContact", "lastName"], "primaryContact.lastName")?;
    let email = need(&["primaryContact", "email"], "primaryContact.email")?;
    let date = need(&["dateAgreed"], "dateAgreed")?;
    let template = need(&["templateId"], "templateId")?;
    let kind = need(&["type"], "type")?;
    if !template.eq_ignore_ascii_case(TEMPLATE_ID) {
        return Err(ApiError::invalid_input(format!(
            "templateId {template} is not a current agreement template"
        )));
    }
    let agreement = json!({
        "primaryContact": {"firstName": first, "lastName": last, "email": email},
        "dateAgreed": date,
        "templateId": template,
        "type": kind,
        "agreementLink": "https://aka.ms/customeragreement-emulated",
        "attributes": {"objectType": "Agreement"},
    });
    app.with(|rt| {
        let tenant = rt
            .tenant_mut(&caller.tenant)
            .ok_or_else(ApiError::unauthorized)?;
        let customer_id = buying_customer(tenant, &cid)?;
        let customer = tenant
            .customer_mut(&customer_id)
            .ok_or_else(|| ApiError::customer_not_found(&cid))?;
        let same = customer.agreements.iter().any(|a| {
            text(a, &["type"]).is_some_and(|t| t.eq_ignore_ascii_case(&kind))
                && text(a, &["primaryContact", "email"])
                    .is_some_and(|e| e.eq_ignore_ascii_case(&email))
        });
        if same {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                600061,
                "A partner confirmed agreement already exists for the customer.",
            ));
        }
        customer.agreements.push(agreement.clone());
        Ok((StatusCode::CREATED, Json(agreement)).into_response())
    })
}
