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
/// rest matched to order lines by offer and quantity, ties broken by line
/// number (a line's position in its order group). A friendly name is never
/// used: the service may echo it changed, or not at all.
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
        let number = position_in_group(cart, i);
        let o = if let Some((code, desc)) = failed.get(&i) {
            row(line, Outcome::Failed, None, Some(code), Some(desc))
        } else if let Some(pos) = best_match(&pool, line, number) {
            let (order, l) = pool.remove(pos);
            bought(line, order, l)
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

/// Map an order's lines to rows: line `i` is order line number `i` when
/// offer and quantity agree, else the first unused line that matches.
/// Lines the order does not hold are `None`.
pub(crate) fn order_rows(lines: &[BuyLine], order: &OrderInfo) -> Vec<Option<RowOutcome>> {
    let mut pool: Vec<(&OrderInfo, &OrderLine)> = order.lines.iter().map(|l| (order, l)).collect();
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let pos = best_match(&pool, line, Some(i as u32))?;
            let (order, l) = pool.remove(pos);
            Some(bought(line, order, l))
        })
        .collect()
}

/// Map an order's lines to rows (see [`order_rows`]). The order was
/// placed, so a line it does not show yet is `provisioning` in that order:
/// later runs look for it there, and it is never bought again.
pub(crate) fn order_outcomes(lines: &[BuyLine], order: &OrderInfo) -> Vec<RowOutcome> {
    order_rows(lines, order)
        .into_iter()
        .zip(lines)
        .map(|(o, line)| {
            o.unwrap_or_else(|| {
                let msg = "the order does not show this line yet; push looks for it again";
                row(
                    line,
                    Outcome::Provisioning,
                    Some(&order.id),
                    None,
                    Some(msg),
                )
            })
        })
        .collect()
}

/// A matched line: `bought` with its subscription, or `provisioning` while
/// the service has not assigned one yet.
fn bought(line: &BuyLine, order: &OrderInfo, got: &OrderLine) -> RowOutcome {
    let outcome = if got.subscription_id.is_some() {
        Outcome::Bought
    } else {
        Outcome::Provisioning
    };
    let mut o = row(line, outcome, Some(&order.id), None, None);
    o.destination_subscription_id = got.subscription_id.clone();
    o
}

/// Cart line `i`'s position among the lines of its order group (the line
/// number it gets in its order), when the cart said its groups.
fn position_in_group(cart: &CartCreated, i: usize) -> Option<u32> {
    let group = cart.line_groups.get(i)?.as_deref()?;
    let before = cart.line_groups[..i]
        .iter()
        .filter(|g| g.as_deref() == Some(group))
        .count();
    u32::try_from(before).ok()
}

/// The pool entry for `want`: same offer and quantity, preferring the one
/// with line number `number`.
fn best_match(
    pool: &[(&OrderInfo, &OrderLine)],
    want: &BuyLine,
    number: Option<u32>,
) -> Option<usize> {
    let candidates = || {
        pool.iter()
            .enumerate()
            .filter(|(_, (_, l))| matches_line(want, l))
    };
    candidates()
        .find(|(_, (_, l))| Some(l.line_number) == number)
        .or_else(|| candidates().next())
        .map(|(i, _)| i)
}

/// Same offer (a cart's `PRODUCT:SKU:AVAILABILITY` may come back as
/// `PRODUCT:SKU`) and same quantity.
pub(crate) fn matches_line(want: &BuyLine, got: &OrderLine) -> bool {
    let offer_ok = got.offer_id.eq_ignore_ascii_case(&want.catalog_item)
        || !got.offer_id.is_empty()
            && want
                .catalog_item
                .to_ascii_uppercase()
                .starts_with(&got.offer_id.to_ascii_uppercase());
    offer_ok && got.quantity == want.quantity
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

#[cfg(test)]
mod tests {
    use super::*;

    fn want(id: &str, item: &str, qty: u32, name: &str) -> BuyLine {
        BuyLine {
            source_subscription_id: id.into(),
            catalog_item: item.into(),
            quantity: qty,
            billing_cycle: None,
            term: None,
            friendly_name: Some(name.into()),
        }
    }

    fn got(n: u32, offer: &str, qty: u32, sub: Option<&str>) -> OrderLine {
        OrderLine {
            line_number: n,
            offer_id: offer.into(),
            quantity: qty,
            friendly_name: Some("renamed by the service".into()),
            subscription_id: sub.map(str::to_owned),
        }
    }

    #[test]
    fn lines_match_by_offer_quantity_and_line_number_not_name() {
        let lines = [
            want("a", "P:1:A", 5, "Sales"),
            want("b", "P:1:A", 5, "Support"),
            want("c", "Q:1:A", 2, "Ops"),
        ];
        let order = OrderInfo {
            id: "o1".into(),
            creation_date: None,
            lines: vec![
                got(2, "Q:1", 2, Some("sub-c")),
                got(1, "P:1:A", 5, Some("sub-b")),
                got(0, "P:1:A", 5, None),
            ],
        };
        let rows = order_outcomes(&lines, &order);
        assert_eq!(rows[0].outcome, Outcome::Provisioning);
        assert_eq!(rows[0].destination_subscription_id, None);
        assert_eq!(rows[0].destination_order_id.as_deref(), Some("o1"));
        assert_eq!(rows[1].outcome, Outcome::Bought);
        assert_eq!(
            rows[1].destination_subscription_id.as_deref(),
            Some("sub-b")
        );
        assert_eq!(
            rows[2].destination_subscription_id.as_deref(),
            Some("sub-c")
        );
    }

    #[test]
    fn a_line_the_order_lacks_is_provisioning_and_an_empty_offer_never_matches() {
        let lines = [want("a", "P:1:A", 5, "x"), want("b", "P:1:A", 6, "y")];
        let order = OrderInfo {
            id: "o2".into(),
            creation_date: None,
            lines: vec![got(0, "P:1:A", 5, Some("s1")), got(1, "", 6, Some("s2"))],
        };
        let rows = order_outcomes(&lines, &order);
        assert_eq!(rows[0].outcome, Outcome::Bought);
        assert_eq!(rows[1].outcome, Outcome::Provisioning);
        assert_eq!(rows[1].destination_order_id.as_deref(), Some("o2"));
    }
}
