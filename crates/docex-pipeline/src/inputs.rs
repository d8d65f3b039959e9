//! Command-line inputs to the ordered list of documents.

use std::path::{Path, PathBuf};

use docex_core::InputDoc;

use crate::PipelineError;

/// Expands files and folders (recursively, in name order) into documents. A file
/// given directly is named as given; a file found in a folder is named relative
/// to that folder. Nothing is filtered by extension: types are detected by content.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<InputDoc>, PipelineError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| PipelineError::Input {
            path: p.clone(),
            reason: e.to_string(),
        })?;
        if meta.is_dir() {
            walk(p, p, &mut out, &mut Vec::new())?;
        } else {
            out.push(InputDoc {
                path: p.clone(),
                display: p.display().to_string(),
            });
        }
    }
    Ok(out)
}

fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<InputDoc>,
    seen: &mut Vec<PathBuf>,
) -> Result<(), PipelineError> {
    // Symlink loops: never enter a folder twice.
    let canon = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    if seen.contains(&canon) {
        return Ok(());
    }
    seen.push(canon);
    let rd = std::fs::read_dir(dir).map_err(|e| PipelineError::Input {
        path: dir.to_owned(),
        reason: e.to_string(),
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, out, seen)?;
        } else {
            let display = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            out.push(InputDoc { path, display });
        }
    }
    Ok(())
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
        let docs = collect_inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<_> = docs.iter().map(|d| d.display.as_str()).collect();
        assert_eq!(names, vec!["a.txt", "b.pdf", "sub/c.png"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
