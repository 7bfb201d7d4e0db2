//! Class 1: rows that are not subscriptions (totals lines, footnotes, a
//! second table after a blank row) are never read as subscriptions; each
//! is an `info` issue naming its row, or a warning when it looks like a
//! subscription that lost its ID.

use csp_consolidate::model::{Action, Severity};

use super::{Inputs, X, build, customers_csv, guid, issue, put, row, s, seats_to_move, xlsx};

#[test]
fn totals_footnotes_and_second_tables_in_three_locales_are_not_subscriptions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let customers = vec![
        (guid(0xc1), "Contoso Ltd.".to_owned()),
        (guid(0xc2), "株式会社さくらシステムズ".to_owned()),
        (guid(0xc3), "Müller & Söhne GmbH".to_owned()),
    ];
    let list = put(d, "Customers.csv", customers_csv(&customers));
    // en: a totals line with a sum, a footnote, a blank-separated table.
    let en = put(
        d,
        "Contoso Ltd.csv",
        format!(
            "Subscription ID,Subscription,Quantity,Status\r\n\
             {},Office 365 E3,10,Active\r\n\
             {},Exchange Online (Plan 1),5,Active\r\n\
             {},Microsoft 365 Business Basic,20,Active\r\n\
             ,,,\r\n\
             Total,,35,\r\n\
             * Quantities as of the export date,,,\r\n\
             \r\n\
             Reseller,Seats\r\n\
             Fabrikam Partner Co,35\r\n",
            guid(1),
            guid(2),
            guid(3)
        ),
    );
    // ja workbook: title row, totals word in the product column, ID empty.
    let ja = d.join("株式会社さくらシステムズ.xlsx");
    let ja_rows = vec![
        vec![s("サブスクリプション一覧")],
        vec![
            s("サブスクリプション ID"),
            s("サブスクリプション"),
            s("数量"),
            s("状態"),
        ],
        vec![s(&guid(11)), s("Office 365 E3"), X::N(7.0), s("アクティブ")],
        vec![s(&guid(12)), s("Office 365 E1"), X::N(3.0), s("中断")],
        vec![X::Empty, s("合計"), X::N(10.0), X::Empty],
        vec![s("※ 数量はエクスポート時点のものです")],
    ];
    xlsx(&ja, &[("サブスクリプション", ja_rows)], None);
    // de: `Summe` line, then a row that lost its ID but is clearly data.
    let de = put(
        d,
        "Müller & Söhne GmbH.csv",
        format!(
            "Abonnement-ID;Abonnement;Menge;Status\r\n\
             {};Office 365 E3;12;Aktiv\r\n\
             siehe Anhang;Office 365 E1;4;Aktiv\r\n\
             Summe:;;16;\r\n",
            guid(21)
        ),
    );
    let book = build(
        d,
        Inputs {
            exports: vec![en, ja, de],
            customers: Some(list),
            ..Inputs::default()
        },
    );
    let ids: Vec<&str> = book
        .rows
        .iter()
        .map(|r| r.source_subscription_id.as_str())
        .collect();
    assert_eq!(book.rows.len(), 6, "only real subscriptions: {ids:?}");
    // Seats to move count each real subscription once: 10+5+20 + 7 + 12.
    assert_eq!(seats_to_move(&book), 54);
    assert_eq!(
        row(&book, &guid(12)).action,
        Action::Skip("suspended at source".into())
    );
    for (place, part) in [
        ("Contoso Ltd.csv: line 6", "totals line"),
        (
            "Contoso Ltd.csv: line 7",
            "Quantities as of the export date",
        ),
        ("Contoso Ltd.csv: line 10", "Fabrikam Partner Co"),
        ("Contoso Ltd.csv: line 9", "Reseller | Seats"),
        (
            "株式会社さくらシステムズ.xlsx: サブスクリプション!5:5",
            "totals line \"合計 | 10\"",
        ),
        (
            "株式会社さくらシステムズ.xlsx: サブスクリプション!6:6",
            "※ 数量",
        ),
        ("Müller & Söhne GmbH.csv: line 4", "totals line"),
    ] {
        issue(&book, Severity::Info, place, part);
    }
    // Data that lost its ID is a warning, not an info.
    let w = issue(
        &book,
        Severity::Warning,
        "Müller & Söhne GmbH.csv: line 3",
        "siehe Anhang",
    );
    assert!(w.message.contains("looks like a subscription"), "{w}");
}

#[test]
fn a_table_without_guids_keeps_token_ids_and_drops_its_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let t = guid(0xd1);
    let export = put(
        d,
        "tokens.csv",
        format!(
            "Customer tenant ID,Subscription ID,Subscription,Quantity,Status\r\n\
             {t},sub-001,Office 365 E3,4,Active\r\n\
             {t},sub-002,Office 365 E1,6,Active\r\n\
             ,TOTAL,,10,\r\n"
        ),
    );
    let book = build(
        d,
        Inputs {
            exports: vec![export],
            ..Inputs::default()
        },
    );
    assert_eq!(book.rows.len(), 2);
    assert_eq!(seats_to_move(&book), 10);
    issue(&book, Severity::Info, "tokens.csv: line 4", "totals line");
}

#[test]
fn a_customer_list_keeps_its_customers_and_drops_its_totals_and_footnotes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let list = put(
        d,
        "Customers.csv",
        format!(
            "Microsoft ID,Company name,Primary domain name,Relationship\r\n\
             {},Contoso Ltd.,contoso.onmicrosoft.com,Cloud Reseller\r\n\
             {},Fabrikam,fabrikam.onmicrosoft.com,Cloud Reseller\r\n\
             Total: 2,,,\r\n\
             * Exported from Partner Center on 2026-11-10,,,\r\n",
            guid(0x91),
            guid(0x92)
        ),
    );
    let export = put(
        d,
        "Contoso Ltd.csv",
        format!(
            "Subscription ID,Subscription,Quantity,Status\r\n{},Office 365 E3,3,Active\r\n",
            guid(1)
        ),
    );
    let book = build(
        d,
        Inputs {
            exports: vec![export],
            customers: Some(list),
            ..Inputs::default()
        },
    );
    let names: Vec<&str> = book
        .customers
        .iter()
        .map(|c| c.company_name.as_str())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(row(&book, &guid(1)).customer, "Contoso Ltd.");
    issue(&book, Severity::Info, "Customers.csv: line 4", "Total: 2");
    issue(
        &book,
        Severity::Info,
        "Customers.csv: line 5",
        "Exported from Partner Center",
    );
}
