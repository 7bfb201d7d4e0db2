//! Microsoft Customer Agreement attestation and order provisioning status.
//!
//! Why here: new-commerce purchases are refused (403, code 13605) until the
//! buying partner has attested that the customer accepted the Microsoft
//! Customer Agreement, and a real order answers `pending` with line items
//! that carry no subscription id until provisioning finishes. The push
//! engine needs to read and write both, through the same tolerant client.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::client::Client;
use super::error::ApiError;
use super::lenient::{int, opt_text};
use super::paging::{Collection, Page};
use super::transport::decode;

/// The agreement type buying partners attest for new commerce.
pub const CUSTOMER_AGREEMENT: &str = "MicrosoftCustomerAgreement";

/// The customer's signer of an agreement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgreementContact {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// An attestation (`POST/GET /v1/customers/{cid}/agreements`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default)]
    pub primary_contact: AgreementContact,
    /// When the customer accepted (UTC date-time text).
    #[serde(default)]
    pub date_agreed: String,
    #[serde(default)]
    pub template_id: String,
    /// `MicrosoftCustomerAgreement` (or `MicrosoftCloudAgreement`).
    #[serde(rename = "type", default)]
    pub agreement_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_link: Option<String>,
}

/// An agreement template (`GET /v1/agreements?agreementType=`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgreementTemplate {
    #[serde(default)]
    pub template_id: String,
    #[serde(default)]
    pub agreement_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_link: Option<String>,
}

/// One order line's provisioning state
/// (`GET …/orders/{oid}/provisioningstatus`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineProvisioning {
    #[serde(default, deserialize_with = "int")]
    pub line_item_number: i64,
    /// `fulfilled`, `pending`, `failed` … (kept as sent).
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "int")]
    pub quantity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
}

impl LineProvisioning {
    /// Provisioned: the line has its subscription.
    pub fn is_fulfilled(&self) -> bool {
        self.subscription_id.is_some()
            && self
                .status
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("fulfilled"))
    }
}

impl Client {
    /// `GET /v1/customers/{cid}/agreements?agreementType=`: the customer's
    /// attested agreements of that type.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn list_agreements(
        &self,
        customer_id: &str,
        agreement_type: &str,
    ) -> Result<Vec<Agreement>, ApiError> {
        let url = self.url(
            &["customers", customer_id, "agreements"],
            &[("agreementType", agreement_type)],
        )?;
        let c: Collection<Agreement> = self.get_json(url).await?;
        self.all_pages(Page::from(c)).await
    }

    /// `GET /v1/agreements?agreementType=`: the current templates.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn agreement_templates(
        &self,
        agreement_type: &str,
    ) -> Result<Vec<AgreementTemplate>, ApiError> {
        let url = self.url(&["agreements"], &[("agreementType", agreement_type)])?;
        let c: Collection<AgreementTemplate> = self.get_json(url).await?;
        self.all_pages(Page::from(c)).await
    }

    /// `POST /v1/customers/{cid}/agreements`: attest the customer's
    /// acceptance. A second attestation with the same contact is refused
    /// (code 600061): list first.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn create_agreement(
        &self,
        customer_id: &str,
        agreement: &Agreement,
        request_id: Uuid,
    ) -> Result<Agreement, ApiError> {
        let url = self.url(&["customers", customer_id, "agreements"], &[])?;
        let call = self.write_call(Method::POST, url, Some(agreement), request_id)?;
        let op = call.op();
        let reply = self.send(&call).await?;
        decode(&op, &reply)
    }

    /// `GET …/orders/{oid}/provisioningstatus`: per line, whether its
    /// subscription exists yet.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn order_provisioning(
        &self,
        customer_id: &str,
        order_id: &str,
    ) -> Result<Vec<LineProvisioning>, ApiError> {
        let url = self.url(
            &[
                "customers",
                customer_id,
                "orders",
                order_id,
                "provisioningstatus",
            ],
            &[],
        )?;
        let c: Collection<LineProvisioning> = self.get_json(url).await?;
        self.all_pages(Page::from(c)).await
    }
}
