//! Class 5: one bad cell never costs the whole workbook. A text longer
//! than Excel's 32,767 characters is cut wherever it is written (every
//! sheet, Meta included) with a warning at the cut cell, and the workbook
//! is still written.

use calamine::{Data, Reader, open_workbook_auto};
use csp_consolidate::model::{Issue, Location, Severity};
use csp_consolidate::sheet::cells::MAX_CELL_CHARS;

use super::{Inputs, build, guid, put};

/// Every sheet's cells as text, by sheet name.
fn sheets(path: &std::path::Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb = open_workbook_auto(path).expect("open workbook");
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet");
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut grid = vec![Vec::new(); r0 as usize];
            for row in range.rows() {
                let mut line = vec![String::new(); c0 as usize];
                line.extend(row.iter().map(|d| match d {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                }));
                grid.push(line);
            }
            (name, grid)
        })
        .collect()
}

fn longest(grid: &[Vec<String>]) -> usize {
    grid.iter()
        .flatten()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn hostile_long_cells_in_every_input_still_give_a_workbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let huge = |c: char| c.to_string().repeat(40_000);
    let t = guid(0x51);
    put(
        d,
        "Customers.csv",
        format!(
            "Microsoft ID,Company name\r\n{t},Contoso\r\n{},{}\r\n",
            guid(0x52),
            huge('N')
        ),
    );
    put(
        d,
        "export.csv",
        format!(
            "Customer tenant ID,Subscription ID,Subscription,Quantity,Status,PO number\r\n\
             {t},{},{},3,Active,{}\r\n\
             {t},{},Office 365 E1,{},Active,\r\n\
             {t},{},Office 365 E3,2,Active,\r\n",
            guid(1),
            huge('P'),
            huge('X'),
            guid(2),
            huge('9'),
            huge('i')
        ),
    );
    put(
        d,
        "ActivityLog.csv",
        format!(
            "Date-Time,Affected customer,Action\r\n2026-11-12T10:00:00Z,{},{}\r\n",
            huge('A'),
            huge('Q')
        ),
    );
    let out = d.join("out.xlsx");
    let run = assert_cmd::Command::cargo_bin("csp-consolidate")
        .expect("binary")
        .current_dir(d)
        .args([
            "build",
            "export.csv",
            "--customers",
            "Customers.csv",
            "--activity",
            "ActivityLog.csv",
            "--exported-at",
            "2026-11-10T09:00:00",
            "--as-of",
            "2026-11-20",
            "--out",
        ])
        .arg(&out)
        .env_remove("RUST_LOG")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run binary");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(out.exists(), "the workbook is written\n{stderr}");
    assert!(
        stderr.contains("export.csv: line 2: warning: Product: 40000 characters"),
        "{stderr}"
    );
    let all = sheets(&out);
    for (name, grid) in &all {
        assert!(
            longest(grid) <= MAX_CELL_CHARS,
            "{name} holds a cell over the limit"
        );
    }
    let get = |n: &str| &all.iter().find(|(s, _)| s == n).expect("sheet").1;
    assert_eq!(longest(get("Customers")), MAX_CELL_CHARS);
    assert_eq!(longest(get("Activity")), MAX_CELL_CHARS);
    let issues = get("Issues");
    let cut_at = |place: &str| {
        issues.iter().any(|r| {
            r.first().is_some_and(|s| s == "warning")
                && r.get(2).is_some_and(|p| p.starts_with(place))
                && r.get(3).is_some_and(|m| m.contains("40000 characters"))
        })
    };
    for place in ["Customers!A", "Activity!A2", "Activity!C2"] {
        assert!(cut_at(place), "no warning at {place}: {issues:#?}");
    }
    // The seat count that is 40,000 digits long is an error at its cell,
    // quoted short, and the rest of the file is still read.
    assert!(
        stderr.contains("export.csv: line 3, column 4 (D): error: quantity \"9999"),
        "{stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.len() > 2_000),
        "stderr quotes long cells short"
    );
}

#[test]
fn meta_and_issues_cells_are_cut_with_a_warning_at_the_cell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let t = guid(0x61);
    let export = put(
        d,
        "export.csv",
        format!(
            "Customer tenant ID,Subscription ID,Subscription,Quantity,Status\r\n{t},{},Office 365 E3,3,Active\r\n",
            guid(1)
        ),
    );
    let mut book = build(
        d,
        Inputs {
            exports: vec![export],
            ..Inputs::default()
        },
    );
    // Values no reader produces today, but a writer must survive: a 40,000
    // character input path (Meta's inputs table) and key (Meta's rows) and
    // an issue message (the Issues sheet itself).
    book.inputs[0].path = "p".repeat(40_000);
    book.rows[0].source_subscription_id = "k".repeat(40_000);
    book.issues
        .push(Issue::warning(Location::file("x.csv"), "m".repeat(40_000)));
    let out = d.join("meta.xlsx");
    let cut = csp_consolidate::sheet::write_workbook(book, &out).expect("workbook written");
    assert!(out.exists());
    let places: Vec<String> = cut
        .iter()
        .filter(|i| i.severity == Severity::Warning)
        .map(|i| i.location.place_text())
        .collect();
    assert!(places.iter().any(|p| p.starts_with("Meta!A")), "{places:?}");
    assert_eq!(
        places.iter().filter(|p| p.starts_with("Meta!")).count(),
        2,
        "{places:?}"
    );
    assert!(
        places.iter().any(|p| p.starts_with("Issues!D")),
        "{places:?}"
    );
    let all = sheets(&out);
    for (name, grid) in &all {
        assert!(longest(grid) <= MAX_CELL_CHARS, "{name}");
    }
    // Every cut is listed in the Issues sheet as well.
    let issues = &all.iter().find(|(n, _)| n == "Issues").expect("Issues").1;
    for p in &places {
        assert!(
            issues.iter().any(|r| r.get(2) == Some(p)),
            "{p} not in the Issues sheet"
        );
    }
}
