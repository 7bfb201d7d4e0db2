//! Journal entries: the requests that can change remote state, recorded
//! before they are sent and settled after (see the parent module for the
//! rules they keep).

use rusqlite::params;
use serde_json::Value;

use super::rows::{RowOutcome, insert_outcome};
use super::{Journal, JournalError, now};

/// The kind of a journalled request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    CreateCart,
    Checkout,
    CreateOrder,
    PatchSubscription,
}

impl RequestKind {
    fn as_str(self) -> &'static str {
        match self {
            RequestKind::CreateCart => "create_cart",
            RequestKind::Checkout => "checkout",
            RequestKind::CreateOrder => "create_order",
            RequestKind::PatchSubscription => "patch_subscription",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::CreateCart,
            Self::Checkout,
            Self::CreateOrder,
            Self::PatchSubscription,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Committed; may or may not have reached the service. In doubt after a
    /// crash.
    Pending,
    /// The service answered and the answer is recorded.
    Done,
    /// The service definitively rejected it (a business error): it was not
    /// applied.
    Failed,
}

impl EntryState {
    fn as_str(self) -> &'static str {
        match self {
            EntryState::Pending => "pending",
            EntryState::Done => "done",
            EntryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "done" => EntryState::Done,
            "failed" => EntryState::Failed,
            _ => EntryState::Pending,
        }
    }
}

/// A request about to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub kind: RequestKind,
    pub customer_id: String,
    /// Source subscription IDs this request acts for.
    pub rows: Vec<String>,
    /// The request body (or, for a checkout, the cart it checks out).
    pub body: Value,
    /// The request this one depends on (a checkout on its cart).
    pub depends_on: Option<String>,
}

/// A journalled request.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub request_id: String,
    pub intent: Intent,
    pub state: EntryState,
    pub attempts: u32,
    pub response: Option<Value>,
    pub created_at: String,
}

impl Journal {
    /// Commit an intent with a fresh `MS-RequestId` and return its entry.
    /// Call this before sending; send with the returned `request_id`.
    ///
    /// # Errors
    /// `Sql` when the commit fails (then nothing must be sent).
    pub fn record_intent(&self, intent: Intent) -> Result<Entry, JournalError> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let created_at = now();
        let rows = serde_json::to_string(&intent.rows).unwrap_or_else(|_| "[]".into());
        self.conn()
            .execute(
                "INSERT INTO requests(request_id, kind, customer_id, rows, body, depends_on, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
                params![
                    request_id,
                    intent.kind.as_str(),
                    intent.customer_id,
                    rows,
                    intent.body.to_string(),
                    intent.depends_on,
                    created_at
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(Entry {
            request_id,
            intent,
            state: EntryState::Pending,
            attempts: 0,
            response: None,
            created_at,
        })
    }

    /// Count one more send of a pending request (for reporting and caps).
    ///
    /// # Errors
    /// `Sql` on a failed write.
    pub fn mark_attempt(&self, request_id: &str) -> Result<(), JournalError> {
        self.conn()
            .execute(
                "UPDATE requests SET attempts = attempts + 1 WHERE request_id = ?1",
                [request_id],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record the final answer for a request.
    ///
    /// # Errors
    /// `Sql` on a failed write.
    pub fn settle(
        &self,
        request_id: &str,
        state: EntryState,
        response: &Value,
    ) -> Result<(), JournalError> {
        self.conn()
            .execute(
                "UPDATE requests SET state = ?2, response = ?3, settled_at = ?4 WHERE request_id = ?1",
                params![request_id, state.as_str(), response.to_string(), now()],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record the final answer for a request together with the row
    /// outcomes it decides, in one transaction: a crash can never leave a
    /// settled purchase whose rows look un-bought.
    ///
    /// # Errors
    /// `Sql` on a failed write (then nothing of it is recorded).
    pub fn settle_with_rows(
        &self,
        request_id: &str,
        state: EntryState,
        response: &Value,
        rows: &[RowOutcome],
    ) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.sql(e))?;
        tx.execute(
            "UPDATE requests SET state = ?2, response = ?3, settled_at = ?4 WHERE request_id = ?1",
            params![request_id, state.as_str(), response.to_string(), now()],
        )
        .map_err(|e| self.sql(e))?;
        for o in rows {
            insert_outcome(&tx, o).map_err(|e| self.sql(e))?;
        }
        tx.commit().map_err(|e| self.sql(e))
    }

    /// Every entry still pending, oldest first: the in-doubt requests to
    /// settle before anything new is sent.
    ///
    /// # Errors
    /// `Sql`/`Corrupt` on an unreadable journal.
    pub fn in_doubt(&self) -> Result<Vec<Entry>, JournalError> {
        self.query("WHERE state = 'pending' ORDER BY seq", params![])
    }

    /// Every entry for a customer, oldest first.
    ///
    /// # Errors
    /// `Sql`/`Corrupt` on an unreadable journal.
    pub fn for_customer(&self, customer_id: &str) -> Result<Vec<Entry>, JournalError> {
        self.query("WHERE customer_id = ?1 ORDER BY seq", params![customer_id])
    }

    /// Every entry, oldest first.
    ///
    /// # Errors
    /// `Sql`/`Corrupt` on an unreadable journal.
    pub fn all(&self) -> Result<Vec<Entry>, JournalError> {
        self.query("ORDER BY seq", params![])
    }

    fn query(&self, tail: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Entry>, JournalError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT request_id, kind, customer_id, rows, body, depends_on, state, attempts, response, created_at FROM requests {tail}"
        );
        let mut stmt = conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let raw = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, u32>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                ))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        raw.into_iter()
            .map(
                |(
                    request_id,
                    kind,
                    customer_id,
                    rows,
                    body,
                    depends_on,
                    state,
                    attempts,
                    response,
                    created_at,
                )| {
                    let corrupt = |source| JournalError::Corrupt {
                        path: self.path.clone(),
                        request_id: request_id.clone(),
                        source,
                    };
                    let kind = RequestKind::parse(&kind).ok_or_else(|| {
                        corrupt(serde_json::Error::io(std::io::Error::other(format!(
                            "unknown kind {kind}"
                        ))))
                    })?;
                    Ok(Entry {
                        intent: Intent {
                            kind,
                            customer_id,
                            rows: serde_json::from_str(&rows).map_err(corrupt)?,
                            body: serde_json::from_str(&body).map_err(corrupt)?,
                            depends_on,
                        },
                        state: EntryState::parse(&state),
                        attempts,
                        response: response
                            .map(|r| serde_json::from_str(&r))
                            .transpose()
                            .map_err(corrupt)?,
                        created_at,
                        request_id,
                    })
                },
            )
            .collect()
    }
}
