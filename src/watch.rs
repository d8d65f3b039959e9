//! `docex watch INBOX --out DIR`: the inbox.
//!
//! The inbox is scanned on start and again whenever the file system reports a
//! change (inotify through `notify`; `--poll SECONDS` scans on a timer instead,
//! for network shares whose events never arrive). A file is taken only once its
//! size and modification time have not changed for `--settle` seconds, its format
//! says it is whole and no process holds it open for writing (see [`complete`]),
//! so a file still being written is never read half-written; one that is not whole
//! waits in the inbox until it changes. Temporary and hidden files (`.part`,
//! `.tmp`, `.crdownload`, `~$x`, `.DS_Store`, any dot file), the output folder
//! when it lies inside the inbox, and anything that is not a regular file in the
//! inbox itself (a symbolic link, to a file or a folder, is never followed) are
//! left alone. A finished file moves to `INBOX/processed/`, a failed one to
//! `INBOX/failed/` with `NAME.reason.txt` beside it; its rows go into the tables
//! in DIR through the same manifest as `docex extract`, so the same content
//! dropped twice is extracted once (the second copy is a `duplicate` row).
//!
//! The document name in the tables is the file's path in the inbox; when that
//! name is already in the tables for other content (a scanner that always writes
//! `scan.pdf`), it becomes `scan (2).pdf`, and the file keeps that name in
//! `processed/`, so a row always names the file it came from. The manifest, not
//! the folders, says what is done: a file whose content the tables already hold
//! under its name (or a number of it), and which is not in `processed/` or
//! `failed/` (the move failed, or the run was killed between the commit and the
//! move), is only moved.

mod complete;

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use docex_core::{content_hash, InputDoc};
use docex_output::DOCUMENT_COLUMNS;
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use tracing::{debug, info, warn};

use crate::batch::{self, End, Redo};
use crate::{start_batch, BatchArgs};

/// Where finished files go, inside the inbox.
const PROCESSED: &str = "processed";
/// Where failed files go, inside the inbox.
const FAILED: &str = "failed";
/// The longest file name most file systems take, in bytes.
const NAME_MAX: usize = 255;

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

/// A file's size and modification time: what says it changed.
type Stamp = (u64, Option<SystemTime>);

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    (meta.len(), meta.modified().ok())
}

/// What the scan last saw of a file.
struct Seen {
    stamp: Stamp,
    since: Instant,
}

/// A settled file whose format says it is not whole yet: looked at again when it
/// changes.
struct Waiting {
    stamp: Stamp,
    since: Instant,
    warned: bool,
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
    let root = inbox
        .canonicalize()
        .with_context(|| format!("{}", inbox.display()))?;
    let out = &args.batch.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let out_root = out
        .canonicalize()
        .with_context(|| format!("{}", out.display()))?;
    if out_root == root {
        anyhow::bail!(
            "--out {} is the inbox itself: give the tables a folder of their own \
             (a folder inside the inbox is fine, it is not scanned)",
            out.display()
        );
    }
    let out_meta = std::fs::metadata(&out_root)?;
    let (mut batch, jobs) = start_batch(&args.batch, Redo::default(), None)?;
    batch.write_tables()?;

    let (tx, events) = mpsc::channel();
    // links are not followed here either: a link to / must not be walked each poll
    let config = notify::Config::default().with_follow_symlinks(false);
    let _watcher: Box<dyn Watcher> = match args.poll {
        Some(secs) => {
            let config = config.with_poll_interval(Duration::from_secs_f64(secs.max(0.1)));
            let mut w = PollWatcher::new(tx, config).context("starting the poll watcher")?;
            w.watch(&root, RecursiveMode::Recursive)?;
            Box::new(w)
        }
        None => {
            let mut w = RecommendedWatcher::new(tx, config)
                .context("watching the inbox (inotify); try --poll SECONDS")?;
            w.watch(&root, RecursiveMode::Recursive)?;
            Box::new(w)
        }
    };
    let settle = Duration::from_secs_f64(args.settle.max(0.0));
    // without events, still rescan now and then: a lost event must not lose a file
    let rescan_every = Duration::from_secs_f64(args.poll.unwrap_or(30.0).max(0.1));
    info!(inbox = %inbox.display(), out = %out.display(), "watching");

    let mut state = Inbox {
        out_in_inbox: out_root.strip_prefix(&root).ok().map(Path::to_owned),
        inbox,
        root,
        out_id: (out_meta.dev(), out_meta.ino()),
        settle,
        warn_after: (settle * 10).max(Duration::from_secs(60)),
        seen: HashMap::new(),
        waiting: HashMap::new(),
        taken: HashMap::new(),
        stuck: HashMap::new(),
        skipped: HashSet::new(),
    };
    let mut last_scan = Instant::now() - rescan_every;
    let mut changed = true;
    while !batch::stopping() {
        // the whole inbox on an event or the rescan timer; between them only the files
        // still settling or waiting for a worker (a backlog must not be walked each pass)
        let full = changed || last_scan.elapsed() >= rescan_every;
        if full || !state.seen.is_empty() {
            let now = Instant::now();
            state.pass(&mut batch, jobs, full)?;
            if full {
                last_scan = now;
                changed = false;
            }
        }
        // results first; then wait for events (briefly while files settle or run)
        let busy = batch.in_flight() > 0 || !state.seen.is_empty();
        if batch.in_flight() > 0 {
            // every result that is ready, waiting briefly for the first
            let mut wait = Duration::from_millis(100);
            while let Some((doc, end)) = batch.next_done(wait)? {
                state.finish(&doc.path, &end);
                wait = Duration::ZERO;
            }
        }
        let wait = if busy {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(500)
        };
        match events.recv_timeout(wait) {
            Ok(Ok(event)) => changed |= state.relevant(&event),
            Ok(Err(e)) => warn!("watch: {e}"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("the watcher stopped"),
        }
        while let Ok(ev) = events.try_recv() {
            if let Ok(event) = ev {
                changed |= state.relevant(&event);
            }
        }
    }
    info!("stopping: finishing the documents in flight");
    while batch.in_flight() > 0 {
        if let Some((doc, end)) = batch.next_done(Duration::from_millis(200))? {
            state.finish(&doc.path, &end);
        }
    }
    let c = batch.finish()?;
    info!("stopped: {c}");
    Ok(crate::exit::OK)
}

/// What the watch knows of the inbox between scans.
struct Inbox {
    /// The inbox as given: documents are named and moved relative to it.
    inbox: PathBuf,
    /// Where it really is: a file is taken only when its folder is in here.
    root: PathBuf,
    /// The output folder's device and inode: never scanned.
    out_id: (u64, u64),
    /// The output folder relative to `root`, when inside it: its changes call for no scan.
    out_in_inbox: Option<PathBuf>,
    settle: Duration,
    /// How long a file may stay not whole before a warning says so.
    warn_after: Duration,
    /// Files settling (or settled and waiting for a worker).
    seen: HashMap<PathBuf, Seen>,
    /// Settled files that are not whole yet.
    waiting: HashMap<PathBuf, Waiting>,
    /// path -> (name in the tables, where it goes under processed/ or failed/)
    taken: HashMap<PathBuf, (String, PathBuf)>,
    /// Files that could not be moved away: not taken again unless they change.
    stuck: HashMap<PathBuf, Stamp>,
    /// Links and other entries already logged as skipped.
    skipped: HashSet<PathBuf>,
}

impl Inbox {
    /// Looks at the whole inbox (`full`) or at the files still settling, and takes
    /// the settled ones that are whole while workers are free.
    fn pass(&mut self, batch: &mut batch::Batch, jobs: usize, full: bool) -> anyhow::Result<()> {
        let now = Instant::now();
        let mut present = HashSet::new();
        let paths = if full {
            let (files, skipped) = scan(&self.inbox, self.out_id);
            for (path, what) in &skipped {
                if self.skipped.insert(path.clone()) {
                    warn!(file = %path.display(), "{what}: skipped (watch takes only the files in the inbox itself)");
                }
            }
            self.skipped.retain(|p| skipped.iter().any(|(s, _)| s == p));
            files
        } else {
            let mut waiting: Vec<PathBuf> = self.seen.keys().cloned().collect();
            waiting.sort();
            waiting
        };
        let mut ready = Vec::new();
        for path in paths {
            let meta = std::fs::symlink_metadata(&path).ok();
            if !full && meta.is_none() {
                continue; // gone since the last scan
            }
            present.insert(path.clone());
            if self.taken.contains_key(&path) {
                continue;
            }
            let now_stamp = meta.as_ref().map_or((0, None), stamp);
            if let Some(s) = self.stuck.get(&path) {
                if *s == now_stamp {
                    continue;
                }
                self.stuck.remove(&path); // changed: looked at anew
            }
            if let Some(w) = self.waiting.get_mut(&path) {
                if w.stamp == now_stamp {
                    if !w.warned && w.since.elapsed() >= self.warn_after {
                        w.warned = true;
                        warn!(
                            file = %path.display(),
                            "still not whole after {} s: it is taken when it changes",
                            w.since.elapsed().as_secs()
                        );
                    }
                    continue;
                }
                self.waiting.remove(&path);
            }
            let entry = self.seen.entry(path.clone()).or_insert(Seen {
                stamp: now_stamp,
                since: now,
            });
            if entry.stamp != now_stamp {
                *entry = Seen {
                    stamp: now_stamp,
                    since: now,
                };
            }
            if entry.since.elapsed() >= self.settle {
                ready.push(path);
            }
        }
        self.seen.retain(|p, _| present.contains(p));
        if full {
            self.waiting.retain(|p, _| present.contains(p));
            self.stuck.retain(|p, _| present.contains(p));
        }
        self.take(ready, batch, jobs)
    }

    /// Takes the `ready` files that are whole and that no process is writing, while
    /// fewer than two per worker are in flight.
    fn take(
        &mut self,
        ready: Vec<PathBuf>,
        batch: &mut batch::Batch,
        jobs: usize,
    ) -> anyhow::Result<()> {
        let free = (2 * jobs).saturating_sub(batch.in_flight());
        let mut whole = Vec::new();
        for path in ready {
            if whole.len() >= free {
                break;
            }
            match complete::incomplete(&path) {
                // unreadable: taken, and the error row says why
                Ok(None) | Err(_) => whole.push(path),
                Ok(Some(why)) => {
                    info!(file = %path.display(), "not whole yet ({why}): waiting for it to change");
                    let stamp = self.seen.remove(&path).map_or((0, None), |s| s.stamp);
                    self.waiting.insert(
                        path,
                        Waiting {
                            stamp,
                            since: Instant::now(),
                            warned: false,
                        },
                    );
                }
            }
        }
        let writing = complete::open_for_writing(&whole);
        for path in whole {
            if writing.contains(&path) {
                debug!(file = %path.display(), "open for writing by another process: waiting");
                if let Some(s) = self.seen.get_mut(&path) {
                    s.since = Instant::now(); // looked at again after another settle time
                }
                continue;
            }
            if batch.in_flight() >= 2 * jobs {
                break;
            }
            self.seen.remove(&path);
            self.take_one(path, batch)?;
        }
        Ok(())
    }

    fn take_one(&mut self, path: PathBuf, batch: &mut batch::Batch) -> anyhow::Result<()> {
        let rel = path.strip_prefix(&self.inbox).unwrap_or(&path).to_owned();
        // still a regular file in the inbox itself: a folder on its path may have
        // been swapped for a link since the scan
        let folder = path.parent().and_then(|p| p.canonicalize().ok());
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        let parent = rel.parent().unwrap_or(Path::new(""));
        if !regular || folder.as_deref() != Some(&*self.root.join(parent)) {
            if self.skipped.insert(path.clone()) {
                warn!(file = %path.display(), "no longer a file in the inbox itself: skipped");
            }
            return Ok(());
        }
        // hashed once: for the manifest's record of it, and for the batch
        let hashed = content_hash(&path);
        let recorded = match &hashed {
            Ok((hash, _)) => self.recorded(hash, &rel, batch)?,
            Err(_) => None,
        };
        if let Some((name, dest, end)) = recorded {
            info!(document = %name, "already in the tables: moving it");
            self.taken.insert(path.clone(), (name, dest));
            self.finish(&path, &end);
            return Ok(());
        }
        let (name, dest) = table_name(&self.inbox, &rel, batch)?;
        let doc = InputDoc {
            path: path.clone(),
            display: name.clone(),
        };
        self.taken.insert(path.clone(), (name, dest));
        if let Some(end) = batch.admit_hashed(doc, hashed)? {
            self.finish(&path, &end);
        }
        Ok(())
    }

    /// The row the tables already hold for this file: its content under its inbox
    /// name or a number of it, not in processed/ or failed/ (the move failed, or
    /// the run was killed between the commit and the move). Its name, where it
    /// goes, and how it ended.
    fn recorded(
        &self,
        hash: &str,
        rel: &Path,
        batch: &batch::Batch,
    ) -> anyhow::Result<Option<(String, PathBuf, End)>> {
        debug_assert_eq!(DOCUMENT_COLUMNS[1..3], ["status", "error"]);
        for rows in batch.manifest().rows_with_hash(hash)? {
            let dest = if rows.document == rel.to_string_lossy() {
                rel.to_owned()
            } else if let Some(dest) = numbered_from(rel, &rows.document) {
                dest
            } else {
                continue;
            };
            let moved = [PROCESSED, FAILED]
                .iter()
                .any(|d| std::fs::symlink_metadata(self.inbox.join(d).join(&dest)).is_ok());
            if moved {
                continue; // a copy dropped again: a new document
            }
            let cell = |i: usize| rows.document_row.get(i).cloned().unwrap_or_default();
            let end = match cell(1).as_str() {
                "ok" => End::Done,
                "duplicate" => End::Duplicate(cell(2)),
                "quarantined" => End::Quarantined(cell(2)),
                _ => End::Failed(cell(2)),
            };
            return Ok(Some((rows.document, dest, end)));
        }
        Ok(None)
    }

    /// Events about processed/, failed/ and the output folder (our own writes) do
    /// not call for a scan.
    fn relevant(&self, event: &notify::Event) -> bool {
        event.paths.iter().any(|p| {
            let rel = p.strip_prefix(&self.root).unwrap_or(p);
            !(rel.starts_with(PROCESSED)
                || rel.starts_with(FAILED)
                || self
                    .out_in_inbox
                    .as_ref()
                    .is_some_and(|o| rel.starts_with(o)))
        })
    }

    /// Moves a file whose run ended out of the inbox.
    fn finish(&mut self, path: &Path, end: &End) {
        let Some((name, dest_rel)) = self.taken.remove(path) else {
            return;
        };
        let (folder, reason) = match end {
            End::Done | End::Skipped | End::Duplicate(_) => (PROCESSED, None),
            End::Failed(e) | End::Quarantined(e) => (FAILED, Some(e.as_str())),
            // stays in the inbox: the next start takes it again
            End::Abandoned | End::OtherShard => return,
        };
        let dest = self.inbox.join(folder).join(&dest_rel);
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
                warn!(file = %path.display(), to = %dest.display(), "cannot move it ({e}); it stays and is not taken again unless it changes");
                let now = std::fs::symlink_metadata(path).map_or((0, None), |m| stamp(&m));
                self.stuck.insert(path.to_owned(), now);
            }
        }
    }
}

/// The regular files waiting in the inbox (recursively; not processed/, failed/,
/// the output folder, hidden folders or ignored names), in name order; and the
/// entries skipped because they are not regular files or folders (symbolic links,
/// which are never followed, FIFOs, sockets, devices), with what they are.
fn scan(inbox: &Path, out_id: (u64, u64)) -> (Vec<PathBuf>, Vec<(PathBuf, &'static str)>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut stack = vec![inbox.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in rd.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if ignored(&name) {
                continue;
            }
            // the entry itself, not what a link points to
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let kind = meta.file_type();
            if kind.is_dir() {
                let ours = dir == inbox && (name == PROCESSED || name == FAILED);
                if !ours && (meta.dev(), meta.ino()) != out_id {
                    stack.push(path);
                }
            } else if kind.is_file() {
                files.push(path);
            } else if kind.is_symlink() {
                skipped.push((path, "a symbolic link"));
            } else {
                skipped.push((path, "not a regular file"));
            }
        }
    }
    files.sort();
    skipped.sort();
    (files, skipped)
}

/// The file's name in the tables: its inbox path `rel`, made unique against the
/// rows already there and the files already in processed/ and failed/; and its
/// path under those folders (the original bytes when the name is kept: names
/// need not be UTF-8).
fn table_name(inbox: &Path, rel: &Path, batch: &batch::Batch) -> anyhow::Result<(String, PathBuf)> {
    let free = |name: &Path| -> anyhow::Result<bool> {
        Ok(!batch.manifest().has_rows(&name.to_string_lossy())?
            && std::fs::symlink_metadata(inbox.join(PROCESSED).join(name)).is_err()
            && std::fs::symlink_metadata(inbox.join(FAILED).join(name)).is_err())
    };
    if free(rel)? {
        return Ok((rel.to_string_lossy().into_owned(), rel.to_owned()));
    }
    for n in 2.. {
        let name = numbered(rel, n);
        if free(&name)? {
            return Ok((name.to_string_lossy().into_owned(), name));
        }
    }
    unreachable!("some name is free")
}

/// `rel` numbered `n`: `scan.pdf` becomes `scan (2).pdf`. The name is shortened
/// (its stem, at a character) so that it fits in [`NAME_MAX`] bytes and can be
/// moved under it.
fn numbered(rel: &Path, n: u64) -> PathBuf {
    let file = rel
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    let number = format!(" ({n})");
    let (stem, ext) = match file.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.len() + 1 + number.len() < NAME_MAX => {
            (s, format!(".{e}"))
        }
        _ => (file.as_str(), String::new()),
    };
    let mut keep = stem.len().min(NAME_MAX - number.len() - ext.len());
    while !stem.is_char_boundary(keep) {
        keep -= 1;
    }
    rel.with_file_name(format!("{}{number}{ext}", &stem[..keep]))
}

/// Whether `name` (a document name in the tables) is `rel` numbered; where it goes.
fn numbered_from(rel: &Path, name: &str) -> Option<PathBuf> {
    let file = Path::new(name).file_name()?.to_str()?;
    let open = file.rfind(" (")?;
    let digits = &file[open + 2..];
    let n: u64 = digits[..digits.find(')')?].parse().ok()?;
    let numbered = numbered(rel, n);
    (numbered.to_string_lossy() == name).then_some(numbered)
}

#[cfg(test)]
mod tests {
    use super::{ignored, numbered, numbered_from, NAME_MAX};
    use std::path::{Path, PathBuf};

    #[test]
    fn a_numbered_name_fits_and_is_recognised() {
        let long = format!("{}.pdf", "é".repeat(125)); // 254 bytes
        let cases = [
            ("scan.pdf", 2, "scan (2).pdf"),
            ("sub/scan.pdf", 3, "sub/scan (3).pdf"),
            ("README", 2, "README (2)"),
            ("a.tar.gz", 2, "a.tar (2).gz"),
        ];
        for (rel, n, want) in cases {
            assert_eq!(numbered(Path::new(rel), n), PathBuf::from(want));
            assert_eq!(numbered_from(Path::new(rel), want), Some(want.into()));
        }
        let short = numbered(Path::new(&long), 12);
        let name = short.to_str().unwrap();
        assert!(
            name.len() <= NAME_MAX && name.ends_with("é (12).pdf"),
            "{name}"
        );
        assert_eq!(numbered_from(Path::new(&long), name), Some(short.clone()));
        assert_eq!(numbered_from(Path::new("scan.pdf"), "scan (2) x.pdf"), None);
        assert_eq!(numbered_from(Path::new("scan.pdf"), "other (2).pdf"), None);
        assert_eq!(
            numbered_from(Path::new("a/scan.pdf"), "b/scan (2).pdf"),
            None
        );
    }

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
