//! Command-line inputs to the ordered list of documents.

use std::path::{Path, PathBuf};

use docex_core::InputDoc;
use thiserror::Error;
use tracing::debug;

/// An input path that cannot be read, or may not be (the output folder).
#[derive(Debug, Error)]
#[error("input {path}: {reason}")]
pub struct InputError {
    /// The path.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

/// Expands files and folders (recursively, in name order) into documents. A file
/// given directly is named as given. A file found in a folder is named relative to
/// that folder when it is the only input, and otherwise by the folder as given
/// joined with that relative path (`jan/a.pdf`, `feb/a.pdf`), so that no two files
/// share a name. Nothing is filtered by extension: types are detected by content.
///
/// `exclude` (the output folder) is never walked into, so a run never reads its own
/// tables; a folder input that is `exclude` itself is an error.
pub fn collect_inputs(
    paths: &[PathBuf],
    exclude: Option<&Path>,
) -> Result<Vec<InputDoc>, InputError> {
    let exclude = exclude.and_then(|e| e.canonicalize().ok());
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| InputError {
            path: p.clone(),
            reason: e.to_string(),
        })?;
        if meta.is_dir() {
            if exclude.is_some() && p.canonicalize().ok() == exclude {
                return Err(InputError {
                    path: p.clone(),
                    reason: "is the output folder (--out): its own tables would be read as \
                             documents; give an --out outside it or in a subfolder"
                        .into(),
                });
            }
            let prefix = (paths.len() > 1).then_some(p.as_path());
            let mut walk = Walk {
                root: p,
                prefix,
                exclude: exclude.as_deref(),
                seen: Vec::new(),
            };
            walk.dir(p, &mut out)?;
        } else {
            out.push(InputDoc {
                path: p.clone(),
                display: p.display().to_string(),
            });
        }
    }
    Ok(out)
}

/// One folder input being walked.
struct Walk<'a> {
    root: &'a Path,
    /// What names start with: the folder as given, when there are several inputs.
    prefix: Option<&'a Path>,
    exclude: Option<&'a Path>,
    /// Folders entered (canonical): a symlink loop is entered once.
    seen: Vec<PathBuf>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, out: &mut Vec<InputDoc>) -> Result<(), InputError> {
        let canon = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
        if self.seen.contains(&canon) {
            return Ok(());
        }
        if Some(canon.as_path()) == self.exclude {
            debug!(folder = %dir.display(), "not walked: the output folder");
            return Ok(());
        }
        self.seen.push(canon);
        let rd = std::fs::read_dir(dir).map_err(|e| InputError {
            path: dir.to_owned(),
            reason: e.to_string(),
        })?;
        let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                self.dir(&path, out)?;
            } else {
                let rel = path.strip_prefix(self.root).unwrap_or(&path);
                let display = match self.prefix {
                    Some(prefix) => prefix.join(rel).display().to_string(),
                    None => rel.display().to_string(),
                };
                out.push(InputDoc { path, display });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_recurse_in_order_relative_to_the_folder() {
        let dir = std::env::temp_dir().join(format!("docex-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for f in ["b.pdf", "a.txt", "sub/c.png"] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        let docs = collect_inputs(std::slice::from_ref(&dir), None).unwrap();
        let names: Vec<_> = docs.iter().map(|d| d.display.as_str()).collect();
        assert_eq!(names, vec!["a.txt", "b.pdf", "sub/c.png"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_same_name_in_two_folders_gives_two_documents_named_by_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (jan, feb) = (dir.path().join("jan"), dir.path().join("feb"));
        for d in [&jan, &feb] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("a.txt"), b"x").unwrap();
        }
        let docs = collect_inputs(&[jan.clone(), feb.clone()], None).unwrap();
        let names: Vec<_> = docs.iter().map(|d| d.display.clone()).collect();
        let want = [jan.join("a.txt"), feb.join("a.txt")].map(|p| p.display().to_string());
        assert_eq!(names, want);
    }

    #[test]
    fn the_output_folder_is_never_walked() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("tables");
        std::fs::create_dir_all(out.join("sub")).unwrap();
        std::fs::write(out.join("documents.csv"), b"x").unwrap();
        std::fs::write(out.join("sub/c.txt"), b"x").unwrap();
        std::fs::write(dir.path().join("a.txt"), b"x").unwrap();
        let root = dir.path().to_owned();
        let docs = collect_inputs(std::slice::from_ref(&root), Some(&out)).unwrap();
        let names: Vec<_> = docs.iter().map(|d| d.display.as_str()).collect();
        assert_eq!(names, ["a.txt"]);
        // the output folder itself as an input: an error, not its tables as documents
        assert!(collect_inputs(std::slice::from_ref(&out), Some(&out)).is_err());
    }
}
