//! Purchases: orders (legacy offers, add-ons) and carts + checkout (new
//! commerce). Every write takes the caller's `MS-RequestId`: the push
//! engine journals it before sending, so a retry or a resumed run re-sends
//! the same id and the service replays the first answer instead of buying
//! twice. A checkout can succeed partially: read `order_errors`.

use reqwest::Method;
use uuid::Uuid;

use super::client::Client;
use super::error::ApiError;
use super::paging::{Collection, Page};
use super::transport::decode;
use super::types::{Cart, CartCheckoutResult, Order};

impl Client {
    /// `POST /v1/customers/{cid}/orders` → the created order (201), with
    /// `line_items[].subscription_id` set.
    ///
    /// # Errors
    /// Any [`ApiError`]. On `Transient`, retry with the same `request_id`
    /// or look the order up (`list_orders`) before using a new one.
    pub async fn create_order(
        &self,
        customer_id: &str,
        order: &Order,
        request_id: Uuid,
    ) -> Result<Order, ApiError> {
        let url = self.url(&["customers", customer_id, "orders"], &[])?;
        self.post(url, Some(order), request_id).await
    }

    /// `GET /v1/customers/{cid}/orders`.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn list_orders(&self, customer_id: &str) -> Result<Vec<Order>, ApiError> {
        let url = self.url(&["customers", customer_id, "orders"], &[])?;
        let c: Collection<Order> = self.get_json(url).await?;
        self.all_pages(Page::from(c)).await
    }

    /// `GET /v1/customers/{cid}/orders/{oid}`.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn get_order(&self, customer_id: &str, order_id: &str) -> Result<Order, ApiError> {
        let url = self.url(&["customers", customer_id, "orders", order_id], &[])?;
        self.get_json(url).await
    }

    /// `POST /v1/customers/{cid}/carts` → the created cart (201) with its
    /// id and server-set line fields (`order_group`, `error`).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn create_cart(
        &self,
        customer_id: &str,
        cart: &Cart,
        request_id: Uuid,
    ) -> Result<Cart, ApiError> {
        let url = self.url(&["customers", customer_id, "carts"], &[])?;
        self.post(url, Some(cart), request_id).await
    }

    /// `POST /v1/customers/{cid}/carts/{cart_id}/checkout` (empty body) →
    /// the orders created and the order groups that failed. Check out a
    /// cart once: a second checkout fails with 800065 or 800064.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn checkout_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id: Uuid,
    ) -> Result<CartCheckoutResult, ApiError> {
        let url = self.url(
            &["customers", customer_id, "carts", cart_id, "checkout"],
            &[],
        )?;
        self.post::<(), _>(url, None, request_id).await
    }

    async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        url: reqwest::Url,
        body: Option<&B>,
        request_id: Uuid,
    ) -> Result<T, ApiError> {
        let call = self.write_call(Method::POST, url, body, request_id)?;
        let op = call.op();
        let reply = self.send(&call).await?;
        decode(&op, &reply)
    }
}
