//! How strictly the emulator plays Partner Center, and the provisioning
//! clock.
//!
//! Why: exactly-once was first proven against a kinder service than the
//! real one. The real service answers a purchase `pending` with line items
//! that carry no subscription id until provisioning finishes, lets carts
//! expire, refuses legacy offers for new purchases and refuses purchases
//! for customers whose Microsoft Customer Agreement the partner has not
//! attested. [`Realism::default`] plays all of that; [`Realism::kind`] is
//! the old behaviour, kept only as an explicit option for tests that are
//! about something else.

use chrono::{DateTime, Duration, Utc};

use super::state::Tenant;

/// The strictness switches (fixed at start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Realism {
    /// How long an order stays `pending` (its subscriptions `pending`, its
    /// lines without subscription ids). 0 = provisioned at once.
    pub provisioning_delay_ms: u64,
    /// How long a cart can be checked out after its creation.
    pub cart_ttl_secs: u64,
    /// Sell legacy (GUID) offers through `POST …/orders` (the old world).
    pub legacy_orders: bool,
    /// Refuse purchases (403, code 13605) for customers without an attested
    /// Microsoft Customer Agreement.
    pub require_agreement: bool,
}

impl Default for Realism {
    /// As the real service behaves: a few seconds of provisioning, carts
    /// living 7 days, no legacy purchases, attestation required.
    fn default() -> Self {
        Realism {
            provisioning_delay_ms: 3_000,
            cart_ttl_secs: 7 * 24 * 3600,
            legacy_orders: false,
            require_agreement: true,
        }
    }
}

impl Realism {
    /// The old, kinder emulator: instant provisioning, legacy offers sold,
    /// no attestation needed (carts still live 7 days).
    pub fn kind() -> Self {
        Realism {
            provisioning_delay_ms: 0,
            cart_ttl_secs: 7 * 24 * 3600,
            legacy_orders: true,
            require_agreement: false,
        }
    }

    /// When an order placed at `now` is provisioned (`None`: at once).
    pub fn provisioned_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (self.provisioning_delay_ms > 0).then(|| {
            now + Duration::try_milliseconds(
                i64::try_from(self.provisioning_delay_ms).unwrap_or(i64::MAX),
            )
            .unwrap_or(Duration::zero())
        })
    }

    /// When a cart created at `now` expires.
    pub fn cart_expiry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::try_seconds(i64::try_from(self.cart_ttl_secs).unwrap_or(i64::MAX))
            .unwrap_or(Duration::days(7))
    }
}

/// Finish provisioning every order of `tenant` that is due at `now`: the
/// order becomes `completed`, its lines get their subscription ids and the
/// subscriptions turn `active`.
pub fn provision_due(tenant: &mut Tenant, now: DateTime<Utc>) {
    if tenant.next_provisioning.is_none_or(|t| t > now) {
        return;
    }
    let mut next: Option<DateTime<Utc>> = None;
    for customer in &mut tenant.customers {
        let mut ready = Vec::new();
        for order in &mut customer.orders {
            match order.provisioned_at {
                Some(at) if at <= now => {
                    order.provisioned_at = None;
                    order.status = "completed".into();
                    for line in &mut order.line_items {
                        if let Some(id) = line.pending_subscription_id.take() {
                            ready.push(id.clone());
                            line.subscription_id = Some(id);
                        }
                    }
                }
                Some(at) => next = Some(next.map_or(at, |n| n.min(at))),
                None => {}
            }
        }
        for id in ready {
            if let Some(sub) = customer.subscription_mut(&id)
                && sub.status == "pending"
            {
                sub.status = "active".into();
            }
        }
    }
    tenant.next_provisioning = next;
}
