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

mod entries;
mod rows;

pub use entries::{Entry, EntryState, Intent, RequestKind};
pub use rows::RowOutcome;

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
    use crate::model::{Outcome, Phase};
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
            phase: Phase::Push,
            outcome: Outcome::Waiting,
            destination_order_id: None,
            destination_subscription_id: None,
            error_code: None,
            error_message: None,
            at: now(),
        };
        j.set_row_outcome(&o)?;
        o.outcome = Outcome::Bought;
        o.destination_subscription_id = Some("d1".into());
        j.set_row_outcome(&o)?;
        let got = j.row_outcomes(Phase::Push)?;
        assert_eq!(got, vec![o]);
        assert!(j.row_outcomes(Phase::Retire)?.is_empty());
        Ok(())
    }
}
