//! How a recreated subscription's source is retired without paying twice:
//! legacy is suspended, new commerce is cancelled inside its cancellation
//! window or else left to lapse (auto-renew off) with the days it keeps
//! billing, and an unknown kind is decided at retire time from the live
//! subscription.

use chrono::NaiveDate;

use crate::model::decision::Retirement;
use crate::model::records::SourceSubscription;
use crate::model::types::Commerce;

/// How to retire the source, and the days it bills after the copy starts.
pub(super) fn retirement_for(
    sub: &SourceSubscription,
    commerce: Commerce,
    as_of: NaiveDate,
) -> (Retirement, Option<i64>) {
    match commerce {
        Commerce::Legacy => (Retirement::Suspend, Some(0)),
        Commerce::NewCommerce => match sub.cancellation_allowed_until {
            Some(window_ends) if window_ends >= as_of => {
                (Retirement::Cancel { window_ends }, Some(0))
            }
            _ => {
                let days = sub.term_end.map(|end| (end - as_of).num_days().max(0));
                (
                    Retirement::StopAutoRenew {
                        term_ends: sub.term_end,
                    },
                    days,
                )
            }
        },
        Commerce::Unknown => (Retirement::DecideAtRetire, None),
    }
}
