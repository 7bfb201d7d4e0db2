//! Bad inputs: garbage files become issues (never panics), missing paths
//! are fatal, and progress is reported.

use std::path::PathBuf;
use std::sync::Mutex;

use super::*;
use crate::support::workbook::{Cell, export_xlsx, write_file};

#[test]
fn garbage_inputs_become_issues_not_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let big_cell = format!(
        "Subscription ID,Subscription,Quantity\nz1,\"{}\",1\n",
        "x".repeat(10 * 1024 * 1024)
    );
    let mut valid = Vec::new();
    {
        let p = dir.path().join("valid.xlsx");
        export_xlsx(
            &p,
            &[(
                "S",
                vec![
                    vec![Cell::S("Subscription ID"), Cell::S("Quantity")],
                    vec![Cell::S("z9"), Cell::N(1.0)],
                ],
            )],
            None,
        );
        valid = std::fs::read(p).unwrap_or(valid);
    }
    let files = [
        write_file(dir.path(), "junk.xlsx", &junk),
        write_file(dir.path(), "truncated.xlsx", &valid[..valid.len() / 2]),
        write_file(dir.path(), "zip-header-only.xlsx", b"PK\x03\x04"),
        write_file(dir.path(), "empty.csv", b""),
        write_file(dir.path(), "junk.csv", &junk),
        write_file(
            dir.path(),
            "ragged.csv",
            "Subscription ID,Subscription,Quantity\nz2\nz3,A,1,extra,more\n\n,,\n",
        ),
        write_file(dir.path(), "big.csv", big_cell),
        write_file(dir.path(), "notes.csv", "just some text\nnothing here\n"),
    ];
    let inputs = read(&exports(
        &files.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
    ));
    let texts = issue_texts(&inputs);
    for name in [
        "junk.xlsx",
        "truncated.xlsx",
        "zip-header-only.xlsx",
        "empty.csv",
        "junk.csv",
        "notes.csv",
    ] {
        assert!(texts.iter().any(|t| t.contains(name)), "{name}: {texts:?}");
    }
    assert_eq!(sub(&inputs, "z1").product.len(), 10 * 1024 * 1024);
    assert_eq!(sub(&inputs, "z2").quantity, None);
    assert_eq!(
        sub(&inputs, "z3").extras,
        vec![
            ("Column D".to_owned(), "extra".to_owned()),
            ("Column E".to_owned(), "more".to_owned())
        ]
    );
    assert_eq!(inputs.files.len(), files.len(), "every file is listed");
}

#[test]
fn missing_paths_are_fatal_and_progress_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope");
    assert!(read_all(&exports(&[&missing]), &|_, _| {}).is_err());
    let a = write_file(dir.path(), "a/1.csv", "Subscription ID,Quantity\nx1,1\n");
    write_file(dir.path(), "a/2.csv", "Subscription ID,Quantity\nx2,1\n");
    write_file(dir.path(), "a/~$lock.xlsx", "lock");
    write_file(dir.path(), "a/readme.md", "ignored");
    let calls = Mutex::new(Vec::new());
    let inputs = read_all(&exports(&[a.parent().expect("parent")]), &|d, t| {
        calls.lock().expect("lock").push((d, t));
    })
    .expect("reads");
    assert_eq!(inputs.files.len(), 2);
    let mut calls = calls.into_inner().expect("calls");
    calls.sort();
    assert_eq!(calls, vec![(1, 2), (2, 2)]);
}
