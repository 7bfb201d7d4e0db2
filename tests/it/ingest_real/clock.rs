//! Class 4: the 12- and 24-hour clock forms of every supported locale,
//! including hour 0 and 12 after the CJK morning/afternoon markers; an
//! unreadable time is an issue on its row with the text, never a row
//! dropped silently.

use chrono::NaiveDateTime;
use csp_consolidate::model::Severity;

use super::{Inputs, at, build, customers_csv, guid, issue, put, utf16};

/// (locale header line, delimiter, rows of (date text, expected time)).
type Log = (
    &'static str,
    &'static str,
    Vec<(&'static str, NaiveDateTime)>,
);

fn logs() -> Vec<Log> {
    vec![
        (
            "Date-Time,Affected customer,Action",
            ",",
            vec![
                ("11/12/2026 1:04:05\u{202f}PM", at(2026, 11, 12, 13, 4, 5)),
                ("11/13/2026 12:00:00 AM", at(2026, 11, 13, 0, 0, 0)),
                ("11/13/2026 9:00:01 a.m.", at(2026, 11, 13, 9, 0, 1)),
                ("11/13/2026 12:30 p.m.", at(2026, 11, 13, 12, 30, 0)),
                ("2026-11-13T23:59:59Z", at(2026, 11, 13, 23, 59, 59)),
            ],
        ),
        (
            "日時,影響を受ける顧客,アクション",
            ",",
            vec![
                ("2026/11/12 午前0:30:00", at(2026, 11, 12, 0, 30, 0)),
                ("2026/11/12 午後0:05", at(2026, 11, 12, 12, 5, 0)),
                ("2026/11/12 午前 12:05:00", at(2026, 11, 12, 0, 5, 0)),
                ("2026/11/12 午後 12:30:00", at(2026, 11, 12, 12, 30, 0)),
                ("2026年11月13日 13時04分05秒", at(2026, 11, 13, 13, 4, 5)),
            ],
        ),
        (
            "日期-时间,受影响的客户,操作",
            ",",
            vec![
                ("2026/11/12 上午12:05:00", at(2026, 11, 12, 0, 5, 0)),
                ("2026/11/12 下午12:30:00", at(2026, 11, 12, 12, 30, 0)),
                ("2026/11/12 凌晨0:10", at(2026, 11, 12, 0, 10, 0)),
                ("2026/11/12 晚上8:15", at(2026, 11, 12, 20, 15, 0)),
            ],
        ),
        (
            "日期 / 時間,受影響客戶,動作",
            ",",
            vec![
                ("2026/11/12 上午 0:45:00", at(2026, 11, 12, 0, 45, 0)),
                ("2026/11/12 下午 0:15:00", at(2026, 11, 12, 12, 15, 0)),
            ],
        ),
        (
            "날짜-시간,영향을 받은 고객,작업",
            ",",
            vec![
                ("2026. 11. 12. 오전 12:05:00", at(2026, 11, 12, 0, 5, 0)),
                ("2026-11-12 오후 12:30:00", at(2026, 11, 12, 12, 30, 0)),
                ("2026-11-12 오후 1시 4분 5초", at(2026, 11, 12, 13, 4, 5)),
            ],
        ),
        (
            "Datum/Uhrzeit;Betroffener Kunde;Aktion",
            ";",
            vec![
                ("12.11.2026 13:04:05", at(2026, 11, 12, 13, 4, 5)),
                ("12.11.2026 0:05", at(2026, 11, 12, 0, 5, 0)),
            ],
        ),
        (
            "Date-Heure;Client affecté;Action",
            ";",
            vec![
                ("12/11/2026 13:04:05", at(2026, 11, 12, 13, 4, 5)),
                ("03/11/2026 08:00", at(2026, 11, 3, 8, 0, 0)),
            ],
        ),
        (
            "Дата и время;Затронутый клиент;Действие",
            ";",
            vec![("12.11.2026 23:59:59", at(2026, 11, 12, 23, 59, 59))],
        ),
        (
            "Data-Hora;Cliente afetado;Ação",
            ";",
            vec![("12/11/2026 00:00:01", at(2026, 11, 12, 0, 0, 1))],
        ),
    ]
}

#[test]
fn every_clock_form_of_every_locale_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let customer = "Contoso Ltd.".to_owned();
    let list = put(
        d,
        "Customers.csv",
        customers_csv(&[(guid(0xf1), customer.clone())]),
    );
    let export = put(
        d,
        "Contoso Ltd.csv",
        format!(
            "Subscription ID,Subscription,Quantity,Status\r\n{},Office 365 E3,3,Active\r\n",
            guid(1)
        ),
    );
    let mut activity = Vec::new();
    let mut want = Vec::new();
    for (i, (header, delim, rows)) in logs().into_iter().enumerate() {
        let mut text = format!("{header}\r\n");
        for (j, (date, time)) in rows.into_iter().enumerate() {
            let action = format!("Created order {i}-{j}");
            text.push_str(&format!(
                "\"{date}\"{delim}\"{customer}\"{delim}{action}\r\n"
            ));
            want.push((action, time));
        }
        // Half the logs as Excel's "Unicode text" (UTF-16LE), the rest UTF-8.
        let bytes = if i % 2 == 0 {
            text.into_bytes()
        } else {
            utf16(&text, true)
        };
        activity.push(put(d, &format!("log-{i}.csv"), bytes));
    }
    let book = build(
        d,
        Inputs {
            exports: vec![export],
            customers: Some(list),
            activity,
        },
    );
    let date_issues: Vec<String> = book
        .issues
        .iter()
        .filter(|i| i.location.file.contains("log-") || i.message.contains("date"))
        .map(|i| i.to_string())
        .collect();
    assert!(date_issues.is_empty(), "{date_issues:#?}");
    for (action, time) in want {
        let a = book
            .activity
            .iter()
            .find(|a| a.action.as_ref() == action)
            .unwrap_or_else(|| panic!("no activity row {action}"));
        assert_eq!((a.first, a.last, a.count), (time, time, 1), "{action}");
    }
}

#[test]
fn an_unreadable_time_is_an_issue_on_its_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let list = put(
        d,
        "Customers.csv",
        customers_csv(&[(guid(0xf2), "Northwind".into())]),
    );
    let export = put(
        d,
        "Northwind.csv",
        format!(
            "Subscription ID,Subscription,Quantity,Status\r\n{},Office 365 E3,3,Active\r\n",
            guid(2)
        ),
    );
    let log = put(
        d,
        "ActivityLog-ja.csv",
        "日時,影響を受ける顧客,アクション\r\n\
         2026/11/12 午後 25:00:00,Northwind,Created order\r\n\
         2026/11/12 午前 9:61,Northwind,Suspended subscription\r\n\
         2026/11/12 午後 1:00:00,Northwind,Updated subscription quantity\r\n",
    );
    let book = build(
        d,
        Inputs {
            exports: vec![export],
            customers: Some(list),
            activity: vec![log],
        },
    );
    issue(
        &book,
        Severity::Warning,
        "ActivityLog-ja.csv: line 2, column 1",
        "午後 25:00:00",
    );
    issue(
        &book,
        Severity::Warning,
        "ActivityLog-ja.csv: line 3, column 1",
        "午前 9:61",
    );
    let counted: u64 = book.activity.iter().map(|a| a.count).sum();
    assert_eq!(counted, 1, "only the readable row is counted");
}
