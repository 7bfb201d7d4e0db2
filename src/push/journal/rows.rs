//! Row outcomes: the final word on each workbook row per phase, stored
//! beside the requests that decided them.

use rusqlite::{Connection, params};

use super::{Journal, JournalError};
use crate::model::{Outcome, Phase};

/// The final word on one workbook row, per phase (`push`, `retire`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowOutcome {
    pub source_subscription_id: String,
    pub phase: Phase,
    pub outcome: Outcome,
    pub destination_order_id: Option<String>,
    pub destination_subscription_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub at: String,
}

impl Journal {
    /// Record (or replace) a row's outcome for a phase.
    ///
    /// # Errors
    /// `Sql` on a failed write.
    pub fn set_row_outcome(&self, o: &RowOutcome) -> Result<(), JournalError> {
        insert_outcome(&self.conn(), o).map_err(|e| self.sql(e))
    }

    /// Every row outcome of a phase.
    ///
    /// # Errors
    /// `Sql` on an unreadable journal.
    pub fn row_outcomes(&self, phase: Phase) -> Result<Vec<RowOutcome>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT source_subscription_id, phase, outcome, destination_order_id, destination_subscription_id,
                 error_code, error_message, at FROM row_outcomes WHERE phase = ?1 ORDER BY source_subscription_id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([phase.token()], |r| {
                Ok(RowOutcome {
                    source_subscription_id: r.get(0)?,
                    phase,
                    outcome: token(r, 2, Outcome::from_token)?,
                    destination_order_id: r.get(3)?,
                    destination_subscription_id: r.get(4)?,
                    error_code: r.get(5)?,
                    error_message: r.get(6)?,
                    at: r.get(7)?,
                })
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(rows)
    }
}

/// A stored token read back as its enum; an unknown token is a column
/// conversion error naming the text.
fn token<T>(
    row: &rusqlite::Row<'_>,
    col: usize,
    parse: fn(&str) -> Option<T>,
) -> Result<T, rusqlite::Error> {
    let text: String = row.get(col)?;
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            col,
            rusqlite::types::Type::Text,
            format!("unknown outcome {text:?}").into(),
        )
    })
}

pub(super) fn insert_outcome(conn: &Connection, o: &RowOutcome) -> Result<(), rusqlite::Error> {
    conn.execute(
        "INSERT OR REPLACE INTO row_outcomes(source_subscription_id, phase, outcome, destination_order_id,
         destination_subscription_id, error_code, error_message, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            o.source_subscription_id,
            o.phase.token(),
            o.outcome.token(),
            o.destination_order_id,
            o.destination_subscription_id,
            o.error_code,
            o.error_message,
            o.at
        ],
    )?;
    Ok(())
}
