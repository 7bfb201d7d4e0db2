//! The resumable cache under `DIR/.pull/`: what a pull has already fetched.
//!
//! Why: pulling a large account takes minutes at the API's rate limit, and
//! an interruption must not cost them again. Every fetched unit is written
//! atomically (temp file + rename) the moment it arrives, so a killed pull
//! leaves only complete files; the next run skips them. The final CSVs are
//! always rebuilt from this cache, which is what makes an interrupted and
//! resumed pull byte-identical to an uninterrupted one.
//!
//! Layout: `manifest.json` (which account the cache belongs to),
//! `customers.json` (the whole list, written once complete),
//! `subscriptions/{customer}.json` (one per customer) and
//! `activity/{YYYY-MM-DD}.json` (one per day, with when it was fetched: a
//! day is complete, and never fetched again, only once fetched after it
//! ended).

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::PullError;
use crate::api::{AuditRecord, Customer, Subscription};

/// The cache folder inside the output folder.
pub const CACHE_DIR: &str = ".pull";

/// Bumped when the cache layout changes (an old cache is then ignored).
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    /// Which account and API the cache was pulled from.
    source: String,
}

/// One day of the activity log as fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayFile {
    pub date: NaiveDate,
    pub fetched_at: DateTime<Utc>,
    pub records: Vec<AuditRecord>,
}

impl DayFile {
    /// Fetched after the day ended (UTC): nothing can be added to it.
    pub fn is_complete(&self) -> bool {
        self.fetched_at.date_naive() > self.date
    }
}

/// The cache of one output folder.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// Open (creating) the cache in `out`. `fresh` throws away what is
    /// there. A cache pulled from another account or API is refused rather
    /// than mixed in.
    ///
    /// # Errors
    /// [`PullError::Io`] when the folder cannot be made or read;
    /// [`PullError::OtherSource`] when it belongs to another account.
    pub fn open(out: &Path, source: &str, fresh: bool) -> Result<Cache, PullError> {
        let root = out.join(CACHE_DIR);
        if fresh && root.exists() {
            std::fs::remove_dir_all(&root).map_err(|e| PullError::io(&root, e))?;
        }
        for dir in [
            root.clone(),
            root.join("subscriptions"),
            root.join("activity"),
        ] {
            std::fs::create_dir_all(&dir).map_err(|e| PullError::io(&dir, e))?;
        }
        let cache = Cache { root };
        cache.remove_leftovers();
        let manifest = cache.root.join("manifest.json");
        match read_json::<Manifest>(&manifest)? {
            Some(m) if m.format == FORMAT && m.source == source => {}
            Some(m) if m.format == FORMAT => {
                return Err(PullError::OtherSource {
                    dir: cache.root.clone(),
                    cached: m.source,
                    now: source.to_owned(),
                });
            }
            _ => {
                // No manifest, or an older layout: start this cache afresh.
                let (subs, days) = (
                    cache.root.join("subscriptions"),
                    cache.root.join("activity"),
                );
                for dir in [&subs, &days] {
                    std::fs::remove_dir_all(dir).map_err(|e| PullError::io(dir, e))?;
                    std::fs::create_dir_all(dir).map_err(|e| PullError::io(dir, e))?;
                }
                let customers = cache.root.join("customers.json");
                if customers.exists() {
                    std::fs::remove_file(&customers).map_err(|e| PullError::io(&customers, e))?;
                }
                let m = Manifest {
                    format: FORMAT,
                    source: source.to_owned(),
                };
                write_json(&manifest, &m)?;
            }
        }
        Ok(cache)
    }

    /// Temp files a killed run left behind (never complete: ignore them).
    fn remove_leftovers(&self) {
        for dir in [
            self.root.clone(),
            self.root.join("subscriptions"),
            self.root.join("activity"),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.filter_map(Result::ok) {
                let name = e.file_name();
                let name = name.to_string_lossy();
                if crate::fsio::is_temp_name(&name) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The complete customer list, if a previous run fetched it.
    ///
    /// # Errors
    /// [`PullError::Io`] when the file exists but cannot be read.
    pub fn customers(&self) -> Result<Option<Vec<Customer>>, PullError> {
        read_json(&self.root.join("customers.json"))
    }

    /// Store the complete customer list.
    ///
    /// # Errors
    /// [`PullError::Io`].
    pub fn save_customers(&self, customers: &[Customer]) -> Result<(), PullError> {
        write_json(&self.root.join("customers.json"), &customers)
    }

    /// A customer's subscriptions, if fetched.
    ///
    /// # Errors
    /// [`PullError::Io`] when the file exists but cannot be read.
    pub fn subscriptions(&self, customer_id: &str) -> Result<Option<Vec<Subscription>>, PullError> {
        read_json(&self.subscriptions_path(customer_id))
    }

    /// Whether a customer's subscriptions are cached.
    pub fn has_subscriptions(&self, customer_id: &str) -> bool {
        self.subscriptions_path(customer_id).is_file()
    }

    /// Store a customer's subscriptions.
    ///
    /// # Errors
    /// [`PullError::Io`].
    pub fn save_subscriptions(
        &self,
        customer_id: &str,
        subs: &[Subscription],
    ) -> Result<(), PullError> {
        write_json(&self.subscriptions_path(customer_id), &subs)
    }

    /// The file a customer's subscriptions are cached in.
    pub fn subscriptions_path(&self, customer_id: &str) -> PathBuf {
        self.root
            .join("subscriptions")
            .join(format!("{}.json", file_stem(customer_id)))
    }

    /// A day of the activity log, if fetched (complete or not).
    ///
    /// # Errors
    /// [`PullError::Io`] when the file exists but cannot be read.
    pub fn day(&self, date: NaiveDate) -> Result<Option<DayFile>, PullError> {
        read_json(&self.day_path(date))
    }

    /// Store a day of the activity log.
    ///
    /// # Errors
    /// [`PullError::Io`].
    pub fn save_day(&self, day: &DayFile) -> Result<(), PullError> {
        write_json(&self.day_path(day.date), day)
    }

    fn day_path(&self, date: NaiveDate) -> PathBuf {
        self.root
            .join("activity")
            .join(format!("{}.json", date.format("%Y-%m-%d")))
    }
}

/// A file name for an id: the id itself when it is a plain token (GUIDs
/// are), else a hash, so no id can escape the folder or collide by case.
fn file_stem(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if plain {
        id.to_owned()
    } else {
        format!("h-{}", crate::ingest::hash_hex(id.as_bytes()))
    }
}

/// Read a JSON file; `None` when it does not exist. A file that exists but
/// does not decode (edited by hand, or an older layout) is also `None`:
/// it is fetched again rather than trusted.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, PullError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(PullError::io(path, e)),
    };
    Ok(serde_json::from_slice(&bytes).ok())
}

fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), PullError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| PullError::io(path, std::io::Error::other(format!("cannot encode: {e}"))))?;
    write_atomic(path, &bytes)
}

/// Write `bytes` to `path` atomically ([`crate::fsio::write_bytes`]).
///
/// # Errors
/// [`PullError::Io`] naming `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PullError> {
    crate::fsio::write_bytes(path, bytes).map_err(|e| PullError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_and_distinct() {
        let guid = "8e1c0a55-0000-4000-8000-00000000c001";
        assert_eq!(file_stem(guid), guid);
        for bad in ["../x", "A", "a/b", "", "x\\y"] {
            let s = file_stem(bad);
            assert!(s.starts_with("h-") && !s.contains('/'), "{bad}: {s}");
        }
        assert_ne!(file_stem("A"), file_stem("a"));
    }

    #[test]
    fn cache_round_trips_and_refuses_another_source() -> crate::TestResult {
        let dir = std::env::temp_dir().join(format!("pull-cache-{}", fastrand::u64(..)));
        let cache = Cache::open(&dir, "acct A", false)?;
        let sub = Subscription {
            id: "s1".into(),
            quantity: Some(3),
            ..Subscription::default()
        };
        cache.save_subscriptions("c1", std::slice::from_ref(&sub))?;
        assert_eq!(cache.subscriptions("c1")?, Some(vec![sub]));
        assert_eq!(cache.subscriptions("c2")?, None);
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).ok_or("no value")?;
        let file = DayFile {
            date: day,
            fetched_at: day.and_hms_opt(23, 0, 0).ok_or("no value")?.and_utc(),
            records: Vec::new(),
        };
        assert!(!file.is_complete());
        cache.save_day(&file)?;
        assert_eq!(cache.day(day)?, Some(file));
        let err = Cache::open(&dir, "acct B", false).unwrap_err().to_string();
        assert!(err.contains("acct A") && err.contains("--fresh"), "{err}");
        let again = Cache::open(&dir, "acct B", true)?;
        assert_eq!(again.subscriptions("c1")?, None);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
