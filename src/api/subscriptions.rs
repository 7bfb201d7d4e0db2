//! Subscription endpoints: list, get, by order, and PATCH (suspend,
//! reactivate, seats, cancel, auto-renew).
//!
//! A PATCH sends the full subscription as fetched with one field changed.
//! The service answers 200 with the result, or 202 + `Location` when it is
//! slow; then we poll that location until the edited fields show, a bounded
//! number of times. Reads after writes can lag (a fresh resource may 404 for
//! a while), so a 404 while polling means "not yet", not failure.

use reqwest::Method;
use uuid::Uuid;

use super::client::Client;
use super::error::{ApiError, ErrorClass};
use super::paging::{Collection, Page, resolve_link};
use super::transport::decode;
use super::types::{Subscription, SubscriptionStatus};

impl Client {
    /// `GET /v1/customers/{cid}/subscriptions`: all of a customer's
    /// subscriptions (follows `next` should the service ever page).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn list_subscriptions(
        &self,
        customer_id: &str,
    ) -> Result<Vec<Subscription>, ApiError> {
        let url = self.url(&["customers", customer_id, "subscriptions"], &[])?;
        let c: Collection<Subscription> = self.get_json(url).await?;
        self.all_pages(Page::from(c)).await
    }

    /// `GET /v1/customers/{cid}/subscriptions/{sid}`; 404 code 20003 when
    /// unknown.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn get_subscription(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> Result<Subscription, ApiError> {
        let url = self.url(
            &["customers", customer_id, "subscriptions", subscription_id],
            &[],
        )?;
        self.get_json(url).await
    }

    /// `GET …/subscriptions?order_id=`: what an order created (used to
    /// settle a purchase whose response was lost).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn subscriptions_by_order(
        &self,
        customer_id: &str,
        order_id: &str,
    ) -> Result<Vec<Subscription>, ApiError> {
        let url = self.url(
            &["customers", customer_id, "subscriptions"],
            &[("order_id", order_id)],
        )?;
        let c: Collection<Subscription> = self.get_json(url).await?;
        self.all_pages(Page::from(c)).await
    }

    /// `PATCH …/subscriptions/{sid}` with the full `subscription` (as
    /// fetched, with the change applied). `request_id` is the
    /// `MS-RequestId`, resent unchanged on retries: journal it first.
    ///
    /// Returns the subscription as the service shows it after the change:
    /// the 200 body, or after a 202 the first polled GET in which the
    /// edited fields (status, quantity, autoRenewEnabled, friendlyName)
    /// match `subscription`.
    ///
    /// # Errors
    /// Any [`ApiError`]; `StillPending` (class `Transient`) when a 202's
    /// change had not shown after `config.poll.attempts` polls.
    pub async fn patch_subscription(
        &self,
        customer_id: &str,
        subscription: &Subscription,
        request_id: Uuid,
    ) -> Result<Subscription, ApiError> {
        let url = self.url(
            &["customers", customer_id, "subscriptions", &subscription.id],
            &[],
        )?;
        let call = self.write_call(Method::PATCH, url.clone(), Some(subscription), request_id)?;
        let op = call.op();
        let reply = self.send(&call).await?;
        if reply.status != 202 {
            return decode(&op, &reply);
        }
        let poll_url = match reply.location.as_deref() {
            Some(loc) => resolve_link(&self.inner.endpoints.api_root, loc)?,
            None => url,
        };
        self.poll_until_applied(&op, poll_url, subscription).await
    }

    async fn poll_until_applied(
        &self,
        op: &str,
        url: reqwest::Url,
        wanted: &Subscription,
    ) -> Result<Subscription, ApiError> {
        let policy = self.inner.config.poll;
        for n in 0..policy.attempts {
            self.inner.timer.sleep(policy.delay(n)).await;
            match self.get_json::<Subscription>(url.clone()).await {
                Ok(got) if change_shows(wanted, &got) => return Ok(got),
                Ok(_) => {}
                Err(e) if e.class() == ErrorClass::Rejected && e.status() == Some(404) => {}
                Err(e) => return Err(e),
            }
        }
        Err(ApiError::StillPending {
            op: op.to_owned(),
            location: url.path().to_owned(),
            polls: policy.attempts,
        })
    }
}

/// Do the editable fields of `wanted` show in `got`?
pub(crate) fn change_shows(wanted: &Subscription, got: &Subscription) -> bool {
    fn same<T: PartialEq>(w: &Option<T>, g: &Option<T>) -> bool {
        w.is_none() || w == g
    }
    // The service turns auto-renew off by itself when a subscription
    // leaves `active` (suspended, cancelled): that is the change showing,
    // not a different one.
    let left_active = wanted.status.is_some()
        && wanted.status != Some(SubscriptionStatus::Active)
        && got.auto_renew_enabled == Some(false);
    same(&wanted.status, &got.status)
        && same(&wanted.quantity, &got.quantity)
        && (same(&wanted.auto_renew_enabled, &got.auto_renew_enabled) || left_active)
        && same(&wanted.friendly_name, &got.friendly_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_start_early_and_back_off_to_a_cap() {
        let p = crate::api::PollPolicy::default();
        let waits: Vec<u64> = (0..8).map(|n| p.delay(n).as_millis() as u64).collect();
        assert_eq!(waits, [1000, 1500, 2250, 3375, 5062, 7593, 10000, 10000]);
        let total: std::time::Duration = (0..p.attempts).map(|n| p.delay(n)).sum();
        assert!(
            total.as_secs() >= 90,
            "a slow change is still seen: {total:?}"
        );
    }

    #[test]
    fn change_detection_compares_editable_fields_only() {
        let wanted = Subscription {
            id: "s".into(),
            status: Some(SubscriptionStatus::Suspended),
            quantity: Some(5),
            ..Subscription::default()
        };
        let mut got = wanted.clone();
        got.offer_name = Some("other".into());
        assert!(change_shows(&wanted, &got));
        got.status = Some(SubscriptionStatus::Active);
        assert!(!change_shows(&wanted, &got));
        got.status = Some(SubscriptionStatus::Suspended);
        got.quantity = Some(6);
        assert!(!change_shows(&wanted, &got));
        // A cancel asked with auto-renew still on shows with it turned off
        // (the service does that), but not while the status lags.
        let cancel = Subscription {
            id: "s".into(),
            status: Some(SubscriptionStatus::Deleted),
            auto_renew_enabled: Some(true),
            ..Subscription::default()
        };
        let mut after = cancel.clone();
        after.auto_renew_enabled = Some(false);
        assert!(change_shows(&cancel, &after));
        after.status = Some(SubscriptionStatus::Active);
        assert!(!change_shows(&cancel, &after));
    }
}
