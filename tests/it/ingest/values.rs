//! Seat counts as people write them: thousands separators, and counts that
//! are not whole numbers, located by cell or line.

use super::*;
use crate::support::workbook::write_file;

#[test]
fn quantities_with_separators_and_bad_counts_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = guid(1);
    let text = format!(
        "Subscription ID,Subscription,Quantity,Customer tenant ID\n\
         d1,A,\"1,000\",{t}\nd2,A,1 000,{t}\nd3,A,1\u{a0}000,{t}\nd4,A,1\u{202f}000,{t}\n\
         d5,A,12.0,{t}\nd6,A,1.5,{t}\nd7,A,-2,{t}\nd8,A,lots,{t}\n"
    );
    let p = write_file(dir.path(), "q.csv", text);
    let inputs = read(&exports(&[&p]));
    for id in ["d1", "d2", "d3", "d4"] {
        assert_eq!(sub(&inputs, id).quantity, Some(1000), "{id}");
    }
    assert_eq!(sub(&inputs, "d5").quantity, Some(12));
    for id in ["d6", "d7", "d8"] {
        assert_eq!(sub(&inputs, id).quantity, None, "{id}");
    }
    let texts = issue_texts(&inputs);
    assert!(
        texts.iter().any(|t| t.ends_with(
            "q.csv: line 7, column 3 (C): error: quantity \"1.5\" is not a whole number"
        )),
        "{texts:?}"
    );
    assert!(has_issue(&inputs, "line 8, column 3 (C)"));
    assert!(has_issue(&inputs, "line 9, column 3 (C)"));
    assert_eq!(inputs.issues.len(), 3, "{texts:?}");
}
