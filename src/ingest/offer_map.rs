//! The offer map (`--offer-map`): which destination catalog item replaces
//! a source offer that is not purchasable as is (legacy offers).
//!
//! A small CSV (or xlsx) with a header: `Source offer ID` and/or
//! `Source product`, and `Target catalog item` (see
//! `templates/offer-map.example.csv`). Rows are looked up by offer ID first,
//! then by product name.

use std::path::Path;
use std::sync::Arc;

use super::decode::decode_all;
use super::headers::norm;
use super::table::{Grid, parse_csv, read_workbook, sniff_delimiter};
use super::{IngestError, hash_hex};
use crate::model::{InputFile, Issue, Location, OfferMap};

const OFFER_ID: &[&str] = &["sourceofferid", "offerid", "legacyofferid", "sourceoffer"];
const PRODUCT: &[&str] = &[
    "sourceproduct",
    "product",
    "productname",
    "offername",
    "sourceproductname",
];
const TARGET: &[&str] = &[
    "targetcatalogitem",
    "catalogitem",
    "targetcatalogitemid",
    "target",
    "catalogitemid",
];

/// Read an offer map file.
pub fn read_offer_map(path: &Path) -> Result<(OfferMap, Vec<Issue>, InputFile), IngestError> {
    let display: Arc<str> = Arc::from(path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| IngestError::NotFound {
        path: path.to_owned(),
        source: e,
    })?;
    let mut issues = Vec::new();
    let grid = if super::discover::is_workbook_name(path) {
        match read_workbook(&bytes) {
            Ok(wb) => wb.grids.into_iter().next().unwrap_or_default(),
            Err(msg) => {
                issues.push(Issue::error(Location::file(display.clone()), msg));
                Grid::default()
            }
        }
    } else {
        let (text, _) = decode_all(&bytes);
        let head: String = text.chars().take(16 * 1024).collect();
        parse_csv(&text, sniff_delimiter(&head), usize::MAX)
    };
    let (map, rows) = read_grid(&display, &grid, &mut issues);
    let file = InputFile {
        path: display.to_string(),
        kind: "offer-map".into(),
        sha256: hash_hex(&bytes),
        bytes: bytes.len() as u64,
        rows,
    };
    Ok((map, issues, file))
}

fn read_grid(file: &Arc<str>, grid: &Grid, issues: &mut Vec<Issue>) -> (OfferMap, u64) {
    let mut map = OfferMap::default();
    let find = |cells: &[String], names: &[&str]| {
        cells.iter().position(|c| names.contains(&norm(c).as_str()))
    };
    let header = grid.rows.iter().take(20).enumerate().find_map(|(i, r)| {
        let cells: Vec<String> = r.cells.iter().map(|c| c.text().into_owned()).collect();
        let target = find(&cells, TARGET)?;
        let (id, product) = (find(&cells, OFFER_ID), find(&cells, PRODUCT));
        (id.is_some() || product.is_some()).then_some((i, id, product, target))
    });
    let Some((hrow, id_col, product_col, target_col)) = header else {
        issues.push(Issue::error(
            Location::file(file.clone()),
            "no offer-map header found: expected columns \"Source offer ID\" and/or \"Source product\", and \"Target catalog item\"",
        ));
        return (map, 0);
    };
    let mut rows = 0;
    for row in grid.rows.iter().skip(hrow + 1) {
        let get = |c: Option<usize>| {
            c.map(|c| row.get(c).text().trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let (id, product, target) = (get(id_col), get(product_col), get(Some(target_col)));
        if id.is_none() && product.is_none() && target.is_none() {
            continue;
        }
        rows += 1;
        let Some(target) = target else {
            issues.push(Issue::warning(
                grid.cell_loc(file, row, target_col),
                "offer-map row has no target catalog item",
            ));
            continue;
        };
        if id.is_none() && product.is_none() {
            issues.push(Issue::warning(
                grid.row_loc(file, row),
                "offer-map row names no source offer ID or product",
            ));
        }
        if let Some(id) = id {
            map.insert_offer_id(&id, &target);
        }
        if let Some(p) = product {
            map.insert_product(&p, &target);
        }
    }
    (map, rows)
}
