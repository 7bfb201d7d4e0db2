//! The fixture contents: one function per group of files. Every deliberate
//! problem is marked `// PROBLEM:` and listed in `fixtures/README.md`.

use std::path::Path;

use super::{
    CUSTOMERS, Enc, PARTNER_LABEL, Res, SheetSpec, V, guid, row, s, sub, tenant, write_csv,
    write_xlsx,
};

const O365_E3_LEGACY: &str = "796B6B5F-613C-4E24-A17C-EBA730D49C02";
const O365_E1_LEGACY: &str = "91FD106F-4B2C-4938-95AC-F54F74E9A239";
const EXO_P1_LEGACY: &str = "195416C1-3447-423A-B37B-EE59A99A19C4";
const PROJECT_P3_LEGACY: &str = "A7A1A4F2-3B1D-4C8E-9A36-6B4E2C1D9F10";
const BUS_PREM_LEGACY: &str = "031C9E47-4802-4248-838E-778FB1D2CC05";
const AZURE_PLAN: &str = "DZH318Z0BPS6:0001:DZH318Z0BPSW";
const M365_BB: &str = "CFQ7TTC0LH18:0001:CFQ7TTC0K971";
const M365_BP: &str = "CFQ7TTC0LCHC:0002:CFQ7TTC0K8R2";
const M365_E3: &str = "CFQ7TTC0LFLZ:0001:CFQ7TTC0KDLB";
const O365_E3_NCE: &str = "CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF";

fn n(x: f64) -> V {
    V::N(x)
}

fn name_of(key: &str) -> &'static str {
    CUSTOMERS
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.name)
}

fn domain_of(key: &str) -> &'static str {
    CUSTOMERS
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.domain)
}

/// `Customers.csv`: the Partner Center "Export customers" download.
pub fn customers(out: &Path) -> Res<()> {
    let mut rows = vec![row(&[
        "Microsoft ID",
        "Company name",
        "Primary domain name",
        "Relationship",
        "Tags",
    ])];
    for c in CUSTOMERS {
        rows.push(row(&[
            &tenant(c.key),
            c.name,
            c.domain,
            c.relationship,
            c.tags,
        ]));
    }
    write_csv(&out.join("Customers.csv"), b',', Enc::Utf8, &rows)
}

/// `offer-map.csv`: legacy offer (by ID or by product name) → catalog item.
#[rustfmt::skip]
pub fn offer_map(out: &Path) -> Res<()> {
    let rows = [
        ["Source offer ID", "Source product", "Target catalog item"],
        [O365_E3_LEGACY, "", O365_E3_NCE],
        [O365_E1_LEGACY, "", "CFQ7TTC0LF8R:0001:CFQ7TTC0K5BC"],
        [EXO_P1_LEGACY, "", "CFQ7TTC0LH16:0001:CFQ7TTC0K8P5"],
        [BUS_PREM_LEGACY, "", M365_BP],
        ["", "Office 365 E3", O365_E3_NCE],
        ["", "Microsoft 365 Business Standard", "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM"],
        ["", "Dynamics 365 Sales Professional", "CFQ7TTC0LH3N:0001:CFQ7TTC0K6XZ"],
    ];
    let rows: Vec<Vec<String>> = rows.iter().map(|r| row(r)).collect();
    write_csv(&out.join("offer-map.csv"), b',', Enc::Utf8, &rows)
}

const EN_RICH: [&str; 12] = [
    "Subscription ID",
    "Subscription",
    "Friendly name",
    "Offer ID",
    "Quantity",
    "Status",
    "Billing frequency",
    "Term duration",
    "Commitment end date",
    "Auto-renew",
    "Reseller",
    "PO number",
];

/// English xlsx exports named after company, domain, folder; and one
/// attributed only by its tenant column.
#[rustfmt::skip]
pub fn english_xlsx(out: &Path) -> Res<()> {
    let e = || V::E;
    let mut contoso = SheetSpec::new(
        EN_RICH.to_vec(),
        vec![
            vec![s(sub("contoso/e3")), s("Office 365 E3"), s("HQ E3"), s(O365_E3_LEGACY), n(120.0), s("Active"), s("Monthly"), e(), V::D(2027, 1, 31), s("TRUE"), s("5012345"), s("PO-2291")],
            vec![s(sub("contoso/bb")), s("Microsoft 365 Business Basic"), s("Sales"), s(M365_BB), n(45.0), s("Active"), s("Monthly"), s("P1Y"), V::D(2027, 5, 14), s("TRUE"), e(), e()],
            vec![s(sub("contoso/bp")), s("Microsoft 365 Business Premium"), e(), s(M365_BP), n(30.0), s("Active"), s("Annual"), s("1 Year"), V::D(2027, 2, 28), s("FALSE"), e(), e()],
            vec![s(sub("contoso/exo")), s("Exchange Online (Plan 1)"), s("Kiosk"), s(EXO_P1_LEGACY), n(15.0), s("Suspended"), s("Monthly"), e(), e(), s("FALSE"), e(), e()],
            vec![s(sub("contoso/visio")), s("Visio Plan 2"), e(), s("CFQ7TTC0KHS0:0002:CFQ7TTC0K7Q8"), n(5.0), s("Deleted"), s("Monthly"), s("P1M"), V::D(2026, 9, 30), s("FALSE"), e(), e()],
            vec![s(sub("contoso/azure")), s("Azure plan"), s("Prod Azure"), s(AZURE_PLAN), n(1.0), s("Active"), s("Monthly"), e(), e(), e(), e(), e()],
            vec![s(sub("contoso/teams")), s("Microsoft Teams Phone Standard"), e(), s("CFQ7TTC0J1FV:0001:CFQ7TTC0K8RL"), n(25.0), s("Active"), s("Monthly"), s("P1M"), V::D(2026, 12, 1), s("TRUE"), e(), e()],
        ],
    );
    contoso.titles = vec![
        "Contoso Ltd. - Subscriptions".into(),
        "Exported 11/10/2026 9:00 AM (UTC)".into(),
    ];
    write_xlsx(&out.join("exports/Contoso Ltd.xlsx"), &[contoso])?;

    // Subscriptions on the second sheet; first sheet is a cover page.
    let mut cover = SheetSpec::new(vec!["Customer", "Fabrikam, Inc."], vec![
        vec![s("Primary domain"), s("fabrikam.onmicrosoft.com")],
        vec![s("Subscriptions"), n(6.0)],
    ]);
    cover.name = "Summary";
    let fab_header = vec!["Subscription ID", "Subscription", "Offer ID", "Quantity", "Status", "Reseller"];
    let fabrikam = SheetSpec::new(fab_header, vec![
        vec![s(sub("fabrikam/e1")), s("Office 365 E1"), s(O365_E1_LEGACY), n(50.0), s("Active"), s("5012345")],
        vec![s(sub("fabrikam/azure")), s("Microsoft Azure"), s("MS-AZR-0145P"), n(1.0), s("Active"), e()],
        vec![s(sub("fabrikam/apps")), s("Microsoft 365 Apps for business"), s("CFQ7TTC0LH1G:0001:CFQ7TTC0K7Q2"), n(10.0), s("Expired"), e()],
        vec![s(sub("fabrikam/m365e3")), s("Microsoft 365 E3"), s(M365_E3), n(20.0), s("Pending"), e()],
        vec![s(sub("fabrikam/pbi")), s("Power BI Pro"), s("CFQ7TTC0L3PB:0001:CFQ7TTC0KXFG"), n(8.0), s("Disabled"), e()],
        // PROBLEM: fractional quantity.
        vec![s(sub("fabrikam/project")), s("Project Plan 3"), s(PROJECT_P3_LEGACY), n(2.5), s("Active"), e()],
    ]);
    write_xlsx(&out.join("exports/fabrikam.onmicrosoft.com.xlsx"), &[cover, fabrikam])?;

    // Folder per customer; only the five documented columns.
    let basic = vec!["Subscription ID", "Subscription", "Quantity", "Status", "Reseller"];
    let northwind = SheetSpec::new(basic.clone(), vec![
        vec![s(sub("northwind/e3")), s("Office 365 E3"), n(35.0), s("Active"), e()],
        vec![s(sub("northwind/bs")), s("Microsoft 365 Business Standard"), n(12.0), s("Active"), e()],
        vec![s(sub("northwind/azure")), s("Azure plan"), n(1.0), s("Active"), e()],
        vec![s(sub("northwind/d365")), s("Dynamics 365 Sales Professional"), n(3.0), s("Suspended"), s("5098765")],
    ]);
    write_xlsx(&out.join("exports/northwind/Subscriptions.xlsx"), &[northwind])?;

    // Name says nothing; the tenant column (upper-case GUID) attributes it.
    let ww_header = vec!["Customer tenant ID", "Subscription ID", "Subscription", "Offer ID", "Quantity", "Status", "Billing frequency", "Term duration", "Commitment end date", "Auto-renew"];
    let t = tenant("wideworld").to_uppercase();
    let ww = SheetSpec::new(ww_header, vec![
        vec![s(&t), s(sub("wideworld/bp")), s("Microsoft 365 Business Premium"), s(BUS_PREM_LEGACY), n(60.0), s("Active"), s("Monthly"), e(), V::D(2027, 3, 31), s("Yes")],
        vec![s(&t), s(sub("wideworld/e3")), s("Microsoft 365 E3"), s(M365_E3), n(18.0), s("Active"), s("Annual"), s("P3Y"), V::D(2029, 6, 30), s("No")],
        vec![s(&t), s(sub("wideworld/azure")), s("Azure plan"), s(AZURE_PLAN), n(1.0), s("Active"), s("Monthly"), e(), e(), e()],
    ]);
    write_xlsx(&out.join("exports/export (3).xlsx"), &[ww])?;

    // PROBLEM: cannot be attributed (no tenant column, name matches nobody).
    let orphan = SheetSpec::new(basic, vec![
        vec![s(sub("orphan/e3")), s("Office 365 E3"), n(9.0), s("Active"), e()],
        vec![s(sub("orphan/bb")), s("Microsoft 365 Business Basic"), n(4.0), s("Active"), e()],
    ]);
    write_xlsx(&out.join("exports/export-2026-11-10.xlsx"), &[orphan])
}

/// xlsx exports with localized headers and status values.
#[rustfmt::skip]
pub fn localized_xlsx(out: &Path) -> Res<()> {
    let e = || V::E;
    let mut tw = SheetSpec::new(vec!["訂閱識別碼", "訂閱", "數量", "狀態", "經銷商", "自動續約", "到期日"], vec![
        vec![s(sub("twcloud/bb")), s("Microsoft 365 商務基本版"), n(80.0), s("使用中"), e(), s("是"), V::D(2027, 4, 30)],
        vec![s(sub("twcloud/e3")), s("Office 365 E3"), n(25.0), s("已暫停"), e(), s("否"), V::D(2026, 12, 31)],
        vec![s(sub("twcloud/azure")), s("Azure plan"), n(1.0), s("使用中"), e(), e(), e()],
        vec![s(sub("twcloud/old")), s("Exchange Online (方案 1)"), n(10.0), s("已刪除"), e(), s("否"), e()],
    ]);
    tw.titles = vec!["訂閱".into()];
    tw.name = "訂閱";
    tw.date_format = "yyyy/m/d";
    write_xlsx(&out.join(format!("exports/{}.xlsx", name_of("twcloud"))), &[tw])?;

    let mut ja = SheetSpec::new(vec!["サブスクリプション ID", "サブスクリプション", "数量", "状態", "リセラー", "自動更新", "有効期限", "請求頻度"], vec![
        vec![s(sub("sakura/e3")), s("Office 365 E3"), n(200.0), s("アクティブ"), e(), s("はい"), V::D(2027, 3, 31), s("月単位")],
        vec![s(sub("sakura/bp")), s("Microsoft 365 Business Premium"), n(40.0), s("中断"), e(), s("いいえ"), V::D(2027, 1, 15), s("年単位")],
        vec![s(sub("sakura/visio")), s("Visio Plan 1"), n(6.0), s("期限切れ"), e(), s("いいえ"), V::D(2026, 10, 31), s("月単位")],
        vec![s(sub("sakura/pbi")), s("Power BI Pro"), n(12.0), s("無効"), e(), s("いいえ"), e(), s("月単位")],
    ]);
    ja.titles = vec!["サブスクリプション一覧".into(), "エクスポート日時: 2026/11/10 9:00:00 (UTC)".into()];
    ja.date_format = "yyyy/m/d";
    write_xlsx(&out.join(format!("exports/{}.xlsx", domain_of("sakura"))), &[ja])?;

    let mut cn = SheetSpec::new(vec!["订阅 ID", "订阅", "数量", "状态", "经销商", "自动续订"], vec![
        vec![s(sub("xingchen/e3")), s("Office 365 E3"), n(150.0), s("活动"), e(), s("是")],
        vec![s(sub("xingchen/exo")), s("Exchange Online (计划 1)"), n(30.0), s("已暂停"), e(), s("否")],
        vec![s(sub("xingchen/proj")), s("Project Plan 3"), n(5.0), s("已过期"), e(), s("否")],
    ]);
    cn.name = "订阅";
    let guid_name = tenant("xingchen").to_uppercase();
    write_xlsx(&out.join(format!("exports/{guid_name}.xlsx")), &[cn])?;

    let ko = SheetSpec::new(vec!["구독 ID", "구독", "수량", "상태", "재판매인"], vec![
        vec![s(sub("hanbit/bs")), s("Microsoft 365 Business Standard"), n(70.0), s("활성"), e()],
        vec![s(sub("hanbit/teams")), s("Microsoft Teams Essentials"), n(20.0), s("일시 중단됨"), e()],
        vec![s(sub("hanbit/old")), s("Office 365 E1"), n(5.0), s("삭제됨"), e()],
        // PROBLEM: missing subscription ID.
        vec![e(), s("Microsoft 365 E3"), n(11.0), s("활성"), e()],
    ]);
    write_xlsx(&out.join(format!("exports/{}.xlsx", name_of("hanbit"))), &[ko])?;

    let mut pt = SheetSpec::new(vec!["ID da assinatura", "Assinatura", "Quantidade", "Status", "Revendedor"], vec![
        vec![s(sub("paoquente/bb")), s("Microsoft 365 Business Basic"), n(14.0), s("Ativo"), e()],
        vec![s(sub("paoquente/bp")), s("Microsoft 365 Business Premium"), n(6.0), s("Suspenso"), e()],
        vec![s(sub("paoquente/azure")), s("Azure plan"), n(1.0), s("Ativo"), e()],
        vec![s(sub("paoquente/defender")), s("Microsoft Defender for Business"), n(6.0), s("Pendente"), e()],
    ]);
    pt.name = "Assinaturas";
    write_xlsx(&out.join(format!("exports/{}.xlsx", domain_of("paoquente"))), &[pt])
}

/// CSV exports: en UTF-8, de-DE `;` UTF-8 BOM, ru-RU cp1251, fr-FR UTF-16LE.
#[rustfmt::skip]
pub fn csv_exports(out: &Path) -> Res<()> {
    let tail = [
        row(&["Subscription ID", "Subscription", "Quantity", "Status", "Commitment end date", "Reseller"]),
        // PROBLEM: ambiguous date (3 April or 4 March?), nothing else in the file decides.
        row(&[&sub("tailspin/e3"), "Office 365 E3", "40", "Active", "03/04/2027", ""]),
        // PROBLEM: non-numeric quantity.
        row(&[&sub("tailspin/bb"), "Microsoft 365 Business Basic", "ten", "Active", "", ""]),
        row(&[&sub("tailspin/kiosk"), "Microsoft 365 F3", "1,000", "Active", "", "5012345"]),
        row(&[&sub("tailspin/azure"), "Microsoft Azure", "1", "Active", "", ""]),
    ];
    write_csv(&out.join(format!("exports/{}.csv", domain_of("tailspin"))), b',', Enc::Utf8, &tail)?;

    let de = [
        row(&["Abonnement-ID", "Abonnement", "Menge", "Status", "Händler", "Automatische Verlängerung", "Enddatum"]),
        row(&[&sub("mueller/e3"), "Office 365 E3", "1.200", "Aktiv", "", "Ja", "31.01.2027"]),
        row(&[&sub("mueller/bp"), "Microsoft 365 Business Premium", "85", "Aktiv", "", "Nein", "05.03.2027"]),
        row(&[&sub("mueller/exo"), "Exchange Online (Plan 1)", "40", "Angehalten", "", "Nein", ""]),
        row(&[&sub("mueller/visio"), "Visio Plan 2", "3", "Gelöscht", "", "Nein", ""]),
    ];
    write_csv(&out.join(format!("exports/{}.csv", name_of("mueller"))), b';', Enc::Utf8Bom, &de)?;

    let ru = [
        row(&["Идентификатор подписки", "Подписка", "Количество", "Состояние", "Торговый посредник", "Дата окончания"]),
        row(&[&sub("veter/e3"), "Office 365 E3", "1\u{a0}000", "Активна", "", "30.06.2027"]),
        row(&[&sub("veter/bb"), "Microsoft 365 Business Basic", "55", "Приостановлено", "", "12.02.2027"]),
        row(&[&sub("veter/azure"), "Azure plan", "1", "Активна", "", ""]),
        row(&[&sub("veter/old"), "Office 365 E1", "20", "Удалена", "", ""]),
    ];
    write_csv(&out.join(format!("exports/{}.csv", name_of("veter"))), b';', Enc::Cp1251, &ru)?;

    let fr = [
        row(&["ID d'abonnement", "Abonnement", "Quantité", "État", "Revendeur", "Renouvellement automatique"]),
        row(&[&sub("dupont/bs"), "Microsoft 365 Business Standard", "1\u{202f}500", "Actif", "", "Oui"]),
        row(&[&sub("dupont/exo"), "Exchange Online (Plan 1)", "12", "Suspendu", "", "Non"]),
        row(&[&sub("dupont/azure"), "Azure plan", "1", "Actif", "", ""]),
    ];
    write_csv(&out.join(format!("exports/{}.csv", name_of("dupont"))), b'\t', Enc::Utf16LeBom, &fr)
}

#[rustfmt::skip]
const BAM_HEADER: [&str; 22] = [
    "PartnerTenantId", "IndirectResellerMpnId", "CustomerName", "CustomerTenantId",
    "LegacySubscriptionId", "LegacySubscriptionName", "LegacyProductName", "ExpirationDate",
    "AutoRenewEnabled", "MigrationEligible", "NcePsa", "CurrentTerm", "CurrentBillingPlan",
    "CurrentSeatCount", "StartNewTermInNce", "Term", "BillingPlan", "SeatCount",
    "CustomTermEndDate", "AddOn", "BaseSubscriptionId", "MigrationIneligibilityReason",
];

/// The batch-migration tool's `subscriptions.csv` (UTF-8, no BOM).
#[rustfmt::skip]
pub fn bam(out: &Path) -> Res<()> {
    let partner = guid(PARTNER_LABEL);
    let bam_row = |cust: &str, key: &str, nick: &str, product: &str, expires: &str, eligible: bool, psa: &str, seats: &str, addon_of: &str, why: &str| {
        let base = if addon_of.is_empty() { String::new() } else { sub(addon_of) };
        let elig = if eligible { "True" } else { "False" };
        let addon = if addon_of.is_empty() { "False" } else { "True" };
        row(&[&partner, "", name_of(cust), &tenant(cust), &sub(key), nick, product, expires, "True", elig, psa, "P1Y", "Monthly", seats, "False", "P1Y", "Monthly", seats, "", addon, &base, why])
    };
    let rows = [
        row(&BAM_HEADER),
        bam_row("alpine", "alpine/e3", "Lodge staff", "Office 365 E3", "01/31/2027 00:00:00", true, O365_E3_NCE, "64", "", ""),
        bam_row("alpine", "alpine/bp", "", "Microsoft 365 Business Premium", "03/15/2027 00:00:00", true, M365_BP, "22", "", ""),
        bam_row("alpine", "alpine/atp", "", "Microsoft Defender for Office 365 (Plan 1)", "03/15/2027 00:00:00", true, "CFQ7TTC0LHXK:0001:CFQ7TTC0KDQ5", "22", "alpine/bp", ""),
        bam_row("alpine", "alpine/crm", "", "Dynamics 365 Customer Engagement Plan", "12/31/2026 00:00:00", false, "", "4", "", "Offer not available in new commerce"),
        // PROBLEM: the same subscription as in `Contoso Ltd.xlsx`.
        bam_row("contoso", "contoso/e3", "HQ E3", "Office 365 E3", "01/31/2027 00:00:00", true, O365_E3_NCE, "120", "", ""),
    ];
    write_csv(&out.join("exports/bam/subscriptions.csv"), b',', Enc::Utf8, &rows)
}

/// Files that are not exports at all.
pub fn bad_files(out: &Path) -> Res<()> {
    // PROBLEM: unrelated CSV; PROBLEM: empty file.
    let contacts = [
        row(&["Name", "Email", "Phone"]),
        row(&["Ana Costa", "ana@contoso-emea.example", "+351 21 000 0000"]),
        row(&["Jonas Berg", "jonas@contoso-emea.example", "+46 8 000 000"]),
    ];
    write_csv(
        &out.join("exports/partner-contacts.csv"),
        b',',
        Enc::Utf8,
        &contacts,
    )?;
    std::fs::write(out.join("exports/empty.csv"), b"")?;
    Ok(())
}

/// `activity/ActivityLog.csv` (en, UTF-8, `M/d/yyyy h:mm:ss AM/PM`, UTC).
#[rustfmt::skip]
pub fn activity_en(out: &Path) -> Res<()> {
    let d = |k: &str, q: &str| format!("Subscription {}; {q}", sub(k));
    let user = "admin@contosoemea.onmicrosoft.com";
    let ops = "ops.jane@contosoemea.onmicrosoft.com";
    let raw: Vec<[String; 5]> = vec![
        // Before the export (2026-11-10 09:00 UTC): counted nowhere.
        ["10/20/2026 8:14:02 AM".into(), name_of("contoso").into(), "Created order".into(), user.into(), d("contoso/teams", "Quantity: 25")],
        ["10/22/2026 1:05:44 PM".into(), name_of("fabrikam").into(), "Updated subscription quantity".into(), ops.into(), d("fabrikam/e1", "Quantity: 45 -> 50")],
        ["10/28/2026 11:59:59 PM".into(), name_of("northwind").into(), "Created a referral".into(), user.into(), String::new()],
        ["11/2/2026 12:30:00 PM".into(), name_of("sakura").into(), "Granular admin relationship created".into(), user.into(), String::new()],
        ["11/5/2026 3:45:10 PM".into(), name_of("twcloud").into(), "Suspended subscription".into(), ops.into(), d("twcloud/e3", "Status: Suspended")],
        ["11/9/2026 12:01:00 AM".into(), name_of("mueller").into(), "Updated subscription quantity".into(), ops.into(), d("mueller/e3", "Quantity: 1,100 -> 1,200")],
        ["11/10/2026 8:59:59 AM".into(), name_of("contoso").into(), "Updated subscription auto renew".into(), ops.into(), d("contoso/bb", "AutoRenew: True")],
        ["11/10/2026 8:30:00 AM".into(), String::new(), "Updated partner profile".into(), user.into(), String::new()],
        // After the export: subscription-affecting.
        ["11/10/2026 9:00:01 AM".into(), name_of("contoso").into(), "Updated subscription quantity".into(), ops.into(), d("contoso/bb", "Quantity: 45 -> 48")],
        ["11/12/2026 3:22:10 PM".into(), name_of("contoso").into(), "Updated subscription quantity".into(), ops.into(), d("contoso/bb", "Quantity: 48 -> 50")],
        ["11/11/2026 10:00:00 AM".into(), name_of("fabrikam").into(), "Created order".into(), user.into(), "Order 8f1c2a; Microsoft 365 E3 x 20".into()],
        // Same customer as Customers.csv, written in upper case with a double space.
        ["11/13/2026 4:05:00 PM".into(), "WIDE WORLD  IMPORTERS".into(), "Suspended subscription".into(), ops.into(), d("wideworld/azure", "Status: Suspended")],
        ["11/13/2026 9:15:00 AM".into(), name_of("veter").into(), "Reactivated subscription".into(), ops.into(), d("veter/bb", "Status: Active")],
        ["11/14/2026 2:00:00 PM".into(), name_of("northwind").into(), "Cancelled subscription".into(), ops.into(), d("northwind/d365", "Status: Deleted")],
        // PROBLEM: two customers are called "Proseware, Inc.".
        ["11/12/2026 11:11:11 AM".into(), "Proseware, Inc.".into(), "Created order".into(), user.into(), "Order 77ab01".into()],
        // PROBLEM: no such customer.
        ["11/12/2026 1:00:00 PM".into(), "Blue Yonder Airlines".into(), "Updated subscription quantity".into(), ops.into(), "Quantity: 10 -> 12".into()],
        // After the export, not subscription-affecting.
        ["11/11/2026 7:45:30 AM".into(), name_of("dupont").into(), "Created a referral".into(), user.into(), String::new()],
        ["11/12/2026 6:20:00 PM".into(), name_of("hanbit").into(), "Granular admin relationship terminated".into(), user.into(), String::new()],
        ["11/13/2026 10:10:10 AM".into(), name_of("paoquente").into(), "Reset user password".into(), user.into(), String::new()],
        ["11/14/2026 8:00:00 AM".into(), name_of("alpine").into(), "Created user".into(), user.into(), String::new()],
    ];
    let mut rows = vec![row(&["Date-Time", "Affected customer", "Action", "Partner user", "Additional info"])];
    rows.extend(raw.iter().map(|r| r.to_vec()));
    write_csv(&out.join("activity/ActivityLog.csv"), b',', Enc::Utf8, &rows)
}

/// `activity/ActivityLog-ja.csv` (ja-JP, UTF-8 BOM, `yyyy/M/d 午前|午後 h:mm:ss`).
#[rustfmt::skip]
pub fn activity_ja(out: &Path) -> Res<()> {
    let user = "yamada@contosoemea.onmicrosoft.com";
    let rows = [
        row(&["日時", "影響を受ける顧客", "アクション", "パートナー ユーザー"]),
        row(&["2026/11/9 午前 12:05:00", name_of("sakura"), "Updated subscription quantity", user]),
        row(&["2026/11/10 午後 3:04:05", name_of("sakura"), "Suspended subscription", user]),
        // Space inside the name: still the same customer.
        row(&["2026/11/11 午前 10:15:00", "株式会社 さくらシステムズ", "Updated subscription quantity", user]),
        // Full-width Latin: still Wide World Importers.
        row(&["2026/11/12 午後 12:30:00", "Ｗｉｄｅ Ｗｏｒｌｄ Ｉｍｐｏｒｔｅｒｓ", "Created order", user]),
        row(&["2026/11/12 午後 1:00:00", name_of("xingchen"), "Granular admin relationship created", user]),
        row(&["2026/11/8 午後 11:59:00", name_of("twcloud"), "Created order", user]),
    ];
    write_csv(&out.join("activity/ActivityLog-ja.csv"), b',', Enc::Utf8Bom, &rows)
}
