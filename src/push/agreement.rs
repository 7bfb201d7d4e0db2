//! The Microsoft Customer Agreement prerequisite of a purchase.
//!
//! Why: Partner Center refuses a purchase (403, code 13605) until the
//! buying partner has attested that the customer accepted the Microsoft
//! Customer Agreement. Push then either attests it with the details the
//! user configured (`[attestation]`, when enabled) and tries once more, or
//! reports the customer's rows as waiting with the reason, for a later run.

use serde_json::json;
use uuid::Uuid;

use super::crash::{self, Point};
use super::journal::{EntryState, Journal, JournalError, RowOutcome};
use super::outcomes::row;
use super::port::{Attestation, BuyLine, CallError, PartnerApi};
use crate::model::Outcome;

/// "The customer's Microsoft Customer Agreement is not attested."
pub const AGREEMENT_MISSING: &str = "13605";

/// Why the purchase cannot go ahead now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The rows wait, for this reason.
    Wait(String),
    /// The destination refused our credentials: stop the run.
    Auth(String),
}

/// After a purchase was refused with [`AGREEMENT_MISSING`]: attest when
/// allowed and not tried yet. `Ok(())`: attested, try again.
///
/// # Errors
/// [`Refusal`]: wait (with the reason) or stop.
pub async fn after_refusal<A: PartnerApi>(
    api: &A,
    customer_id: &str,
    attestation: Option<&Attestation>,
    already_tried: bool,
) -> Result<(), Refusal> {
    let Some(details) = attestation else {
        return Err(Refusal::Wait(
            "the customer's acceptance of the Microsoft Customer Agreement is not attested: \
             attest it in Partner Center, or enable [attestation] in csp-consolidate.toml, \
             then run push again"
                .to_owned(),
        ));
    };
    if already_tried {
        return Err(Refusal::Wait(
            "the purchase is still refused for want of an attested Microsoft Customer \
             Agreement although it was just attested; run push again later"
                .to_owned(),
        ));
    }
    // An attestation buys nothing and a repeat is answered "already
    // exists": it needs no journal entry to be safe.
    let request_id = Uuid::new_v4().to_string();
    match api
        .attest_agreement(customer_id, &request_id, details)
        .await
    {
        Ok(()) => Ok(()),
        Err(CallError::Auth(m)) => Err(Refusal::Auth(m)),
        Err(e) => Err(Refusal::Wait(format!(
            "attesting the customer's Microsoft Customer Agreement failed ({e}); run push again"
        ))),
    }
}

/// Settle a refused purchase as failed, its rows `waiting` for `reason`.
///
/// # Errors
/// Journal failures.
pub fn waiting(
    journal: &Journal,
    request_id: &str,
    lines: &[BuyLine],
    code: &str,
    reason: &str,
) -> Result<Vec<RowOutcome>, JournalError> {
    let rows: Vec<RowOutcome> = lines
        .iter()
        .map(|l| row(l, Outcome::Waiting, None, Some(code), Some(reason)))
        .collect();
    let response = json!({ "code": code, "message": reason });
    journal.settle_with_rows(request_id, EntryState::Failed, &response, &rows)?;
    crash::reached(Point::Settled);
    Ok(rows)
}
