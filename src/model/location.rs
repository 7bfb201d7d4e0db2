//! Where a value came from: a file plus a cell, a row or a line.
//!
//! Every issue and every error that concerns input data carries a
//! [`Location`], printed the way a spreadsheet user reads it:
//! `exports/contoso.xlsx: Subscriptions!C17`, `Customers.csv: line 42`.
//! Rows and columns are stored the way people count them (row 1 is the
//! first row, column A is 0) so nothing downstream has to re-base.

use std::fmt;
use std::sync::Arc;

/// A place inside a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// The file as a whole (unreadable, unattributed, wrong kind …).
    File,
    /// One cell of a sheet. `row` is 1-based, `col` is 0-based (A = 0).
    Cell { sheet: String, row: u32, col: u32 },
    /// A whole sheet row, 1-based.
    Row { sheet: String, row: u32 },
    /// A 1-based line of a text file (CSV).
    Line(u64),
    /// A field of a CSV line: 1-based line, 0-based column.
    Field { line: u64, col: u32 },
}

/// A file and a place in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file as the user named it (relative paths stay relative).
    pub file: Arc<str>,
    pub place: Place,
}

impl Location {
    pub fn file(file: impl Into<Arc<str>>) -> Self {
        Location {
            file: file.into(),
            place: Place::File,
        }
    }

    pub fn cell(file: impl Into<Arc<str>>, sheet: &str, row: u32, col: u32) -> Self {
        Location {
            file: file.into(),
            place: Place::Cell {
                sheet: sheet.to_owned(),
                row,
                col,
            },
        }
    }

    pub fn row(file: impl Into<Arc<str>>, sheet: &str, row: u32) -> Self {
        Location {
            file: file.into(),
            place: Place::Row {
                sheet: sheet.to_owned(),
                row,
            },
        }
    }

    pub fn line(file: impl Into<Arc<str>>, line: u64) -> Self {
        Location {
            file: file.into(),
            place: Place::Line(line),
        }
    }

    pub fn field(file: impl Into<Arc<str>>, line: u64, col: u32) -> Self {
        Location {
            file: file.into(),
            place: Place::Field { line, col },
        }
    }

    /// The same file, another column of the same row or line.
    /// `Row`/`Line` places become `Cell`/`Field` places.
    pub fn with_col(&self, col: u32) -> Self {
        let place = match &self.place {
            Place::Cell { sheet, row, .. } | Place::Row { sheet, row } => Place::Cell {
                sheet: sheet.clone(),
                row: *row,
                col,
            },
            Place::Line(line) | Place::Field { line, .. } => Place::Field { line: *line, col },
            Place::File => Place::File,
        };
        Location {
            file: self.file.clone(),
            place,
        }
    }

    /// The place alone, without the file: `Sheet1!C17`, `line 42`.
    pub fn place_text(&self) -> String {
        self.place.to_string()
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File => Ok(()),
            Place::Cell { sheet, row, col } => {
                write!(f, "{}!{}{}", sheet_ref(sheet), col_letters(*col), row)
            }
            Place::Row { sheet, row } => write!(f, "{}!{row}:{row}", sheet_ref(sheet)),
            Place::Line(line) => write!(f, "line {line}"),
            Place::Field { line, col } => {
                write!(f, "line {line}, column {} ({})", col + 1, col_letters(*col))
            }
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Place::File => write!(f, "{}", self.file),
            _ => write!(f, "{}: {}", self.file, self.place),
        }
    }
}

/// Excel column letters for a 0-based column index: 0 → A, 25 → Z, 26 → AA.
pub fn col_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// A sheet name as it appears in an A1 reference: quoted when it holds
/// anything but letters, digits and underscores.
fn sheet_ref(sheet: &str) -> String {
    if !sheet.is_empty() && sheet.chars().all(|c| c.is_alphanumeric() || c == '_') {
        sheet.to_owned()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(col_letters(0), "A");
        assert_eq!(col_letters(25), "Z");
        assert_eq!(col_letters(26), "AA");
        assert_eq!(col_letters(701), "ZZ");
        assert_eq!(col_letters(702), "AAA");
    }

    #[test]
    fn locations_print_like_spreadsheet_references() {
        assert_eq!(
            Location::cell("a.xlsx", "Migration", 17, 24).to_string(),
            "a.xlsx: Migration!Y17"
        );
        assert_eq!(
            Location::cell("a.xlsx", "My subs", 2, 0).to_string(),
            "a.xlsx: 'My subs'!A2"
        );
        assert_eq!(Location::line("c.csv", 42).to_string(), "c.csv: line 42");
        assert_eq!(Location::row("a.xlsx", "S", 5).to_string(), "a.xlsx: S!5:5");
        assert_eq!(
            Location::line("c.csv", 3).with_col(2).to_string(),
            "c.csv: line 3, column 3 (C)"
        );
        assert_eq!(Location::file("x.csv").to_string(), "x.csv");
    }
}
