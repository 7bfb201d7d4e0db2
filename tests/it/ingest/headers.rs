//! Finding the header and the columns: title rows above it, a later sheet,
//! extra columns kept, and every locale's header and status words.

use std::path::PathBuf;

use csp_consolidate::model::SubStatus;

use super::*;
use crate::support::workbook::{Cell, export_xlsx, write_file};

#[test]
fn header_below_title_rows_on_a_later_sheet_with_extras_and_tenant_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("subs.xlsx");
    let t = guid(1);
    export_xlsx(
        &path,
        &[
            ("Notes", vec![vec![Cell::S("Exported from Partner Center")]]),
            (
                "Subscriptions",
                vec![
                    vec![Cell::S("Contoso subscriptions")],
                    vec![Cell::S("Generated 2024-05-01")],
                    vec![
                        Cell::S("Subscription ID"),
                        Cell::S("Subscription"),
                        Cell::S("Quantity"),
                        Cell::S("Status"),
                        Cell::S("Customer tenant ID"),
                        Cell::S("Cost center"),
                        Cell::S("Commitment end date"),
                    ],
                    vec![
                        Cell::S("AAAAAAAA-0000-4000-8000-000000000001"),
                        Cell::S("Office 365 E3"),
                        Cell::N(25.0),
                        Cell::S("Active"),
                        Cell::S(&t.to_uppercase()),
                        Cell::S("CC-42"),
                        Cell::D(dt(2025, 3, 31, 0, 0)),
                    ],
                    vec![],
                    vec![
                        Cell::S("aaaaaaaa-0000-4000-8000-000000000002"),
                        Cell::S("Microsoft Azure"),
                        Cell::N(1.0),
                        Cell::S("Suspended"),
                        Cell::S(&t),
                    ],
                ],
            ),
        ],
        Some(dt(2024, 5, 1, 9, 30)),
    );
    let inputs = read(&exports(&[&path]));
    assert_eq!(inputs.subscriptions.len(), 2, "{:?}", issue_texts(&inputs));
    let a = sub(&inputs, "aaaaaaaa-0000-4000-8000-000000000001");
    assert_eq!(a.quantity, Some(25));
    assert_eq!(a.customer_tenant_id.as_deref(), Some(t.as_str()));
    assert_eq!(a.status, Some(SubStatus::Active));
    assert_eq!(a.term_end, NaiveDate::from_ymd_opt(2025, 3, 31));
    assert_eq!(
        a.extras,
        vec![("Cost center".to_owned(), "CC-42".to_owned())]
    );
    assert_eq!(
        a.exported_at,
        Some(dt(2024, 5, 1, 9, 30)),
        "docProps created"
    );
    assert!(
        a.source
            .to_string()
            .ends_with("subs.xlsx: Subscriptions!4:4"),
        "{}",
        a.source
    );
    let b = sub(&inputs, "aaaaaaaa-0000-4000-8000-000000000002");
    assert_eq!(b.status, Some(SubStatus::Suspended));
    assert!(b.source.to_string().ends_with("Subscriptions!6:6"));
    let f = &inputs.files[0];
    assert_eq!((f.kind.as_str(), f.rows), ("subscriptions", 2));
    assert_eq!(f.sha256.len(), 64);
    assert!(
        f.sha256
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(f.bytes, std::fs::metadata(&path).expect("meta").len());
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
}

#[test]
fn every_locale_header_and_status_word_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let customers = write_file(dir.path(), "Customers.csv", CUSTOMERS);
    // (locale, delimiter, header, suspended word)
    let cases = [
        (
            "zh-TW",
            ",",
            ["訂閱識別碼", "訂閱", "數量", "狀態"],
            "已暫停",
        ),
        ("zh-CN", ",", ["订阅 ID", "订阅", "数量", "状态"], "已暂停"),
        (
            "ja-JP",
            ",",
            [
                "サブスクリプション ID",
                "サブスクリプション",
                "数量",
                "状態",
            ],
            "中断",
        ),
        (
            "ko-KR",
            ",",
            ["구독 ID", "구독", "수량", "상태"],
            "일시 중단됨",
        ),
        (
            "ru-RU",
            ";",
            [
                "Идентификатор подписки",
                "Подписка",
                "Количество",
                "Состояние",
            ],
            "Приостановлено",
        ),
        (
            "de-DE",
            ";",
            ["Abonnement-ID", "Abonnement", "Menge", "Status"],
            "Angehalten",
        ),
        (
            "fr-FR",
            ";",
            ["ID d'abonnement", "Abonnement", "Quantité", "Statut"],
            "Suspendu",
        ),
        (
            "pt-BR",
            ";",
            ["ID da assinatura", "Assinatura", "Quantidade", "Status"],
            "Suspenso",
        ),
    ];
    let mut paths = Vec::new();
    for (i, (locale, d, h, suspended)) in cases.iter().enumerate() {
        let id = format!("bbbbbbbb-0000-4000-8000-{:012}", i);
        let text = format!(
            "{}\n{id}{d}Office 365 E3{d}\"1 234\"{d}{suspended}\n",
            h.join(d)
        );
        paths.push(write_file(
            dir.path(),
            &format!("{locale}/Contoso Ltd.csv"),
            text,
        ));
    }
    let mut spec = exports(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    spec.customers = Some(customers);
    let inputs = read(&spec);
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    assert_eq!(inputs.subscriptions.len(), cases.len());
    for (i, (locale, ..)) in cases.iter().enumerate() {
        let s = sub(&inputs, &format!("bbbbbbbb-0000-4000-8000-{:012}", i));
        assert_eq!(s.status, Some(SubStatus::Suspended), "{locale}");
        assert_eq!(s.quantity, Some(1234), "{locale}");
        assert_eq!(s.product, "Office 365 E3", "{locale}");
        assert_eq!(
            s.customer_tenant_id.as_deref(),
            Some(guid(1).as_str()),
            "{locale}"
        );
    }
}
