//! Dates in every export format, and the rules for ambiguous day/month
//! order (an issue, never a guess).

use super::*;
use crate::support::workbook::write_file;

#[test]
fn dates_in_every_format_and_ambiguity_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = guid(1);
    let head = "Subscription ID,Subscription,Quantity,Customer tenant ID,Commitment end date\n";
    let rows = [
        ("e1", "2025-03-31"),
        ("e2", "2025-03-31T10:00:00Z"),
        ("e3", "3/31/2025 1:00:00 PM"),
        ("e4", "2025/3/31 下午 1:00:00"),
        ("e5", "2025/3/31 午後 1:00"),
        ("e6", "31.03.2025"),
        ("e7", "31.03.2025 13:00:00"),
        ("e8", "45747"),
    ];
    let body: String = rows
        .iter()
        .map(|(id, d)| format!("{id},A,1,{t},{d}\n"))
        .collect();
    let p = write_file(dir.path(), "formats.csv", format!("{head}{body}"));
    // Ambiguous: nothing in the file tells the order.
    let amb = write_file(
        dir.path(),
        "amb.csv",
        format!("{head}f1,A,1,{t},2025-01-01\nf2,A,1,{t},05/06/2025\n"),
    );
    // Evidence: 25/12 shows day-first, so 05/06 is 5 June.
    let ev = write_file(
        dir.path(),
        "ev.csv",
        format!("{head}g1,A,1,{t},25/12/2025\ng2,A,1,{t},05/06/2025\n"),
    );
    let inputs = read(&exports(&[&p, &amb, &ev]));
    let d = NaiveDate::from_ymd_opt(2025, 3, 31);
    for (id, raw) in rows {
        assert_eq!(sub(&inputs, id).term_end, d, "{id} {raw}");
    }
    assert_eq!(
        sub(&inputs, "g2").term_end,
        NaiveDate::from_ymd_opt(2025, 6, 5)
    );
    assert_eq!(sub(&inputs, "f2").term_end, None);
    let texts = issue_texts(&inputs);
    assert!(
        texts.iter().any(|t| t
            .contains("amb.csv: line 3, column 5 (E): error: date \"05/06/2025\" is ambiguous")),
        "{texts:?}"
    );
    assert_eq!(inputs.issues.len(), 1, "{texts:?}");

    // The user's order resolves it without an issue.
    let mut spec = exports(&[&amb]);
    spec.day_first = Some(false);
    let inputs = read(&spec);
    assert_eq!(
        sub(&inputs, "f2").term_end,
        NaiveDate::from_ymd_opt(2025, 5, 6)
    );
    assert!(inputs.issues.is_empty());
}
