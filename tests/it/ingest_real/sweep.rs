//! The no-panic sweep, extended to the activity log and the customer
//! list: every hostile file, given as an export, as `--customers` and as
//! `--activity` beside one good export, still gives a workbook, and a
//! broken file is a located issue naming it.

use super::{Inputs, guid, put, try_build};

/// (name, bytes, whether the file is broken: it must be named by an issue).
fn hostile() -> Vec<(&'static str, Vec<u8>, bool)> {
    let mut rng = fastrand::Rng::with_seed(15);
    let mut random = |n: usize| (0..n).map(|_| rng.u8(..)).collect::<Vec<u8>>();
    let mut xlsx = Vec::new();
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Subscription ID").expect("write");
        ws.write_string(1, 0, guid(7)).expect("write");
        xlsx.extend(wb.save_to_buffer().expect("xlsx"));
    }
    let mut corrupt = xlsx.clone();
    let mid = corrupt.len() / 3;
    for b in corrupt.iter_mut().skip(mid).take(300).step_by(5) {
        *b ^= 0x5A;
    }
    let truncated = xlsx[..xlsx.len() / 2].to_vec();
    let long = "Ж".repeat(40_000);
    vec![
        ("random.csv", random(4096), true),
        ("random.xlsx", random(4096), true),
        ("random.xls", random(4096), true),
        ("corrupt.xlsx", corrupt, true),
        ("truncated.xlsx", truncated, true),
        ("nuls.csv", vec![0u8; 8192], true),
        ("bom-only.csv", vec![0xEF, 0xBB, 0xBF], true),
        ("utf16-odd.csv", vec![0xFF, 0xFE, 0x41], true),
        ("empty.csv", Vec::new(), true),
        ("quotes.csv", b"\"Date-Time,\"\"\n\"\"\"".to_vec(), true),
        ("long-line.csv", "a;".repeat(400_000).into_bytes(), true),
        (
            "long-cells.csv",
            format!(
                "Date-Time,Affected customer,Action\r\n{long},{long},{long}\r\n\
                 Microsoft ID,Company name\r\n{long},{long}\r\n"
            )
            .into_bytes(),
            true,
        ),
        (
            "bad-times.csv",
            "日時,影響を受ける顧客,アクション\r\n2026/11/12 午後 99:99,X,Created order\r\n,,\r\n令和8年,Y,Z\r\n"
                .as_bytes()
                .to_vec(),
            true,
        ),
        (
            "customers-junk.csv",
            "Microsoft ID,Company name\r\nTotal,16\r\n,\r\nnot-a-guid,Someone\r\n"
                .as_bytes()
                .to_vec(),
            true,
        ),
    ]
}

#[test]
fn hostile_files_in_every_role_still_give_a_workbook_with_located_issues() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let t = guid(0x71);
    let good = put(
        d,
        "good.csv",
        format!(
            "Customer tenant ID,Subscription ID,Subscription,Quantity,Status\r\n{t},{},Office 365 E3,10,Active\r\n",
            guid(1)
        ),
    );
    for (name, bytes, broken) in hostile() {
        let path = put(d, &format!("h/{name}"), &bytes);
        for role in ["export", "customers", "activity"] {
            let mut inputs = Inputs {
                exports: vec![good.clone()],
                ..Inputs::default()
            };
            match role {
                "export" => inputs.exports.push(path.clone()),
                "customers" => inputs.customers = Some(path.clone()),
                _ => inputs.activity.push(path.clone()),
            }
            let what = format!("{name} as {role}");
            let book =
                try_build(d, inputs).unwrap_or_else(|e| panic!("{what}: build aborted: {e}"));
            assert_eq!(book.rows.len(), 1, "{what}: the good export's row");
            if broken {
                assert!(
                    book.issues.iter().any(|i| i.location.file.contains(name)),
                    "{what}: no issue names the file: {:#?}",
                    book.issues
                );
            }
            let out = d.join("out.xlsx");
            csp_consolidate::sheet::write_workbook(book, &out)
                .unwrap_or_else(|e| panic!("{what}: no workbook: {e}"));
            assert!(out.exists(), "{what}");
            std::fs::remove_file(&out).expect("remove");
        }
    }
}
