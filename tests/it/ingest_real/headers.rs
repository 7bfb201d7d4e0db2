//! Class 2: localized headers typed or exported with typographic
//! punctuation and Unicode spaces are recognised; a header row that is
//! almost recognised says which header was not understood.

use csp_consolidate::model::{Severity, SubStatus};

use super::{Inputs, X, build, customers_csv, guid, issue, put, row, s, utf16, xlsx};

#[test]
fn typographic_punctuation_and_unicode_spaces_in_four_locales() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let customers = vec![
        (guid(0xa1), "Boulangerie Dupont SARL".to_owned()),
        (guid(0xa2), "Müller & Söhne GmbH".to_owned()),
        (guid(0xa3), "Северный Ветер ООО".to_owned()),
        (guid(0xa4), "株式会社さくらシステムズ".to_owned()),
    ];
    let list = put(d, "Customers.csv", customers_csv(&customers));
    // fr: curly apostrophe, NBSP inside « État », narrow NBSP.
    let fr = put(
        d,
        "Boulangerie Dupont SARL.csv",
        utf16(
            &format!(
                "ID d\u{2019}abonnement\tAbonnement\tQuantit\u{e9}\t\u{ab}\u{a0}\u{c9}tat\u{a0}\u{bb}\r\n\
                 {}\tOffice 365 E3\t3\tActif\r\n",
                guid(1)
            ),
            true,
        ),
    );
    // de: en dash and a non-breaking hyphen in the ID header.
    let de = put(
        d,
        "Müller & Söhne GmbH.csv",
        format!(
            "Abonnement\u{2013}ID;Abonnement;Menge;Status\r\n{};Office 365 E1;4;Angehalten\r\n",
            guid(2)
        ),
    );
    // ru: „quotes“ and a figure space.
    let ru = put(
        d,
        "Северный Ветер ООО.csv",
        format!(
            "\u{201e}Идентификатор\u{2007}подписки\u{201c};Подписка;Количество;Состояние\r\n{};Office 365 E3;6;Активна\r\n",
            guid(3)
        ),
    );
    // ja workbook: ideographic space and a zero-width space.
    let ja = d.join("株式会社さくらシステムズ.xlsx");
    xlsx(
        &ja,
        &[(
            "Sheet1",
            vec![
                vec![
                    s("サブスクリプション\u{3000}ID"),
                    s("サブスクリプション\u{200b}"),
                    s("数量"),
                    s("状態"),
                ],
                vec![s(&guid(4)), s("Office 365 E5"), X::N(2.0), s("アクティブ")],
            ],
        )],
        None,
    );
    let book = build(
        d,
        Inputs {
            exports: vec![fr, de, ru, ja],
            customers: Some(list),
            ..Inputs::default()
        },
    );
    for (id, customer, seats, status) in [
        (guid(1), "Boulangerie Dupont SARL", 3, SubStatus::Active),
        (guid(2), "Müller & Söhne GmbH", 4, SubStatus::Suspended),
        (guid(3), "Северный Ветер ООО", 6, SubStatus::Active),
        (guid(4), "株式会社さくらシステムズ", 2, SubStatus::Active),
    ] {
        let r = row(&book, &id);
        assert_eq!(
            (r.customer.as_str(), r.seats, r.status.as_ref()),
            (customer, Some(seats), Some(&status)),
            "{id}"
        );
    }
}

#[test]
fn an_almost_recognised_header_names_what_was_not_understood() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let t = guid(0xb1);
    // de: the ID column typed as "Abo-Nr."; the rest is a German export.
    let de = put(
        d,
        "abo.csv",
        format!(
            "Bericht\r\nAbo-Nr.;Abonnement;Menge;Status\r\n{};Office 365 E3;3;Aktiv\r\n",
            guid(1)
        ),
    );
    // en workbook: customer list whose company column is "Firm".
    let en = d.join("customers-export.xlsx");
    xlsx(
        &en,
        &[(
            "Customers",
            vec![
                vec![
                    s("Microsoft ID"),
                    s("Firm"),
                    s("Primary domain name"),
                    s("Relationship"),
                ],
                vec![
                    s(&t),
                    s("Contoso"),
                    s("contoso.onmicrosoft.com"),
                    s("Cloud Reseller"),
                ],
            ],
        )],
        None,
    );
    let good = put(
        d,
        "good.csv",
        format!(
            "Customer tenant ID,Subscription ID,Subscription,Quantity\r\n{t},{},Office 365 E3,1\r\n",
            guid(9)
        ),
    );
    let book = build(
        d,
        Inputs {
            exports: vec![de, en, good],
            ..Inputs::default()
        },
    );
    let i = issue(&book, Severity::Error, "abo.csv: line 2", "\"Abo-Nr.\"");
    assert!(
        i.message.contains("Subscription ID") && i.message.contains("subscription export"),
        "{i}"
    );
    let c = issue(
        &book,
        Severity::Error,
        "customers-export.xlsx: Customers!1:1",
        "\"Firm\"",
    );
    assert!(c.message.contains("Company name"), "{c}");
}
