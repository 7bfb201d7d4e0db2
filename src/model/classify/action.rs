//! The action for a subscription (Recreate, Microsoft support, or Skip
//! with a reason) and, for a Recreate, the target defaults people review:
//! catalog item, seats, billing cycle and term.

use super::offer::{OfferShape, offer_shape};
use crate::model::decision::Action;
use crate::model::inputs::OfferMap;
use crate::model::migration::MigrationRow;
use crate::model::records::SourceSubscription;
use crate::model::types::{BillingType, SubStatus};

/// The action for a subscription, with the reason when skipped.
pub(super) fn action_for(
    sub: &SourceSubscription,
    tenant: &str,
    bt: BillingType,
    warnings: &mut Vec<String>,
) -> Action {
    if tenant.is_empty() {
        return Action::Skip("customer unknown".into());
    }
    match &sub.status {
        None => warnings.push("no status in the export: taken as Active".into()),
        Some(SubStatus::Active) => {}
        Some(SubStatus::Suspended) => return Action::Skip("suspended at source".into()),
        Some(SubStatus::Pending) => {
            return Action::Skip("pending at source: re-export once provisioned".into());
        }
        Some(SubStatus::Other(s)) => {
            warnings.push(format!("unknown status \"{s}\""));
            return Action::Skip(format!("unknown status {s}"));
        }
        Some(other) => return Action::Skip(format!("status is {other}")),
    }
    if bt == BillingType::Usage {
        return Action::MicrosoftSupport;
    }
    match sub.quantity {
        None => Action::Skip("no seat count".into()),
        Some(0) => Action::Skip("zero seats".into()),
        Some(_) => Action::Recreate,
    }
}

/// Target defaults: catalog item from a purchasable offer or the offer map;
/// seats, cycle and term from the source.
pub(super) fn fill_targets(row: &mut MigrationRow, proposed: Option<&str>, offer_map: &OfferMap) {
    let offer = row.source_offer_id.as_deref();
    let is_purchasable = |o: &&str| offer_shape(o) == OfferShape::NcePurchasable;
    // The source's own new-commerce item, else the one the input proposes
    // (the batch-migration tool's NcePsa), else the offer map.
    let purchasable = offer
        .filter(is_purchasable)
        .or_else(|| proposed.filter(is_purchasable));
    row.target_catalog_item = purchasable
        .map(|o| o.trim().to_ascii_uppercase())
        .or_else(|| offer_map.lookup(offer, &row.product).map(str::to_owned));
    if row.target_catalog_item.is_none() {
        row.warnings.push(match offer.map(offer_shape) {
            Some(OfferShape::NcePartial) => {
                "offer ID has no availability: fill in Target catalog item or map it in --offer-map"
                    .into()
            }
            _ => "no target catalog item: fill it in or map this offer in --offer-map".into(),
        });
    }
    row.target_seats = row.seats;
    row.target_billing_cycle = row.billing_cycle.clone();
    row.target_term = row.term.clone();
}
