//! The synthetic world's purchases, for the push and retire benchmarks:
//! every source subscription of every customer, to buy at the destination.

use csp_consolidate::emulator::World;
use csp_consolidate::push::engine::CustomerPush;
use csp_consolidate::push::port::BuyLine;

/// Every source subscription of every customer, bought again at the
/// destination: new commerce by cart, legacy by order when `legacy` (the
/// realistic emulator refuses legacy purchases, as the service does), else
/// left out.
pub fn work(world: &World, legacy: bool) -> Vec<CustomerPush> {
    let Some(source) = world.tenants.iter().find(|t| t.name == "source") else {
        return Vec::new();
    };
    source
        .customers
        .iter()
        .map(|c| {
            let mut p = CustomerPush {
                customer_id: c.id.clone(),
                customer_name: c.company_name.clone(),
                cart: Vec::new(),
                order: Vec::new(),
            };
            for s in &c.subscriptions {
                let nce = s.offer_id.contains(':');
                let line = BuyLine {
                    source_subscription_id: s.id.clone(),
                    catalog_item: s.offer_id.clone(),
                    quantity: u32::try_from(s.quantity.max(1)).unwrap_or(1),
                    billing_cycle: Some(s.billing_cycle.clone()),
                    term: if nce { s.term_duration.clone() } else { None },
                    friendly_name: Some(s.friendly_name.clone()),
                };
                if nce {
                    p.cart.push(line);
                } else if legacy {
                    p.order.push(line);
                }
            }
            p
        })
        .collect()
}
