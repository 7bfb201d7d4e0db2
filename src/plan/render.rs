//! The plan as people read it in a terminal: per customer, what push buys
//! (cart or order), what retire does to each source subscription, and every
//! problem with the cell to fix; then the totals.

use std::fmt::Write;

use super::{CustomerPlan, LineItem, LiveCheck, Plan, Problem, PurchasePath};

pub(super) fn human(plan: &Plan) -> String {
    let mut out = String::new();
    let built = plan.built_at.map_or_else(
        || "unknown".to_owned(),
        |b| b.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    let _ = writeln!(
        out,
        "Plan for {} (built {built} by csp-consolidate {})",
        plan.workbook, plan.tool_version
    );
    if !plan.workbook_problems.is_empty() {
        let _ = writeln!(out, "\nWorkbook");
        problems(&mut out, &plan.workbook_problems);
    }
    for c in &plan.customers {
        customer(&mut out, c);
    }
    let n = &plan.counts;
    let _ = writeln!(
        out,
        "\n{} of {} rows approved; {} line item(s), {} seat(s) for {} customer(s): {} cart(s), {} order(s).",
        n.approved, n.rows, n.line_items, n.seats, n.customers, n.carts, n.orders
    );
    let verdict = match (plan.is_clean(), n.warnings) {
        (true, 0) => "Clean: push can run.",
        (true, _) => "No blocking problem: push can run (read the warnings above first).",
        (false, _) => "Blocked: fix the problems above, then run plan again.",
    };
    let _ = writeln!(out, "{}", live_text(plan));
    let _ = writeln!(
        out,
        "{} blocking problem(s), {} warning(s). {verdict}",
        n.blocking, n.warnings
    );
    out
}

fn live_text(plan: &Plan) -> String {
    match &plan.live {
        LiveCheck::Skipped => "Live checks skipped: only the workbook was checked (pass --destination NAME, and --source NAME, to check the accounts too).".to_owned(),
        LiveCheck::Done {
            destination,
            source,
            reads,
        } => format!(
            "Checked live: destination {destination} ({} read(s), {} catalog read(s)){}.",
            reads.destination,
            reads.catalog,
            source
                .as_ref()
                .map(|s| format!(", source {s} ({} read(s))", reads.source))
                .unwrap_or_else(|| ", source not read (pass --source NAME to check for changes since the export)".to_owned())
        ),
    }
}

fn customer(out: &mut String, c: &CustomerPlan) {
    let tenant = if c.tenant_id.is_empty() {
        "no tenant ID"
    } else {
        c.tenant_id.as_str()
    };
    let _ = writeln!(
        out,
        "\n{} ({tenant})",
        if c.name.is_empty() {
            "(no name)"
        } else {
            &c.name
        }
    );
    if let Some(why) = &c.waiting {
        let _ = writeln!(out, "  waiting: {why}");
    }
    let adopted: Vec<&LineItem> = c
        .line_items
        .iter()
        .filter(|i| i.at_destination.is_some())
        .collect();
    if !adopted.is_empty() {
        let _ = writeln!(out, "  already at the destination (nothing bought):");
        for i in adopted {
            let _ = writeln!(
                out,
                "    {} × {}  = destination subscription {}",
                i.catalog_item,
                i.seats,
                i.at_destination.as_deref().unwrap_or_default()
            );
        }
    }
    for path in [PurchasePath::Cart, PurchasePath::Order] {
        let items: Vec<&LineItem> = c
            .line_items
            .iter()
            .filter(|i| i.path == path && i.at_destination.is_none())
            .collect();
        if items.is_empty() {
            continue;
        }
        let how = match path {
            PurchasePath::Cart => "buy in one cart + checkout (new commerce)",
            PurchasePath::Order => "buy in one order (legacy)",
        };
        let _ = writeln!(out, "  {how}:");
        for i in items {
            line(out, i);
        }
    }
    if !c.line_items.is_empty() {
        let _ = writeln!(out, "  retire, once the copy is confirmed:");
        for i in &c.line_items {
            let _ = writeln!(out, "    {}: {}", i.source_subscription_id, retire_text(i));
        }
    }
    problems(out, &c.problems);
}

fn line(out: &mut String, i: &LineItem) {
    let mut terms = Vec::new();
    terms.extend(i.term.clone());
    terms.extend(i.billing_cycle.clone());
    let name = i
        .friendly_name
        .as_deref()
        .map(|n| format!(" \"{n}\""))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "    {} × {}{}{name}  (source {} {}, {})",
        i.catalog_item,
        i.seats,
        if terms.is_empty() {
            String::new()
        } else {
            format!(" {}", terms.join(" "))
        },
        i.source_subscription_id,
        i.source_product,
        i.source_status.as_deref().unwrap_or("status unknown"),
    );
}

fn retire_text(i: &LineItem) -> String {
    i.retire.describe(i.double_billing_days)
}

fn problems(out: &mut String, list: &[Problem]) {
    for p in list {
        let kind = if p.blocking { "blocking" } else { "warning" };
        let _ = writeln!(out, "  {kind}: {}: {}", p.location, p.message);
    }
}
