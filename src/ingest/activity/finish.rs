//! The end of the fold: log names resolved to customers, subscription-
//! affecting actions compared with export times, and the summary and join
//! issues built.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{ActivityAcc, JoinCtx, NameSlot};
use crate::model::{ActivityAggregate, ActivitySummary, ChangesSince, Issue, name_key};

impl ActivityAcc {
    /// The summary and the join issues: names are resolved to customers
    /// and actions compared with export times here.
    pub fn finish(mut self, ctx: &JoinCtx<'_>, given: bool) -> (ActivitySummary, Vec<Issue>) {
        self.end_file();
        let tenant = |c: usize| {
            ctx.customers
                .get(c)
                .map(|x| x.tenant_id.clone())
                .unwrap_or_default()
        };
        let matches: Vec<Vec<usize>> = self
            .slots
            .iter()
            .map(|s| {
                ctx.by_name
                    .get(&name_key(&s.display))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let mut issues = std::mem::take(&mut self.issues);
        for (s, m) in self.slots.iter().zip(&matches) {
            if let Some(msg) = join_message(s, m, &tenant) {
                issues.push(Issue::warning(s.first.clone(), msg));
            }
        }
        let aggregates = self.aggregates(&matches, &tenant);
        let (per_customer, last_activity) = self.per_customer(ctx, &matches);
        let summary = ActivitySummary {
            given,
            per_customer: per_customer
                .into_iter()
                .map(|(c, v)| (tenant(c), v))
                .collect(),
            per_subscription: self.per_subscription(ctx),
            last_activity: last_activity
                .into_iter()
                .map(|(c, v)| (tenant(c), v))
                .collect(),
            aggregates,
        };
        (summary, issues)
    }

    fn aggregates(
        &self,
        matches: &[Vec<usize>],
        tenant: &dyn Fn(usize) -> String,
    ) -> Vec<ActivityAggregate> {
        // One shared tenant ID per name that matched exactly one customer.
        let tenants: Vec<Option<Arc<str>>> = matches
            .iter()
            .map(|m| match m.as_slice() {
                [c] => Some(Arc::from(tenant(*c))),
                _ => None,
            })
            .collect();
        let mut aggregates: Vec<ActivityAggregate> = self
            .aggs
            .iter()
            .filter_map(|(&(n, a), g)| {
                let slot = self.slots.get(n as usize)?;
                let (action, kind) = self.action_info.get(a as usize)?;
                Some(ActivityAggregate {
                    customer_tenant_id: tenants.get(n as usize).cloned().flatten(),
                    customer_name: slot.display.clone(),
                    action: action.clone(),
                    kind: *kind,
                    count: g.count,
                    first: g.first,
                    last: g.last,
                    last_actor: g
                        .last_actor
                        .and_then(|i| self.actor_names.get(i as usize).cloned()),
                })
            })
            .collect();
        aggregates
            .sort_by(|a, b| (&a.customer_name, &a.action).cmp(&(&b.customer_name, &b.action)));
        aggregates
    }

    /// Per customer index: changes after its export, and its latest row.
    fn per_customer(
        &self,
        ctx: &JoinCtx<'_>,
        matches: &[Vec<usize>],
    ) -> (HashMap<usize, ChangesSince>, HashMap<usize, NaiveDateTime>) {
        let mut changes: HashMap<usize, (u32, (NaiveDateTime, u64, u32))> = HashMap::new();
        let mut last_activity: HashMap<usize, NaiveDateTime> = HashMap::new();
        for (slot, m) in self.slots.iter().zip(matches) {
            let [c] = m.as_slice() else {
                continue;
            };
            if let Some(t) = slot.last {
                let last = last_activity.entry(*c).or_insert(t);
                *last = (*last).max(t);
            }
            let (Some(e), Some(latest)) =
                (ctx.export_time.get(*c).copied().flatten(), slot.hits.latest)
            else {
                continue;
            };
            let n = slot.hits.after(e);
            if n == 0 {
                continue;
            }
            let entry = changes.entry(*c).or_insert((0, latest));
            entry.0 = entry.0.saturating_add(n);
            if (latest.0, latest.1) >= (entry.1.0, entry.1.1) {
                entry.1 = latest;
            }
        }
        let changes = changes
            .into_iter()
            .map(|(c, (count, latest))| (c, self.changes(count, latest)))
            .collect();
        (changes, last_activity)
    }

    fn per_subscription(&self, ctx: &JoinCtx<'_>) -> HashMap<String, ChangesSince> {
        self.sub_hits
            .iter()
            .filter_map(|(id, hits)| {
                let e = ctx.sub_export_time.get(id).copied().flatten()?;
                let latest = hits.latest?;
                let n = hits.after(e);
                (n > 0).then(|| (id.clone(), self.changes(n, latest)))
            })
            .collect()
    }

    fn changes(&self, count: u32, (t, _, action): (NaiveDateTime, u64, u32)) -> ChangesSince {
        let text = self
            .action_info
            .get(action as usize)
            .map(|(text, _)| text.to_string())
            .unwrap_or_default();
        ChangesSince {
            count,
            last: Some((t, text)),
        }
    }
}

/// The warning for a log name that is not exactly one customer's.
fn join_message(
    s: &NameSlot,
    matches: &[usize],
    tenant: &dyn Fn(usize) -> String,
) -> Option<String> {
    let name = super::super::row_shape::shorten(&s.display, 80);
    Some(match matches.len() {
        1 => return None,
        // Partner-level actions (profile, users) name no customer.
        0 if s.display.is_empty() => return None,
        0 => format!(
            "activity names '{name}' ({} rows): no customer with that name",
            s.rows
        ),
        n => format!(
            "activity names '{name}' ({} rows): {n} customers have that name ({}); these rows are not attributed",
            s.rows,
            matches
                .iter()
                .map(|c| tenant(*c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}
