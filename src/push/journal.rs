//! The push journal: a durable record of every request that can change
//! remote state, written *before* the request is sent.
//!
//! Exactly-once rests on three rules kept here:
//! 1. An intent (kind, customer, rows, body) and its `MS-RequestId` are
//!    committed to SQLite (WAL, `synchronous=FULL`) before the request
//!    leaves the process. A crash after that point leaves a `pending` entry.
//! 2. Every retry of an uncertain request reuses the journalled id, so the
//!    service can recognise a replay and never act twice.
//! 3. On start, `pending` entries are *in doubt* and must be settled (by
//!    replay with the same id, or by looking the result up) before anything
//!    new is sent.
//!
//! One process at a time: [`Journal::open`] takes an exclusive lock on a
//! sibling `.lock` file (released by the OS even on SIGKILL), so two pushes
//! cannot share a journal.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// What went wrong with the journal itself.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "{path}: another push or retire is running on this journal (lock held on {lock}); wait for it to finish"
    )]
    Locked { path: PathBuf, lock: PathBuf },
    #[error("{path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: journal database error")]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{path}: this journal belongs to {key} = {found:?}, not {expected:?}; use another --journal"
    )]
    Mismatch {
        path: PathBuf,
        key: String,
        found: String,
        expected: String,
    },
    #[error("{path}: journal entry {request_id} has unreadable JSON")]
    Corrupt {
        path: PathBuf,
        request_id: String,
        source: serde_json::Error,
    },
}

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

/// The final word on one workbook row, per phase (`push`, `retire`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowOutcome {
    pub source_subscription_id: String,
    pub phase: String,
    /// `bought`, `failed`, `waiting`, `retired`, `skipped` …
    pub outcome: String,
    pub destination_order_id: Option<String>,
    pub destination_subscription_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub at: String,
}

/// An open, locked journal.
pub struct Journal {
    path: PathBuf,
    conn: Mutex<Connection>,
    // Held for the journal's lifetime; the OS drops the lock with the file.
    _lock: File,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    rows TEXT NOT NULL,
    body TEXT NOT NULL,
    depends_on TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    response TEXT,
    created_at TEXT NOT NULL,
    settled_at TEXT
);
CREATE INDEX IF NOT EXISTS requests_customer ON requests(customer_id, kind);
CREATE TABLE IF NOT EXISTS row_outcomes (
    source_subscription_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    outcome TEXT NOT NULL,
    destination_order_id TEXT,
    destination_subscription_id TEXT,
    error_code TEXT,
    error_message TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (source_subscription_id, phase)
);
";

impl Journal {
    /// Open (or create) the journal at `path` and lock it. `identity` pairs
    /// (e.g. `("account", "destination")`) are recorded on first open and
    /// must match on every later open, so a journal is never reused for
    /// another account or phase by mistake.
    ///
    /// # Errors
    /// [`JournalError::Locked`] when another process holds it, `Mismatch`
    /// when `identity` differs, `Io`/`Sql` otherwise.
    pub fn open(path: &Path, identity: &[(&str, &str)]) -> Result<Journal, JournalError> {
        let lock_path = lock_path(path);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| JournalError::Io {
                path: lock_path.clone(),
                source,
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Locked {
                    path: path.to_owned(),
                    lock: lock_path,
                });
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(JournalError::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        let sql = |source| JournalError::Sql {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(sql)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
        )
        .map_err(sql)?;
        conn.execute_batch(SCHEMA).map_err(sql)?;
        for (key, expected) in identity {
            let found: Option<String> = conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(sql)?;
            match found {
                Some(found) if found != *expected => {
                    return Err(JournalError::Mismatch {
                        path: path.to_owned(),
                        key: (*key).to_owned(),
                        found,
                        expected: (*expected).to_owned(),
                    });
                }
                Some(_) => {}
                None => {
                    conn.execute(
                        "INSERT INTO meta(key, value) VALUES (?1, ?2)",
                        params![key, expected],
                    )
                    .map_err(sql)?;
                }
            }
        }
        Ok(Journal {
            path: path.to_owned(),
            conn: Mutex::new(conn),
            _lock: lock,
        })
    }

    /// A value recorded at first open under `key` (e.g. the account push
    /// used), if any.
    ///
    /// # Errors
    /// `Sql` on an unreadable journal.
    pub fn identity(&self, key: &str) -> Result<Option<String>, JournalError> {
        self.conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> JournalError {
        JournalError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A poisoned lock only means another thread panicked mid-call;
        // SQLite's own transaction state is still consistent.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

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
    pub fn row_outcomes(&self, phase: &str) -> Result<Vec<RowOutcome>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT source_subscription_id, phase, outcome, destination_order_id, destination_subscription_id,
                 error_code, error_message, at FROM row_outcomes WHERE phase = ?1 ORDER BY source_subscription_id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([phase], |r| {
                Ok(RowOutcome {
                    source_subscription_id: r.get(0)?,
                    phase: r.get(1)?,
                    outcome: r.get(2)?,
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

fn insert_outcome(conn: &Connection, o: &RowOutcome) -> Result<(), rusqlite::Error> {
    conn.execute(
        "INSERT OR REPLACE INTO row_outcomes(source_subscription_id, phase, outcome, destination_order_id,
         destination_subscription_id, error_code, error_message, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            o.source_subscription_id,
            o.phase,
            o.outcome,
            o.destination_order_id,
            o.destination_subscription_id,
            o.error_code,
            o.error_message,
            o.at
        ],
    )?;
    Ok(())
}

/// `migration.journal` → `migration.journal.lock`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intent(kind: RequestKind) -> Intent {
        Intent {
            kind,
            customer_id: "c1".into(),
            rows: vec!["s1".into(), "s2".into()],
            body: json!({"lineItems": [{"id": 0, "quantity": 3}]}),
            depends_on: None,
        }
    }

    #[test]
    fn intents_survive_reopen_and_pending_ones_are_in_doubt() -> Result<(), JournalError> {
        let dir = tempfile::tempdir().map_err(|source| JournalError::Io {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join("m.journal");
        let (a, b) = {
            let j = Journal::open(&path, &[("account", "dest")])?;
            let a = j.record_intent(intent(RequestKind::CreateCart))?;
            let b = j.record_intent(intent(RequestKind::Checkout))?;
            j.mark_attempt(&b.request_id)?;
            j.settle(&a.request_id, EntryState::Done, &json!({"id": "cart-1"}))?;
            (a, b)
        };
        let j = Journal::open(&path, &[("account", "dest")])?;
        let doubt = j.in_doubt()?;
        assert_eq!(doubt.len(), 1);
        assert_eq!(doubt[0].request_id, b.request_id);
        assert_eq!(doubt[0].attempts, 1);
        assert_eq!(doubt[0].intent, intent(RequestKind::Checkout));
        let all = j.for_customer("c1")?;
        assert_eq!(all[0].request_id, a.request_id);
        assert_eq!(all[0].response, Some(json!({"id": "cart-1"})));
        Ok(())
    }

    #[test]
    fn a_second_open_is_refused_while_the_first_holds_the_lock() -> Result<(), JournalError> {
        let dir = tempfile::tempdir().map_err(|source| JournalError::Io {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join("m.journal");
        let first = Journal::open(&path, &[])?;
        let second = Journal::open(&path, &[]);
        assert!(
            matches!(second, Err(JournalError::Locked { .. })),
            "second open must be refused"
        );
        drop(first);
        assert!(Journal::open(&path, &[]).is_ok());
        Ok(())
    }

    #[test]
    fn a_journal_is_bound_to_its_identity() -> Result<(), JournalError> {
        let dir = tempfile::tempdir().map_err(|source| JournalError::Io {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join("m.journal");
        drop(Journal::open(&path, &[("account", "dest")])?);
        let other = Journal::open(&path, &[("account", "elsewhere")]);
        assert!(matches!(other, Err(JournalError::Mismatch { .. })));
        Ok(())
    }

    #[test]
    fn row_outcomes_are_replaced_per_phase() -> Result<(), JournalError> {
        let dir = tempfile::tempdir().map_err(|source| JournalError::Io {
            path: "tmp".into(),
            source,
        })?;
        let j = Journal::open(&dir.path().join("m.journal"), &[])?;
        let mut o = RowOutcome {
            source_subscription_id: "s1".into(),
            phase: "push".into(),
            outcome: "waiting".into(),
            destination_order_id: None,
            destination_subscription_id: None,
            error_code: None,
            error_message: None,
            at: now(),
        };
        j.set_row_outcome(&o)?;
        o.outcome = "bought".into();
        o.destination_subscription_id = Some("d1".into());
        j.set_row_outcome(&o)?;
        let got = j.row_outcomes("push")?;
        assert_eq!(got, vec![o]);
        assert!(j.row_outcomes("retire")?.is_empty());
        Ok(())
    }
}
