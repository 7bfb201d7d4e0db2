//! Class 3: a count's format is settled by the file's own evidence (its
//! delimiter, header language, date format, other values of the column);
//! full-width digits and every Unicode grouping space read like ASCII.

use csp_consolidate::model::Severity;

use super::{Inputs, X, build, customers_csv, guid, issue, put, row, s, utf16, xlsx};

#[test]
fn counts_are_read_as_the_file_writes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let names = [
        "Müller & Söhne GmbH",
        "Padaria Pão Quente Ltda.",
        "Boulangerie Dupont SARL",
        "株式会社さくらシステムズ",
        "Северный Ветер ООО",
        "Alpine Ski House",
        "Berliner Bäckerei",
    ];
    let customers: Vec<(String, String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (guid(0xe0 + i as u32), (*n).to_owned()))
        .collect();
    let list = put(d, "Customers.csv", customers_csv(&customers));
    let mut exports = Vec::new();
    // de, `;`: `2.000` is two thousand, as its neighbour `1.200` shows.
    exports.push(put(
        d,
        "Müller & Söhne GmbH.csv",
        format!(
            "Abonnement-ID;Abonnement;Menge;Status\r\n{};Office 365 E3;2.000;Aktiv\r\n{};Office 365 E1;1.200;Aktiv\r\n",
            guid(1),
            guid(2)
        ),
    ));
    // pt-BR, `,` delimiter: only the header language settles `3.000`.
    exports.push(put(
        d,
        "Padaria Pão Quente Ltda.csv",
        format!(
            "ID da assinatura,Assinatura,Quantidade,Status\r\n{},Office 365 E3,3.000,Ativo\r\n",
            guid(3)
        ),
    ));
    // fr, UTF-16 TAB: figure space, thin space, full-width digits.
    exports.push(put(
        d,
        "Boulangerie Dupont SARL.csv",
        utf16(
            &format!(
                "ID d'abonnement\tAbonnement\tQuantit\u{e9}\t\u{c9}tat\r\n\
                 {}\tOffice 365 E3\t2\u{2007}500\tActif\r\n\
                 {}\tOffice 365 E1\t1\u{2009}000\tActif\r\n\
                 {}\tExchange Online\t\u{ff11}\u{ff15}\tActif\r\n",
                guid(4),
                guid(5),
                guid(6)
            ),
            true,
        ),
    ));
    // ja workbook: text-typed full-width counts with a full-width comma.
    let ja = d.join("株式会社さくらシステムズ.xlsx");
    xlsx(
        &ja,
        &[(
            "Sheet1",
            vec![
                vec![
                    s("サブスクリプション ID"),
                    s("サブスクリプション"),
                    s("数量"),
                    s("状態"),
                ],
                vec![
                    s(&guid(7)),
                    s("Office 365 E3"),
                    s("\u{ff11}\u{ff0c}\u{ff12}\u{ff10}\u{ff10}"),
                    s("アクティブ"),
                ],
                vec![s(&guid(8)), s("Office 365 E1"), s("2.000"), s("アクティブ")],
            ],
        )],
        None,
    );
    exports.push(ja);
    // ru, TAB: `1.000` settled by the file's dotted dates.
    exports.push(put(
        d,
        "Северный Ветер ООО.csv",
        format!(
            "Идентификатор подписки\tПодписка\tКоличество\tСостояние\tДата окончания\r\n{}\tOffice 365 E3\t1.000\tАктивна\t05.03.2027\r\n",
            guid(9)
        ),
    ));
    // en, `,`: `2.000` is two (a comma-delimited en file uses `.` as decimal).
    exports.push(put(
        d,
        "Alpine Ski House.csv",
        format!(
            "Subscription ID,Subscription,Quantity,Status\r\n{},Office 365 E3,2.000,Active\r\n{},Office 365 E1,\"1,500\",Active\r\n",
            guid(10),
            guid(11)
        ),
    ));
    // en headers in a workbook, text `4.000`, nothing else: never guessed.
    let en = d.join("Berliner Bäckerei.xlsx");
    xlsx(
        &en,
        &[(
            "Subscriptions",
            vec![
                vec![
                    s("Subscription ID"),
                    s("Subscription"),
                    s("Quantity"),
                    s("Status"),
                ],
                vec![s(&guid(12)), s("Office 365 E3"), s("4.000"), s("Active")],
                vec![s(&guid(13)), s("Office 365 E1"), X::N(5.0), s("Active")],
            ],
        )],
        None,
    );
    exports.push(en);
    let book = build(
        d,
        Inputs {
            exports,
            customers: Some(list),
            ..Inputs::default()
        },
    );
    for (n, seats) in [
        (1, Some(2000)),
        (2, Some(1200)),
        (3, Some(3000)),
        (4, Some(2500)),
        (5, Some(1000)),
        (6, Some(15)),
        (7, Some(1200)),
        (8, Some(2)),
        (9, Some(1000)),
        (10, Some(2)),
        (11, Some(1500)),
        (12, None),
        (13, Some(5)),
    ] {
        assert_eq!(row(&book, &guid(n)).seats, seats, "subscription {n}");
    }
    issue(
        &book,
        Severity::Error,
        "Berliner Bäckerei.xlsx: Subscriptions!C2",
        "ambiguous",
    );
}
