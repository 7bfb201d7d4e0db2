//! Reading exports end to end: real xlsx files written with
//! rust_xlsxwriter and CSV bytes in many encodings, read back through
//! `ingest::read_all` from a temporary folder.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{NaiveDate, NaiveDateTime};
use csp_consolidate::ingest::{IngestSpec, read_all, read_offer_map};
use csp_consolidate::model::{ActionKind, Inputs, Issue, SourceSubscription, SubStatus};

use crate::support::workbook::{Cell, export_xlsx, utf16, write_file};

fn guid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-00000000000a")
}

fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|x| x.and_hms_opt(h, mi, 0))
        .expect("valid date")
}

fn read(spec: &IngestSpec) -> Inputs {
    read_all(spec, &|_, _| {}).expect("read_all")
}

fn exports(paths: &[&Path]) -> IngestSpec {
    IngestSpec {
        exports: paths.iter().map(|p| p.to_path_buf()).collect(),
        ..IngestSpec::default()
    }
}

fn sub<'a>(inputs: &'a Inputs, id: &str) -> &'a SourceSubscription {
    inputs
        .subscriptions
        .iter()
        .find(|s| s.subscription_id == id)
        .unwrap_or_else(|| panic!("no subscription {id} in {:#?}", inputs.subscriptions))
}

fn issue_texts(inputs: &Inputs) -> Vec<String> {
    inputs.issues.iter().map(Issue::to_string).collect()
}

fn has_issue(inputs: &Inputs, needle: &str) -> bool {
    inputs.issues.iter().any(|i| i.to_string().contains(needle))
}

const CUSTOMERS: &str = "Microsoft ID,Company name,Primary domain name,Relationship\n\
00000001-0000-4000-8000-00000000000a,Contoso Ltd.,contoso.onmicrosoft.com,Cloud Reseller\n\
00000002-0000-4000-8000-00000000000a,Fabrikam,fabrikam.com,Cloud Reseller\n\
00000003-0000-4000-8000-00000000000a,Twin Co,twin1.com,Cloud Reseller\n\
00000004-0000-4000-8000-00000000000a,Twin Co,twin2.com,Cloud Reseller\n\
00000005-0000-4000-8000-00000000000a,Northwind Traders,northwind.com,Cloud Reseller\n";

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

#[test]
fn dates_in_every_format_and_ambiguity_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = guid(1);
    let head = "Subscription ID,Subscription,Quantity,Customer tenant ID,Commitment end date\n";
    let rows = [
        ("e1", "2025-03-31"),
        ("e2", "2025-03-31T10:00:00Z"),
        ("e3", "3/31/2025 1:00:00 PM"),
        ("e4", "2025/3/31 下午 1:00:00"),
        ("e5", "2025/3/31 午後 1:00"),
        ("e6", "31.03.2025"),
        ("e7", "31.03.2025 13:00:00"),
        ("e8", "45747"),
    ];
    let body: String = rows
        .iter()
        .map(|(id, d)| format!("{id},A,1,{t},{d}\n"))
        .collect();
    let p = write_file(dir.path(), "formats.csv", format!("{head}{body}"));
    // Ambiguous: nothing in the file tells the order.
    let amb = write_file(
        dir.path(),
        "amb.csv",
        format!("{head}f1,A,1,{t},2025-01-01\nf2,A,1,{t},05/06/2025\n"),
    );
    // Evidence: 25/12 shows day-first, so 05/06 is 5 June.
    let ev = write_file(
        dir.path(),
        "ev.csv",
        format!("{head}g1,A,1,{t},25/12/2025\ng2,A,1,{t},05/06/2025\n"),
    );
    let inputs = read(&exports(&[&p, &amb, &ev]));
    let d = NaiveDate::from_ymd_opt(2025, 3, 31);
    for (id, raw) in rows {
        assert_eq!(sub(&inputs, id).term_end, d, "{id} {raw}");
    }
    assert_eq!(
        sub(&inputs, "g2").term_end,
        NaiveDate::from_ymd_opt(2025, 6, 5)
    );
    assert_eq!(sub(&inputs, "f2").term_end, None);
    let texts = issue_texts(&inputs);
    assert!(
        texts.iter().any(|t| t
            .contains("amb.csv: line 3, column 5 (E): error: date \"05/06/2025\" is ambiguous")),
        "{texts:?}"
    );
    assert_eq!(inputs.issues.len(), 1, "{texts:?}");

    // The user's order resolves it without an issue.
    let mut spec = exports(&[&amb]);
    spec.day_first = Some(false);
    let inputs = read(&spec);
    assert_eq!(
        sub(&inputs, "f2").term_end,
        NaiveDate::from_ymd_opt(2025, 5, 6)
    );
    assert!(inputs.issues.is_empty());
}

#[test]
fn attribution_by_tenant_file_domain_company_and_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let customers = write_file(dir.path(), "lists/Customers.csv", CUSTOMERS);
    let plain = |id: &str| format!("Subscription ID,Subscription,Quantity\n{id},Office 365 E3,5\n");
    write_file(
        dir.path(),
        &format!("in/export {}.csv", guid(5)),
        plain("h1"),
    );
    write_file(dir.path(), "in/fabrikam.com.csv", plain("h2"));
    write_file(
        dir.path(),
        "in/contoso-ltd_subscriptions_2024-05-01.csv",
        plain("h3"),
    );
    write_file(dir.path(), "in/Northwind Traders/export.csv", plain("h4"));
    write_file(dir.path(), "in/twin co.csv", plain("h5"));
    write_file(
        dir.path(),
        "in/mystery.csv",
        format!("{}h7,X,1\n", plain("h6")),
    );
    write_file(
        dir.path(),
        "in/mixed.csv",
        "Subscription ID,Subscription,Quantity,Customer name\nh8,A,1,FABRIKAM\nh9,A,1,Nobody Inc\nh10,A,1,Nobody Inc\n",
    );
    let mut spec = exports(&[&dir.path().join("in")]);
    spec.customers = Some(customers);
    let inputs = read(&spec);
    let tenant = |id: &str| sub(&inputs, id).customer_tenant_id.clone();
    assert_eq!(tenant("h1"), Some(guid(5)));
    assert_eq!(tenant("h2"), Some(guid(2)));
    assert_eq!(tenant("h3"), Some(guid(1)));
    assert_eq!(tenant("h4"), Some(guid(5)));
    assert_eq!(tenant("h5"), None);
    assert_eq!(tenant("h6"), None);
    assert_eq!(tenant("h7"), None);
    assert_eq!(tenant("h8"), Some(guid(2)));
    assert_eq!(tenant("h9"), None);
    let texts = issue_texts(&inputs);
    let mystery: Vec<_> = texts.iter().filter(|t| t.contains("mystery.csv")).collect();
    assert_eq!(mystery.len(), 1, "one issue for the file: {texts:?}");
    assert!(
        mystery[0].contains("these 2 subscription(s)"),
        "{mystery:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("twin co.csv") && t.contains("fits 2 customers")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("mixed.csv: line 3") && t.contains("\"Nobody Inc\" (2 rows)")),
        "{texts:?}"
    );
    // Folder walk names keep the folder as typed.
    assert!(
        sub(&inputs, "h4")
            .source
            .to_string()
            .contains("Northwind Traders/export.csv: line 2")
    );
    assert_eq!(inputs.customers.len(), 5);
    assert_eq!(
        inputs
            .files
            .iter()
            .filter(|f| f.kind == "customers")
            .count(),
        1
    );
}

#[test]
fn batch_migration_csv_reads_current_values_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "PartnerTenantId,IndirectResellerMpnId,CustomerName,CustomerTenantId,LegacySubscriptionId,LegacySubscriptionName,LegacyProductName,ExpirationDate,AutoRenewEnabled,MigrationEligible,NcePsa,CurrentTerm,CurrentBillingPlan,CurrentSeatCount,StartNewTermInNce,Term,BillingPlan,SeatCount,CustomTermEndDate,AddOn,BaseSubscriptionId,MigrationIneligibilityReason";
    let row = format!(
        "{p},1234567,Contoso Ltd.,{t},{s},Sales seats,Office 365 E3,05/06/2025 00:00:00,True,True,CFQ7TTC0LF8Q:0001,P1Y,Monthly,40,False,P1Y,Annual,35,,False,,",
        p = guid(99),
        t = guid(1).to_uppercase(),
        s = "EEEEEEEE-0000-4000-8000-000000000001"
    );
    let p = write_file(
        dir.path(),
        "subscriptions.csv",
        format!("{header}\n{row}\n"),
    );
    let inputs = read(&exports(&[&p]));
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    let s = sub(&inputs, "eeeeeeee-0000-4000-8000-000000000001");
    assert_eq!(s.customer_tenant_id, Some(guid(1)));
    assert_eq!(s.customer_name.as_deref(), Some("Contoso Ltd."));
    assert_eq!(s.quantity, Some(40));
    assert_eq!(s.term.as_deref(), Some("P1Y"));
    assert_eq!(s.nickname.as_deref(), Some("Sales seats"));
    assert_eq!(s.product, "Office 365 E3");
    assert_eq!(s.reseller.as_deref(), Some("1234567"));
    assert_eq!(s.auto_renew, Some(true));
    assert_eq!(
        s.term_end,
        NaiveDate::from_ymd_opt(2025, 5, 6),
        "invariant culture is month first"
    );
    assert!(
        s.extras
            .contains(&("SeatCount".to_owned(), "35".to_owned()))
    );
    assert!(
        s.extras
            .contains(&("NcePsa".to_owned(), "CFQ7TTC0LF8Q:0001".to_owned()))
    );
    assert_eq!(inputs.files[0].kind, "batch-migration");
}

fn activity_fixture(dir: &Path) -> (IngestSpec, PathBuf) {
    let customers = write_file(dir, "Customers.csv", CUSTOMERS);
    let contoso = write_file(
        dir,
        "exports/Contoso Ltd.csv",
        "Subscription ID,Subscription,Quantity\naaaa0001-0000-4000-8000-000000000001,Office 365 E3,10\n",
    );
    let fabrikam = write_file(
        dir,
        "exports/fabrikam.csv",
        "Subscription ID,Subscription,Quantity\naaaa0002-0000-4000-8000-000000000002,Office 365 E5,3\n",
    );
    let log = "Date-Time,Affected customer,Action,Partner user,Additional info\n\
        2024-04-30 10:00:00,Contoso Ltd.,Updated subscription quantity,a@p.com,\n\
        2024-05-02 10:00:00,CONTOSO LTD,Suspended subscription,b@p.com,\n\
        2024-05-03 10:00:00,Contoso Ltd.,Created a referral,c@p.com,\n\
        2024-05-04 11:00:00,Fabrikam,Updated subscription quantity,d@p.com,sub aaaa0002-0000-4000-8000-000000000002 to 5\n\
        2024-05-05 10:00:00,Unknown Corp,Purchased Office 365 E3,e@p.com,\n\
        2024-05-06 10:00:00,Unknown Corp,Purchased Office 365 E3,e@p.com,\n\
        2024-05-07 10:00:00,Twin Co,Suspended subscription,f@p.com,\n";
    let log = write_file(dir, "logs/act.csv", log);
    let spec = IngestSpec {
        exports: vec![contoso, fabrikam],
        customers: Some(customers),
        activity: vec![],
        exported_at: Some(dt(2024, 5, 1, 0, 0)),
        day_first: None,
    };
    (spec, log)
}

#[test]
fn activity_joins_names_and_counts_changes_after_the_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut spec, log) = activity_fixture(dir.path());
    // Auto-detected among the exports by its header.
    spec.exports.push(log);
    let inputs = read(&spec);
    let a = &inputs.activity;
    assert!(a.given);
    let contoso = &a.per_customer[&guid(1)];
    assert_eq!(
        contoso.count, 1,
        "only the suspend after the export; the referral is not subscription-affecting"
    );
    assert_eq!(
        contoso.last,
        Some((dt(2024, 5, 2, 10, 0), "Suspended subscription".to_owned()))
    );
    assert_eq!(a.last_activity[&guid(1)], dt(2024, 5, 3, 10, 0));
    assert_eq!(a.per_customer[&guid(2)].count, 1);
    assert_eq!(
        a.per_subscription["aaaa0002-0000-4000-8000-000000000002"].count,
        1
    );
    assert!(!a.per_customer.contains_key(&guid(3)));
    let referral = a
        .aggregates
        .iter()
        .find(|g| &*g.action == "Created a referral")
        .expect("aggregate");
    assert_eq!((referral.kind, referral.count), (ActionKind::Other, 1));
    assert_eq!(
        referral.customer_tenant_id.as_deref(),
        Some(guid(1).as_str())
    );
    let unknown = a
        .aggregates
        .iter()
        .find(|g| &*g.customer_name == "Unknown Corp")
        .expect("aggregate");
    assert_eq!(
        (
            unknown.count,
            unknown.kind,
            unknown.customer_tenant_id.as_deref()
        ),
        (2, ActionKind::Purchase, None)
    );
    assert_eq!(unknown.last_actor.as_deref(), Some("e@p.com"));
    let texts = issue_texts(&inputs);
    let log_issues: Vec<_> = texts.iter().filter(|t| t.contains("act.csv")).collect();
    assert_eq!(log_issues.len(), 2, "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("act.csv: line 6, column 2 (B)")
                && t.contains(
                    "activity names 'Unknown Corp' (2 rows): no customer with that name"
                )),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("act.csv: line 8, column 2 (B)")
                && t.contains("2 customers have that name")),
        "{texts:?}"
    );
    let f = inputs
        .files
        .iter()
        .find(|f| f.kind == "activity")
        .expect("activity file");
    assert_eq!(f.rows, 7);
    assert_eq!(f.sha256.len(), 64);
}

#[test]
fn activity_dates_ambiguous_or_inferred_per_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut spec, _) = activity_fixture(dir.path());
    let amb = write_file(
        dir.path(),
        "act.csv",
        "Date-Time,Affected customer,Action\n\
         2024-05-02 10:00:00,Contoso Ltd.,Suspended subscription\n\
         2024-05-02 11:00:00,Contoso Ltd.,Suspended subscription\n\
         2024-05-02 12:00:00,Contoso Ltd.,Suspended subscription\n\
         05/06/2024 10:00:00,Contoso Ltd.,Suspended subscription\n",
    );
    spec.activity = vec![amb.clone()];
    let inputs = read(&spec);
    let texts = issue_texts(&inputs);
    assert!(
        texts.iter().any(|t| t.starts_with(&format!(
            "{}: line 5, column 1 (A): error: date \"5/6/2024\" is ambiguous",
            amb.display()
        ))),
        "{texts:?}"
    );
    assert_eq!(inputs.activity.per_customer[&guid(1)].count, 3);

    // A later unambiguous date (13/06) settles the order for the file.
    let ev = write_file(
        dir.path(),
        "act2.csv",
        "Date-Time;Affected customer;Action\n\
         05/06/2024 10:00;Contoso Ltd.;Suspended subscription\n\
         13/06/2024 10:00;Contoso Ltd.;Suspended subscription\n",
    );
    spec.activity = vec![ev];
    let inputs = read(&spec);
    assert!(
        !has_issue(&inputs, "ambiguous"),
        "{:?}",
        issue_texts(&inputs)
    );
    let c = &inputs.activity.per_customer[&guid(1)];
    assert_eq!(c.count, 2);
    assert_eq!(c.last.as_ref().map(|l| l.0), Some(dt(2024, 6, 13, 10, 0)));
    assert_eq!(
        inputs.activity.last_activity[&guid(1)],
        dt(2024, 6, 13, 10, 0)
    );
}

#[test]
fn activity_log_in_utf16_with_tabs_is_streamed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut spec, _) = activity_fixture(dir.path());
    let mut text = String::from("日期 / 時間\t受影響客戶\t動作\t合作夥伴使用者\r\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "2024/5/{} 下午 1:00:00\tContoso Ltd.\t已暫停訂用帳戶\tu{i}@p.com\r\n",
            2 + i % 20
        ));
    }
    spec.activity = vec![write_file(dir.path(), "zh.csv", utf16(&text, true))];
    let inputs = read(&spec);
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    let c = &inputs.activity.per_customer[&guid(1)];
    assert_eq!(c.count, 3000);
    assert_eq!(c.last.as_ref().map(|l| l.0), Some(dt(2024, 5, 21, 13, 0)));
    assert_eq!(inputs.activity.aggregates[0].kind, ActionKind::Suspend);
}

#[test]
fn changes_are_counted_after_the_workbook_creation_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let customers = write_file(dir.path(), "Customers.csv", CUSTOMERS);
    let book = dir.path().join("Fabrikam.xlsx");
    export_xlsx(
        &book,
        &[(
            "Sheet1",
            vec![
                vec![
                    Cell::S("Subscription ID"),
                    Cell::S("Subscription"),
                    Cell::S("Quantity"),
                ],
                vec![
                    Cell::S("aaaa0009-0000-4000-8000-000000000009"),
                    Cell::S("E3"),
                    Cell::N(2.0),
                ],
            ],
        )],
        Some(dt(2024, 5, 10, 12, 0)),
    );
    let act = dir.path().join("act.xlsx");
    export_xlsx(
        &act,
        &[(
            "Log",
            vec![
                vec![
                    Cell::S("Date-Time"),
                    Cell::S("Affected customer"),
                    Cell::S("Action"),
                ],
                vec![
                    Cell::D(dt(2024, 5, 10, 11, 0)),
                    Cell::S("Fabrikam"),
                    Cell::S("Suspended subscription"),
                ],
                vec![
                    Cell::D(dt(2024, 5, 10, 13, 0)),
                    Cell::S("Fabrikam"),
                    Cell::S("Reactivated subscription"),
                ],
            ],
        )],
        None,
    );
    let mut spec = exports(&[&book, &act]);
    spec.customers = Some(customers);
    let inputs = read(&spec);
    assert!(inputs.issues.is_empty(), "{:?}", issue_texts(&inputs));
    let c = &inputs.activity.per_customer[&guid(2)];
    assert_eq!(c.count, 1);
    assert_eq!(
        c.last,
        Some((
            dt(2024, 5, 10, 13, 0),
            "Reactivated subscription".to_owned()
        ))
    );
}

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

#[test]
fn offer_map_example_is_read() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/offer-map.example.csv");
    let (map, issues, file) = read_offer_map(&path).expect("reads");
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(file.kind, "offer-map");
    assert_eq!(file.rows, 3);
    assert_eq!(
        map.lookup(Some("796B6B5F-613C-4E24-A17C-EBA730D49C02"), ""),
        Some("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF")
    );
    assert_eq!(
        map.lookup(None, "microsoft 365 business basic"),
        Some("CFQ7TTC0LH18:0001:CFQ7TTC0K971")
    );
}

/// The committed sample inputs (`fixtures/`, from the fixtures branch) read
/// with the outcomes their README promises.
#[test]
fn committed_fixtures_read_as_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let spec = IngestSpec {
        exports: vec![root.join("exports")],
        customers: Some(root.join("Customers.csv")),
        activity: vec![
            root.join("activity/ActivityLog.csv"),
            root.join("activity/ActivityLog-ja.csv"),
        ],
        exported_at: Some(dt(2026, 11, 10, 9, 0)),
        day_first: None,
    };
    let inputs = read(&spec);
    assert_eq!(inputs.customers.len(), 16);
    let texts = issue_texts(&inputs);
    for expected in [
        "fabrikam.onmicrosoft.com.xlsx: Subscriptions!D7: error: quantity \"2.5\"",
        "tailspintoys.onmicrosoft.com.csv: line 2, column 5 (E): error: date \"03/04/2027\" is ambiguous",
        "tailspintoys.onmicrosoft.com.csv: line 3, column 3 (C): error: quantity \"ten\"",
        "한빛소프트 주식회사.xlsx: Subscriptions!A5: error",
        "export-2026-11-10.xlsx: error: cannot tell which customer",
        "ActivityLog.csv: line 17, column 2 (B): warning: activity names 'Blue Yonder Airlines'",
        "ActivityLog.csv: line 16, column 2 (B): warning: activity names 'Proseware, Inc.'",
        "partner-contacts.csv: error: no recognised header",
        "empty.csv: error: the file is empty",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(expected)),
            "{expected}\n{texts:#?}"
        );
    }
    assert_eq!(texts.len(), 9, "{texts:#?}");
    let q = |id: &str| sub(&inputs, id).quantity;
    assert_eq!(
        q("620e3145-d787-4b82-90ef-01ae004b25b5"),
        Some(1200),
        "de 1.200"
    );
    assert_eq!(
        q("68af4712-f81b-41de-a392-2ea8c5966fe8"),
        Some(1000),
        "ru NBSP"
    );
    assert_eq!(
        q("7c19ed19-c2f2-468e-969c-37907541616d"),
        Some(1500),
        "fr U+202F in UTF-16"
    );
    let changes: Vec<(String, u32)> = {
        let mut v: Vec<_> = inputs
            .activity
            .per_customer
            .iter()
            .map(|(k, c)| (k.clone(), c.count))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        changes,
        vec![
            ("0b20e1a1-d23c-4992-b4cc-b77e690b57ff".to_owned(), 1),
            ("3a866d32-6ce2-405a-8720-3a9888d5ab93".to_owned(), 1),
            ("6c4ca06f-2a0b-4f52-8dc6-b0d59e420fd0".to_owned(), 2),
            ("6de30700-8c12-4a6f-93c0-ed6d64e9b6c7".to_owned(), 2),
            ("6fe442ac-47fb-4679-990e-30733c1ae221".to_owned(), 1),
            ("e662c9fd-d1b7-4190-83e5-19698208e354".to_owned(), 2),
        ]
    );
}
