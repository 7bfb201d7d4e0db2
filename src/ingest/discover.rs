//! Find the input files: the paths given, with folders walked recursively.
//!
//! People point the tool at a folder of 5,000 downloads, so folders are
//! walked (sorted, for reproducible output) and only spreadsheet-like files
//! are taken; Excel's `~$` lock files and hidden files are skipped. Each
//! file keeps the name the user would recognise: the folder as typed,
//! joined with the path inside it.

use std::path::{Path, PathBuf};

use super::IngestError;

/// Extensions read as inputs (lower case).
const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "tsv", "txt"];

/// Folder depth beyond which a walk stops (symlink loops).
const MAX_DEPTH: usize = 32;

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// As shown in issues and the workbook.
    pub display: String,
}

/// Expand files and folders into files, in order, without repeats.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Found>, IngestError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| IngestError::NotFound {
            path: p.clone(),
            source: e,
        })?;
        if meta.is_dir() {
            walk(p, p, 0, &mut out)?;
        } else {
            out.push(Found {
                path: p.clone(),
                display: p.display().to_string(),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.path.canonicalize().unwrap_or_else(|_| f.path.clone())));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<Found>) -> Result<(), IngestError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let unreadable = |e| IngestError::Unreadable {
        path: dir.to_owned(),
        source: e,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(root, &path, depth + 1, out)?;
        } else if is_input(&path) {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(Found {
                display: root.join(rel).display().to_string(),
                path,
            });
        }
    }
    Ok(())
}

fn is_input(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether a file is a workbook (by extension; content is sniffed too).
pub fn is_workbook_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods"
        )
    })
}
