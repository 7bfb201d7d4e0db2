//! The committed `fixtures/` are exactly what `examples/make_fixtures.rs`
//! writes (so nobody edits them by hand and they can always be rebuilt;
//! workbooks compared cell by cell, text exports byte for byte), and
//! they have the properties `fixtures/README.md` promises — encodings,
//! delimiters, exact batch-migration headers, readable workbooks, small
//! size — which the readers' tests rely on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::grid::same_workbook;
use crate::support::workbook::repo;

#[allow(dead_code)]
#[path = "../../examples/make_fixtures.rs"]
mod make_fixtures;

fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

/// Files under `root`, relative, skipping folders other people own.
fn files(root: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if rel.starts_with("reviewed") || rel.starts_with("emulator") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(rel);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap()
}

#[test]
fn committed_fixtures_are_exactly_what_the_generator_writes() {
    let tmp = tempfile::tempdir().unwrap();
    make_fixtures::generate(tmp.path()).unwrap();
    let generated = files(tmp.path());
    let mut committed = files(&fixtures());
    committed.remove(Path::new("README.md"));
    assert_eq!(
        generated, committed,
        "file sets differ: regenerate with `cargo run --example make_fixtures`"
    );
    for rel in &generated {
        let (new, old) = (tmp.path().join(rel), fixtures().join(rel));
        if rel.extension().is_some_and(|e| e == "xlsx") {
            // A workbook by meaning: document properties, sheets in order
            // with their visibility, every cell's type and value (not the
            // zip's compression or the XML's layout).
            if let Err(diff) = same_workbook(&new, &old) {
                panic!(
                    "{} differs from the generator's output: {diff}",
                    rel.display()
                );
            }
        } else {
            // A text export's bytes are its content: encoding, BOM,
            // delimiter and line ends are what the readers are tested on.
            assert!(
                std::fs::read(new).unwrap() == std::fs::read(old).unwrap(),
                "{} differs from the generator's output",
                rel.display()
            );
        }
    }
}

#[test]
fn fixtures_stay_small() {
    let total: u64 = files(&fixtures())
        .iter()
        .map(|rel| std::fs::metadata(fixtures().join(rel)).unwrap().len())
        .sum();
    assert!(total < 300 * 1024, "fixtures are {total} bytes");
}

#[test]
fn encodings_and_delimiters_are_as_documented() {
    let ru = read("exports/Северный Ветер ООО.csv");
    assert!(
        std::str::from_utf8(&ru).is_err(),
        "cp1251 file must not be valid UTF-8"
    );
    let (text, _, bad) = encoding_rs::WINDOWS_1251.decode(&ru);
    assert!(!bad);
    assert!(text.starts_with("Идентификатор подписки;"));
    assert!(text.contains("1\u{a0}000"));

    let fr = read("exports/Boulangerie Dupont SARL.csv");
    assert_eq!(&fr[..2], &[0xFF, 0xFE]);
    let units: Vec<u16> = fr[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    assert!(text.starts_with("ID d'abonnement\tAbonnement\t"));
    assert!(text.contains("1\u{202f}500"));

    let de = read("exports/Müller & Söhne GmbH.csv");
    assert_eq!(&de[..3], b"\xEF\xBB\xBF");
    assert!(
        std::str::from_utf8(&de[3..])
            .unwrap()
            .starts_with("Abonnement-ID;Abonnement;Menge;")
    );

    let ja = read("activity/ActivityLog-ja.csv");
    assert_eq!(&ja[..3], b"\xEF\xBB\xBF");
    assert!(std::str::from_utf8(&ja).unwrap().contains("午後"));
    assert!(read("exports/empty.csv").is_empty());
}

#[test]
fn batch_migration_csv_has_the_tool_columns_exactly() {
    let expected = "PartnerTenantId,IndirectResellerMpnId,CustomerName,CustomerTenantId,\
        LegacySubscriptionId,LegacySubscriptionName,LegacyProductName,ExpirationDate,\
        AutoRenewEnabled,MigrationEligible,NcePsa,CurrentTerm,CurrentBillingPlan,\
        CurrentSeatCount,StartNewTermInNce,Term,BillingPlan,SeatCount,CustomTermEndDate,\
        AddOn,BaseSubscriptionId,MigrationIneligibilityReason";
    let bam = String::from_utf8(read("exports/bam/subscriptions.csv")).unwrap();
    assert_eq!(bam.lines().next(), Some(expected));
}

#[test]
fn every_workbook_opens_and_has_rows() {
    use calamine::{Reader, Xlsx, open_workbook};
    let xlsx: Vec<PathBuf> = files(&fixtures())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    assert_eq!(xlsx.len(), 10);
    for rel in xlsx {
        let mut book: Xlsx<_> = open_workbook(fixtures().join(&rel)).unwrap();
        let last = book.sheet_names().len() - 1;
        let range = book.worksheet_range_at(last).unwrap().unwrap();
        assert!(
            range.height() >= 3,
            "{} has {} rows",
            rel.display(),
            range.height()
        );
    }
}

#[test]
fn the_workbook_comparison_sees_a_changed_cell_type_or_property() {
    use crate::support::grid::typed_grid_eq;
    use calamine::Data;
    let same = fixtures().join("exports/Contoso Ltd.xlsx");
    same_workbook(&same, &same).unwrap();
    let other = fixtures().join("exports/fabrikam.onmicrosoft.com.xlsx");
    assert!(same_workbook(&same, &other).is_err());
    let number = vec![vec![Data::Empty, Data::Float(1.0)]];
    let text = vec![vec![Data::Empty, Data::String("1".into())]];
    let err = typed_grid_eq(&number, &text).unwrap_err();
    assert!(err.starts_with("B1: "), "{err}");
    typed_grid_eq(
        &number,
        &vec![vec![Data::Empty, Data::Float(1.0), Data::Empty]],
    )
    .unwrap();
}
