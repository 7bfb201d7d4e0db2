//! Atomic file writes: every file the tool writes (workbooks, reports, pull
//! outputs and cache, the emulator's state) appears whole or not at all.
//!
//! The content goes to a temporary file in the target's folder (same file
//! system, so the rename is atomic), the file is flushed to disk, renamed
//! over the target, and the folder is flushed so the rename itself survives
//! a power cut. On any error the temporary file is removed and the target
//! is left as it was.
//!
//! [`atomic_write`] hands the writer the temporary *path*, so a library that
//! saves to a path (rust_xlsxwriter) streams straight to disk instead of
//! building the whole file in memory; [`write_bytes`] is the form for
//! content already in memory.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why an atomic write failed.
#[derive(Debug)]
pub enum AtomicError<E> {
    /// The writer closure failed; the target was not touched.
    Write(E),
    /// Creating, flushing or renaming the file failed; the target was not
    /// touched.
    Io(io::Error),
}

impl<E> AtomicError<E> {
    /// One error type: the writer's own, or `io` applied to a file-system
    /// failure.
    pub fn fold(self, io: impl FnOnce(io::Error) -> E) -> E {
        match self {
            AtomicError::Write(e) => e,
            AtomicError::Io(e) => io(e),
        }
    }
}

/// Write `path` atomically: `write` creates and fills the temporary path
/// it is given (in the same folder as `path`), then the file is flushed,
/// renamed over `path`, and the folder flushed.
///
/// # Errors
/// [`AtomicError::Write`] with the writer's error, or [`AtomicError::Io`]
/// when flushing or renaming failed. Either way no temporary file is left
/// and an existing `path` is unchanged.
pub fn atomic_write<E>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), AtomicError<E>> {
    let tmp = temp_sibling(path);
    let result = write(&tmp)
        .map_err(AtomicError::Write)
        .and_then(|()| commit(&tmp, path).map_err(AtomicError::Io));
    if result.is_err() {
        let _ = fs::remove_file(&tmp); // best effort: the original error matters
    }
    result
}

/// Write `bytes` to `path` atomically (see [`atomic_write`]).
///
/// # Errors
/// The I/O error; no temporary file is left and an existing `path` is
/// unchanged.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    atomic_write(path, |tmp| {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)?
            .write_all(bytes)
    })
    .map_err(|e| e.fold(|io| io))
}

/// Flush the written temporary file, rename it over `path`, flush the folder.
fn commit(tmp: &Path, path: &Path) -> io::Result<()> {
    // Write access: Windows cannot flush a file opened read-only.
    OpenOptions::new().write(true).open(tmp)?.sync_all()?;
    fs::rename(tmp, path)?;
    sync_folder(path)
}

#[cfg(unix)]
fn sync_folder(path: &Path) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(folder)?.sync_all()
}

/// Windows has no handle on a folder to flush; NTFS journals the rename.
#[cfg(not(unix))]
fn sync_folder(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Whether a file name is one of ours left by a killed run (`.NAME.….tmp`):
/// never complete, safe to delete.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// A hidden name beside `path` (`.NAME.PID-RANDOM.tmp`), unique to this
/// process and call, so two writers never share a temporary file.
fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.{}-{:016x}.tmp",
        std::process::id(),
        fastrand::u64(..)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TestResult;

    fn names(dir: &Path) -> io::Result<Vec<String>> {
        let mut names = fs::read_dir(dir)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<Vec<_>>>()?;
        names.sort();
        Ok(names)
    }

    #[test]
    fn bytes_replace_the_target_whole() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("out.csv");
        fs::write(&path, "old content, longer than the new")?;
        write_bytes(&path, b"new")?;
        assert_eq!(fs::read(&path)?, b"new");
        assert_eq!(names(dir.path())?, ["out.csv"]);
        Ok(())
    }

    #[test]
    fn the_writer_gets_a_sibling_temporary_path() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("book.xlsx");
        let mut seen = None;
        atomic_write(&path, |tmp| {
            seen = Some(tmp.to_owned());
            fs::write(tmp, "saved by a library")
        })
        .map_err(|e| e.fold(|io| io))?;
        let tmp = seen.ok_or("the writer was not called")?;
        assert_eq!(tmp.parent(), Some(dir.path()));
        assert_ne!(tmp, path);
        assert!(!tmp.exists());
        assert_eq!(fs::read_to_string(&path)?, "saved by a library");
        Ok(())
    }

    #[test]
    fn temporary_names_are_recognised_as_leftovers() {
        let tmp = temp_sibling(Path::new("out/customers.csv"));
        let name = tmp.file_name().map(|n| n.to_string_lossy().into_owned());
        assert!(is_temp_name(&name.unwrap_or_default()));
        assert!(!is_temp_name("customers.csv"));
    }

    #[test]
    fn a_failing_writer_leaves_no_target_and_no_temporary_file() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("book.xlsx");
        let result = atomic_write(&path, |tmp| {
            fs::write(tmp, "half a workbook")?;
            Err(io::Error::other("the writer gave up"))
        });
        assert!(matches!(result, Err(AtomicError::Write(_))));
        assert_eq!(names(dir.path())?, Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn a_failing_writer_leaves_an_existing_target_untouched() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("book.xlsx");
        fs::write(&path, "the reviewed copy")?;
        let result = atomic_write(&path, |tmp| {
            fs::write(tmp, "half a workbook")?;
            Err(io::Error::other("the writer gave up"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(&path)?, "the reviewed copy");
        assert_eq!(names(dir.path())?, ["book.xlsx"]);
        Ok(())
    }

    #[test]
    fn a_failed_rename_removes_the_temporary_file() -> TestResult {
        let dir = tempfile::tempdir()?;
        // A non-empty folder where the file should go: the rename fails.
        let path = dir.path().join("taken");
        fs::create_dir(&path)?;
        fs::write(path.join("keep"), "x")?;
        let err = write_bytes(&path, b"content");
        assert!(err.is_err());
        assert_eq!(names(dir.path())?, ["taken"]);
        assert_eq!(names(&path)?, ["keep"]);
        Ok(())
    }

    #[test]
    fn a_missing_folder_is_an_error_and_writes_nothing() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("no-such-dir").join("out.csv");
        assert!(write_bytes(&path, b"content").is_err());
        assert_eq!(names(dir.path())?, Vec::<String>::new());
        Ok(())
    }
}
