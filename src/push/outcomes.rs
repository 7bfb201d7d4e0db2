//! Turning Partner Center's answers into row outcomes: which order line
//! bought which workbook row, which lines an error names.
//!
//! Shared by the engine (first answers) and settle (replayed answers), so
//! both read an answer the same way and neither imports the other.

use std::collections::HashMap;

use chrono::Utc;

use super::journal::{Journal, JournalError, RowOutcome};
use super::port::{BuyLine, CartCreated, CheckoutResult, OrderInfo, OrderLine};
use crate::model::{Outcome, Phase};

/// Map a checkout answer to rows: lines in failed order groups failed, the
/// rest matched to order lines by offer, quantity and friendly name.
pub(crate) fn checkout_outcomes(
    lines: &[BuyLine],
    cart: &CartCreated,
    result: &CheckoutResult,
) -> Vec<RowOutcome> {
    let mut failed: HashMap<usize, (&str, &str)> = HashMap::new();
    for e in &result.errors {
        let by_group = cart
            .line_groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.as_deref() == Some(e.order_group.as_str()))
            .map(|(i, _)| i as u32);
        for i in e.lines.iter().copied().chain(by_group) {
            failed.insert(i as usize, (e.code.as_str(), e.description.as_str()));
        }
    }
    for (i, err) in cart.line_errors.iter().enumerate() {
        if let Some((code, desc)) = err {
            failed.entry(i).or_insert((code.as_str(), desc.as_str()));
        }
    }
    // An error that names no lines, with no order at all, failed everything.
    let whole =
        (result.orders.is_empty() && result.errors.len() == 1 && result.errors[0].lines.is_empty())
            .then(|| &result.errors[0]);
    let mut pool: Vec<(&OrderInfo, &OrderLine)> = result
        .orders
        .iter()
        .flat_map(|o| o.lines.iter().map(move |l| (o, l)))
        .collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let o = if let Some((code, desc)) = failed.get(&i) {
            row(line, Outcome::Failed, None, Some(code), Some(desc))
        } else if let Some(pos) = pool.iter().position(|(_, l)| matches_line(line, l)) {
            let (order, l) = pool.remove(pos);
            let mut o = row(line, Outcome::Bought, Some(&order.id), None, None);
            o.destination_subscription_id = l.subscription_id.clone();
            o
        } else if let Some(e) = whole {
            row(
                line,
                Outcome::Failed,
                None,
                Some(&e.code),
                Some(&e.description),
            )
        } else {
            let msg = "checkout answered, but this line is neither in an order nor in an error; run verify";
            row(line, Outcome::InDoubt, None, None, Some(msg))
        };
        out.push(o);
    }
    out
}

/// Map an order's lines to rows by line number.
pub(crate) fn order_outcomes(lines: &[BuyLine], order: &OrderInfo) -> Vec<RowOutcome> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let found = order.lines.iter().find(|l| l.line_number as usize == i);
            let mut o = row(line, Outcome::Bought, Some(&order.id), None, None);
            o.destination_subscription_id = found.and_then(|l| l.subscription_id.clone());
            o
        })
        .collect()
}

pub(crate) fn matches_line(want: &BuyLine, got: &OrderLine) -> bool {
    let offer_ok = got.offer_id.eq_ignore_ascii_case(&want.catalog_item)
        || want
            .catalog_item
            .to_ascii_uppercase()
            .starts_with(&got.offer_id.to_ascii_uppercase());
    let name_ok = match (&want.friendly_name, &got.friendly_name) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    offer_ok && got.quantity == want.quantity && name_ok
}

pub(crate) fn row(
    line: &BuyLine,
    outcome: Outcome,
    order: Option<&str>,
    code: Option<&str>,
    message: Option<&str>,
) -> RowOutcome {
    RowOutcome {
        source_subscription_id: line.source_subscription_id.clone(),
        phase: Phase::Push,
        outcome,
        destination_order_id: order.map(str::to_owned),
        destination_subscription_id: None,
        error_code: code.map(str::to_owned),
        error_message: message.map(str::to_owned),
        at: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

pub(crate) fn record(journal: &Journal, o: RowOutcome) -> Result<RowOutcome, JournalError> {
    journal.set_row_outcome(&o)?;
    Ok(o)
}
