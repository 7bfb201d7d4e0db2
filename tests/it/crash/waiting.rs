//! Issue 11's retire rule: a row whose destination copy is not confirmed
//! active yet is never skipped silently. Push has bought every copy, but
//! the destination does not show them yet (read-after-write lag): retire
//! changes nothing, reports every row as waiting with why, and exits 1; a
//! later run, once the copies show, retires each source exactly once and
//! counts what the service confirmed. And every planned row becomes a
//! retire item, with why it is not ready when push has not bought it.

use csp_consolidate::model::{Outcome, Phase};
use csp_consolidate::ops::retire::retire_items;
use csp_consolidate::push::journal::RowOutcome;

use super::*;

#[test]
fn retire_reports_rows_whose_copy_does_not_show_yet_and_retires_them_later() {
    let book_dir = workbook_dir();
    let emu = start_emu(world(), "lag=4s");
    let case = Case::new(book_dir.path(), &emu);
    case.complete(Verb::Push, "push");
    let shown_at = std::time::Instant::now() + Duration::from_secs(4);

    let early = case.run(Verb::Retire, None);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&early.stdout),
        String::from_utf8_lossy(&early.stderr),
    );
    assert_eq!(early.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        update_records(&emu.handle.state_snapshot(), "source").is_empty(),
        "nothing retired before its copy shows"
    );
    for r in rows() {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&r.sub_id))
            .unwrap_or_else(|| panic!("{} not reported:\n{stderr}", r.sub_id));
        assert!(
            line.contains("waiting for the destination copy") && line.contains("not visible yet"),
            "{line}"
        );
    }
    assert!(
        stdout.contains("0 changed at the source this run")
            && stdout.contains(&format!(
                "waiting for the destination copy {}",
                rows().len()
            )),
        "{stdout}"
    );

    std::thread::sleep(shown_at.saturating_duration_since(std::time::Instant::now()));
    let later = case.run(Verb::Retire, None);
    let stdout = String::from_utf8_lossy(&later.stdout);
    assert_eq!(later.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("{} changed at the source this run", rows().len())),
        "{stdout}"
    );
    assert_retired_once(&emu, "retired once the copies show");
}

#[test]
fn every_planned_row_is_a_retire_item_with_why_it_is_not_ready() {
    let dir = workbook_dir();
    let book = csp_consolidate::sheet::read_workbook(&dir.path().join("migration.xlsx"))
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = csp_consolidate::plan::make_plan(&book);
    let all = rows();
    let pushed = |i: usize, outcome: Outcome, copy: Option<&str>, why: Option<&str>| RowOutcome {
        source_subscription_id: all[i].sub_id.clone(),
        phase: Phase::Push,
        outcome,
        destination_order_id: None,
        destination_subscription_id: copy.map(str::to_owned),
        error_code: None,
        error_message: why.map(str::to_owned),
        at: "2026-12-01T00:00:00Z".into(),
    };
    let outcomes = [
        pushed(0, Outcome::Bought, Some("copy-0"), None),
        pushed(1, Outcome::Bought, None, None),
        pushed(2, Outcome::Waiting, None, Some("no reseller relationship")),
        pushed(3, Outcome::InDoubt, None, Some("no answer")),
    ];
    let items = retire_items(&plan, &outcomes);
    assert_eq!(items.len(), all.len(), "no planned row is left out");
    let item = |i: usize| {
        items
            .iter()
            .find(|it| it.source_subscription_id == all[i].sub_id)
            .unwrap_or_else(|| panic!("row {i} missing"))
    };
    assert_eq!(
        (
            item(0).destination_subscription_id.as_deref(),
            item(0).not_ready.as_deref()
        ),
        (Some("copy-0"), None)
    );
    assert_eq!(
        (
            item(1).destination_subscription_id.as_deref(),
            item(1).not_ready.as_deref()
        ),
        (None, None),
        "bought, its copy id not known yet: retire reports it waiting"
    );
    let why = |i: usize| item(i).not_ready.clone().unwrap_or_default();
    assert!(why(2).contains("no reseller relationship"), "{}", why(2));
    assert!(
        why(3).contains("in doubt") && why(3).contains("no answer"),
        "{}",
        why(3)
    );
    assert!(why(4).contains("not bought yet"), "{}", why(4));
}
