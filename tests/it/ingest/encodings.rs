//! Text encodings (UTF-8 with and without BOM, UTF-16, legacy code pages)
//! and delimiters sniffed from the bytes.

use std::path::PathBuf;

use super::*;
use crate::support::workbook::{utf16, write_file};

#[test]
fn encodings_and_delimiters_are_sniffed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = guid(2);
    let en = |d: &str, id: &str| {
        format!(
            "Subscription ID{d}Subscription{d}Quantity{d}Customer tenant ID\r\n{id}{d}Produit à€{d}3{d}{t}\r\n"
        )
    };
    let ru = format!(
        "Идентификатор подписки;Подписка;Количество;Идентификатор клиента\r\ncccccccc-0000-4000-8000-000000000004;Офис 365;4;{t}\r\n"
    );
    let ja = format!(
        "サブスクリプション ID,サブスクリプション,数量,顧客テナント ID\r\ncccccccc-0000-4000-8000-000000000005,オフィス,5,{t}\r\n"
    );
    let files = [
        write_file(
            dir.path(),
            "le.csv",
            utf16(&en("\t", "cccccccc-0000-4000-8000-000000000001"), true),
        ),
        write_file(
            dir.path(),
            "be.csv",
            utf16(&en(",", "cccccccc-0000-4000-8000-000000000002"), false),
        ),
        write_file(
            dir.path(),
            "bom.csv",
            [
                &[0xef, 0xbb, 0xbf][..],
                en(";", "cccccccc-0000-4000-8000-000000000003").as_bytes(),
            ]
            .concat(),
        ),
        write_file(
            dir.path(),
            "ru.csv",
            encoding_rs::WINDOWS_1251.encode(&ru).0,
        ),
        write_file(dir.path(), "ja.csv", encoding_rs::SHIFT_JIS.encode(&ja).0),
    ];
    let inputs = read(&exports(
        &files.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
    ));
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    for n in 1..=3 {
        let s = sub(&inputs, &format!("cccccccc-0000-4000-8000-00000000000{n}"));
        assert_eq!((s.product.as_str(), s.quantity), ("Produit à€", Some(3)));
    }
    assert_eq!(
        sub(&inputs, "cccccccc-0000-4000-8000-000000000004").product,
        "Офис 365"
    );
    assert_eq!(
        sub(&inputs, "cccccccc-0000-4000-8000-000000000005").product,
        "オフィス"
    );
    assert!(
        inputs
            .files
            .iter()
            .all(|f| f.kind == "subscriptions" && f.rows == 1)
    );
}
