//! [`PartnerApi`] over the real Partner Center client.
//!
//! Translates between the engine's terms and the wire types, and reduces
//! [`ApiError`] to the engine's question: was it definitively not applied
//! (`Rejected`: business errors, and requests that never left the process),
//! or might it have been (`Uncertain`)?

use serde_json::Value;
use uuid::Uuid;

use crate::api::types::BillingCycle as WireCycle;
use crate::api::{
    Agreement, AgreementContact, ApiError, CUSTOMER_AGREEMENT, Cart, CartLineItem, Client,
    CustomerQuery, ErrorClass, Order, OrderLineItem, Subscription,
};
use crate::model;

use super::port::{
    Attestation, BuyLine, CallError, CartCreated, CatalogEntry, CheckoutResult, CustomerInfo,
    OrderError, OrderInfo, OrderLine, PartnerApi, PatchOutcome, SubscriptionInfo,
};

/// "A partner confirmed agreement already exists for the customer."
const AGREEMENT_EXISTS: &str = "600061";

/// The engine's view of a real (or emulated) Partner Center account.
#[derive(Clone)]
pub struct ClientApi {
    client: Client,
}

impl ClientApi {
    pub fn new(client: Client) -> Self {
        ClientApi { client }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// One cheap authenticated read: fails fast when the account is
    /// unreachable or the credentials are wrong, before any work starts.
    ///
    /// # Errors
    /// The client's error, unchanged.
    pub async fn preflight(&self) -> Result<(), ApiError> {
        self.client
            .list_customers(&CustomerQuery {
                size: Some(1),
                filter: None,
            })
            .await
            .map(|_| ())
    }
}

fn call_error(err: ApiError) -> CallError {
    let message = err.to_string();
    match err.class() {
        ErrorClass::Auth => CallError::Auth(message),
        ErrorClass::Transient => CallError::Uncertain(message),
        ErrorClass::NotSent => CallError::Rejected {
            status: 0,
            code: "not-sent".into(),
            message,
        },
        ErrorClass::Rejected | ErrorClass::Invalid => CallError::Rejected {
            status: err.status().unwrap_or(0),
            code: err.code().unwrap_or("").to_owned(),
            message,
        },
    }
}

fn not_found(err: &ApiError) -> bool {
    err.status() == Some(404)
}

fn request_id(id: &str) -> Result<Uuid, CallError> {
    Uuid::parse_str(id).map_err(|e| CallError::Rejected {
        status: 0,
        code: "bad-request-id".into(),
        message: format!("journalled request id {id:?} is not a GUID: {e}"),
    })
}

fn wire_cycle(line: &BuyLine) -> Option<WireCycle> {
    line.billing_cycle
        .as_deref()
        .map(|c| WireCycle::from_model(&model::BillingCycle::parse(c)))
}

fn clamp_quantity(q: i64) -> u32 {
    u32::try_from(q.max(0)).unwrap_or(u32::MAX)
}

fn order_info(order: &Order) -> OrderInfo {
    OrderInfo {
        id: order.id.clone().unwrap_or_default(),
        creation_date: order.creation_date.clone(),
        lines: order
            .line_items
            .iter()
            .map(|l| OrderLine {
                line_number: u32::try_from(l.line_item_number.max(0)).unwrap_or(0),
                offer_id: l.offer_id.clone(),
                quantity: clamp_quantity(l.quantity),
                friendly_name: l.friendly_name.clone(),
                subscription_id: l.subscription_id.clone(),
            })
            .collect(),
    }
}

/// The typed fields the engine reads, plus the whole resource for PATCH.
pub fn subscription_info(sub: &Subscription) -> SubscriptionInfo {
    SubscriptionInfo {
        id: sub.id.clone(),
        offer_id: sub.offer_id.clone().unwrap_or_default(),
        quantity: clamp_quantity(sub.quantity.unwrap_or(0)),
        status: sub
            .status
            .as_ref()
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_default(),
        auto_renew: sub.auto_renew_enabled,
        order_id: sub.order_id.clone(),
        creation_date: sub.creation_date.clone(),
        cancellation_allowed_until: sub.cancellation_allowed_until_date.clone(),
        commitment_end: sub.commitment_end_date.clone(),
        body: serde_json::to_value(sub).unwrap_or(Value::Null),
    }
}

impl PartnerApi for ClientApi {
    async fn get_customer(&self, customer_id: &str) -> Result<Option<CustomerInfo>, CallError> {
        match self.client.get_customer(customer_id).await {
            Ok(c) => Ok(Some(CustomerInfo {
                id: c.id.clone(),
                company_name: c
                    .company_profile
                    .as_ref()
                    .and_then(|p| p.company_name.clone())
                    .unwrap_or_default(),
                relationship: c
                    .relationship_to_partner
                    .as_ref()
                    .map(|r| r.to_model().as_str().to_owned())
                    .unwrap_or_default(),
                country: c.country().map(str::to_owned),
            })),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(call_error(e)),
        }
    }

    async fn get_catalog_item(
        &self,
        catalog_item: &str,
        country: &str,
    ) -> Result<Option<CatalogEntry>, CallError> {
        match self.client.get_catalog_item(catalog_item, country).await {
            Ok(entry) => Ok(Some(entry)),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(call_error(e)),
        }
    }

    async fn create_cart(
        &self,
        customer_id: &str,
        request_id_s: &str,
        lines: &[BuyLine],
    ) -> Result<CartCreated, CallError> {
        let cart = Cart {
            line_items: lines
                .iter()
                .enumerate()
                .map(|(i, l)| CartLineItem {
                    id: i as i64,
                    catalog_item_id: l.catalog_item.clone(),
                    quantity: i64::from(l.quantity),
                    billing_cycle: wire_cycle(l),
                    term_duration: l.term.clone(),
                    friendly_name: l.friendly_name.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let created = self
            .client
            .create_cart(customer_id, &cart, request_id(request_id_s)?)
            .await
            .map_err(call_error)?;
        let mut line_groups = vec![None; lines.len()];
        let mut line_errors = vec![None; lines.len()];
        for item in &created.line_items {
            let Some(i) = usize::try_from(item.id).ok().filter(|i| *i < lines.len()) else {
                continue;
            };
            line_groups[i] = item.order_group.clone();
            if let Some(err) = &item.error {
                line_errors[i] = Some((
                    err.error_code.clone().unwrap_or_default(),
                    err.error_description.clone().unwrap_or_default(),
                ));
            }
        }
        Ok(CartCreated {
            cart_id: created.id.unwrap_or_default(),
            line_groups,
            line_errors,
        })
    }

    async fn checkout(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id_s: &str,
    ) -> Result<CheckoutResult, CallError> {
        let result = self
            .client
            .checkout_cart(customer_id, cart_id, request_id(request_id_s)?)
            .await
            .map_err(call_error)?;
        Ok(CheckoutResult {
            orders: result.orders.iter().map(order_info).collect(),
            errors: result
                .order_errors
                .iter()
                .map(|e| OrderError {
                    order_group: e.order_group_id.clone().unwrap_or_default(),
                    code: e.code.clone().unwrap_or_default(),
                    description: e.description.clone().unwrap_or_default(),
                    lines: Vec::new(),
                })
                .collect(),
        })
    }

    async fn create_order(
        &self,
        customer_id: &str,
        request_id_s: &str,
        lines: &[BuyLine],
    ) -> Result<OrderInfo, CallError> {
        let order = Order {
            reference_customer_id: Some(customer_id.to_owned()),
            billing_cycle: lines.first().and_then(wire_cycle),
            line_items: lines
                .iter()
                .enumerate()
                .map(|(i, l)| OrderLineItem {
                    line_item_number: i as i64,
                    offer_id: l.catalog_item.clone(),
                    quantity: i64::from(l.quantity),
                    friendly_name: l.friendly_name.clone(),
                    term_duration: l.term.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let placed = self
            .client
            .create_order(customer_id, &order, request_id(request_id_s)?)
            .await
            .map_err(call_error)?;
        Ok(order_info(&placed))
    }

    async fn list_orders(&self, customer_id: &str) -> Result<Vec<OrderInfo>, CallError> {
        let orders = self
            .client
            .list_orders(customer_id)
            .await
            .map_err(call_error)?;
        Ok(orders.iter().map(order_info).collect())
    }

    async fn get_subscription(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> Result<Option<SubscriptionInfo>, CallError> {
        match self
            .client
            .get_subscription(customer_id, subscription_id)
            .await
        {
            Ok(s) => Ok(Some(subscription_info(&s))),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(call_error(e)),
        }
    }

    async fn list_subscriptions(
        &self,
        customer_id: &str,
    ) -> Result<Vec<SubscriptionInfo>, CallError> {
        let subs = self
            .client
            .list_subscriptions(customer_id)
            .await
            .map_err(call_error)?;
        Ok(subs.iter().map(subscription_info).collect())
    }

    async fn patch_subscription(
        &self,
        customer_id: &str,
        request_id_s: &str,
        body: &Value,
    ) -> Result<PatchOutcome, CallError> {
        let sub: Subscription =
            serde_json::from_value(body.clone()).map_err(|e| CallError::Rejected {
                status: 0,
                code: "bad-body".into(),
                message: format!("journalled subscription body is unreadable: {e}"),
            })?;
        let done = self
            .client
            .patch_subscription(customer_id, &sub, request_id(request_id_s)?)
            .await
            .map_err(call_error)?;
        Ok(PatchOutcome::Applied(Box::new(subscription_info(&done))))
    }

    async fn attest_agreement(
        &self,
        customer_id: &str,
        rid: &str,
        attestation: &Attestation,
    ) -> Result<(), CallError> {
        let rid = request_id(rid)?;
        let present = self
            .client
            .list_agreements(customer_id, CUSTOMER_AGREEMENT)
            .await
            .map_err(call_error)?;
        if !present.is_empty() {
            return Ok(());
        }
        let templates = self
            .client
            .agreement_templates(CUSTOMER_AGREEMENT)
            .await
            .map_err(call_error)?;
        let template = templates.first().ok_or_else(|| CallError::Rejected {
            status: 0,
            code: String::new(),
            message: "Partner Center lists no Microsoft Customer Agreement template".into(),
        })?;
        let agreement = Agreement {
            user_id: None,
            primary_contact: AgreementContact {
                first_name: attestation.first_name.clone(),
                last_name: attestation.last_name.clone(),
                email: attestation.email.clone(),
                phone_number: attestation.phone_number.clone(),
            },
            date_agreed: attestation.date_agreed.clone(),
            template_id: template.template_id.clone(),
            agreement_type: CUSTOMER_AGREEMENT.to_owned(),
            agreement_link: None,
        };
        match self
            .client
            .create_agreement(customer_id, &agreement, rid)
            .await
        {
            Ok(_) => Ok(()),
            // Already attested with this contact (a replay after a lost answer).
            Err(e) if e.code() == Some(AGREEMENT_EXISTS) => Ok(()),
            Err(e) => Err(call_error(e)),
        }
    }

    async fn relationship_request_url(&self) -> Result<String, CallError> {
        self.client
            .relationship_request(None)
            .await
            .map(|r| r.url)
            .map_err(call_error)
    }

    fn throttled(&self) -> u64 {
        self.client.stats().throttled
    }
}
