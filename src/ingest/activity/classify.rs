//! What an activity-log Action text means, by the locale keyword tables:
//! only subscription-affecting actions count as changes since an export.

use super::super::headers::{ALIASES, norm};
use crate::model::ActionKind;

/// Classify an action text by the locale keyword tables.
pub fn classify_action(text: &str) -> ActionKind {
    let n = norm(text);
    for (kind, word) in &ALIASES.actions {
        if !word.is_empty() && n.contains(word.as_str()) {
            return match kind.as_str() {
                "migration" => ActionKind::Migration,
                "upgrade" => ActionKind::Upgrade,
                "reactivate" => ActionKind::Reactivate,
                "suspend" => ActionKind::Suspend,
                "cancel" => ActionKind::Cancel,
                "quantity_change" => ActionKind::QuantityChange,
                "purchase" => ActionKind::Purchase,
                "subscription_update" => ActionKind::SubscriptionUpdate,
                _ => ActionKind::Other,
            };
        }
    }
    ActionKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_classify_in_many_languages() {
        assert_eq!(classify_action("Created a referral"), ActionKind::Other);
        assert_eq!(
            classify_action("Purchased Office 365 E3"),
            ActionKind::Purchase
        );
        assert_eq!(
            classify_action("update_subscription"),
            ActionKind::SubscriptionUpdate
        );
        assert_eq!(
            classify_action("Updated subscription quantity"),
            ActionKind::QuantityChange
        );
        assert_eq!(
            classify_action("Suspended subscription"),
            ActionKind::Suspend
        );
        assert_eq!(
            classify_action("Reactivated subscription"),
            ActionKind::Reactivate
        );
        assert_eq!(
            classify_action("granular admin relationship terminated"),
            ActionKind::Other
        );
        assert_eq!(
            classify_action("update_customer_user_licenses"),
            ActionKind::Other
        );
        assert_eq!(classify_action("已暫停訂用帳戶"), ActionKind::Suspend);
        assert_eq!(
            classify_action("Подписка приостановлена"),
            ActionKind::Suspend
        );
        assert_eq!(classify_action("Abonnement gekündigt"), ActionKind::Cancel);
        assert_eq!(
            classify_action("サブスクリプションの購入"),
            ActionKind::Purchase
        );
        assert_eq!(
            classify_action("Migrated to new commerce"),
            ActionKind::Migration
        );
    }
}
