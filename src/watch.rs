//! `docex watch INBOX --out DIR`: the inbox.
//!
//! The inbox is scanned on start and again whenever the file system reports a
//! change (inotify through `notify`; `--poll SECONDS` scans on a timer instead,
//! for network shares whose events never arrive). A file is taken only once its
//! size and modification time have not changed for `--settle` seconds, so a file
//! still being copied is never read half-written. Temporary and hidden files
//! (`.part`, `.tmp`, `.crdownload`, `~$x`, `.DS_Store`, any dot file) are left
//! alone. A finished file moves to `INBOX/processed/`, a failed one to
//! `INBOX/failed/` with `NAME.reason.txt` beside it; its rows go into the tables
//! in DIR through the same manifest as `docex extract`, so the same content
//! dropped twice is extracted once (the second copy is a `duplicate` row).
//!
//! The document name in the tables is the file's path in the inbox; when that
//! name is already in the tables for other content (a scanner that always writes
//! `scan.pdf`), it becomes `scan (2).pdf`, and the file keeps that name in
//! `processed/`, so a row always names the file it came from.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use docex_core::InputDoc;
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use tracing::{info, warn};

use crate::batch::{self, End, Redo};
use crate::{start_batch, BatchArgs};

/// Where finished files go, inside the inbox.
const PROCESSED: &str = "processed";
/// Where failed files go, inside the inbox.
const FAILED: &str = "failed";

#[derive(clap::Args)]
pub struct WatchArgs {
    /// The inbox folder.
    inbox: PathBuf,
    #[command(flatten)]
    batch: BatchArgs,
    /// Scan every SECONDS instead of waiting for file-system events (network shares).
    #[arg(long, value_name = "SECONDS")]
    poll: Option<f64>,
    /// Seconds a file's size and modification time must stay unchanged before it is taken.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    settle: f64,
}

/// What the scan last saw of a file.
struct Seen {
    size: u64,
    modified: Option<SystemTime>,
    since: Instant,
}

/// Whether a file name is a temporary or hidden file that must not be taken.
pub fn ignored(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || [
            ".part",
            ".partial",
            ".tmp",
            ".temp",
            ".crdownload",
            ".download",
            ".swp",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

pub fn run(args: WatchArgs) -> anyhow::Result<u8> {
    batch::handle_signals();
    let inbox = args.inbox.clone();
    if !inbox.is_dir() {
        anyhow::bail!("{}: not a folder", inbox.display());
    }
    for d in [PROCESSED, FAILED] {
        std::fs::create_dir_all(inbox.join(d))
            .with_context(|| format!("creating {}", inbox.join(d).display()))?;
    }
    let (mut batch, jobs) = start_batch(&args.batch, Redo::default(), None)?;
    batch.write_tables()?;

    let (tx, events) = mpsc::channel();
    let _watcher: Box<dyn Watcher> = match args.poll {
        Some(secs) => {
            let config = notify::Config::default()
                .with_poll_interval(Duration::from_secs_f64(secs.max(0.1)));
            let mut w = PollWatcher::new(tx, config).context("starting the poll watcher")?;
            w.watch(&inbox, RecursiveMode::Recursive)?;
            Box::new(w)
        }
        None => {
            let mut w = RecommendedWatcher::new(tx, notify::Config::default())
                .context("watching the inbox (inotify); try --poll SECONDS")?;
            w.watch(&inbox, RecursiveMode::Recursive)?;
            Box::new(w)
        }
    };
    let settle = Duration::from_secs_f64(args.settle.max(0.0));
    // without events, still rescan now and then: a lost event must not lose a file
    let rescan_every = Duration::from_secs_f64(args.poll.unwrap_or(30.0).max(0.1));
    info!(inbox = %inbox.display(), out = %args.batch.out.display(), "watching");

    let mut seen: HashMap<PathBuf, Seen> = HashMap::new();
    // path -> (name in the tables, where it goes under processed/ or failed/)
    let mut taken: HashMap<PathBuf, (String, PathBuf)> = HashMap::new();
    let mut stuck: HashSet<PathBuf> = HashSet::new(); // could not be moved away
    let mut last_scan = Instant::now() - rescan_every;
    let mut changed = true;
    while !batch::stopping() {
        // the whole inbox on an event or the rescan timer; between them only the files
        // still settling or waiting for a worker (a backlog must not be walked each pass)
        let full = changed || last_scan.elapsed() >= rescan_every;
        if full || !seen.is_empty() {
            let now = Instant::now();
            let mut present = HashSet::new();
            let paths = if full {
                scan(&inbox)
            } else {
                let mut waiting: Vec<PathBuf> = seen.keys().cloned().collect();
                waiting.sort();
                waiting
            };
            for path in paths {
                let meta = std::fs::metadata(&path).ok();
                if !full && meta.is_none() {
                    continue; // gone since the last scan
                }
                present.insert(path.clone());
                if taken.contains_key(&path) || stuck.contains(&path) {
                    continue;
                }
                let (size, modified) = meta
                    .as_ref()
                    .map_or((0, None), |m| (m.len(), m.modified().ok()));
                let entry = seen.entry(path.clone()).or_insert(Seen {
                    size,
                    modified,
                    since: now,
                });
                if entry.size != size || entry.modified != modified {
                    *entry = Seen {
                        size,
                        modified,
                        since: now,
                    };
                }
                if entry.since.elapsed() >= settle && batch.in_flight() < 2 * jobs {
                    seen.remove(&path);
                    let (name, dest) = table_name(&inbox, &path, &batch)?;
                    let doc = InputDoc {
                        path: path.clone(),
                        display: name.clone(),
                    };
                    taken.insert(path.clone(), (name, dest));
                    if let Some(end) = batch.admit(doc)? {
                        finish(&inbox, &path, &end, &mut taken, &mut stuck);
                    }
                }
            }
            seen.retain(|p, _| present.contains(p));
            if full {
                last_scan = now;
                changed = false;
            }
        }
        // results first; then wait for events (briefly while files settle or run)
        let busy = batch.in_flight() > 0 || !seen.is_empty();
        if batch.in_flight() > 0 {
            // every result that is ready, waiting briefly for the first
            let mut wait = Duration::from_millis(100);
            while let Some((doc, end)) = batch.next_done(wait)? {
                finish(&inbox, &doc.path, &end, &mut taken, &mut stuck);
                wait = Duration::ZERO;
            }
        }
        let wait = if busy {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(500)
        };
        match events.recv_timeout(wait) {
            Ok(Ok(event)) => changed |= relevant(&inbox, &event),
            Ok(Err(e)) => warn!("watch: {e}"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("the watcher stopped"),
        }
        while let Ok(ev) = events.try_recv() {
            if let Ok(event) = ev {
                changed |= relevant(&inbox, &event);
            }
        }
    }
    info!("stopping: finishing the documents in flight");
    while batch.in_flight() > 0 {
        if let Some((doc, end)) = batch.next_done(Duration::from_millis(200))? {
            finish(&inbox, &doc.path, &end, &mut taken, &mut stuck);
        }
    }
    let c = batch.finish()?;
    info!("stopped: {c}");
    Ok(crate::exit::OK)
}

/// Events about processed/ and failed/ (our own moves) do not call for a scan.
fn relevant(inbox: &Path, event: &notify::Event) -> bool {
    event.paths.iter().any(|p| {
        let rel = p.strip_prefix(inbox).unwrap_or(p);
        !(rel.starts_with(PROCESSED) || rel.starts_with(FAILED))
    })
}

/// The files waiting in the inbox (recursively; not processed/, failed/, hidden
/// folders or ignored names), in name order.
fn scan(inbox: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![inbox.to_owned()];
    let mut visited = HashSet::new();
    while let Some(dir) = stack.pop() {
        if !visited.insert(dir.canonicalize().unwrap_or_else(|_| dir.clone())) {
            continue; // a symlink loop
        }
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in rd.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if ignored(&name) {
                continue;
            }
            if path.is_dir() {
                if !(dir == inbox && (name == PROCESSED || name == FAILED)) {
                    stack.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The file's name in the tables: its inbox path, made unique against the rows
/// already there and the files already in processed/ and failed/; and its path
/// under those folders (the original bytes when the name is kept: names need not
/// be UTF-8).
fn table_name(
    inbox: &Path,
    path: &Path,
    batch: &batch::Batch,
) -> anyhow::Result<(String, PathBuf)> {
    let rel = path.strip_prefix(inbox).unwrap_or(path);
    let base = rel.to_string_lossy().into_owned();
    let free = |name: &Path| -> anyhow::Result<bool> {
        Ok(!batch.manifest().has_rows(&name.to_string_lossy())?
            && !inbox.join(PROCESSED).join(name).exists()
            && !inbox.join(FAILED).join(name).exists())
    };
    if free(rel)? {
        return Ok((base, rel.to_owned()));
    }
    let (stem, ext) = match (rel.file_stem(), rel.extension()) {
        (Some(s), Some(e)) => (
            rel.with_file_name(s).to_string_lossy().into_owned(),
            format!(".{}", e.to_string_lossy()),
        ),
        _ => (base.clone(), String::new()),
    };
    for n in 2.. {
        let name = format!("{stem} ({n}){ext}");
        if free(Path::new(&name))? {
            return Ok((name.clone(), PathBuf::from(name)));
        }
    }
    unreachable!("some name is free")
}

/// Moves a file whose run ended out of the inbox.
fn finish(
    inbox: &Path,
    path: &Path,
    end: &End,
    taken: &mut HashMap<PathBuf, (String, PathBuf)>,
    stuck: &mut HashSet<PathBuf>,
) {
    let Some((name, dest_rel)) = taken.remove(path) else {
        return;
    };
    let (folder, reason) = match end {
        End::Done | End::Skipped | End::Duplicate(_) => (PROCESSED, None),
        End::Failed(e) | End::Quarantined(e) => (FAILED, Some(e.as_str())),
        // stays in the inbox: the next start takes it again
        End::Abandoned | End::OtherShard => return,
    };
    let dest = inbox.join(folder).join(&dest_rel);
    let moved = dest
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::rename(path, &dest));
    match moved {
        Ok(()) => {
            if let Some(reason) = reason {
                let note = dest.with_file_name(format!(
                    "{}.reason.txt",
                    dest.file_name().unwrap_or_default().to_string_lossy()
                ));
                if let Err(e) = std::fs::write(&note, format!("{reason}\n")) {
                    warn!(file = %note.display(), "cannot write the reason: {e}");
                }
            }
            info!(document = %name, to = %dest.display(), "moved");
        }
        Err(e) => {
            warn!(file = %path.display(), to = %dest.display(), "cannot move it ({e}); it stays and is not taken again");
            stuck.insert(path.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ignored;

    #[test]
    fn temporary_and_hidden_files_are_ignored() {
        for name in [
            ".DS_Store",
            "~$report.docx",
            "scan.pdf.part",
            "a.PDF.crdownload",
            "x.tmp",
            "notes.txt~",
            ".hidden.pdf",
        ] {
            assert!(ignored(name), "{name}");
        }
        for name in ["scan.pdf", "invoice 2024.png", "part.pdf", "tmp.txt"] {
            assert!(!ignored(name), "{name}");
        }
    }
}
